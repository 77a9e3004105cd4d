# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The files that repeat a declaration are what ``make specs`` (tests/tooling/specs.py) writes from it:
the roles' argument specs and defaults of the renderer options, and the ``topology`` doc fragment.
These tests regenerate them in memory and fail, naming the file and the option, when one differs; and
they show that a changed declaration, a hand edit, a reformatted block or a missing marker is caught.

The generator belongs to the source tree: the release leaves tests/tooling out (galaxy.yml), and there
these tests are skipped."""

from __future__ import annotations

import dataclasses
import importlib
import os
import shutil

import pytest
import yaml

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model import _validate
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers.firewalls import _firewalld
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers.proxies import _haproxy, _nginx
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._renderer import Option

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
if not os.path.isfile(os.path.join(ROOT, "tests", "tooling", "specs.py")):
    pytest.skip("make specs is part of the source tree, not of the release", allow_module_level=True)
tooling = importlib.import_module("ansible_collections.lync.reverse_proxy.tests.tooling.specs")
HAPROXY_SPECS = "roles/rp_haproxy/meta/argument_specs.yml"
PROXY_SPECS = "roles/rp_proxy/meta/argument_specs.yml"
FIREWALL_DEFAULTS = "roles/rp_firewall/defaults/main.yml"


def test_the_files_are_what_make_specs_writes():
    drift = tooling.drift(ROOT)
    assert not drift, "run make specs:\n" + "\n".join(drift)


def test_every_generated_file_has_its_block():
    files = tooling.generate(ROOT)
    assert sorted(files) == sorted({path for path, _label, _make in tooling.BLOCKS})
    assert all(blocks for _old, _new, blocks in files.values())


# -- the check can fail -------------------------------------------------------------------
def test_a_changed_default_is_named_in_every_spec_that_has_it(monkeypatch):
    changed = dataclasses.replace(_haproxy.RENDERER.options["timeout_server"], default="900s")
    monkeypatch.setitem(_haproxy.RENDERER.options, "timeout_server", changed)
    assert tooling.drift(ROOT) == [
        "%s: rp_haproxy_timeout_server.default is '960s' on disk, '900s' declared" % HAPROXY_SPECS,
        "%s: rp_proxy_haproxy.options.timeout_server.default is '960s' on disk, '900s' declared" % PROXY_SPECS,
    ]


def test_a_changed_firewall_default_is_named_in_the_spec_and_the_defaults(monkeypatch):
    changed = dataclasses.replace(_firewalld.RENDERER.options["prefix"], default="lyncrp")
    monkeypatch.setitem(_firewalld.RENDERER.options, "prefix", changed)
    assert tooling.drift(ROOT) == [
        "roles/rp_firewall/meta/argument_specs.yml: rp_firewall_firewalld_prefix.default is 'lync' on disk, "
        "'lyncrp' declared",
        "%s: rp_firewall_firewalld_prefix is 'lync' on disk, 'lyncrp' declared" % FIREWALL_DEFAULTS,
    ]


def test_a_new_option_is_named_until_make_specs_writes_it(monkeypatch, tmp_path):
    monkeypatch.setitem(_nginx.RENDERER.options, "send_timeout", Option(
        "60s", r"[0-9]+s", description=("Time between two writes to a client.",)))
    assert tooling.drift(ROOT) == [
        "roles/rp_nginx/meta/argument_specs.yml: rp_nginx_send_timeout is declared, not on disk",
        "%s: rp_proxy_nginx.options.send_timeout is declared, not on disk" % PROXY_SPECS,
    ]
    root = _copy(tmp_path)
    tooling.write(root)
    assert tooling.drift(root) == []
    with open(os.path.join(root, PROXY_SPECS), encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)["argument_specs"]["main"]["options"]["rp_proxy_nginx"]
    assert spec["options"]["send_timeout"]["default"] == "60s"


def test_a_changed_topology_key_is_named_in_the_fragment(monkeypatch):
    product = dataclasses.replace(_validate.SCHEMA["product"], choices=("lync2013", "sfb2015"))
    monkeypatch.setitem(_validate.SCHEMA, "product", product)
    assert tooling.drift(ROOT) == [
        "plugins/doc_fragments/topology.py: options._input.suboptions.product.choices is "
        "['lync2013', 'sfb2015', 'sfb2019'] on disk, ['lync2013', 'sfb2015'] declared",
    ]


def _copy(tmp_path) -> str:
    for path in {path for path, _label, _make in tooling.BLOCKS}:
        os.makedirs(os.path.dirname(str(tmp_path / path)), exist_ok=True)
        shutil.copy(os.path.join(ROOT, path), str(tmp_path / path))
    return str(tmp_path)


def test_a_hand_edit_inside_the_markers_is_caught_and_one_outside_kept(tmp_path):
    root = _copy(tmp_path)
    path = os.path.join(root, HAPROXY_SPECS)
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    text = text.replace("        description: Connect timeout to a backend.\n",
                        "        description: Connect timeout to a backend (hand-written).\n")
    text = text.replace("      rp_haproxy_host_capacity:\n", "      # a comment of the file's own\n      rp_haproxy_host_capacity:\n")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    assert tooling.drift(root) == [
        "%s: rp_haproxy_timeout_connect.description is 'Connect timeout to a backend (hand-written).' on disk, "
        "'Connect timeout to a backend.' declared" % HAPROXY_SPECS]
    tooling.write(root)
    assert tooling.drift(root) == []
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    assert "(hand-written)" not in text and "      # a comment of the file's own\n" in text


def test_a_reformatted_block_is_caught(tmp_path):
    root = _copy(tmp_path)
    path = os.path.join(root, FIREWALL_DEFAULTS)
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text.replace("rp_firewall_firewalld_prefix: lync\n", "rp_firewall_firewalld_prefix: 'lync'\n"))
    assert tooling.drift(root) == [
        "%s: the block of the firewall renderers' options (_port_model/specs/_specs.FIREWALL_VARIABLES) is written "
        "otherwise than make specs writes it" % FIREWALL_DEFAULTS]


def test_a_missing_marker_is_named(tmp_path):
    root = _copy(tmp_path)
    path = os.path.join(root, "roles/rp_firewall/defaults/main.yml")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text.replace(tooling.END + "\n", ""))
    with pytest.raises(ValueError, match="roles/rp_firewall/defaults/main.yml: no '# END generated' after"):
        tooling.drift(root)
