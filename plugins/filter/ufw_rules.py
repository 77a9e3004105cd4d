# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: ufw_rules
short_description: The port model's rules as community.general.ufw rules
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Renders the rules as a list of parameters for M(community.general.ufw), each with a comment
    naming the model rule (C(<comment_prefix><rule id>)), so the rules of the collection can be told
    from others and stale ones removed.
  - ufw's default policy (deny incoming, deny routed) drops the rest; O(placement=host) allows the
    management port from the management sources and the external rules on the external
    interfaces, O(placement=gateway) routes the rules of O(side) from the outside to the inside
    interfaces.
  - O(egress_filtering) is not supported (ufw orders rules by insertion) and is an error.
extends_documentation_fragment:
  - lync.reverse_proxy.firewall_policy
options:
  comment_prefix:
    description: Start of every rule's comment.
    type: str
    default: "lync-rp:"
seealso:
  - module: community.general.ufw
  - plugin: lync.reverse_proxy.firewall_rules
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Allow what the model allows
  community.general.ufw: "{{ item }}"
  loop: >-
    {{ lync_topology | lync.reverse_proxy.firewall_rules(reverse_proxy='rp01')
       | lync.reverse_proxy.ufw_rules(management_sources=['10.250.0.0/24'], external_interfaces=['eth1']) }}
"""

RETURN = r"""
_value:
  description: The rules, one dict of M(community.general.ufw) parameters each.
  type: list
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def ufw_rules(rules, management_sources=None, **options):
    """The port model's rules as community.general.ufw parameters.

    The options are the firewall policy's (doc fragment lync.reverse_proxy.firewall_policy) and
    the backend's own; both are checked where every firewall rendering is."""
    return _model.render_ufw(rules, management_sources=management_sources, **options)


class FilterModule:
    """The ufw_rules filter."""

    def filters(self):
        return {"ufw_rules": ufw_rules}
