# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: publishing_rules
short_description: The publishing rules (routes) a Lync reverse proxy needs
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Returns the routes of the port model (see P(lync.reverse_proxy.port_model#filter)); for each
    frontend port, which published host names go to which pool, Director pool or Office Web
    Apps farm, on which backend port, and whether the proxy re-encrypts (TLS bridging 443 to
    4443) or only redirects plain HTTP to HTTPS.
  - No host name is in two routes of the same frontend port.
extends_documentation_fragment:
  - lync.reverse_proxy.topology
options:
  frontend_port:
    description: Only the routes of this frontend port.
    type: int
    choices: [443, 80]
requirements:
  - netaddr (Python library, on the controller)
seealso:
  - plugin: lync.reverse_proxy.port_model
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Host names and backends published on 443
  ansible.builtin.debug:
    msg: "{{ item.host_names }} -> {{ item.backend }}:{{ item.backend_port }}"
  loop: "{{ lync_topology | lync.reverse_proxy.publishing_rules(443) }}"
  loop_control:
    label: "{{ item.name }}"
"""

RETURN = r"""
_value:
  description: The routes; see P(lync.reverse_proxy.port_model#filter) for their keys.
  type: list
  elements: dict
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def publishing_rules(data, frontend_port=None):
    """The model's routes, optionally of one frontend port."""
    return _model.select_routes(_model.ensure_model(data), frontend_port=frontend_port)


class FilterModule:
    """The publishing_rules filter."""

    def filters(self):
        return {"publishing_rules": publishing_rules}
