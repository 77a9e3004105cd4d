# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every host's role variables against the roles' argument specs, on the controller, before any host
is touched. PRIVATE to the lync.reverse_proxy collection.

Ansible checks a role's variables when a host enters the role: in a rolling run (``serial``) a bad
variable of the second proxy is found after the first proxy changed. Here the variables each host
sets (inventory, group and host variables, extra vars) are checked for every host at once, the way
Ansible checks them (its ArgumentSpecValidator, the same spec), so that ``site.yml`` can stop first
and enter the roles without checking again. A variable the host does not set takes the role's
default, which is valid by construction; a variable that cannot be templated on the controller (it
needs the host's facts) is left to the role's action, which checks its arguments itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleError
from jinja2.exceptions import TemplateError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _collection

__all__ = ["RoleVariablesError", "check", "spec_for"]

# Not checked here: the topology is the port model's to check, key by key, once for every proxy (the
# argument spec says only that it is a mapping; templating it for each host would cost the most).
NOT_CHECKED = ("lync_topology",)


class RoleVariablesError(ValueError):
    """Variables of one or more hosts that the roles do not take; the message names each host and variable."""


def spec_for(role: str, root: str | None = None) -> dict:
    """The options of a role's entry point (``role`` or ``role:entry_point``) without ``required``
    (only what a host sets is checked: a required variable the host lacks is the role's own error)
    and without those in NOT_CHECKED."""
    name, dummy, entry_point = role.partition(":")
    # The spec is read fresh from the file: a copy of each option's top level is enough.
    return {key: {part: value for part, value in option.items() if part != "required"}
            for key, option in _collection.role_argument_spec(name, entry_point or "main", root).items()
            if key not in NOT_CHECKED}


def _resolved(value):
    """The value with every part templated now (Ansible templates containers lazily, part by part)."""
    if isinstance(value, Mapping):
        return {key: _resolved(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_resolved(item) for item in value]
    return value


def _set_variables(variables, spec: dict) -> dict:
    """The spec's variables the host sets, templated; one that cannot be templated here (it needs the
    host's facts) is left out: the role's action checks it on the host."""
    given = {}
    for name in spec:
        try:
            if name in variables:
                given[name] = _resolved(variables[name])
        except (AnsibleError, TemplateError):  # Ansible's own, or Jinja's for an undefined part
            continue
    return given


def check(hosts, hostvars, roles, root: str | None = None) -> dict:
    """Per host, the names of the roles' variables it sets that were checked; every problem of every
    host in one RoleVariablesError."""
    specs = [(role, spec_for(role, root)) for role in roles]
    validators = {role: ArgumentSpecValidator(spec) for role, spec in specs}
    checked, problems = {}, []
    for host in hosts:
        variables = hostvars[host]
        for role, spec in specs:
            given = _set_variables(variables, spec)
            if not given:
                continue
            result = validators[role].validate(given)
            problems += ["%s (%s): %s" % (host, role.partition(":")[0], message) for message in result.error_messages]
            names = checked.setdefault(host, [])
            names += [name for name in given if name not in names]
    if problems:
        raise RoleVariablesError("%d variable%s of the hosts %s not what the roles take (nothing was changed):\n  - %s" % (
            len(problems), "" if len(problems) == 1 else "s", "is" if len(problems) == 1 else "are", "\n  - ".join(problems)))
    return {host: sorted(names) for host, names in checked.items()}
