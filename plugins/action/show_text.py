# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The show_text action: text on the terminal as it is written (see plugins/modules/show_text.py)."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()


class ActionModule(ActionBase):
    """Prints ``text`` line by line on the controller's terminal; changes nothing."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("text", "title"))
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        text = self._task.args.get("text", "")
        title = self._task.args.get("title", "")
        if isinstance(text, (list, tuple)):
            text = "\n".join(str(line) for line in text)
        if not isinstance(text, str):
            raise AnsibleActionFail("text must be a string or a list of lines, got %s" % type(text).__name__)
        if not isinstance(title, str):
            raise AnsibleActionFail("title must be a string, got %s" % type(title).__name__)
        lines = ([title, "-" * len(title)] if title else []) + text.rstrip("\n").splitlines()
        display.display("\n".join(lines))
        result.update(changed=False, lines=len(lines))
        return result
