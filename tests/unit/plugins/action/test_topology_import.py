# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The topology_import action: the file it writes is the filter's topology; the resolver is asked once,
for exactly the names the addresses lack; check mode, diff and a second run; errors as sentences."""

from __future__ import annotations

import json
import os
from unittest import mock

import pytest
import yaml

from ansible.errors import AnsibleActionFail
from ansible.playbook.task import Task
from ansible_collections.lync.reverse_proxy.plugins.action.topology_import import ActionModule
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    compute_model,
    import_document,
    model_of_validated,
    topology_from_xml,
)
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _topology_import
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import FIXTURES_DIR

DOCUMENTS = FIXTURES_DIR / "topology"
ADDRESSES = DOCUMENTS / "two_sites.addresses.yml"


def run(args, check_mode=False, diff=False):
    task = Task()
    task.args = args
    task.action = "lync.reverse_proxy.topology_import"
    task.check_mode = check_mode
    task.diff = diff
    plugin = ActionModule(task, mock.MagicMock(), mock.MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    return plugin.run(task_vars={})


def written(path) -> dict:
    return yaml.safe_load(open(path, encoding="utf-8"))["lync_topology"]


def test_the_file_is_the_filters_topology_and_the_summary_its_model(tmp_path):
    dest = tmp_path / "out" / "topology.yml"
    result = run({"document": str(DOCUMENTS / "two_sites.tbxml"), "addresses": str(ADDRESSES), "dns": False,
                  "dest": str(dest)})
    addresses = yaml.safe_load(ADDRESSES.read_text(encoding="utf-8"))
    expected = topology_from_xml((DOCUMENTS / "two_sites.tbxml").read_bytes(), addresses)
    assert written(dest) == expected
    assert dest.read_text(encoding="utf-8").startswith("---\n# Imported by lync.reverse_proxy.topology_import "
                                                       "from two_sites.tbxml.\nlync_topology:\n")
    model = compute_model(expected)
    assert result["changed"] is True and result["dest"] == str(dest) and result["asked"] == 0
    assert result["front_end_pools"] == [pool["name"] for pool in expected["front_end_pools"]]
    assert result["directors"] == ["dir01"] and result["office_web_apps"] == ["owa.corp.contoso.com"]
    assert result["certificate_names"] == model["certificate_names"]
    assert result["model_warnings"] == model["warnings"] and "warnings" not in result


def test_the_model_of_the_validated_import_is_the_port_model():
    addresses = yaml.safe_load(ADDRESSES.read_text(encoding="utf-8"))
    topology, validated = import_document((DOCUMENTS / "two_sites.tbxml").read_bytes(), addresses)
    assert json.dumps(model_of_validated(validated), sort_keys=True) == json.dumps(compute_model(topology), sort_keys=True)


def test_the_resolver_is_asked_once_for_what_the_addresses_lack(tmp_path, monkeypatch):
    calls = []
    given = yaml.safe_load(ADDRESSES.read_text(encoding="utf-8"))
    lacking = ["fe21.corp.contoso.com", "fe22.corp.contoso.com", "pool02.corp.contoso.com", "webext-busan.contoso.com"]
    partial = {name: value for name, value in given.items() if name not in lacking}
    partial["fe01.corp.contoso.com"] = ["10.1.10.11"]

    def resolve(names):
        calls.append(list(names))
        answers = {"fe21.corp.contoso.com": ["10.2.10.11"], "fe22.corp.contoso.com": ["10.2.10.12"],
                   "pool02.corp.contoso.com": ["10.2.10.11", "10.2.10.12"], "fe01.corp.contoso.com": ["10.9.9.9"]}
        return {name: answers.get(name, []) for name in names}

    monkeypatch.setattr(_topology_import, "resolve_names", resolve)
    dest = tmp_path / "topology.yml"
    result = run({"document": str(DOCUMENTS / "two_sites.tbxml"), "addresses": partial, "dest": str(dest)})
    # fe01 is in the mapping: not asked; the external web FQDNs the file never had are (for the VIP).
    asked = lacking + ["webext.contoso.com", "webext.fabrikam.com"]
    assert len(calls) == 1 and sorted(calls[0]) == sorted(asked)
    assert result["asked"] == 6
    pools = {pool["name"]: pool for pool in written(dest)["front_end_pools"]}
    assert pools["pool01"]["servers"][0] == {"address": "10.1.10.11", "fqdn": "fe01.corp.contoso.com"}
    assert pools["pool02"]["servers"] == [{"address": "10.2.10.11", "fqdn": "fe21.corp.contoso.com"},
                                          {"address": "10.2.10.12", "fqdn": "fe22.corp.contoso.com"}]
    # Without DNS the same mapping lacks names: one error that lists them, and no file.
    calls.clear()
    dest.unlink()
    with pytest.raises(AnsibleActionFail, match="addresses has no address for 3 names the import needs"):
        run({"document": str(DOCUMENTS / "two_sites.tbxml"), "addresses": partial, "dns": False, "dest": str(dest)})
    assert calls == [] and not dest.exists()


def test_check_mode_diff_and_a_second_run(tmp_path):
    dest = tmp_path / "topology.yml"
    args = {"document": str(DOCUMENTS / "two_sites.tbxml"), "addresses": str(ADDRESSES), "dns": False,
            "dest": str(dest), "comment": "Imported for the test.\nReview it."}
    result = run(args, check_mode=True, diff=True)
    assert result["changed"] is True and not dest.exists()
    assert result["diff"]["before"] == "" and result["diff"]["after"].startswith("---\n# Imported for the test.\n# Review it.\n")
    assert run(args)["changed"] is True
    text = dest.read_text(encoding="utf-8")
    assert run(args, check_mode=True)["changed"] is False
    again = run(args, diff=True)
    assert again["changed"] is False and "diff" not in again and dest.read_text(encoding="utf-8") == text
    changed = run(dict(args, site="busan"), check_mode=True, diff=True)
    assert changed["changed"] is True and changed["diff"]["before"] == text
    assert dest.read_text(encoding="utf-8") == text


def test_utf16_as_out_file_writes_it(tmp_path):
    text = (DOCUMENTS / "standard_edition.tbxml").read_text(encoding="utf-8-sig")
    document = tmp_path / "se.tbxml"
    document.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    addresses = {"sfb-se01.corp.northwind.example": ["10.20.0.11"], "owa.corp.northwind.example": ["10.20.0.21"]}
    run({"document": str(document), "addresses": addresses, "dns": False, "dest": str(tmp_path / "se.yml")})
    assert written(tmp_path / "se.yml")["front_end_pools"][0]["servers"] == [
        {"address": "10.20.0.11", "fqdn": "sfb-se01.corp.northwind.example"}]


def test_relative_paths_are_relative_to_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "t.tbxml").write_bytes((DOCUMENTS / "two_sites.tbxml").read_bytes())
    monkeypatch.chdir(tmp_path)
    result = run({"document": "docs/t.tbxml", "addresses": str(ADDRESSES), "dns": False, "dest": "out/t.yml"})
    assert result["dest"] == str(tmp_path / "out" / "t.yml") and os.path.exists(result["dest"])


@pytest.mark.parametrize("args, words", [
    ({"document": "missing.tbxml"}, "document: 'missing.tbxml' not found: tried "),
    ({"addresses": "missing.yml"}, "addresses: 'missing.yml' not found"),
    ({"addresses": ["10.0.0.1"]}, "addresses: expected the path of a YAML file or a mapping"),
    ({"site": "Daegu"}, "two_sites.tbxml: site 'Daegu' is not a central site of the topology"),
    ({"addresses": {"fe01.corp.contoso.com": ["10.1.10.300"]}},
     r"two_sites.tbxml: addresses['fe01.corp.contoso.com']: '10.1.10.300' is not an IP address"),
])
def test_bad_input_is_a_sentence_and_writes_nothing(tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    dest = tmp_path / "topology.yml"
    base = {"document": str(DOCUMENTS / "two_sites.tbxml"), "addresses": str(ADDRESSES), "dns": False,
            "dest": str(dest)}
    with pytest.raises(AnsibleActionFail) as caught:
        run(dict(base, **args))
    assert words in str(caught.value)
    assert not dest.exists()


def test_a_document_that_is_no_topology(tmp_path):
    document = tmp_path / "not.xml"
    document.write_text("<html/>", encoding="utf-8")
    with pytest.raises(AnsibleActionFail, match="not.xml: the document's root element is html, not a Lync topology"):
        run({"document": str(document), "dns": False, "dest": str(tmp_path / "t.yml")})
