# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: inventory_topology
short_description: The topology as the inventory completes it (its reverse proxies from the proxies' group)
version_added: 1.1.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Returns C(lync_topology) with C(reverse_proxies) taken from the inventory when it lists none
    itself - the C(lync_reverse_proxy) of each host of the proxies' group that sets it, in the
    group's order - the same way the actions M(lync.reverse_proxy.firewall_converge) and
    M(lync.reverse_proxy.proxy_converge) complete the topology they are given. For the filters a
    playbook calls (P(lync.reverse_proxy.probe_list#filter), P(lync.reverse_proxy.port_model#filter), ...),
    with no task to fill the topology in first.
  - A topology that lists C(reverse_proxies) (even an empty list), or a port model, is returned as
    it is; so is a topology when no host of the group sets C(lync_reverse_proxy).
  - Each host's C(lync_reverse_proxy) is read as that host's variable (templated in its own context).
options:
  topology:
    description: The topology to complete; not given, the variable C(lync_topology).
    type: dict
  group:
    description:
      - The inventory group of the reverse proxies; not given, the variable C(lync_reverse_proxies_group),
        else C(lync_reverse_proxies).
    type: str
seealso:
  - plugin: lync.reverse_proxy.probe_list
    plugin_type: filter
  - module: lync.reverse_proxy.firewall_converge
  - module: lync.reverse_proxy.proxy_converge
"""

EXAMPLES = r"""
- name: Probe every listener of the inventory's proxies from outside
  lync.reverse_proxy.port_probe:
    endpoints: "{{ lookup('lync.reverse_proxy.inventory_topology') | lync.reverse_proxy.probe_list('outside') }}"

- name: The topology of a file, completed from the proxies of another group
  ansible.builtin.debug:
    msg: >-
      {{ lookup('lync.reverse_proxy.inventory_topology', topology=(lookup('ansible.builtin.file', 'topology.yml')
         | from_yaml).lync_topology, group='edge_proxies') | lync.reverse_proxy.certificate_names }}
"""

RETURN = r"""
_raw:
  description: The topology, as one element (C(lookup) returns it as it is, C(query) as a list of one).
  type: list
  elements: dict
"""

from collections.abc import Mapping

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _inventory


class LookupModule(LookupBase):
    """``lync_topology`` completed with the inventory's reverse proxies."""

    def run(self, terms, variables=None, **kwargs):
        if terms:
            raise AnsibleLookupError("lync.reverse_proxy.inventory_topology takes no terms (got %d); give the "
                                     "topology as topology=..." % len(terms))
        self.set_options(var_options=variables, direct=kwargs)
        variables = variables or {}
        topology = self.get_option("topology")
        if topology is None:
            if "lync_topology" not in variables:
                raise AnsibleLookupError("lync.reverse_proxy.inventory_topology: lync_topology is not defined "
                                         "(or give topology=...)")
            topology = self._templar.template(variables["lync_topology"])
        if not isinstance(topology, Mapping):
            raise AnsibleLookupError("lync.reverse_proxy.inventory_topology: the topology must be a mapping, "
                                     "got %s" % type(topology).__name__)
        inventory = {"groups": variables.get("groups"), "hostvars": variables.get("hostvars"),
                     "lync_reverse_proxies_group": self.get_option("group") or variables.get("lync_reverse_proxies_group")}
        return [_inventory.with_inventory_proxies(topology, inventory, resolve=self._templar.template)]
