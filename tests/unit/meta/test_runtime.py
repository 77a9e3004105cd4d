# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""meta/runtime.yml: every redirect leads to a module the collection ships, every deprecation
names a later major version and says what to use, and every member of the commit_confirm action
group takes the options the group is for (module_defaults fails on a module that does not)."""

from __future__ import annotations

import importlib
import os

import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PREFIX = "ansible_collections.lync.reverse_proxy.plugins.modules."


def _yaml(*path):
    with open(os.path.join(ROOT, *path), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


RUNTIME = _yaml("meta", "runtime.yml")
VERSION = _yaml("galaxy.yml")["version"]


def _module(name):
    return importlib.import_module(PREFIX + name)


def test_redirects_lead_to_shipped_modules_and_are_deprecated():
    routing = RUNTIME["plugin_routing"]["modules"]
    redirected = {name: entry for name, entry in routing.items() if "redirect" in entry}
    assert set(redirected) == {"firewall_facts", "proxy_facts"}
    for old, entry in redirected.items():
        new = entry["redirect"]
        assert new == "lync.reverse_proxy.%s_info" % old[:-len("_facts")]
        assert os.path.isfile(os.path.join(ROOT, "plugins", "modules", new.rsplit(".", 1)[1] + ".py"))
        assert not os.path.exists(os.path.join(ROOT, "plugins", "modules", old + ".py"))
        assert new in entry["deprecation"]["warning_text"]


def test_deprecations_name_a_later_major_version():
    current = int(VERSION.split(".", maxsplit=1)[0])
    for name, entry in RUNTIME["plugin_routing"]["modules"].items():
        removal = entry["deprecation"]["removal_version"]
        assert int(str(removal).split(".", maxsplit=1)[0]) > current, name
        assert str(removal).endswith(".0.0"), name
        assert entry["deprecation"]["warning_text"].strip(), name


def test_show_text_is_deprecated_where_it_is_documented():
    documented = yaml.safe_load(_module("show_text").DOCUMENTATION)["deprecated"]
    assert documented["removed_in"] == RUNTIME["plugin_routing"]["modules"]["show_text"]["deprecation"]["removal_version"]


def test_every_member_of_the_group_takes_the_group_options():
    members = RUNTIME["action_groups"]["commit_confirm"]
    assert members == ["nft_table", "iptables_chains", "firewalld_config", "firewall_rollback"]
    group_defaults = {"rollback_timeout": 90, "management_sources": ["10.250.0.0/24"]}
    for name in members:
        source = _module(name)
        doc = yaml.safe_load(source.DOCUMENTATION)
        assert "lync.reverse_proxy.commit_confirm.action_group" in doc["extends_documentation_fragment"], name
        spec = _spec(source)
        checked = ArgumentSpecValidator(spec).validate(dict(_required(spec), **group_defaults))
        assert not checked.error_messages, (name, checked.error_messages)
        assert checked.validated_parameters["rollback_timeout"] == 90


def _spec(source):
    """The module's argument spec as its main() builds it."""
    captured = {}

    class Stop(Exception):
        pass

    class Capture:
        def __init__(self, argument_spec, **kwargs):
            captured["spec"] = argument_spec
            raise Stop()

    original = source.AnsibleModule
    source.AnsibleModule = Capture
    try:
        source.main()
    except Stop:
        pass
    finally:
        source.AnsibleModule = original
    return captured["spec"]


def _required(spec):
    return {name: ("x" if option.get("type", "str") in ("str", "path") else {})
            for name, option in spec.items() if option.get("required")}
