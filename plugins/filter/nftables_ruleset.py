# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: nftables_ruleset
short_description: A reverse proxy's rules of the port model as one nftables table
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Renders the rules of one reverse proxy (the output of P(lync.reverse_proxy.firewall_rules#filter)
    with O(lync.reverse_proxy.firewall_rules#filter:reverse_proxy)) as one C(table inet) of its own,
    written the way C(nft list table) prints it, so that the diff of
    M(lync.reverse_proxy.nft_table) against the live table reads line by line.
  - Input chain - established and related traffic first, loopback, SSH from the management sources,
    then on each external interface the external rules (sources and destinations in interval sets),
    IPv6 neighbour discovery, and a drop of everything else arriving there.
  - With O(egress_filtering), an output chain lets the internal interfaces send exactly the
    internal rules (and neighbour discovery) and drops the rest.
extends_documentation_fragment:
  - lync.reverse_proxy.firewall_policy
options:
  table:
    description: The table name.
    type: str
    default: lync_reverse_proxy
seealso:
  - module: lync.reverse_proxy.nft_table
  - plugin: lync.reverse_proxy.firewall_rules
    plugin_type: filter
"""

EXAMPLES = r"""
- name: The table for rp01
  ansible.builtin.debug:
    msg: >-
      {{ lync_topology | lync.reverse_proxy.firewall_rules(reverse_proxy='rp01')
         | lync.reverse_proxy.nftables_ruleset(management_sources=['10.250.0.0/24'],
                                               external_interfaces=['eth1']) }}
"""

RETURN = r"""
_value:
  description: The table, as nftables source text.
  type: str
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def nftables_ruleset(rules, management_sources=None, **options):
    """The proxy's (or a gateway's) rules as an nftables table.

    The options are the firewall policy's (doc fragment lync.reverse_proxy.firewall_policy) and
    the backend's own; both are checked where every firewall rendering is."""
    return _model.render_nftables(rules, management_sources=management_sources, **options)


class FilterModule:
    """The nftables_ruleset filter."""

    def filters(self):
        return {"nftables_ruleset": nftables_ruleset}
