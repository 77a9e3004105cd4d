# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The nftables table compared as nft -j lists it: what the real nft 1.0.6 and 1.1.3 listed
(recorded, fixtures/nft), and the private-namespace load - replayed, and, where the lab images
are on this machine and it runs as root, with the real nft of each image."""

from __future__ import annotations

import copy
import json
import os
import pathlib
import shutil
import subprocess

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _nft
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils.nft_fixtures import (
    CONTENT,
    TABLE,
    VERSIONS,
    recorded,
)


def test_both_versions_were_recorded():
    assert VERSIONS == ["1.0.6", "1.1.3"]


def test_the_versions_list_the_same_table_differently_and_compare_equal():
    """1.1.3 lists the chains before the sets, 1.0.6 after; handles and metainfo differ."""
    raw = [json.loads(recorded(version, "table.json"))["nftables"] for version in VERSIONS]
    assert raw[0] != raw[1]
    assert [next(iter(entry)) for entry in raw[0]] != [next(iter(entry)) for entry in raw[1]]
    objects = [_nft.table_objects(recorded(version, "table.json")) for version in VERSIONS]
    assert objects[0] == objects[1]


@pytest.mark.parametrize("version", VERSIONS)
def test_the_objects_of_the_table(version):
    objects = _nft.table_objects(recorded(version, "table.json"))
    kinds = [next(iter(entry)) for entry in objects]
    # CONTENT: 13 sets, and two chains whose lines after the "type" line are their rules
    chains = CONTENT.split("\tchain ")[1:]
    assert kinds.count("set") == CONTENT.count("\tset ") == 13
    assert kinds.count("chain") == len(chains) == 2
    for chain in chains:
        name, lines = chain.split(" ", 1)[0], [line.strip() for line in chain.splitlines()[2:]]
        rules = [line for line in lines if line not in ("", "}")]
        assert len([entry for entry in objects if entry.get("rule", {}).get("chain") == name]) == len(rules) > 3
    assert "metainfo" not in kinds and "table" not in kinds
    text = json.dumps(objects)
    assert '"handle"' not in text and '"table"' not in text
    # rules after the other objects, input's before output's, each chain's in the listed order
    assert kinds == sorted(kinds, key=lambda kind: kind == "rule")
    chains = [entry["rule"]["chain"] for entry in objects if "rule" in entry]
    assert chains == sorted(chains)
    comments = [entry["rule"].get("comment") for entry in objects if "rule" in entry and entry["rule"]["chain"] == "input"]
    assert comments.index("external-http") < comments.index("external-https")


@pytest.mark.parametrize("version", VERSIONS)
def test_a_rule_added_by_hand_is_a_difference(version):
    table = _nft.table_objects(recorded(version, "table.json"))
    drifted = _nft.table_objects(recorded(version, "drifted.json"))
    assert drifted != table
    extra = [entry for entry in drifted if entry not in table]
    assert len(extra) == 1 and extra[0]["rule"]["chain"] == "input"
    assert '"right": 2222' in json.dumps(extra[0])


@pytest.mark.parametrize("version", VERSIONS)
def test_what_a_counter_counted_is_no_difference(version):
    before, after = recorded(version, "counted.json"), recorded(version, "counted-traffic.json")
    assert '"packets": 0' in before and '"packets": 1' in after
    assert _nft.table_objects(before) == _nft.table_objects(after)
    assert {"counter": {}} in _nft.table_objects(after)[-1]["rule"]["expr"]


@pytest.mark.parametrize("version", VERSIONS)
def test_the_order_of_a_chains_rules_is_a_difference(version):
    listed = json.loads(recorded(version, "table.json"))
    rules = [index for index, entry in enumerate(listed["nftables"])
             if "rule" in entry and entry["rule"]["chain"] == "input"]
    swapped = copy.deepcopy(listed)
    first, second = rules[3], rules[4]
    swapped["nftables"][first], swapped["nftables"][second] = swapped["nftables"][second], swapped["nftables"][first]
    assert _nft.table_objects(json.dumps(swapped)) != _nft.table_objects(json.dumps(listed))


@pytest.mark.parametrize("text", ["", "table inet x {}", "{}", '{"nftables": {}}', '{"nftables": [1]}', "[]"])
def test_what_is_not_nft_json_is_none(text):
    assert _nft.table_objects(text) is None


class Replay:
    """Stands in for run_command: answers the namespace script with a recording or a status."""

    def __init__(self, rc=0, out="", err=""):
        self.rc, self.out, self.err, self.calls = rc, out, err, []

    def __call__(self, args, **kwargs):
        self.calls.append(args)
        return self.rc, self.out, self.err


@pytest.mark.parametrize("version", VERSIONS)
def test_load_privately_lists_what_the_namespace_loaded(version, tmp_path):
    path = tmp_path / "t.nft"
    path.write_text(_nft.ruleset_file("inet", TABLE, CONTENT))
    run = Replay(out=recorded(version, "table.json"))
    objects, problem = _nft.load_privately(run, "/usr/bin/unshare", "/usr/sbin/nft", str(path), "inet", TABLE,
                                           ip="/usr/sbin/ip")
    assert problem is None and objects == _nft.table_objects(recorded(version, "table.json"))
    args = run.calls[0]
    assert args[:5] == ["/usr/bin/unshare", "--net", "--", "/bin/sh", "-c"]
    assert args[6:] == ["sh", "/usr/sbin/nft", str(path), "inet", TABLE, "/usr/sbin/ip"]  # no iif: no dummy links


@pytest.mark.parametrize("rc, err, kind", [
    (97, "t.nft:3:1-5: Error: syntax error", "refused"),
    (98, "", "refused"),
    (1, "unshare: unshare failed: Operation not permitted", "unavailable"),
])
def test_load_privately_says_why_not(tmp_path, rc, err, kind):
    path = tmp_path / "t.nft"
    path.write_text("table inet x {\n")
    objects, problem = _nft.load_privately(Replay(rc=rc, err=err), "/usr/bin/unshare", "/usr/sbin/nft", str(path),
                                           "inet", TABLE)
    assert objects is None and problem[0] == kind
    assert (err and err in problem[1]) or (rc == 98 and "does not make table inet %s" % TABLE in problem[1])


def test_load_privately_without_unshare():
    objects, problem = _nft.load_privately(Replay(), None, "/usr/sbin/nft", "/nonexistent", "inet", TABLE)
    assert objects is None and problem == ("unavailable", "the unshare command (util-linux) is not installed")


def test_interfaces_named_by_index_exist_in_the_namespace(tmp_path, monkeypatch):
    monkeypatch.setattr(_nft.os, "listdir", lambda path: ["lo", "ext0", "int0"] if path == "/sys/class/net" else [])
    path = tmp_path / "t.nft"
    content = 'table inet t {\n\tchain input {\n\t\tiif "ext0" accept\n\t}\n}\n'
    run = Replay(rc=1, err="x")
    _nft.load_privately(run, "/usr/bin/unshare", "/usr/sbin/nft", str(path), "inet", "t", ip="/usr/sbin/ip",
                        content=content)
    assert run.calls[0][-3:] == ["/usr/sbin/ip", "ext0", "int0"]


# -- with the real nft of the lab images -------------------------------------------------------
# only images the lab finished building (it writes "complete" last)
IMAGES = sorted(path for path in pathlib.Path("/var/cache/lync-reverse-proxy-lab").glob("image-*/rootfs")
                if (path.parent / "complete").exists())
REAL = os.geteuid() == 0 and bool(IMAGES) and shutil.which("unshare") and shutil.which("chroot")


def _real_nft(rootfs, tmp_path):
    """An nft for load_privately that runs the image's nft (reading -f files from this machine)."""
    wrapper = tmp_path / "nft"
    wrapper.write_text('#!/bin/sh\nif [ "$1" = -f ]; then f=$2; shift 2; exec chroot %s nft -f - "$@" < "$f"; fi\n'
                       'exec chroot %s nft "$@"\n' % (rootfs, rootfs))
    wrapper.chmod(0o755)
    return str(wrapper)


