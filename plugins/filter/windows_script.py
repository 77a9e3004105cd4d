# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: windows_script
short_description: A reviewed PowerShell script that applies the Lync port model to a Windows host
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - For change processes where a person runs the change - renders a PowerShell script from
    P(lync.reverse_proxy.windows_firewall_rules#filter) (and, for a reverse proxy,
    P(lync.reverse_proxy.arr_configuration#filter)).
  - Firewall - removes the rules of the C(lync.reverse_proxy) group, then adds the model's with
    C(New-NetFirewallRule); nothing outside the group is touched, and running it again gives the
    same result.
  - Hosts entries and ARR (for a reverse proxy) - the rp_iis_arr role's own scripts, embedded
    unchanged (C(hosts.ps1), C(arr.ps1)) - compare what is there with the model and change only
    what differs - the hosts lines marked C(# lync.reverse_proxy) are replaced, the farms named
    C(lync-*) and the global rewrite rules named C(lync.reverse_proxy/*) are added, updated in place
    or removed, the proxy is set to preserve the Host header - and say what they changed.
    A rewrite rule is updated in place (its conditions are never removed first) and a new one is
    added disabled and enabled once complete, so no rule ever matches more than the model says.
  - The warnings of P(lync.reverse_proxy.arr_configuration#filter) are written as comments.
  - Every change runs under C(ShouldProcess) - run the script with C(-WhatIf) first.
options:
  _input:
    description: The host's firewall rule parameters.
    type: list
    elements: dict
    required: true
  arr:
    description: The ARR configuration, for a reverse proxy.
    type: dict
"""

EXAMPLES = r"""
- name: Write the script for a Windows reverse proxy
  ansible.builtin.copy:
    content: >-
      {{ lync_topology | lync.reverse_proxy.windows_firewall_rules(reverse_proxy='rp01')
         | lync.reverse_proxy.windows_script(arr=lync_topology | lync.reverse_proxy.arr_configuration) }}
    dest: /tmp/rp01.ps1
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The script.
  type: str
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._collection import windows_scripts
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def windows_script(firewall_rules, arr=None):
    """The PowerShell script."""
    return _model.render_powershell(list(firewall_rules), arr, windows_scripts() if arr else None)


class FilterModule:
    """The windows_script filter."""

    def filters(self):
        return {"windows_script": windows_script}
