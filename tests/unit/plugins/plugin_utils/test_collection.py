# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the plugins read of their own collection, so that the port model reads nothing itself."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._collection import (
    CollectionFileError,
    collection_root,
    collection_version,
    role_file,
    windows_scripts,
)


def test_the_root_is_the_collections_top_directory():
    assert os.path.isfile(os.path.join(collection_root(), "roles", "rp_iis_arr", "files", "arr.ps1"))
    assert os.path.isdir(os.path.join(collection_root(), "plugins", "module_utils", "_port_model"))


def test_the_version_from_the_manifest_before_galaxy_yml(tmp_path):
    (tmp_path / "galaxy.yml").write_text("namespace: lync\nversion: '9.8.7'\n", encoding="utf-8")
    assert collection_version(str(tmp_path)) == "9.8.7"
    (tmp_path / "MANIFEST.json").write_text(json.dumps({"collection_info": {"version": "1.2.3"}}), encoding="utf-8")
    assert collection_version(str(tmp_path)) == "1.2.3"
    (tmp_path / "MANIFEST.json").write_text("{not json", encoding="utf-8")
    assert collection_version(str(tmp_path)) == "9.8.7"


def test_no_version_is_unknown(tmp_path):
    assert collection_version(str(tmp_path)) == "unknown"


def test_this_checkouts_version_is_galaxy_ymls():
    with open(os.path.join(collection_root(), "galaxy.yml"), encoding="utf-8") as handle:
        declared = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("version:"))
    assert collection_version() == declared.strip("'\"")


def test_the_windows_scripts_are_the_roles_files(tmp_path):
    scripts = windows_scripts()
    assert sorted(scripts) == ["arr.ps1", "hosts.ps1"]
    for name, text in scripts.items():
        with open(os.path.join(collection_root(), "roles", "rp_iis_arr", "files", name), encoding="utf-8") as handle:
            assert text == handle.read()
    with pytest.raises(CollectionFileError, match=r"roles/rp_iis_arr/files/hosts\.ps1 is missing"):
        windows_scripts(str(tmp_path))
    assert role_file("rp_iis_arr", "arr.ps1") == scripts["arr.ps1"]


def test_only_this_file_finds_the_collection_by_its_own_path():
    """The model, the modules and the other plugins read no file of the collection by a path built
    from where they lie (``__file__``, ``parents[...]``): what they need of roles/ or galaxy.yml comes
    through plugin_utils/_collection.py, whose callers pass it in."""
    plugins = os.path.join(collection_root(), "plugins")
    found = []
    for directory, dummy, files in os.walk(plugins):
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(directory, name)
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
            if any(word in text for word in ("__file__", "parents[", "galaxy.yml", "MANIFEST.json")):
                found.append(os.path.relpath(path, plugins))
    assert found == [os.path.join("plugin_utils", "_collection.py")]
