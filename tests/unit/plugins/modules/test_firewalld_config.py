# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""firewalld_config with a fake firewall-cmd: what it compares, writes, checks and reloads. The
real firewalld runs in the lab (molecule fw_firewalld, gateway_firewalld)."""

from __future__ import annotations

import json
import os

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.lync.reverse_proxy.plugins.modules import firewalld_config

ZONE = '<?xml version="1.0" encoding="utf-8"?>\n<zone><short>lync external</short></zone>\n'
POLICY = '<?xml version="1.0" encoding="utf-8"?>\n<policy target="DROP"><short>lync</short></policy>\n'
FILES = {"zones/lync-external.xml": ZONE, "policies/lync-forward.xml": POLICY}


class FakeFirewallCmd:
    """firewall-cmd over a directory: --permanent --info-* shows the files, --info-* what the last
    --reload loaded; --check-config refuses a file that says BROKEN."""

    def __init__(self, directory):
        self.directory = directory
        self.runtime = {}
        self.calls = []

    def permanent(self):
        found = {}
        for sub in ("zones", "policies"):
            path = os.path.join(self.directory, sub)
            for name in sorted(os.listdir(path)) if os.path.isdir(path) else []:
                with open(os.path.join(path, name), encoding="utf-8") as handle:
                    found["%s=%s" % (sub[:-1] if sub == "zones" else "policy", name[:-4])] = handle.read()
        return found

    def __call__(self, args, **kwargs):
        args = args[1:]
        self.calls.append(args)
        if args == ["--state"]:
            return 0, "running\n", ""
        if args == ["--check-config"]:
            broken = any("BROKEN" in text for text in self.permanent().values())
            return (1, "", "bad XML\n") if broken else (0, "success\n", "")
        if args == ["--reload"]:
            self.runtime = self.permanent()
            return 0, "success\n", ""
        option = args[-1]
        if option.startswith("--info-"):
            key = option[len("--info-"):]
            source = self.permanent() if args[0] == "--permanent" else self.runtime
            return (0, source[key], "") if key in source else (1, "", "INVALID_ZONE\n")
        if args and (args[0].endswith("systemd-run") or args[0].endswith("systemctl")):
            return 0, "", ""
        raise AssertionError(args)


@pytest.fixture
def run(monkeypatch, capsys, tmp_path):
    directory = tmp_path / "firewalld"
    directory.mkdir()
    fake = FakeFirewallCmd(str(directory))

    def command(self, args, **kwargs):
        if os.path.basename(args[0]) in ("systemd-run", "systemctl"):
            return 0, "", ""
        return fake(args, **kwargs)

    def runner(check_mode=False, **params):
        monkeypatch.setattr(firewalld_config.AnsibleModule, "run_command", command)
        monkeypatch.setattr(firewalld_config.AnsibleModule, "get_bin_path",
                            lambda self, name, *a, **kw: "/usr/bin/" + name)
        monkeypatch.setattr(firewalld_config._rollback, "ROLLBACK_DIR", str(tmp_path / "rollback"))
        monkeypatch.setenv("SSH_CONNECTION", "10.250.0.1 40000 10.250.0.11 22")
        args = {"files": FILES, "directory": str(directory), "rollback_timeout": 0,
                "management_sources": ["10.250.0.0/24"], "_ansible_check_mode": check_mode, "_ansible_diff": True}
        args.update(params)
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                firewalld_config.main()
        return json.loads(capsys.readouterr().out)

    runner.fake, runner.directory = fake, directory
    return runner


def test_first_apply_writes_checks_and_reloads(run):
    result = run()
    assert result["changed"] is True and result["drift"] is False and result["removed"] == []
    assert (run.directory / "zones" / "lync-external.xml").read_text() == ZONE
    assert ["--check-config"] in run.fake.calls and ["--reload"] in run.fake.calls
    assert "# zones/lync-external.xml\n" + ZONE in result["diff"]["after"]


def test_a_second_run_changes_nothing(run):
    run()
    run.fake.calls.clear()
    result = run()
    assert result["changed"] is False and ["--reload"] not in run.fake.calls


def test_a_runtime_change_behind_our_back_is_drift_and_repaired(run):
    run()
    run.fake.runtime["zone=lync-external"] = "something else"
    result = run()
    assert result["changed"] is True and result["drift"] is True
    assert run.fake.runtime["zone=lync-external"] == ZONE


def test_check_mode_writes_nothing(run):
    result = run(check_mode=True)
    assert result["changed"] is True and not (run.directory / "zones").exists()
    assert ["--reload"] not in run.fake.calls


def test_a_file_firewalld_refuses_puts_the_previous_files_back(run):
    run()
    result = run(files=dict(FILES, **{"zones/lync-external.xml": ZONE.replace("lync external", "BROKEN")}))
    assert result["failed"] is True and "previous files are back" in result["msg"]
    assert (run.directory / "zones" / "lync-external.xml").read_text() == ZONE


def test_files_no_longer_given_are_removed(run):
    run()
    result = run(files={"zones/lync-external.xml": ZONE})
    assert result["changed"] is True and result["removed"] == ["policies/lync-forward.xml"]
    assert not (run.directory / "policies" / "lync-forward.xml").exists()


def test_a_file_name_outside_ours_is_refused_before_firewalld_is_asked(run):
    result = run(files={"zones/public.xml": ZONE})
    assert result["failed"] is True and "zones/public.xml" in result["msg"]
    assert run.fake.calls == []
