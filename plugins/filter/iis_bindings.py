# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: iis_bindings
short_description: The IIS site bindings of a Windows reverse proxy's listener
version_added: 1.1.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - The bindings the IIS site of a Windows reverse proxy needs - 443 (https) on each of the proxy's
    listener addresses and 80 (http) when the model opens it; IPv6 addresses in brackets, as IIS
    writes them (C([2001:db8::10]:443:)).
  - Not C(*) - IIS binds the listener addresses only. HTTP.sys, which listens for IIS, still accepts
    connections on every address of the host unless its IP listen list says otherwise (the
    collection leaves that list alone, WinRM listens through HTTP.sys too) and answers a request to
    another address with an error; the listener firewall rules keep 443 and 80 closed elsewhere.
  - Used by the lync.reverse_proxy.rp_iis_arr role (its C(bindings.ps1) keeps the site's bindings
    equal to these and binds the listener certificate to each https one).
extends_documentation_fragment:
  - lync.reverse_proxy.topology
options:
  reverse_proxy:
    description: The reverse proxy (a name in O(_input.reverse_proxies)).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: The bindings of rp01
  ansible.builtin.debug:
    msg: "{{ lync_topology | lync.reverse_proxy.iis_bindings('rp01') }}"
"""

RETURN = r"""
_value:
  description: One dict per binding - C(ip), C(port), C(protocol).
  type: list
  elements: dict
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def iis_bindings(data, reverse_proxy):
    """The listener's IIS bindings."""
    return _model.iis_bindings(_model.ensure_model(data), reverse_proxy)


class FilterModule:
    """The iis_bindings filter."""

    def filters(self):
        return {"iis_bindings": iis_bindings}
