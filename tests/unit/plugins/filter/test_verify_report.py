# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lync.reverse_proxy.plugins.filter import verify_report as plugin

verify_report = plugin.FilterModule().filters()["verify_report"]

HOSTS = [
    {"inventory_hostname": "client", "__lync_verify_probe": {"results": [
        {"name": "https webext @ 198.51.100.10", "ok": True, "tls_version": "TLSv1.3", "tls_verified": True,
         "http_status": 200, "connect_ms": 1.25},
        {"name": "tcp 22 @ 198.51.100.10 closed", "ok": False, "expect": "closed", "error": "open, expected closed"},
    ]}},
    {"inventory_hostname": "rp1", "__lync_verify_certificate": {"results": [
        {"name": "listener certificate carries every published name", "ok": False, "detail": "8 names",
         "error": "missing: meet.fabrikam.com"},
    ]}},
    {"inventory_hostname": "fe1"},
]


def test_rows_and_lines():
    rows = verify_report(HOSTS)
    assert [row["line"] for row in rows] == [
        "OK   client   https webext @ 198.51.100.10: TLSv1.3, verified, HTTP 200, 1.2 ms",
        "FAIL client   tcp 22 @ 198.51.100.10 closed: open, expected closed",
        "FAIL rp1      listener certificate carries every published name: 8 names, missing: meet.fabrikam.com",
    ]
    assert [row["ok"] for row in rows] == [True, False, False]


def test_markdown():
    text = verify_report(HOSTS, "markdown")
    assert text.splitlines()[0] == "| result | from | check | detail |"
    assert "| **FAIL** | rp1 | listener certificate carries every published name | 8 names, missing: meet.fabrikam.com |" in text
    assert text.endswith("3 checks, 2 failed.\n")
    assert verify_report(verify_report(HOSTS), "markdown") == text


def test_bad_format():
    with pytest.raises(AnsibleFilterError, match="format must be rows or markdown"):
        verify_report(HOSTS, "pdf")
