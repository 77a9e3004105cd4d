# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: windows_firewall_rules
short_description: Windows Firewall rules of the Lync port model for one Windows host
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Parameters for M(community.windows.win_firewall_rule), one dict per rule, for one Windows host.
  - A Front End server, Director or Office Web Apps server (identified by O(host_addresses))
    admits the model's internal rules whose destinations are its own addresses - from the
    reverse proxies' internal addresses to 4443 and, when the model has it, 8080, or to 443.
  - A reverse proxy (O(reverse_proxy)) admits the external rules on its listener addresses and,
    with O(egress_filtering), may send the internal rules.
  - Rules are named C(lync.reverse_proxy/<rule id>/<port>) and grouped in C(lync.reverse_proxy),
    so they are ours alone; remote address lists are C(any) for the source's "Any".
  - An address of a reverse proxy in O(host_addresses) is refused, naming the proxy - as a server it
    would get none of its listener rules, and a role that removes the rules of the group it does not
    compute would close the listener; give O(reverse_proxy) for it.
  - Windows Firewall is rendered like the Linux firewall backends, through one firewall policy and its
    checks - a reverse proxy's rules without an external rule or without addresses, or whose IPv4 and
    IPv6 addresses never meet, are refused in the same words as by
    P(lync.reverse_proxy.nftables_ruleset#filter).
extends_documentation_fragment:
  - lync.reverse_proxy.topology
options:
  host_addresses:
    description: The host's own addresses.
    type: list
    elements: str
    default: []
  reverse_proxy:
    description: The host is this reverse proxy (a name in O(_input.reverse_proxies)).
    type: str
  egress_filtering:
    description: With O(reverse_proxy), also the outbound internal rules.
    type: bool
    default: false
seealso:
  - module: community.windows.win_firewall_rule
"""

EXAMPLES = r"""
- name: Admit the reverse proxies on a Front End server
  community.windows.win_firewall_rule: "{{ item }}"
  loop: "{{ lync_topology | lync.reverse_proxy.windows_firewall_rules(ansible_facts.ip_addresses) }}"
  loop_control:
    label: "{{ item.name }}"
"""

RETURN = r"""
_value:
  description: >-
    win_firewall_rule parameters - name, group, direction, action, protocol, localport or
    remoteport, remoteip, localip, profiles, enabled, description.
  type: list
  elements: dict
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def windows_firewall_rules(data, host_addresses=None, reverse_proxy=None, egress_filtering=False):
    """Windows Firewall rule parameters for one host."""
    return _model.windows_firewall_rules(_model.ensure_model(data), host_addresses or [], reverse_proxy=reverse_proxy,
                                         egress_filtering=bool(egress_filtering))


class FilterModule:
    """The windows_firewall_rules filter."""

    def filters(self):
        return {"windows_firewall_rules": windows_firewall_rules}
