# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every filter that takes "a topology or a model" tells them apart by the model's marker (kind,
model_version): a topology is computed, a model (and one 1.0.0 computed, without the marker) is used
as it is, a foreign or unknown marker is a filter error that names it."""

from __future__ import annotations

import copy
import importlib
import json
import pathlib

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import compute_model
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import full

FILTER_DIR = pathlib.Path(__file__).resolve().parents[4] / "plugins" / "filter"
HOST = {"management_sources": ["10.250.0.0/24"], "external_interfaces": ["ext0"], "internal_interfaces": ["int0"],
        "keep_connection_source": False}

# filter -> (positional arguments after the input, keyword arguments)
CALLS = {
    "address_holders": (({"rp01": "[]"},), {}),
    "aerleon_policy": (({"cisco": "edge-in"},), {"interface": "external"}),
    "arr_configuration": ((), {}),
    "certificate_names": ((), {}),
    "firewall_config": ((), dict(HOST, reverse_proxy="rp01")),
    "firewall_rules": ((), {"reverse_proxy": "rp01"}),
    "haproxy_config": ((), {"reverse_proxy": "rp01", "tls": "intermediate", "pem_path": "/etc/haproxy/l.pem",
                            "ca_path": "/etc/haproxy/ca.pem"}),
    "iis_bindings": (("rp01",), {}),
    "nginx_config": ((), {"reverse_proxy": "rp01", "tls": "intermediate", "certificate_path": "/etc/nginx/l.crt",
                          "key_path": "/etc/nginx/l.key", "ca_path": "/etc/nginx/ca.pem"}),
    "port_table": ((), {}),
    "probe_list": (("outside",), {"reverse_proxy": "rp01"}),
    "publishing_rules": ((), {}),
    "windows_firewall_rules": ((["10.0.10.11"],), {}),
}


def _filter(name):
    module = importlib.import_module("ansible_collections.lync.reverse_proxy.plugins.filter." + name)
    return module.FilterModule().filters()[name]


def test_every_filter_that_reads_a_model_is_here():
    """A filter that calls ensure_model itself, or through proxy_config, aerleon_policy or firewall_config."""
    readers = {path.stem for path in FILTER_DIR.glob("*.py")
               if any(call in path.read_text(encoding="utf-8") for call in
                      ("ensure_model(", "proxy_config(", "_model.aerleon_policy(", "_model.firewall_config("))}
    assert readers == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_topology_a_model_and_a_1_0_model_give_the_same(name):
    args, kwargs = CALLS[name]
    function = _filter(name)
    model = compute_model(full())
    old = {key: value for key, value in copy.deepcopy(model).items() if key not in ("kind", "model_version")}
    expected = function(full(), *args, **kwargs)
    assert function(model, *args, **kwargs) == expected
    assert function(json.loads(json.dumps(model)), *args, **kwargs) == expected
    assert function(old, *args, **kwargs) == expected


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_foreign_marker_is_a_filter_error_naming_it(name):
    args, kwargs = CALLS[name]
    function = _filter(name)
    model = compute_model(full())
    with pytest.raises(AnsibleFilterError, match="^%s: the input has kind 'acme/port-model': it is neither" % name):
        function(dict(model, kind="acme/port-model"), *args, **kwargs)
    with pytest.raises(AnsibleFilterError, match="^%s: the input is a lync.reverse_proxy/port-model of model_version 7, "
                                                 "which this lync.reverse_proxy does not read" % name):
        function(dict(model, model_version=7), *args, **kwargs)
    with pytest.raises(AnsibleFilterError, match=r"^%s: the input has keys of a port model \(rules, routes\) but not "
                                                 "its marker" % name):
        function({"rules": model["rules"], "routes": model["routes"]}, *args, **kwargs)
