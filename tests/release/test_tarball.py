# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The release tarball, built the way a maintainer builds it, from a working tree full of the
files a working tree collects (lab output, rendered scripts, caches, failed golden comparisons).

It ships what a user runs and reads, nothing of the development set-up, no working file, and its
documents link only to files it ships.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
GALAXY = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")
# What a working tree collects; none of it may ship.
DIRT = [".ansible/collections/ansible_collections/x/y/MANIFEST.json", "windows-scripts/rp01.ps1",
        "tests/golden/nftables/example.ref.actual", "port-table/port-table.md", "build/dist/old.tar.gz",
        ".venv/bin/python3", ".venv-3.13/pyvenv.cfg", "tests/output/junit/units.xml",
        "plugins/filter/__pycache__/port_model.cpython-311.pyc", ".pytest_cache/README.md",
        ".hypothesis/examples/x", "benchmarks/results/datapath.json.tmp", "lync-reverse_proxy-0.9.0.tar.gz",
        "roles/rp_haproxy/.DS_Store", "plugins/module_utils/_port_model/model/_compute.py.orig"]
# The development set-up: the lab, the build, the benchmarks, CI; none of it is of use installed.
DEVELOPMENT = ("Makefile", ".ci/", ".git/", "benchmarks/", "tests/lab/", "tests/browser/", "tests/tooling/",
               "tests/release/", "tests/min-deps/", "tests/podman/", "tests/readme/", "extensions/molecule/", ".gitignore")
MUST_SHIP = ("README.md", "COPYING", "LICENSES/GPL-3.0-or-later.txt", "REUSE.toml", "CHANGELOG.md",
             "changelogs/changelog.yaml", "meta/runtime.yml", "meta/execution-environment.yml", "meta/ee-requirements.txt", "bindep.txt", "requirements.txt",
             "docs/architecture.md", "docs/performance.md", "tests/unit/requirements.txt",
             "tests/integration/requirements.txt")


def _tracked() -> list:
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                             capture_output=True, check=True).stdout.decode().split("\0")
    return [name for name in listing if name and (REPO / name).is_file()]


@pytest.fixture(name="shipped", scope="module")
def fixture_shipped(tmp_path_factory):
    tree = tmp_path_factory.mktemp("tree") / "reverse_proxy"
    for name in _tracked():
        target = tree / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    for name in DIRT:
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text("working file\n")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([GALAXY, "collection", "build", "--output-path", str(out), str(tree)], check=True,
                   capture_output=True)
    (tarball,) = out.glob("*.tar.gz")
    with tarfile.open(tarball) as archive:
        members = {member.name: member for member in archive.getmembers()}
        documents = {name: archive.extractfile(member).read().decode("utf-8")
                     for name, member in members.items() if member.isfile() and name.endswith(".md")}
    return {"files": {name for name, member in members.items() if member.isfile()}, "documents": documents}


def test_no_working_file_ships(shipped):
    assert sorted(name for name in DIRT if name in shipped["files"]) == []
    leaked = [name for name in shipped["files"]
              if re.search(r"(^|/)(__pycache__|\.ansible|\.pytest_cache|\.hypothesis)/|\.(actual|orig|pyc|tmp)$"
                           r"|\.tar\.gz$|(^|/)\.DS_Store$", name)]
    assert leaked == []


def test_nothing_of_the_development_setup_ships(shipped):
    assert sorted(name for name in shipped["files"] if name.startswith(DEVELOPMENT) or name in DEVELOPMENT) == []


def test_what_users_run_and_read_ships(shipped):
    missing = [name for name in MUST_SHIP if name not in shipped["files"]]
    tracked = _tracked()
    for prefix in ("plugins/", "roles/", "playbooks/", "meta/", "changelogs/fragments/", "tests/unit/", "tests/integration/",
                   "extensions/podman/"):
        missing += [name for name in tracked if name.startswith(prefix) and name not in shipped["files"]
                    and "__pycache__" not in name]
    assert missing == []
    assert {"MANIFEST.json", "FILES.json"} <= shipped["files"]


def test_documents_link_only_to_shipped_files(shipped):
    broken = []
    for name, text in shipped["documents"].items():
        base = pathlib.PurePosixPath(name).parent
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            path = os.path.normpath(str(base / target.split("#", 1)[0]))
            if path not in shipped["files"] and not any(f.startswith(path + "/") for f in shipped["files"]):
                broken.append("%s -> %s" % (name, target))
    assert broken == []


def test_the_molecule_scenario_for_users_ships_whole(shipped):
    """extensions/podman/molecule/default runs from the installed collection: its playbooks, the
    files they copy, the Containerfile of its image and its requirements are all there."""
    scenario = "extensions/podman/molecule/default/"
    shipped_scenario = {name[len(scenario):] for name in shipped["files"] if name.startswith(scenario)}
    assert {"molecule.yml", "prepare.yml", "converge.yml", "verify.yml", "files/pool.py", "Containerfile",
            "requirements.yml", "requirements.txt"} <= shipped_scenario
    for playbook in ("prepare.yml", "converge.yml", "verify.yml"):
        text = (REPO / scenario / playbook).read_text(encoding="utf-8")
        for source in re.findall(r"^\s+- (files/\S+)$", text, flags=re.M):
            assert source in shipped_scenario, (playbook, source)
        assert "openssl " not in text, "%s makes certificates with the openssl command" % playbook
