# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""proxy_converge with the certificate source acme: when certbot fails, one read of the end of its
log on the host, and the error names the CA's ACME problem; no read when certbot succeeds, nothing
asked of the host in check mode. The host answers from the recorded certbot 2.1 log of
test_acme_log (data/certbot-log-account-gone.log)."""

from __future__ import annotations

from unittest import mock

import pytest

from ansible.errors import AnsibleActionFail
from ansible.playbook.task import Task
from ansible_collections.lync.reverse_proxy.plugins.action.proxy_converge import ActionModule
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _acme
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _proxy_converge as converge
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.plugin_utils.test_acme import (
    NAMES, SETTINGS, acme_host, read_with)
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.plugin_utils.test_acme_log import ACCOUNT_GONE, HIDDEN


def action(answers, check_mode=False):
    """The action with a host that answers the command module by its argv's first word after env
    (``answers``: word -> result); every module call recorded."""
    task = Task()
    task.action = "lync.reverse_proxy.proxy_converge"
    task.check_mode = check_mode
    connection = mock.MagicMock()
    connection._shell.tmpdir = "/tmp/x"
    plugin = ActionModule(task, connection, mock.MagicMock(), loader=None, templar=mock.MagicMock(),
                          shared_loader_obj=None)
    calls = []

    def execute_module(module_name, module_args, task_vars=None, **kwargs):
        calls.append((module_name, module_args))
        if module_name == "ansible.legacy.command":
            argv = [word for word in module_args["argv"] if word != "env" and "=" not in word]
            return dict(answers.get(argv[0], {"rc": 0, "stdout": "", "stderr": ""}))
        return {"changed": True}

    plugin._execute_module = execute_module
    plugin._run_action = lambda name, args, task_vars, secret=False: calls.append((name, args)) or {"changed": True}
    return plugin, calls


def acme():
    return {"settings": SETTINGS}


def test_a_refusal_reads_the_log_once_and_names_the_ca_s_problem():
    plugin, calls = action({"certbot": HIDDEN, "tail": {"rc": 0, "stdout": ACCOUNT_GONE[-_acme.LOG_TAIL:]}})
    with pytest.raises(AnsibleActionFail) as failed:
        plugin._issue(acme(), NAMES, {})
    message = str(failed.value)
    assert "the CA answered accountDoesNotExist: Account https://127.0.0.1:14700/my-account/" in message
    assert "certbot said: An unexpected error occurred: AttributeError: can't set attribute" in message
    commands = [args["argv"] for name, args in calls if name == "ansible.legacy.command"]
    assert len(commands) == 2 and commands[1] == _acme.log_read()
    assert "protected" not in message and "signature" not in message


def test_a_log_that_cannot_be_read_leaves_certbot_s_words():
    plugin, dummy = action({"certbot": HIDDEN, "tail": {"rc": 1, "failed": True, "stdout": "",
                                                        "stderr": "tail: cannot open"}})
    with pytest.raises(AnsibleActionFail) as failed:
        plugin._issue(acme(), NAMES, {})
    assert "the CA answered" not in str(failed.value) and "AttributeError: can't set attribute" in str(failed.value)


def test_no_read_when_certbot_succeeds():
    plugin, calls = action({"tail": {"rc": 0, "stdout": ACCOUNT_GONE}})
    plugin._issue(acme(), NAMES, {})
    words = [args["argv"][0] for name, args in calls if name == "ansible.legacy.command"]
    assert "tail" not in words and len(words) == 2  # certbot (through env), then the deploy hook


def test_check_mode_asks_nothing_of_certbot_nor_of_its_log():
    renderer, host, dummy = acme_host()
    plan = converge.actions(read_with(host, certificate=None, installed=False), host, {}, [{"ok": True}], names=NAMES)
    assert plan["acme"]["issue"]
    plugin, calls = action({"certbot": HIDDEN, "tail": {"rc": 0, "stdout": ACCOUNT_GONE}}, check_mode=True)
    result = plugin._apply({}, dict(plan, stop=[]), host, [], {}, {}, NAMES)
    assert any(change.startswith("certificate from " + SETTINGS["directory"]) for change in result["changes"])
    assert not [args for name, args in calls if name == "ansible.legacy.command"]
