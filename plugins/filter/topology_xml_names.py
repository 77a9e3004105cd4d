# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: topology_xml_names
short_description: The FQDNs whose addresses an import of a Lync topology document needs
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Reads a Lync topology document as lync.reverse_proxy.topology_from_xml does and returns the
    names it needs addresses of (C(required) - machine FQDNs, pool FQDNs, Office Web Apps hosts)
    and those it uses when it has them (C(optional) - external web services FQDNs, for the VIP).
  - The names M(lync.reverse_proxy.topology_import) (and so the lync.reverse_proxy.import_topology
    playbook) asks DNS for when the address mapping lacks them.
positional: _input
options:
  _input:
    description: The document, as text or as the result of M(ansible.builtin.slurp).
    type: raw
    required: true
  site:
    description: Only the pools of this central site.
    type: str
requirements:
  - defusedxml (Python library, on the controller)
seealso:
  - plugin: lync.reverse_proxy.topology_from_xml
    plugin_type: filter
  - module: lync.reverse_proxy.topology_import
"""

EXAMPLES = r"""
- name: Names to resolve
  ansible.builtin.debug:
    msg: "{{ lookup('ansible.builtin.file', 'topology.tbxml') | lync.reverse_proxy.topology_xml_names }}"
"""

RETURN = r"""
_value:
  description: The names, in document order.
  type: dict
  contains:
    required:
      description: Names every import needs.
      type: list
      elements: str
    optional:
      description: Names used when known.
      type: list
      elements: str
  sample: {required: [fe01.corp.contoso.com, pool01.corp.contoso.com], optional: [webext.contoso.com]}
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def topology_xml_names(document, site=None):
    """The names an import of the document needs."""
    return _model.needed_names(document, site=site)


class FilterModule:
    """The topology_xml_names filter."""

    def filters(self):
        return {"topology_xml_names": topology_xml_names}
