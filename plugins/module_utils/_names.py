# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The names the collection gives what it owns on a host, declared once. PRIVATE to the
lync.reverse_proxy collection.

The renderers (``_port_model``), the modules that apply and read what they render, and the facts
reader take their defaults from here; the documentation of the plugins and the roles' defaults and
argument specs say the same values, and ``tests/unit/plugins/filter/test_names.py`` fails when
one of them says another.
"""

from __future__ import annotations

__all__ = ["FIREWALLD_PREFIX", "FIREWALLD_PREFIX_PATTERN", "IPTABLES_CHAIN_PREFIX", "IPTABLES_CHAIN_PREFIX_PATTERN",
           "NFT_TABLE", "WINDOWS_FIREWALL_GROUP", "WINDOWS_FIREWALL_GROUP_PATTERN"]

# nftables: the table (family inet) of the host firewall.
NFT_TABLE = "lync_reverse_proxy"
# iptables / ip6tables: the prefix of our chains (LYNC-RP-INPUT, LYNC-RP-OUTPUT, ...).
IPTABLES_CHAIN_PREFIX = "LYNC-RP"
IPTABLES_CHAIN_PREFIX_PATTERN = r"[A-Za-z][A-Za-z0-9_-]{0,20}"
# firewalld: the prefix of our zone and policy files (zones/lync-external.xml, ...).
FIREWALLD_PREFIX = "lync"
FIREWALLD_PREFIX_PATTERN = r"[a-z][a-z0-9-]{0,11}"
# Windows Firewall: the group of our rules (rules named lync.reverse_proxy/<rule id>/<port>); the
# rendered Windows script and the rp_iis_arr role's scripts mark what they own with it as well.
WINDOWS_FIREWALL_GROUP = "lync.reverse_proxy"
WINDOWS_FIREWALL_GROUP_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
