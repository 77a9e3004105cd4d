# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: firewalld_files
short_description: The port model's rules as firewalld zones and policies of our own
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Renders the rules as firewalld configuration files for M(lync.reverse_proxy.firewalld_config).
  - O(placement=host) - zone C(<prefix>-external) (target DROP) with the external interfaces, one rich
    rule per (rule, source, destination) and the management port from the management sources; zone
    C(<prefix>-internal) (target ACCEPT) with the internal interfaces; with O(egress_filtering) the
    policy C(<prefix>-egress) (ingress zone HOST, egress zone C(<prefix>-internal), target DROP) with
    the internal rules.
  - O(placement=gateway) - zones C(<prefix>-outside) and C(<prefix>-inside), policy C(<prefix>-forward)
    (outside -> inside, target DROP) with the rules of O(side), policy C(<prefix>-return)
    (inside -> outside, target DROP).
extends_documentation_fragment:
  - lync.reverse_proxy.firewall_policy
options:
  prefix:
    description: Our zones' and policies' name prefix.
    type: str
    default: lync
seealso:
  - module: lync.reverse_proxy.firewalld_config
  - plugin: lync.reverse_proxy.firewall_rules
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Keep our zones
  lync.reverse_proxy.firewalld_config:
    files: >-
      {{ lync_topology | lync.reverse_proxy.firewall_rules(reverse_proxy='rp01')
         | lync.reverse_proxy.firewalld_files(management_sources=['10.250.0.0/24'],
                                              external_interfaces=['eth1'], internal_interfaces=['eth2']) }}
"""

RETURN = r"""
_value:
  description: Relative path (C(zones/...xml), C(policies/...xml)) -> file content.
  type: dict
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def firewalld_files(rules, management_sources=None, **options):
    """The port model's rules as firewalld zone and policy files.

    The options are the firewall policy's (doc fragment lync.reverse_proxy.firewall_policy) and
    the backend's own; both are checked where every firewall rendering is."""
    return _model.render_firewalld(rules, management_sources=management_sources, **options)


class FilterModule:
    """The firewalld_files filter."""

    def filters(self):
        return {"firewalld_files": firewalld_files}
