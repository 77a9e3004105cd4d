# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""community.general.ufw at the floor version (make min-deps): every parameter rp_firewall passes
exists there, and every value the ufw renderer writes (the golden files, all test topologies and
both gateway sides) is one the floor's module accepts. ufw itself needs a host; the fw_ufw and
gateway_ufw scenarios run it with the current release."""

from __future__ import annotations

import ast
import json
import os
import pathlib

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
FLOOR = pathlib.Path(os.environ.get("LYNC_MIN_DEPS", ROOT / "build" / "min-deps"))
MODULE = FLOOR / "ansible_collections" / "community" / "general" / "plugins" / "modules" / "ufw.py"


@pytest.fixture(name="floor_options", scope="module")
def fixture_floor_options():
    if not MODULE.exists():
        pytest.fail("%s is missing: run make min-deps" % MODULE)
    tree = ast.parse(MODULE.read_text(encoding="utf-8"))
    text = next(node.value.value for node in tree.body if isinstance(node, ast.Assign)
                and getattr(node.targets[0], "id", None) == "DOCUMENTATION")
    return yaml.safe_load(text)["options"]


def _floor_version():
    manifest = FLOOR / "ansible_collections" / "community" / "general" / "MANIFEST.json"
    return json.loads(manifest.read_text(encoding="utf-8"))["collection_info"]["version"]


def _ufw_tasks():
    tasks = yaml.safe_load((ROOT / "roles" / "rp_firewall" / "tasks" / "ufw.yml").read_text(encoding="utf-8"))
    found = [task["community.general.ufw"] for task in tasks if "community.general.ufw" in task]
    assert len(found) >= 2, "rp_firewall's ufw tasks were not found"
    return found


def _rendered_rules():
    rules = []
    for path in sorted((ROOT / "tests" / "golden" / "ufw").glob("*.ref")):
        # the module's rules; what follows "## before.rules" (VRRP) is ufw's own files, not the module's
        text = path.read_text(encoding="utf-8").split("\n## ", 1)[0]
        if not text.startswith("refused"):
            rules += json.loads(text)
    for path in sorted((ROOT / "tests" / "golden" / "gateways").glob("*.ref")):
        for section in ("\n" + path.read_text(encoding="utf-8")).split("\n## ")[1:]:
            title, dummy, body = section.partition("\n")
            if title.startswith("ufw ") and not body.startswith("refused"):
                rules += json.loads(body)
    assert any("route" in rule for rule in rules), "no gateway ufw renderings in tests/golden/gateways"
    return rules


def test_the_floor_is_the_declared_one():
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))
    assert galaxy["dependencies"]["community.general"] == ">=" + _floor_version()


def test_every_parameter_rp_firewall_passes_exists(floor_options):
    used = {key for task in _ufw_tasks() for key in task}
    missing = sorted(used - set(floor_options))
    assert not missing, "community.general %s's ufw has no %s" % (_floor_version(), ", ".join(missing))


def test_every_rendered_value_is_accepted(floor_options):
    for rule in _rendered_rules():
        for key, value in rule.items():
            if key in ("comment", "delete"):
                continue
            assert key in floor_options, "ufw %s has no parameter %s" % (_floor_version(), key)
            choices = floor_options[key].get("choices")
            if choices:
                assert value in choices, "ufw %s: %s=%r is not one of %s" % (_floor_version(), key, value, choices)
    for value, key in (("deny", "default"), ("enabled", "state"), ("incoming", "direction"), ("routed", "direction")):
        assert value in floor_options[key]["choices"]
