# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Steps an action plugin of the collection takes on the host: another action or a module run
as a task of its own would run it, and a failed step told as one sentence. PRIVATE to the
lync.reverse_proxy collection."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail

__all__ = ["ActionSteps", "managed_comment"]


def managed_comment(text: str) -> str:
    """``text`` as the comment filter writes it by default (a # line above and below)."""
    return "\n".join(["#"] + ["# " + line if line else "#" for line in text.splitlines()] + ["#"])


class ActionSteps:
    """A mixin for ``ActionBase`` subclasses."""

    def _run_action(self, name: str, args: dict, task_vars, secret: bool = False) -> dict:
        """Another action (copy, package) as a task of its own would run it."""
        task = self._task.copy()
        task.args = args
        if secret:
            task.no_log = True
            task.diff = False
        action = self._shared_loader_obj.action_loader.get(
            name, task=task, connection=self._connection, play_context=self._play_context, loader=self._loader,
            templar=self._templar, shared_loader_obj=self._shared_loader_obj)
        return action.run(task_vars=task_vars)

    def _module(self, name: str, args: dict, task_vars) -> dict:
        return self._execute_module(module_name=name, module_args=args, task_vars=task_vars)

    @staticmethod
    def _check(step: str, answer: dict, secret: bool = False) -> dict:
        """``answer``, or the step's failure as one sentence (a secret's output hidden)."""
        if answer.get("failed"):
            message = "the output is hidden (a secret)" if secret else answer.get("msg", answer)
            shown = {key: value for key, value in answer.items() if not secret or key in ("failed", "rc")}
            raise AnsibleActionFail("%s failed: %s" % (step, message), result=shown)
        return answer
