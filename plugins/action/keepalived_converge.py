# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The keepalived_converge action (see plugins/modules/keepalived_converge.py).

On the controller: the topology completed from the inventory, the model, the proxy's group (a
proxy in no group is skipped without a remote call). On the host: its addresses read, then
keepalived installed, the kernel allowed to bind the shared addresses, the pool check and the
configuration written (validated by keepalived first), the service enabled and started, and
reloaded when its configuration changed.
"""

from __future__ import annotations

import json

from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _inventory
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _keepalived
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._action_steps import ActionSteps, managed_comment


class ActionModule(ActionSteps, ActionBase):
    """Makes a member of a reverse proxy group hold the group's addresses with keepalived."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_diff = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=_keepalived.ARGUMENT_SPEC)
        reverse_proxy = args["reverse_proxy"] or task_vars.get("inventory_hostname")
        options = args["options"] or {}
        try:
            model = _model.ensure_model(_inventory.with_inventory_proxies(args["topology"], task_vars,
                                                                          resolve=self._templar.template))
            group = _keepalived.group_of(model, reverse_proxy)
            if group is None:
                result.update(changed=False, skipped=True, group=None,
                              skip_reason="%s is in no reverse proxy group" % reverse_proxy)
                return result
            # options checked before the host is touched
            _model.render_keepalived(group, reverse_proxy, {4: "-", 6: "-"}, "-", [], options)
        except _model.PortModelError as exc:
            raise AnsibleActionFail(str(exc)) from None
        try:
            return self._converge(result, model, group, reverse_proxy, args, options, task_vars)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)

    def _converge(self, result, model, group, reverse_proxy, args, options, task_vars):
        check = self._task.check_mode
        # a read changes nothing: it runs in check mode too (command would skip itself there)
        self._task.check_mode = False
        try:
            read = self._check("reading the host's addresses", self._module("ansible.legacy.command", {
                "argv": ["ip", "-j", "addr", "show"]}, task_vars))
        finally:
            self._task.check_mode = check
        try:
            found = _keepalived.interfaces(group, reverse_proxy, json.loads(read["stdout"]), args["interface"])
            header = managed_comment(task_vars.get("ansible_managed") or C.DEFAULT_MANAGED_STR)
            config = _model.render_keepalived(group, reverse_proxy, found, _keepalived.SERVICES[args["software"]],
                                              _model.pool_targets(model), options, header=header)
        except _model.PortModelError as exc:
            raise AnsibleActionFail(str(exc)) from None
        except ValueError as exc:
            raise AnsibleActionFail("cannot read the host's addresses (ip -j addr show): %s" % exc) from None
        changed = []
        answer = self._check("installing keepalived", self._run_action(
            "ansible.legacy.package", {"name": ["keepalived"], "state": "present"}, task_vars))
        installing = bool(answer.get("changed"))
        if installing:
            changed.append("packages")
        secret = bool(options.get("auth_pass"))
        for item in _keepalived.host_files(config, header):
            if check and installing and item.get("validate"):
                # keepalived is not there to validate it: say it would be written
                changed.append(item["path"])
                continue
            copy = dict(content=item["content"], dest=item["path"], owner="root", group="root", mode=item["mode"])
            if item.get("validate"):
                copy["validate"] = item["validate"]
            secret_file = secret and item.get("validate") is not None
            answer = self._check("writing %s" % item["path"], self._run_action(
                "ansible.legacy.copy", copy, task_vars, secret=secret_file), secret=secret_file)
            if answer.get("changed"):
                changed.append(item["path"])
                if answer.get("diff") and not secret_file:
                    result.setdefault("diff", []).append(answer["diff"])
        if _keepalived.SYSCTL_PATH in changed and not check:
            self._check("applying %s" % _keepalived.SYSCTL_PATH, self._module("ansible.legacy.command", {
                "argv": ["sysctl", "-q", "-p", _keepalived.SYSCTL_PATH]}, task_vars))
        started = False
        if not (check and installing):
            answer = self._check("starting keepalived", self._module("ansible.legacy.systemd_service", {
                "name": "keepalived", "enabled": True, "state": "started"}, task_vars))
            started = answer.get("changed") and (answer.get("status") or {}).get("ActiveState") != "active"
            if answer.get("changed"):
                changed.append("started keepalived")
        if "/etc/keepalived/keepalived.conf" in changed and not check and not started:
            self._check("reloading keepalived", self._module("ansible.legacy.systemd_service", {
                "name": "keepalived", "state": "reloaded"}, task_vars))
        result.update(changed=bool(changed), changes=changed, group=group["name"], interfaces=found,
                      priority=config["priority"], virtual_addresses=group["virtual_addresses"])
        return result
