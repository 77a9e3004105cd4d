# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The firewall_rollback action (see plugins/modules/firewall_rollback.py).

``state=confirmed`` runs over a fresh connection right after a firewall change, when every
fraction of a second counts twice (the change waits for it, and so does the rollback timer):
it is one /bin/sh command over the task's connection, the same steps as the module's
confirmation (plugin_utils/_confirm.py, shared with the firewall_converge action), without
sending and starting a Python module. With ``reconnect`` it first drops the task's connection (as
``meta: reset_connection`` does), so that the command runs over a fresh one. Arming and
restarting run the module.
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _rollback
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _confirm


class ActionModule(ActionBase):
    """Confirms with one shell command; anything else is the module's."""

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=_rollback.ROLLBACK_SPEC,
                                                  required_if=_rollback.ROLLBACK_REQUIRED_IF)
        if args["state"] != "confirmed":
            result.update(self._execute_module(module_name="lync.reverse_proxy.firewall_rollback",
                                               module_args=self._task.args, task_vars=task_vars))
            return result
        try:
            unit = _rollback.unit_name(args["name"])
        except ValueError as exc:
            raise AnsibleActionFail("name: %s" % exc) from None
        if _rollback.rollback_seconds(args) < 1:
            raise AnsibleActionFail("timeout must be at least 1 second, got %d" % _rollback.rollback_seconds(args))
        result.update(changed=False, unit=unit)
        if self._task.check_mode:
            return result
        changed, error = _confirm.confirm(self, unit, reconnect=args["reconnect"])
        if error:
            result.update(failed=True, msg=error, rolled_back="ran at" in error)
            return result
        result["changed"] = changed
        return result
