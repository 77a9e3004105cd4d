# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The topology_import action's steps: the addresses file, the resolver, the YAML it writes, the file."""

from __future__ import annotations

import os
import socket
import stat

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import topology_from_xml
from ansible_collections.lync.reverse_proxy.plugins.modules import topology_import as module_doc
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _topology_import as imp
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    EXAMPLE_TOPOLOGY,
    FIXTURES_DIR,
)

DOCUMENTS = FIXTURES_DIR / "topology"


def _reference_yaml(data) -> str:
    """What the playbook wrote before: to_nice_yaml(indent=2, sort_keys=false) (PyYAML with libyaml, as Ansible's dumper)."""
    return yaml.dump(data, Dumper=imp._Dumper, indent=2, allow_unicode=True, default_flow_style=False,
                     sort_keys=False)


# -- the YAML ---------------------------------------------------------------------------------

def test_the_imported_topologies_are_written_as_to_nice_yaml_writes_them():
    addresses = yaml.safe_load((DOCUMENTS / "two_sites.addresses.yml").read_text(encoding="utf-8"))
    topology = topology_from_xml((DOCUMENTS / "two_sites.tbxml").read_bytes(), addresses)
    assert "2001:db8:2:11::11" in str(topology)  # an IPv6 address among them
    example = yaml.safe_load(EXAMPLE_TOPOLOGY.read_text(encoding="utf-8"))
    for data in ({"lync_topology": topology}, example):
        text = imp.topology_yaml(data)
        assert text == _reference_yaml(data)
        assert yaml.safe_load(text) == data


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=12),
    st.sampled_from(["true", "no", "null", "~", "10.1", "1e3", "0x1f", "2024-01-01", "fd00::1", "::1", "1:2:3",
                     "-x", "- x", "#x", "a: b", "'q'", '"q"', "@x", "x\ny", " x", "x ", "", "é", "*x", "&x",
                     "!x", "%x", "`x", "|", ">", "?x", "10.0.0.1", "web.contoso.com", "=", "<<", ".inf", "a:", "10.0.0.1:",
                     "a: b.c", "2001:db8::1", "1:20", "190:20:30.15", "1_000", "0o17", "0b101", "+1", "-1.5",
                     "1.5e+3", "2001-12-14t21:59:43.10-05:00", "y", "Off", "NULL", "a.b", "a/b", "a-b", "1.2.3",
                     "1.2.3.4", "01.02.03.04", "x.", "x-"]))
KEYS = st.one_of(st.text(min_size=1, max_size=8), st.sampled_from(["name", "servers", "true", "1", "a b"]))
DATA = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(KEYS, inner, max_size=4)), max_leaves=25)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(KEYS, DATA, min_size=1, max_size=4))
def test_any_data_reads_back_as_it_was(data):
    text = imp.topology_yaml(data)
    assert yaml.safe_load(text) == data
    if not _has_line_break(data):  # strings of several lines are written on one line, double-quoted
        assert text == _reference_yaml(data)


def _has_line_break(data) -> bool:
    if isinstance(data, str):
        return any(char in data for char in "\n\r\x85\u2028\u2029")
    if isinstance(data, dict):
        return any(_has_line_break(key) or _has_line_break(value) for key, value in data.items())
    if isinstance(data, list):
        return any(_has_line_break(item) for item in data)
    return False


@settings(max_examples=300, deadline=None)
@given(st.from_regex(imp._SURELY_STR))
def test_what_is_taken_for_a_string_without_asking_is_one(text):
    """The shortcut around PyYAML's resolver: PyYAML writes each such string plain, and reads it back."""
    if imp._PLAIN.match(text):
        assert yaml.dump(text, Dumper=imp._Dumper, width=1 << 30).split("\n")[0] == text
        assert yaml.safe_load(text) == text


def test_the_file_starts_with_the_comment():
    text = imp.file_text({"sip_domains": ["contoso.com"]}, "Imported from a.tbxml.\nReview it.")
    assert text == "---\n# Imported from a.tbxml.\n# Review it.\nlync_topology:\n  sip_domains:\n  - contoso.com\n"


# -- the addresses file ----------------------------------------------------------------------------

def test_the_addresses_file(tmp_path):
    path = tmp_path / "addresses.yml"
    path.write_text("---\nfe01.corp.contoso.com: [10.0.0.1]\npool01.corp.contoso.com: 10.0.0.2\n", encoding="utf-8")
    assert imp.load_addresses(str(path)) == {"fe01.corp.contoso.com": ["10.0.0.1"], "pool01.corp.contoso.com": "10.0.0.2"}
    path.write_text("", encoding="utf-8")
    assert imp.load_addresses(str(path)) == {}


