# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: role_variables_check
short_description: Every host's variables of the collection's roles, checked against the roles' argument specs at once
version_added: 1.1.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Checks, for every host given, the variables of the collection's roles that the host sets (inventory, group and
    host variables, extra vars) against the roles' argument specs, the way Ansible checks them when a host enters a
    role - but for all hosts at once, on the controller, before any host is touched. In a rolling run (C(serial)) a bad
    variable of the second proxy then stops the run before the first proxy changes.
  - Every problem of every host is named in one error, with the host, the role and the variable.
  - A variable a host does not set takes the role's default. A variable that cannot be templated on the controller
    (it needs the host's facts) is not checked here; the role's action checks its arguments on the host.
  - C(lync.reverse_proxy.site) runs it for P(lync.reverse_proxy.rp_proxy#role) and P(lync.reverse_proxy.rp_firewall#role)
    and then enters those roles without checking them again (C(rolespec_validate=false)).
options:
  _input:
    description: The hosts (inventory names).
    type: list
    elements: str
    required: true
  hostvars:
    description: The hosts' variables (C(hostvars)).
    type: dict
    required: true
  roles:
    description:
      - The roles of this collection whose variables are checked, by short name; C(role:entry_point) for an entry
        point other than C(main).
    type: list
    elements: str
    default: [rp_proxy, rp_firewall]
"""

EXAMPLES = r"""
- name: Check every proxy's role variables before a rolling change touches the first
  ansible.builtin.debug:
    msg: "{{ groups['lync_reverse_proxies'] | lync.reverse_proxy.role_variables_check(hostvars) }}"
"""

RETURN = r"""
_value:
  description: Per host, the names of the variables it sets that were checked (hosts that set none are left out).
  type: dict
  sample: {rp01: [rp_firewall_backend, rp_proxy_certificate_src, rp_proxy_certificate_key_src]}
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _collection, _role_variables

ROLES = ("rp_proxy", "rp_firewall")


def role_variables_check(hosts, hostvars, roles=ROLES):
    """Per host, the checked variable names; every problem in one error."""
    if not isinstance(hosts, (list, tuple)):
        raise AnsibleFilterError("role_variables_check takes a list of hosts, got %r" % (hosts,))
    if isinstance(roles, str) or not all(isinstance(role, str) for role in roles):
        raise AnsibleFilterError("role_variables_check: roles is a list of role names, got %r" % (roles,))
    try:
        return _role_variables.check(hosts, hostvars, roles)
    except (_role_variables.RoleVariablesError, _collection.CollectionFileError) as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    """The role_variables_check filter."""

    def filters(self):
        return {"role_variables_check": role_variables_check}
