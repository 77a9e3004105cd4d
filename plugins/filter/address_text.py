# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: address_text
short_description: The port model's addresses as configurations write them
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - The port model keeps addresses as CIDRs (C(198.51.100.10/32), C(2001:db8::10/128),
    C(10.0.0.0/8)). This filter writes a single host without its prefix length, the way
    proxy configurations, C(nft), PowerShell and people write it, and leaves networks as they
    are; duplicates are dropped, the order is kept.
  - The same text the collection's own renderers write (one helper for all of them).
options:
  _input:
    description: Addresses or networks (one, or a list).
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: The listener addresses of rp01, as HAProxy binds them
  ansible.builtin.debug:
    msg: >-
      {{ lync_topology | lync.reverse_proxy.firewall_rules('external', reverse_proxy='rp01')
         | map(attribute='destinations') | flatten | lync.reverse_proxy.address_text }}
"""

RETURN = r"""
_value:
  description: The addresses as text (a list for a list, a string for a string).
  type: raw
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def address_text(data):
    """Host addresses without their prefix length; networks as they are."""
    if isinstance(data, str):
        return _model.host_text(data)
    if not isinstance(data, (list, tuple)) or not all(isinstance(item, str) for item in data):
        raise _model.PortModelError("address_text takes an address or a list of addresses, got %r" % (data,))
    return list(dict.fromkeys(_model.host_text(item) for item in data))


class FilterModule:
    """The address_text filter."""

    def filters(self):
        return {"address_text": address_text}