def _run(args, **kwargs):
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.skipif(not REAL, reason="needs root and the lab images (tests/lab/lab image)")
@pytest.mark.parametrize("rootfs", IMAGES, ids=lambda path: path.parent.name)
def test_the_real_nft_in_a_private_namespace(rootfs, tmp_path):
    nft = _real_nft(rootfs, tmp_path)
    version = subprocess.run(["chroot", str(rootfs), "nft", "--version"], capture_output=True, text=True,
                             check=True).stdout.split()[1].lstrip("v")
    path = tmp_path / "t.nft"
    path.write_text(_nft.ruleset_file("inet", TABLE, CONTENT))
    objects, problem = _nft.load_privately(_run, shutil.which("unshare"), nft, str(path), "inet", TABLE,
                                           ip=shutil.which("ip"))
    assert problem is None
    assert objects == _nft.table_objects(recorded(version, "table.json"))
    # A ruleset nft refuses, and one that makes another table.
    path.write_text(_nft.ruleset_file("inet", TABLE, CONTENT.replace("policy accept", "policy perhaps")))
    objects, problem = _nft.load_privately(_run, shutil.which("unshare"), nft, str(path), "inet", TABLE)
    assert objects is None and problem[0] == "refused" and "syntax error" in problem[1]
    path.write_text("table inet other {\n}\n")
    objects, problem = _nft.load_privately(_run, shutil.which("unshare"), nft, str(path), "inet", TABLE)
    assert objects is None and problem == ("refused", "the ruleset loads but does not make table inet %s" % TABLE)


