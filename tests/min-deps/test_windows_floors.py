# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Windows roles' collection floors (meta/windows-requirements.yml) at work (make min-deps): every
module and option rp_iis_arr and rp_windows_firewall use

- has a ``version_added`` (in the collections the current PyPI package ansible carries) no later
  than the floor - a module or option without one came with the collection's first release;
- exists, documented, in the floor release itself (taken from the oldest ansible release that
  carries it), not as a redirect to another collection;

and the floor is the version that release carries. The features a module's notes date (such as
win_powershell's ``$Ansible.Diff``) are held to the floor the same way.
"""

from __future__ import annotations

import ast
import json
import os
import pathlib
import re
import sysconfig

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
FLOOR = pathlib.Path(os.environ.get("LYNC_MIN_DEPS", ROOT / "build" / "min-deps"))
CURRENT = pathlib.Path(sysconfig.get_paths()["purelib"])
COLLECTIONS = ("ansible.windows", "community.windows", "microsoft.iis")
ROLES = ("rp_iis_arr", "rp_windows_firewall")
# What the roles' scripts use of win_powershell beyond its options, and the note that dates it.
FEATURES = {("ansible.windows.win_powershell", "$Ansible.Diff"): r"C\(\$Ansible\.Diff\) was added in the C\(([\d.]+)\)"}


def _version(text):
    return tuple(int(part) for part in str(text).split("."))


def _floors():
    requirements = yaml.safe_load((ROOT / "meta" / "windows-requirements.yml").read_text(encoding="utf-8"))
    floors = {}
    for entry in requirements["collections"]:
        match = re.fullmatch(r">=\s*([\d.]+)", entry["version"])
        assert match, "%s: a floor is '>=X.Y.Z', got %r" % (entry["name"], entry["version"])
        floors[entry["name"]] = match.group(1)
    return floors


def _tasks():
    """(role, task name, module FQCN, arguments) of every task of the roles, blocks opened."""
    found = []
    for role in ROLES:
        for path in sorted((ROOT / "roles" / role / "tasks").glob("*.yml")):
            pending = list(yaml.safe_load(path.read_text(encoding="utf-8")) or [])
            while pending:
                task = pending.pop(0)
                for key in ("block", "rescue", "always"):
                    pending.extend(task.get(key) or [])
                for key, value in task.items():
                    if ".".join(key.split(".")[:2]) in COLLECTIONS:
                        found.append((role, task.get("name", "?"), key, value or {}))
    return found


def _documentation(collection_root, collection, module):
    """(module documentation, or None when the module is not there)."""
    folder = collection_root.joinpath("ansible_collections", *collection.split("."), "plugins", "modules")
    path = folder / (module + ".py")
    if path.exists():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        text = next(node.value.value for node in tree.body if isinstance(node, ast.Assign)
                    and getattr(node.targets[0], "id", None) == "DOCUMENTATION")
        return yaml.safe_load(text)
    path = folder / (module + ".yml")
    if path.exists():
        return yaml.safe_load(path.read_text(encoding="utf-8"))["DOCUMENTATION"]
    return None


def _used_options(arguments, options, prefix=""):
    """(dotted option path, its documentation or None) of every argument, into documented suboptions."""
    used = []
    for key, value in arguments.items():
        documented = None
        for name, option in (options or {}).items():
            if key == name or key in option.get("aliases", []):
                documented = option
        used.append((prefix + key, documented))
        if documented and documented.get("suboptions") and isinstance(value, dict):
            used.extend(_used_options(value, documented["suboptions"], prefix + key + "."))
    return used


def _manifest_version(collection_root, collection):
    path = collection_root.joinpath("ansible_collections", *collection.split("."), "MANIFEST.json")
    return json.loads(path.read_text(encoding="utf-8"))["collection_info"]["version"]


TASKS = _tasks()
FLOORS = _floors()


def test_the_roles_use_the_three_collections_and_the_floors_name_them():
    assert {".".join(module.split(".")[:2]) for dummy, dummy2, module, dummy3 in TASKS} == set(COLLECTIONS)
    assert set(FLOORS) == set(COLLECTIONS)


@pytest.mark.parametrize("role, name, module, arguments", TASKS, ids=["%s: %s" % (t[0], t[1]) for t in TASKS])
def test_version_added_is_no_later_than_the_floor(role, name, module, arguments):
    """The current documentation's version_added of the module and of each option given."""
    collection, short = ".".join(module.split(".")[:2]), module.split(".")[2]
    documentation = _documentation(CURRENT, collection, short)
    assert documentation is not None, "%s is not in the current %s" % (module, collection)
    floor = _version(FLOORS[collection])
    added = documentation.get("version_added")
    assert added is None or _version(added) <= floor, "%s: %s came in %s, the floor is %s" % (
        name, module, added, FLOORS[collection])
    for option, documented in _used_options(arguments, documentation["options"]):
        assert documented is not None, "%s: %s has no option %s" % (name, module, option)
        added = documented.get("version_added")
        assert added is None or _version(added) <= floor, "%s: %s's %s came in %s, the floor is %s" % (
            name, module, option, added, FLOORS[collection])


def test_the_features_the_scripts_use_are_no_later_than_the_floor():
    scripts = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "roles").glob("*/files/*.ps1"))
    for (module, feature), note in FEATURES.items():
        if feature not in scripts:
            continue
        collection, short = ".".join(module.split(".")[:2]), module.split(".")[2]
        notes = " ".join(_documentation(CURRENT, collection, short).get("notes", []))
        match = re.search(note, notes)
        assert match, "%s's notes no longer date %s" % (module, feature)
        assert _version(match.group(1)) <= _version(FLOORS[collection])


@pytest.fixture(name="floor", scope="module")
def fixture_floor():
    if not (FLOOR / "ansible_collections" / "microsoft" / "iis").exists():
        pytest.fail("%s lacks the Windows collections' floors: run make min-deps" % FLOOR)
    return FLOOR


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_the_floor_is_the_declared_release(floor, collection):
    assert _manifest_version(floor, collection) == FLOORS[collection]


@pytest.mark.parametrize("role, name, module, arguments", TASKS, ids=["%s: %s" % (t[0], t[1]) for t in TASKS])
def test_every_module_and_option_is_in_the_floor(floor, role, name, module, arguments):
    collection, short = ".".join(module.split(".")[:2]), module.split(".")[2]
    runtime = floor.joinpath("ansible_collections", *collection.split("."), "meta", "runtime.yml")
    routing = (yaml.safe_load(runtime.read_text(encoding="utf-8")) or {}).get("plugin_routing", {}) if runtime.exists() else {}
    entry = routing.get("modules", {}).get(short, {})
    assert "redirect" not in entry and "tombstone" not in entry, "%s %s: %s is %s there" % (
        collection, FLOORS[collection], short, entry)
    documentation = _documentation(floor, collection, short)
    assert documentation is not None, "%s %s has no %s" % (collection, FLOORS[collection], short)
    missing = [option for option, documented in _used_options(arguments, documentation["options"]) if documented is None]
    assert not missing, "%s: %s %s's %s has no %s" % (name, collection, FLOORS[collection], short, ", ".join(missing))
