# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The firewall_rollback action's confirmation: with reconnect, the connection is dropped before
the one shell command runs (a fresh session through the new rules); without it, it is not."""

from __future__ import annotations

from unittest import mock

import pytest

from ansible.playbook.task import Task
from ansible_collections.lync.reverse_proxy.plugins.action.firewall_rollback import ActionModule


def action(args, answer="lync-rollback pending yes\n", rc=0):
    task = Task()
    task.args = args
    task.action = "lync.reverse_proxy.firewall_rollback"
    connection = mock.MagicMock()
    connection._shell.tmpdir = "/tmp/x"
    plugin = ActionModule(task, connection, mock.MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    events = []
    connection.reset.side_effect = lambda: events.append("reset")

    def execute(command, sudoable=True):
        events.append("command")
        return {"rc": rc, "stdout": answer, "stderr": ""}

    plugin._low_level_execute_command = execute
    return plugin, events


@pytest.mark.parametrize("reconnect, expected", [(True, ["reset", "command"]), (False, ["command"])])
def test_reconnect_drops_the_connection_before_the_confirmation(reconnect, expected):
    plugin, events = action({"name": "inet-t", "state": "confirmed", "reconnect": reconnect})
    result = plugin.run(task_vars={})
    assert events == expected
    assert result["changed"] is True and not result.get("failed") and result["unit"] == "lync-rollback-inet-t"


def test_a_rollback_that_already_ran_fails_the_confirmation():
    plugin, events = action({"name": "inet-t", "state": "confirmed", "reconnect": True},
                            answer="lync-rollback fired 1700000000 armed 1699999990 30\n")
    result = plugin.run(task_vars={})
    assert result["failed"] is True and result["rolled_back"] is True and events == ["reset", "command"]


def test_check_mode_neither_reconnects_nor_confirms():
    plugin, events = action({"name": "inet-t", "state": "confirmed", "reconnect": True})
    plugin._task.check_mode = True
    result = plugin.run(task_vars={})
    assert events == [] and result["changed"] is False
