# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The recorder standing in for ansible.windows.win_feature (see ansible.windows' plugin_utils/_recorder.py)."""

from __future__ import annotations

from ansible_collections.ansible.windows.plugins.plugin_utils._recorder import RecorderAction


class ActionModule(RecorderAction):
    """ansible.windows.win_feature, recorded."""

    COLLECTION = "ansible.windows"
    MODULE = "win_feature"
