# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import compute_model
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model import _select, _validate
from ansible_collections.lync.reverse_proxy.plugins.modules import port_model_info
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import full


def _run(capsys, args):
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            port_model_info.main()
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("check_mode", [False, True])
def test_returns_the_model(capsys, check_mode):
    result = _run(capsys, {"topology": full(), "_ansible_check_mode": check_mode})
    assert result["changed"] is False
    assert "failed" not in result
    assert result["model"] == json.loads(json.dumps(compute_model(full())))
    assert "query_result" not in result


def test_query(capsys):
    result = _run(capsys, {"topology": full(), "query": "rules[?interface=='internal'].port"})
    assert result["query_result"] == [8080, 4443, 443]


def test_invalid_topology_fails_with_every_problem(capsys):
    topology = full()
    topology["front_end_pools"][0]["servers"][0] = "10.0.0.300"
    topology["options"]["http_redirect"] = "sometimes"
    result = _run(capsys, {"topology": topology})
    assert result["failed"] is True
    assert result["msg"].startswith("invalid lync_topology (2 problems):")
    assert result["problems"] == [
        {"path": "front_end_pools[0].servers[0]", "message": "'10.0.0.300' is not an IP address"},
        {"path": "options.http_redirect", "message": "expected true or false, got 'sometimes'"},
    ]


def test_bad_query_fails_cleanly(capsys):
    result = _run(capsys, {"topology": full(), "query": "rules[?"})
    assert result["failed"] is True
    assert result["msg"].startswith("query 'rules[?' is not a valid JMESPath expression")


@pytest.mark.parametrize("module, library, args", [(_validate, "netaddr", {}), (_select, "jmespath", {"query": "rules"})])
def test_missing_library(capsys, monkeypatch, module, library, args):
    monkeypatch.setattr(module, library, None)
    result = _run(capsys, dict({"topology": full()}, **args))
    assert result["failed"] is True
    assert "Failed to import the required Python library (%s)" % library in result["msg"]
