# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every unit test shares: nothing is remembered under the machine's own /run."""

from __future__ import annotations

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _nft


@pytest.fixture(autouse=True)
def fixture_nft_memo(tmp_path, monkeypatch):
    """What a table's file loads is remembered in the test's own directory."""
    monkeypatch.setattr(_nft, "MEMO_DIR", str(tmp_path / "memo"))
    return tmp_path / "memo"
