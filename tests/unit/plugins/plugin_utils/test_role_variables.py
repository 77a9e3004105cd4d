# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every host's role variables against the roles' argument specs, at once, before any host is touched
(site.yml's controller check; the play then enters the roles without checking them again)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
import yaml
from ansible.errors import AnsibleFilterError, AnsibleUndefinedVariable

from ansible_collections.lync.reverse_proxy.plugins.filter.role_variables_check import role_variables_check
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _collection, _role_variables


def _role(root, name: str, specs: dict) -> None:
    meta = root / "roles" / name / "meta"
    meta.mkdir(parents=True)
    (meta / "argument_specs.yml").write_text(yaml.safe_dump({"argument_specs": specs}), encoding="utf-8")


@pytest.fixture(name="root")
def _root(tmp_path):
    """A collection with one role whose spec is written here (what it checks does not depend on the real roles)."""
    _role(tmp_path, "rp_demo", {
        "main": {"options": {
            "rp_demo_port": {"type": "int", "default": 80},
            "rp_demo_mode": {"type": "str", "choices": ["a", "b"], "default": "a"},
            "rp_demo_needed": {"type": "str", "required": True},
            "rp_demo_settings": {"type": "dict", "default": {}, "options": {"depth": {"type": "int", "default": 1}}},
        }},
        "other": {"options": {"rp_demo_only_here": {"type": "bool", "default": False}}},
    })
    return str(tmp_path)


def test_what_the_hosts_set_is_checked_and_named(root):
    hostvars = {"rp1": {"rp_demo_port": "443", "rp_demo_mode": "b", "unrelated": 1}, "rp2": {"unrelated": 2}}
    assert _role_variables.check(["rp1", "rp2"], hostvars, ["rp_demo"], root) == {"rp1": ["rp_demo_mode", "rp_demo_port"]}


def test_every_problem_of_every_host_in_one_error(root):
    hostvars = {"rp1": {"rp_demo_port": "eighty"}, "rp2": {"rp_demo_mode": "c"}, "rp3": {"rp_demo_port": 8080}}
    with pytest.raises(_role_variables.RoleVariablesError) as caught:
        _role_variables.check(["rp1", "rp2", "rp3"], hostvars, ["rp_demo"], root)
    text = str(caught.value)
    assert text.startswith("2 variables of the hosts are not what the roles take (nothing was changed)")
    assert "rp1 (rp_demo): " in text and "rp_demo_port" in text and "eighty" in text
    assert "rp2 (rp_demo): value of rp_demo_mode must be one of: a, b, got: c" in text
    assert "rp3" not in text


def test_a_nested_key_the_role_does_not_take(root):
    with pytest.raises(_role_variables.RoleVariablesError, match=r"rp1 \(rp_demo\): .*depht"):
        _role_variables.check(["rp1"], {"rp1": {"rp_demo_settings": {"depht": 2}}}, ["rp_demo"], root)


def test_a_required_variable_the_host_does_not_set_is_the_roles_own_error(root):
    assert _role_variables.check(["rp1"], {"rp1": {"rp_demo_port": 1}}, ["rp_demo"], root) == {"rp1": ["rp_demo_port"]}


class _NeedsFacts(Mapping):
    """Host variables as hostvars gives them: one of them cannot be templated on the controller."""

    def __init__(self, values, undefined):
        self._values, self._undefined = values, undefined

    def __getitem__(self, key):
        if key == self._undefined:
            raise AnsibleUndefinedVariable("'ansible_default_ipv4' is undefined")
        return self._values[key]

    def __contains__(self, key):
        return key in self._values  # as hostvars answers it: without templating

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)


def test_a_variable_that_needs_the_hosts_facts_is_left_to_the_role(root):
    hostvars = {"rp1": _NeedsFacts({"rp_demo_port": "{{ facts }}", "rp_demo_mode": "b"}, "rp_demo_port")}
    assert _role_variables.check(["rp1"], hostvars, ["rp_demo"], root) == {"rp1": ["rp_demo_mode"]}


def test_the_topology_is_the_models_to_check(root):
    """lync_topology (in every role's spec) is validated key by key by the port model, once."""
    assert "lync_topology" not in _role_variables.spec_for("rp_proxy")
    assert "lync_topology" not in _role_variables.spec_for("rp_firewall")
    assert _role_variables.check(["rp1"], {"rp1": {"lync_topology": "not a mapping"}}, ["rp_proxy"]) == {}


def test_another_entry_point(root):
    with pytest.raises(_role_variables.RoleVariablesError, match="rp_demo_only_here"):
        _role_variables.check(["rp1"], {"rp1": {"rp_demo_only_here": "perhaps"}}, ["rp_demo:other"], root)
    with pytest.raises(_collection.CollectionFileError, match="the role rp_demo has no entry point 'missing' .it has main, other."):
        _role_variables.spec_for("rp_demo:missing", root)
    with pytest.raises(_collection.CollectionFileError, match="roles/rp_none/meta/argument_specs.yml"):
        _role_variables.spec_for("rp_none", root)


def test_the_collections_own_roles():
    """site.yml's call: rp_proxy's and rp_firewall's real specs."""
    hostvars = {
        "rp1": {"rp_proxy_tls_profile": "modern", "rp_firewall_backend": "nftables", "rp_proxy_haproxy": {"maxconn": 100}},
        "rp2": {"rp_proxy_tls_profile": "strongest", "rp_firewall_source_rate": "fast", "rp_proxy_nginx": {"worker_conections": 5}},
    }
    assert role_variables_check(["rp1"], hostvars) == {
        "rp1": ["rp_firewall_backend", "rp_proxy_haproxy", "rp_proxy_tls_profile"]}
    with pytest.raises(AnsibleFilterError) as caught:
        role_variables_check(["rp1", "rp2"], hostvars)
    text = str(caught.value)
    assert text.startswith("3 variables of the hosts are not what the roles take")
    assert "rp2 (rp_proxy): value of rp_proxy_tls_profile must be one of: modern, intermediate, old, custom, got: strongest" in text
    assert "rp2 (rp_firewall): " in text and "rp_firewall_source_rate" in text
    assert "rp2 (rp_proxy): " in text and "worker_conections" in text
    assert "rp1" not in text


def test_what_the_filter_refuses():
    with pytest.raises(AnsibleFilterError, match="takes a list of hosts"):
        role_variables_check("rp1", {})
    with pytest.raises(AnsibleFilterError, match="roles is a list of role names"):
        role_variables_check(["rp1"], {}, roles="rp_proxy")
