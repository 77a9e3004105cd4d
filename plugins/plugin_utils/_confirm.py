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

from ansible.errors import AnsibleConnectionFailure

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _rollback

__all__ = ["confirm"]


def confirm(action, unit: str, reconnect: bool) -> tuple:
    """(changed, error) of confirming the rollback ``unit`` from the action plugin ``action``;
    error is None when confirmed. A host that cannot be reached is unreachable
    (AnsibleConnectionFailure), with a message that says the rollback will restore its rules."""
    try:
        if reconnect:
            action._connection.reset()
        answer = action._low_level_execute_command(_rollback.confirm_command(unit), sudoable=True)
    except AnsibleConnectionFailure as exc:
        # Still unreachable (the host is, for this run), saying what that means here.
        raise AnsibleConnectionFailure(
            "the confirmation of %s over a fresh connection could not connect: the new rules may cut the "
            "management path; the host restores the previous ones when the rollback timer fires (%s)"
            % (unit, str(exc).strip())) from None
    return _rollback.confirm_outcome(unit, answer.get("rc"), answer.get("stdout", ""), answer.get("stderr", ""))