@pytest.mark.skipif(not REAL or not shutil.which("ip"), reason="needs root, ip and the lab images")
def test_an_interface_named_by_index_loads_in_the_namespace(tmp_path):
    """iif needs the interface to exist where the ruleset loads: the host's exist there as dummies."""
    links = [link for link in sorted(os.listdir("/sys/class/net")) if link != "lo"]
    if not links:
        pytest.skip("this machine has no interface besides lo")
    nft = _real_nft(IMAGES[0], tmp_path)
    path = tmp_path / "t.nft"
    path.write_text('table inet t {\n\tchain input {\n\t\ttype filter hook input priority 0;\n\t\tiif "%s" accept\n\t}\n}\n'
                    % links[0])
    objects, problem = _nft.load_privately(_run, shutil.which("unshare"), nft, str(path), "inet", "t",
                                           ip=shutil.which("ip"))
    assert problem is None and '"iif"' in json.dumps(objects)
    objects, problem = _nft.load_privately(_run, shutil.which("unshare"), nft, str(path), "inet", "t")  # no dummies
    assert problem[0] == "refused"


@pytest.mark.parametrize("version", VERSIONS)
def test_the_sources_the_limits_counted_are_not_a_difference(version):
    """The per-source limits' sets fill with traffic (nft 1.0.6 lists no dynamic flag for them):
    their elements are state, the rest of the table still compares."""
    loaded, counted = recorded(version, "limited.json"), recorded(version, "limited-traffic.json")
    listed = json.loads(counted)
    sets = [entry["set"] for entry in listed["nftables"] if "set" in entry]
    assert all("elem" in item for item in sets)
    assert not any("elem" in entry["set"] for entry in json.loads(loaded)["nftables"] if "set" in entry)
    assert _nft.table_objects(counted) == _nft.table_objects(loaded)
    sets[0]["size"] = 1024  # a set's declaration still counts
    assert _nft.table_objects(json.dumps(listed)) != _nft.table_objects(loaded)
