# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: firewall_rules
short_description: The firewall rules of the Lync reverse-proxy port model
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Returns the firewall rules of the port model (see P(lync.reverse_proxy.port_model#filter)),
    all of them or those of one interface, optionally reshaped with a JMESPath query so that
    they feed straight into a firewall module you already use.
extends_documentation_fragment:
  - lync.reverse_proxy.topology
options:
  interface:
    description: Only the rules of this interface.
    type: str
    choices: [external, internal]
  query:
    description:
      - A JMESPath expression evaluated on the list of rules (after O(interface) and
        O(reverse_proxy) selected them).
    type: str
  reverse_proxy:
    description:
      - The rules as this one reverse proxy (a name in O(_input.reverse_proxies)) applies them;
        external rules keep only its listener addresses as destinations, internal rules only its
        internal addresses as sources. An unknown name is an error that lists the known ones.
    type: str
requirements:
  - netaddr (Python library, on the controller)
  - jmespath (Python library, on the controller; only with O(query))
seealso:
  - plugin: lync.reverse_proxy.port_model
    plugin_type: filter
"""

EXAMPLES = r"""
- name: The rules of the internal interface
  ansible.builtin.debug:
    msg: "{{ lync_topology | lync.reverse_proxy.firewall_rules('internal') }}"

- name: The rules as the reverse proxy rp01 applies them
  ansible.builtin.debug:
    msg: "{{ lync_topology | lync.reverse_proxy.firewall_rules(reverse_proxy='rp01') }}"

- name: Port and destinations of every required rule, for a firewall module of your own
  ansible.builtin.set_fact:
    internal_flows: >-
      {{ lync_topology | lync.reverse_proxy.firewall_rules(interface='internal',
         query="[?required].{port: port, to: destinations, from: sources}") }}
"""

RETURN = r"""
_value:
  description:
    - The rules (see P(lync.reverse_proxy.port_model#filter) for their keys), or what O(query)
      made of them.
  type: raw
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def firewall_rules(data, interface=None, query=None, reverse_proxy=None):
    """The model's firewall rules, optionally of one interface and proxy, and through a JMESPath query."""
    return _model.select_rules(_model.ensure_model(data), interface=interface, query=query, reverse_proxy=reverse_proxy)


class FilterModule:
    """The firewall_rules filter."""

    def filters(self):
        return {"firewall_rules": firewall_rules}
