# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Confirm a firewall change from an action plugin. PRIVATE to the lync.reverse_proxy collection.

The confirmation is one /bin/sh command (``_rollback.confirm_command``, read by
``_rollback.confirm_outcome``: the same steps and messages as the modules' confirmation) over the
task's connection; with ``reconnect`` that connection is dropped first (as ``meta:
reset_connection`` does), so the command runs over a fresh one - through the new rules, not over
the session conntrack lets through as established. The firewall_rollback and firewall_converge
actions both confirm this way.
"""

from __future__ import annotations

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _rollback

__all__ = ["confirm"]


def confirm(action, unit: str, reconnect: bool) -> tuple:
    """(changed, error) of confirming the rollback ``unit`` from the action plugin ``action``;
    error is None when confirmed."""
    if reconnect:
        action._connection.reset()
    answer = action._low_level_execute_command(_rollback.confirm_command(unit), sudoable=True)
    return _rollback.confirm_outcome(unit, answer.get("rc"), answer.get("stdout", ""), answer.get("stderr", ""))
