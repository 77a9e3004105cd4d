# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: iptables_ruleset
short_description: The port model's rules as chains of our own for iptables-restore
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Renders the rules as user chains (C(<chain_prefix>-INPUT), C(-OUTPUT) with O(egress_filtering),
    C(-FORWARD) for a gateway) for C(iptables-restore --noflush) / C(ip6tables-restore), each rule
    written the way C(iptables-save) prints it, so M(lync.reverse_proxy.iptables_chains) can compare
    it with the live chains. Established traffic first; one rule per (rule, source, destination).
  - Same policy as P(lync.reverse_proxy.nftables_ruleset#filter).
extends_documentation_fragment:
  - lync.reverse_proxy.firewall_policy
options:
  chain_prefix:
    description: Our chains' name prefix.
    type: str
    default: LYNC-RP
  family:
    description: V(4) for iptables, V(6) for ip6tables (only the addresses of that family are used).
    type: int
    default: 4
    choices: [4, 6]
seealso:
  - module: lync.reverse_proxy.iptables_chains
  - plugin: lync.reverse_proxy.firewall_rules
    plugin_type: filter
"""

EXAMPLES = r"""
- name: The IPv4 chains of rp01
  ansible.builtin.debug:
    msg: >-
      {{ (lync_topology | lync.reverse_proxy.firewall_rules(reverse_proxy='rp01')
          | lync.reverse_proxy.iptables_ruleset(management_sources=['10.250.0.0/24'],
                                                external_interfaces=['eth1'])).content }}
"""

RETURN = r"""
_value:
  description: C(chains) (our chain -> the built-in chain that jumps to it) and C(content) (the restore text).
  type: dict
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def iptables_ruleset(rules, management_sources=None, **options):
    """The port model's rules as chains of our own for iptables-restore.

    The options are the firewall policy's (doc fragment lync.reverse_proxy.firewall_policy) and
    the backend's own; both are checked where every firewall rendering is."""
    return _model.render_iptables(rules, management_sources=management_sources, **options)


class FilterModule:
    """The iptables_ruleset filter."""

    def filters(self):
        return {"iptables_ruleset": iptables_ruleset}
