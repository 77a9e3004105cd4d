# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The names the collection gives what it owns on a host are declared once (module_utils/_names.py):
every renderer, module, filter document, role default and role argument spec that names one says
the same value. A test that fails when one of them drifts."""

from __future__ import annotations

import importlib
import os

import pytest
import yaml

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _host_info, _names
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers.firewalls import _firewalld, _iptables, _nftables
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.specs import _specs

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))

# (plugin type, plugin, path of the option in its DOCUMENTATION) -> the constant it documents
DOCUMENTED = {
    ("modules", "firewall_info", ("table",)): "NFT_TABLE",
    ("modules", "firewall_info", ("chain_prefix",)): "IPTABLES_CHAIN_PREFIX",
    ("modules", "host_info", ("firewall", "table")): "NFT_TABLE",
    ("modules", "host_info", ("firewall", "chain_prefix")): "IPTABLES_CHAIN_PREFIX",
    ("modules", "iptables_chains", ("prefix",)): "IPTABLES_CHAIN_PREFIX",
    ("modules", "firewalld_config", ("prefix",)): "FIREWALLD_PREFIX",
    ("filter", "nftables_ruleset", ("table",)): "NFT_TABLE",
    ("filter", "iptables_ruleset", ("chain_prefix",)): "IPTABLES_CHAIN_PREFIX",
    ("filter", "firewalld_files", ("prefix",)): "FIREWALLD_PREFIX",
    ("filter", "firewall_config", ("table",)): "NFT_TABLE",
    ("filter", "firewall_config", ("chain_prefix",)): "IPTABLES_CHAIN_PREFIX",
    ("filter", "firewall_config", ("firewalld_prefix",)): "FIREWALLD_PREFIX",
}
ROLE_VARIABLES = {
    "rp_firewall_table": "NFT_TABLE",
    "rp_firewall_iptables_chain_prefix": "IPTABLES_CHAIN_PREFIX",
    "rp_firewall_firewalld_prefix": "FIREWALLD_PREFIX",
}


def _documented_option(kind: str, name: str, path: tuple) -> dict:
    plugin = importlib.import_module("ansible_collections.lync.reverse_proxy.plugins.%s.%s" % (kind, name))
    options = yaml.safe_load(plugin.DOCUMENTATION)["options"]
    for key in path[:-1]:
        options = options[key]["suboptions"]
    return options[path[-1]]


def _documented_default(kind: str, name: str, path: tuple):
    return _documented_option(kind, name, path).get("default")


@pytest.mark.parametrize("key", sorted(DOCUMENTED), ids=lambda key: "%s.%s:%s" % (key[0], key[1], ".".join(key[2])))
def test_the_plugins_documentation_says_the_declared_name(key):
    assert _documented_default(*key) == getattr(_names, DOCUMENTED[key])


def test_the_renderers_take_the_declared_names():
    assert _nftables.RENDERER.options["table"].default == _names.NFT_TABLE
    assert _iptables.RENDERER.options["chain_prefix"].default == _names.IPTABLES_CHAIN_PREFIX
    assert _firewalld.RENDERER.options["prefix"].default == _names.FIREWALLD_PREFIX


def test_the_facts_reader_takes_the_declared_names():
    assert _host_info.FIREWALL_OPTIONS["table"]["default"] == _names.NFT_TABLE
    assert _host_info.FIREWALL_OPTIONS["chain_prefix"]["default"] == _names.IPTABLES_CHAIN_PREFIX


@pytest.mark.parametrize("variable", sorted(ROLE_VARIABLES))
def test_the_role_says_the_declared_name(variable):
    role = os.path.join(ROOT, "roles", "rp_firewall")
    with open(os.path.join(role, "defaults", "main.yml"), encoding="utf-8") as handle:
        defaults = yaml.safe_load(handle)
    with open(os.path.join(role, "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        specs = yaml.safe_load(handle)["argument_specs"]
    expected = getattr(_names, ROLE_VARIABLES[variable])
    assert defaults[variable] == expected
    documented = [spec["options"][variable]["default"] for spec in specs.values()
                  if variable in spec.get("options", {}) and "default" in spec["options"][variable]]
    assert documented and set(documented) == {expected}


def test_a_drifted_document_is_caught(monkeypatch):
    """The check reads the documents themselves: a changed default fails it."""
    plugin = importlib.import_module("ansible_collections.lync.reverse_proxy.plugins.filter.nftables_ruleset")
    monkeypatch.setattr(plugin, "DOCUMENTATION", plugin.DOCUMENTATION.replace(
        "default: lync_reverse_proxy", "default: lync_rp"))
    assert _documented_default("filter", "nftables_ruleset", ("table",)) != _names.NFT_TABLE


# The iptables family: one family per filter result and per module call (4 unless told), both
# families in the renderer, which firewall_config needs to converge a host.
ONE_FAMILY = [("filter", "iptables_ruleset", ("family",)), ("modules", "iptables_chains", ("family",))]


@pytest.mark.parametrize("key", ONE_FAMILY, ids=lambda key: "%s.%s" % key[:2])
def test_the_one_family_documents_say_the_declared_family(key):
    option = _documented_option(*key)
    assert option["default"] == _iptables.FILTER_FAMILY.default
    assert tuple(option["choices"]) == _iptables.FILTER_FAMILY.choices


def test_the_iptables_chains_argspec_says_the_declared_family():
    module = importlib.import_module("ansible_collections.lync.reverse_proxy.plugins.modules.iptables_chains")
    with open(module.__file__, encoding="utf-8") as handle:
        source = handle.read()
    assert 'family={"type": "int", "default": %s, "choices": [%s]}' % (
        _iptables.FILTER_FAMILY.default, ", ".join(str(c) for c in _iptables.FILTER_FAMILY.choices)) in source


def test_the_renderer_renders_both_families_and_the_filter_one():
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
        compute_model, render_iptables, select_rules)
    from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import TWO_PROXIES
    rules = select_rules(compute_model(TWO_PROXIES), reverse_proxy="rp1")
    host = {"management_sources": ["10.250.0.0/24"], "external_interfaces": ["ext0"], "internal_interfaces": ["int0"]}
    assert _iptables.RENDERER.options["family"].default == "both"
    assert set(_iptables.FILTER_FAMILY.choices) < set(_iptables.RENDERER.options["family"].choices)
    assert render_iptables(rules, **host) == render_iptables(rules, family=4, **host)
    assert render_iptables(rules, **host) != render_iptables(rules, family=6, **host)
    assert set(render_iptables(rules, family="both", **host)) == {"v4", "v6"}


# The renderer options the rp_firewall role passes on: its default and argument spec say the
# renderer's default.
# (make specs writes them from the same table, _specs.FIREWALL_VARIABLES; test_specs.py checks the
# generated text, this the values the role ends up with.)
ROLE_RENDERER_OPTIONS = _specs.FIREWALL_VARIABLES


@pytest.mark.parametrize("variable", sorted(ROLE_RENDERER_OPTIONS))
def test_the_role_says_the_renderers_default(variable):
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers.firewalls._firewall import BACKENDS
    backend, name = ROLE_RENDERER_OPTIONS[variable]
    expected = BACKENDS[backend].options[name].default
    role = os.path.join(ROOT, "roles", "rp_firewall")
    with open(os.path.join(role, "defaults", "main.yml"), encoding="utf-8") as handle:
        assert yaml.safe_load(handle)[variable] == expected
    with open(os.path.join(role, "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        specs = yaml.safe_load(handle)["argument_specs"]
    documented = {spec["options"][variable].get("default") for spec in specs.values()
                  if variable in spec.get("options", {})}
    assert documented == {expected}


def _task_parameters(role: str) -> list:
    """The ``parameters`` of the role's win_powershell tasks."""
    with open(os.path.join(ROOT, "roles", role, "tasks", "main.yml"), encoding="utf-8") as handle:
        tasks = yaml.safe_load(handle)
    return [task["ansible.windows.win_powershell"].get("parameters") or {}
            for task in tasks if "ansible.windows.win_powershell" in task]


@pytest.mark.parametrize("role", ["rp_windows_firewall", "rp_iis_arr"])
def test_the_windows_roles_keep_the_declared_group(role):
    """The Windows Firewall renderer's group (its option's default) is the group whose rules the
    Windows roles read and remove."""
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers.firewalls._firewall import BACKENDS
    assert BACKENDS["windows_firewall"].options["group"].default == _names.WINDOWS_FIREWALL_GROUP
    groups = [parameters["Group"] for parameters in _task_parameters(role) if "Group" in parameters]
    assert groups and set(groups) == {_names.WINDOWS_FIREWALL_GROUP}
    prefixes = [parameters["Prefix"] for parameters in _task_parameters(role) if "Prefix" in parameters]
    assert all(prefix.startswith(_names.WINDOWS_FIREWALL_GROUP + "/") for prefix in prefixes)