@pytest.mark.parametrize("content, words", [
    ("- fe01.corp.contoso.com\n", "must be a mapping of FQDN to a list of addresses, not a list"),
    ("fe01: [10.0.0.1\n", "is not YAML"),
    ("$ANSIBLE_VAULT;1.1;AES256\n3132\n", "encrypted with Ansible Vault and no vault loader"),
])
def test_a_bad_addresses_file_is_named(tmp_path, content, words):
    path = tmp_path / "addresses.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(imp.AddressesFileError) as caught:
        imp.load_addresses(str(path))
    assert str(path) in str(caught.value) and words in str(caught.value)


def test_a_vault_file_goes_to_the_vault_loader(tmp_path):
    path = tmp_path / "addresses.yml"
    path.write_text("$ANSIBLE_VAULT;1.1;AES256\n3132\n", encoding="utf-8")
    assert imp.load_addresses(str(path), vault_loader=lambda p: {"a.example": ["10.0.0.1"]}) == {"a.example": ["10.0.0.1"]}


def test_an_unreadable_addresses_file(tmp_path):
    with pytest.raises(imp.AddressesFileError, match="cannot read .*missing.yml"):
        imp.load_addresses(str(tmp_path / "missing.yml"))


# -- the resolver ------------------------------------------------------------------------------------

def test_the_resolver_asks_each_name_once(monkeypatch):
    asked = []

    def getaddrinfo(name, port, proto=0):
        asked.append(name)
        if name.startswith("unknown"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if name == "bad..name":
            raise UnicodeError("label empty or too long")
        number = int(name.split(".")[0][2:])
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.%d" % number, 0)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.%d" % number, 0)),
                (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("fe80::%d%%eth0" % number, 0, 0, 2))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    names = ["fe%d.corp.contoso.com" % n for n in range(1, 41)] + ["unknown.corp.contoso.com", "bad..name"]
    found = imp.resolve_names(names + names[:3])
    assert list(found) == names  # in the order asked, each once
    assert sorted(asked) == sorted(names)
    assert found["fe7.corp.contoso.com"] == ["10.0.0.7", "fe80::7"]  # the scope left out, duplicates once
    assert found["unknown.corp.contoso.com"] == [] and found["bad..name"] == []


# -- the file ------------------------------------------------------------------------------------------

def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_file_is_written_once_and_then_left_alone(tmp_path):
    path = str(tmp_path / "new" / "dir" / "topology.yml")
    assert imp.write_file(path, "a: 1\n", check_mode=True) == (True, None)
    assert not os.path.exists(os.path.dirname(path))  # check mode creates nothing
    assert imp.write_file(path, "a: 1\n") == (True, None)
    assert open(path, encoding="utf-8").read() == "a: 1\n" and _mode(path) == 0o644
    assert _mode(os.path.dirname(path)) & 0o777 == 0o755 & ~_umask()
    assert imp.write_file(path, "a: 1\n") == (False, "a: 1\n")
    assert imp.write_file(path, "a: 2\n", check_mode=True) == (True, "a: 1\n")
    assert open(path, encoding="utf-8").read() == "a: 1\n"
    assert imp.write_file(path, "a: 2\n") == (True, "a: 1\n")
    assert open(path, encoding="utf-8").read() == "a: 2\n"
    assert sorted(os.listdir(os.path.dirname(path))) == ["topology.yml"]  # no temporary file left


def test_a_file_of_another_mode_is_set_to_0644(tmp_path):
    path = tmp_path / "topology.yml"
    path.write_text("a: 1\n", encoding="utf-8")
    path.chmod(0o600)
    assert imp.write_file(str(path), "a: 1\n", check_mode=True) == (True, "a: 1\n")
    assert _mode(path) == 0o600
    assert imp.write_file(str(path), "a: 1\n") == (True, "a: 1\n")
    assert _mode(path) == 0o644


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# -- the options are declared once ------------------------------------------------------------------

def test_the_argument_spec_is_what_the_module_documents():
    documented = yaml.safe_load(module_doc.DOCUMENTATION)["options"]
    assert sorted(documented) == sorted(imp.ARGUMENT_SPEC)
    for name, spec in imp.ARGUMENT_SPEC.items():
        doc = documented[name]
        assert doc.get("type", "str") == spec["type"], name
        assert bool(doc.get("required", False)) == bool(spec.get("required", False)), name
        assert doc.get("default") == spec.get("default"), name
        assert doc.get("elements") == spec.get("elements"), name
