# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: host_interfaces
short_description: The network interfaces of a host that carry given addresses
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Given the JSON output of C(ip -j addr show) from a host and a list of addresses (plain or
    CIDR, as the port model gives them), returns the sorted names of the interfaces that carry
    any of the addresses.
  - The firewall role uses it to find a reverse proxy's external and internal interfaces from
    its listener and internal addresses.
options:
  _input:
    description: The output of C(ip -j addr show), as text or parsed.
    type: raw
    required: true
  addresses:
    description: The addresses to look for.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Read the host's addresses
  ansible.builtin.command: ip -j addr show
  register: ip_addr
  changed_when: false

- name: The interfaces of the listener addresses
  ansible.builtin.debug:
    msg: "{{ ip_addr.stdout | lync.reverse_proxy.host_interfaces(['198.51.100.10/32']) }}"
"""

RETURN = r"""
_value:
  description: Interface names, sorted; empty when no interface carries the addresses.
  type: list
  elements: str
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def host_interfaces(links, addresses):
    """Interfaces that carry any of the addresses."""
    return _model.interfaces_for(links, addresses)


class FilterModule:
    """The host_interfaces filter."""

    def filters(self):
        return {"host_interfaces": host_interfaces}
