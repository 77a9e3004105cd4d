# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import textwrap

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lync.reverse_proxy.plugins.filter import port_model as plugin
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model import _validate
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import full

port_model = plugin.FilterModule().filters()["port_model"]


def test_registered_under_its_own_name():
    assert set(plugin.FilterModule().filters()) == {"port_model"}


def test_computes_the_model():
    model = port_model(full())
    assert {"rules", "routes", "certificate_names", "warnings"} <= set(model)
    assert [rule["port"] for rule in model["rules"]] == [80, 443, 8080, 4443, 443]


def test_invalid_topology_is_a_filter_error_with_the_path():
    topology = full()
    topology["front_end_pools"][0]["servers"][1] = "10.0.0.300"
    with pytest.raises(AnsibleFilterError) as caught:
        port_model(topology)
    assert str(caught.value) == (
        "port_model: invalid lync_topology: front_end_pools[0].servers[1] (pool01): '10.0.0.300' is not an IP address"
    )


def test_missing_netaddr_gives_an_install_hint(monkeypatch):
    monkeypatch.setattr(_validate, "netaddr", None)
    with pytest.raises(AnsibleFilterError, match=r"port_model: Failed to import the required Python library \(netaddr\)"):
        port_model(full())


def test_missing_netaddr_at_import_time_still_registers_the_filters():
    """With netaddr not importable at all, every filter loads and answers with the hint."""
    script = textwrap.dedent("""
        import sys
        sys.modules["netaddr"] = None  # makes 'import netaddr' raise ImportError
        from ansible.errors import AnsibleFilterError
        from ansible_collections.lync.reverse_proxy.plugins.filter import (
            certificate_names, firewall_rules, port_model, port_table, publishing_rules)
        for plugin in (certificate_names, firewall_rules, port_model, port_table, publishing_rules):
            (name, function), = plugin.FilterModule().filters().items()
            try:
                function({"sip_domains": ["contoso.com"]})
            except AnsibleFilterError as exc:
                assert "required Python library (netaddr)" in str(exc), exc
                print(name, "hint")
    """)
    # the directory that holds ansible_collections/lync/reverse_proxy
    root = pathlib.Path(plugin.__file__).parents[5]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, env=env)
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.split("\n")[:-1]) == [
        "certificate_names hint", "firewall_rules hint", "port_model hint", "port_table hint", "publishing_rules hint",
    ]
