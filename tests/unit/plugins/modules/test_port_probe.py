# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""port_probe as a module: it passes when every expectation holds, fails with the whole table when
one does not, and runs the same in check mode (real sockets on loopback)."""

from __future__ import annotations

import json
import socket

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.lync.reverse_proxy.plugins.modules import port_probe


@pytest.fixture
def ports():
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen(4)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    yield listening.getsockname()[1], closed_port
    listening.close()


def _run(capsys, args):
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            port_probe.main()
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("check_mode", [False, True])
def test_expectations_met(capsys, ports, check_mode):
    open_port, closed_port = ports
    result = _run(capsys, {"endpoints": [{"address": "127.0.0.1", "port": open_port},
                                         {"address": "127.0.0.1", "port": closed_port, "expect": "closed"}],
                           "timeout": 1, "_ansible_check_mode": check_mode})
    assert result["changed"] is False and "failed" not in result
    assert result["failed_count"] == 0
    rows = [(r["port"], r["reachable"], r["ok"]) for r in result["results"]]
    assert rows == [(open_port, True, True), (closed_port, False, True)]


def test_failure_carries_the_table(capsys, ports):
    open_port, closed_port = ports
    result = _run(capsys, {"endpoints": [{"name": "must be closed", "address": "127.0.0.1", "port": open_port,
                                          "expect": "closed"},
                                         {"name": "must be open", "address": "127.0.0.1", "port": closed_port}],
                           "timeout": 1})
    assert result["failed"] is True and result["failed_count"] == 2
    assert result["msg"] == ("2 of 2 endpoints did not meet their expectation: must be closed (open, expected closed); "
                             "must be open (refused)")
    assert len(result["results"]) == 2
