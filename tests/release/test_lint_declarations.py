# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The modules of other collections that ansible-lint is told about (.ansible-lint mock_modules).

Galaxy's importer runs ansible-lint offline with only this collection installed, so each module of
another collection that a shipped playbook, role or the molecule scenario for users calls must be
declared there, or ansible-playbook --syntax-check fails on it and the import log warns. The list
must stay true: exactly the modules the shipped files call, each one existing in its collection (as
the PyPI package ansible of tests/requirements-dev.txt carries it), each collection one that users
are told to install.
"""

from __future__ import annotations

import importlib.util
import pathlib
import re

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
# What ships and is linted by the importer (tests/release/test_tarball.py checks these ship whole).
SHIPPED = ("playbooks", "roles", "extensions/podman")
# Where each collection is declared for users.
DECLARATIONS = ("galaxy.yml", "meta/windows-requirements.yml", "extensions/podman/molecule/default/requirements.yml")
FQCN = re.compile(r"^([a-z0-9_]+)\.([a-z0-9_]+)\.([a-z0-9_]+)$")


def _actions(node, found, where):
    if isinstance(node, list):
        for item in node:
            _actions(item, found, where)
    elif isinstance(node, dict):
        if "name" in node or "block" in node:
            for key in node:
                match = FQCN.match(str(key))
                if match and match.group(1, 2) not in (("ansible", "builtin"), ("lync", "reverse_proxy")):
                    found.setdefault(str(key), set()).add(where)
        for value in node.values():
            _actions(value, found, where)


def _called() -> dict:
    found = {}
    for top in SHIPPED:
        for path in sorted((REPO / top).rglob("*.y*ml")):
            if path.suffix in (".yml", ".yaml") and "templates" not in path.parts:
                _actions(yaml.safe_load(path.read_text(encoding="utf-8")), found, str(path.relative_to(REPO)))
    return found


def _declared() -> set:
    names = set(yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))["dependencies"])
    for name in DECLARATIONS[1:]:
        names |= {item["name"] for item in yaml.safe_load((REPO / name).read_text(encoding="utf-8"))["collections"]}
    return names


def _mocked() -> list:
    return yaml.safe_load((REPO / ".ansible-lint").read_text(encoding="utf-8")).get("mock_modules", [])


def test_the_declared_modules_are_those_the_shipped_files_call():
    called = _called()
    assert called, "no module of another collection found: the walk is broken"
    assert sorted(_mocked()) == sorted(called), {
        "called, not declared": {name: sorted(called[name]) for name in set(called) - set(_mocked())},
        "declared, not called": sorted(set(_mocked()) - set(called))}


def test_each_declared_module_comes_from_a_collection_users_install():
    declared = _declared()
    undeclared = [name for name in _mocked() if ".".join(name.split(".")[:2]) not in declared]
    assert undeclared == [], "their collections are in none of %s" % ", ".join(DECLARATIONS)


def test_each_declared_module_exists_in_its_collection():
    roots = [pathlib.Path(p) for p in importlib.util.find_spec("ansible_collections").submodule_search_locations
             if (pathlib.Path(p) / "community" / "crypto").is_dir()]
    assert roots, "the collections of the PyPI package ansible are not installed"
    root = roots[0]
    missing = []
    for name in _mocked():
        namespace, collection, module = name.split(".")
        base = root / namespace / collection
        runtime = yaml.safe_load((base / "meta" / "runtime.yml").read_text(encoding="utf-8")) or {}
        routed = (runtime.get("plugin_routing") or {}).get("modules", {}).get(module, {})
        if not (any((base / "plugins" / "modules" / (module + ext)).is_file() for ext in (".py", ".ps1"))
                and "tombstone" not in routed):
            missing.append(name)
    assert missing == []
