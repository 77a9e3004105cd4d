# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The firewall_converge action (see plugins/modules/firewall_converge.py).

The decisions are made on the controller, in plugin_utils/_firewall_host.py: what to read, the
backend, the checks of the read, the rules and the backend's configuration, and which module calls
are needed. A topology without reverse_proxies takes them from the inventory
(plugin_utils/_inventory.py). This file runs them: the read (firewall_info, unless the play's read is given;
host_info when other roles of the play ask to be read in the same call, read_also), then
only the module calls the plan has, then the confirmation over a fresh connection
(plugin_utils/_confirm.py), then the removal of our rules from other backends. A host that has
everything as it must be costs the read, or nothing when the read is given.
"""

from __future__ import annotations

from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.action import ActionBase

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _confirm
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _firewall_host as _host
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _inventory


class ActionModule(ActionBase):
    """Keeps one host's firewall equal to the port model's rules."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_diff = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        dummy, args = self.validate_argument_spec(argument_spec=_host.ARGUMENT_SPEC)
        wanted = _host.request(args)
        if args["request_only"]:
            result.update(changed=False, request=wanted)
            return result
        # A topology that lists no reverse proxies takes them from the inventory, as the proxy
        # action does: a gateway needs every proxy's addresses, a proxy its own.
        args["topology"] = _inventory.with_inventory_proxies(args["topology"], task_vars,
                                                             resolve=self._templar.template)
        read = _host.given_read(args)
        warnings = []
        if read is None:
            try:
                also = _host.read_also(args)
            except _host.FirewallHostError as exc:
                raise AnsibleActionFail(str(exc)) from None
            # With read_also, one host_info call reads what the other roles of the play need too;
            # its whole answer goes back to the play as host_read.
            module, module_args = (("lync.reverse_proxy.host_info", also) if also
                                   else ("lync.reverse_proxy.firewall_info", wanted))
            answer = self._execute_module(module_name=module, module_args=module_args, task_vars=task_vars)
            if answer.get("failed"):
                result.update(failed=True, msg="reading the host's firewalls failed: %s" % answer.get("msg", answer))
                return result
            warnings = list(answer.get("warnings") or [])
            if also:
                result["host_read"] = {key: value for key, value in answer.items()
                                       if key not in ("invocation", "warnings", "changed", "_ansible_no_log")}
                read = dict(answer.get("firewall") or {})
            else:
                read = answer
        host = task_vars.get("inventory_hostname", "")
        managed = str(C.config.get_config_value("DEFAULT_MANAGED_STR"))
        try:
            plan = _host.decide(args, read, host=host, managed=managed)
        except _model.MissingLibraryError as exc:
            raise AnsibleActionFail(missing_required_lib(exc.library)) from None
        except _host.FirewallHostError as exc:
            raise AnsibleActionFail(str(exc)) from None
        self._ran = []
        result.update(changed=False, backend=plan["backend"], config=plan["config"], applied=[], removed=[],
                      confirmed=[], ran=[], remove_after=[])
        diffs = []
        warnings.extend(plan["warnings"])
        if warnings:
            result["warnings"] = warnings
        armed = []
        for step in plan["steps"]:
            outcome = self._run_step(step, task_vars)
            if not self._note(result, diffs, "applied", step, outcome):
                return self._done(result, diffs)
            if outcome.get("rollback_armed"):
                # The unit as the plan names it (the modules name theirs the same way).
                armed.append(step["unit"])
        # The first confirmation drops the connection and runs over a fresh one: that it connects
        # at all proves the new rules kept management access. The others (iptables' IPv6 chains)
        # run over that same fresh connection: a host that cannot be reached is not tried again.
        for index, unit in enumerate(armed):
            changed, error = _confirm.confirm(self, unit, reconnect=index == 0)
            if error:
                result.update(failed=True, msg=error, rolled_back="ran at" in error)
                return self._done(result, diffs)
            result["confirmed"].append(unit)
            result["changed"] = result["changed"] or changed
        if plan["backend"] == "ufw":
            # After the ufw rules and their confirmation (the role's ufw tasks), not before: a change
            # that cuts management access is rolled back with ours elsewhere still in place.
            result["remove_after"] = list(plan["elsewhere"])
            return self._done(result, diffs)
        for step in plan["others"]:
            if not self._note(result, diffs, "removed", step, self._run_step(step, task_vars)):
                break
        return self._done(result, diffs)

    def _run_step(self, step: dict, task_vars: dict) -> dict:
        self._ran.append(step["label"])
        if step["module"] in _host.ACTIONS:
            # copy (it sends the content) and package (it finds the package manager) are actions:
            # run as this task, with its check and diff mode.
            task = self._task.copy()
            task.args = dict(step["args"])
            action = self._shared_loader_obj.action_loader.get(
                step["module"], task=task, connection=self._connection, play_context=self._play_context,
                loader=self._loader, templar=self._templar, shared_loader_obj=self._shared_loader_obj)
            return action.run(task_vars=task_vars)
        return self._execute_module(module_name=step["module"], module_args=dict(step["args"]), task_vars=task_vars)

    @staticmethod
    def _note(result: dict, diffs: list, key: str, step: dict, outcome: dict) -> bool:
        """Record one module call's outcome; False when it failed (the result then says why)."""
        if outcome.get("failed"):
            result.update(failed=True, msg="%s: %s" % (step["label"], outcome.get("msg", "failed")))
            for name in ("connection_source", "rolled_back"):
                if name in outcome:
                    result[name] = outcome[name]
            return False
        if outcome.get("changed"):
            result["changed"] = True
            result[key].append(step["label"])
        diff = outcome.get("diff")
        if diff:
            diffs.extend(diff if isinstance(diff, list) else [diff])
        for warning in outcome.get("warnings") or []:
            result.setdefault("warnings", []).append(warning)
        return True

    def _done(self, result: dict, diffs: list) -> dict:
        result["ran"] = list(self._ran)
        if diffs and self._task.diff:
            result["diff"] = diffs
        return result
