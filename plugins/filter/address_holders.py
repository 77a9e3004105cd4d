# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: address_holders
short_description: Which reverse proxy holds each listener address its group shares
version_added: 1.1.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - For every group of C(reverse_proxy_groups) and each of its C(virtual_addresses), the members
    whose interfaces carry the address, from each member's C(ip -j addr show).
  - Returns one check per address in the form of M(lync.reverse_proxy.port_probe)'s results
    (C(name), C(ok), C(detail)), so that P(lync.reverse_proxy.verify_report#filter) lists them -
    ok when exactly one member holds it; a member not read is named in the detail.
options:
  _input:
    description: The deployment (a topology with its reverse proxies, or its port model).
    type: raw
    required: true
  reads:
    description: Reverse proxy name -> the output of C(ip -j addr show) on it (text or parsed).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Which proxy holds each shared address
  ansible.builtin.debug:
    msg: "{{ lync_topology | lync.reverse_proxy.address_holders({'rp1': rp1_ip_json, 'rp2': rp2_ip_json}) }}"
"""

RETURN = r"""
_value:
  description: One check per shared address.
  type: list
  elements: dict
  sample: [{name: "shared 198.51.100.20 (group edge)", ok: true, detail: "held by rp1"}]
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


def _holds(links, address: str) -> bool:
    try:
        return bool(_model.interfaces_for(links, [address]))
    except _model.PortModelError:
        raise _model.PortModelError("reads: not the JSON of 'ip -j addr show'") from None


@model_filter
def address_holders(data, reads):
    """One check per shared address: which members hold it."""
    if not isinstance(reads, dict):
        raise _model.PortModelError("reads must be a dict of reverse proxy name -> 'ip -j addr show', got %r"
                                    % type(reads).__name__)
    checks = []
    for group in _model.ensure_model(data).get("reverse_proxy_groups") or []:
        unread = [member for member in group["members"] if member not in reads]
        for address in group["virtual_addresses"]:
            holders = [member for member in group["members"] if member in reads and _holds(reads[member], address)]
            detail = ("held by %s" % " and ".join(holders)) if holders else "held by no member"
            if unread:
                detail += " (not read: %s)" % ", ".join(unread)
            checks.append({"name": "shared %s (group %s)" % (address, group["name"]),
                           "ok": len(holders) == 1, "detail": detail})
    return checks


class FilterModule:
    """The address_holders filter."""

    def filters(self):
        return {"address_holders": address_holders}
