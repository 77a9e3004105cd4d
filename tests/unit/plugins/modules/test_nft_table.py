# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""nft_table with a fake nft: the decisions (change, drift, check mode, refusal, validation).
The real nft runs in the lab (molecule), where every apply is compared with the live table."""

from __future__ import annotations

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.lync.reverse_proxy.plugins.modules import nft_table

CONTENT = """table inet t {
\tset management_v4 {
\t\ttype ipv4_addr
\t\tflags interval
\t\telements = { 10.250.0.0/24 }
\t}
}
"""


class FakeNft:
    """Stands in for AnsibleModule.run_command: a live table, and a log of the calls."""

    def __init__(self, live="", check_rc=0):
        self.live, self.check_rc, self.calls = live, check_rc, []

    def __call__(self, args, **kwargs):
        self.calls.append(args[1:])
        if args[1].startswith("--unit="):  # systemd-run: remember the rollback command
            self.rollback = args[-1]
            return 0, "", ""
        if args[1] == "is-enabled":  # systemctl
            return (0, "enabled\n", "") if getattr(self, "enabled", False) else (1, "disabled\n", "")
        if args[1] in ("daemon-reload", "enable"):
            if args[1] == "enable":
                self.enabled = True
            return 0, "", ""
        if args[1] in ("is-active", "stop", "reset-failed"):  # systemctl
            return (0, "active\n", "") if args[1] == "is-active" and getattr(self, "rollback", None) else (3, "", "")
        if args[1:3] == ["list", "table"]:
            return (0, self.live, "") if self.live else (1, "", "No such file or directory")
        if args[1] == "-f" and self.check_rc:  # nft -f is one transaction: a bad file changes nothing
            return self.check_rc, "", "syntax error"
        if args[1] == "-f":
            with open(args[2], encoding="utf-8") as handle:
                self.live = handle.read().split("delete table inet t\n", 1)[1]
            return 0, "", ""
        if args[1] == "delete":
            self.live = ""
            return 0, "", ""
        raise AssertionError(args)


@pytest.fixture
def run(monkeypatch, capsys, tmp_path):
    def runner(fake, check_mode=False, ssh="10.250.0.1 40000 10.250.0.11 22", **params):
        monkeypatch.setattr(nft_table.AnsibleModule, "run_command", lambda self, args, **kw: fake(args, **kw))
        monkeypatch.setattr(nft_table.AnsibleModule, "get_bin_path", lambda self, *a, **kw: "/usr/sbin/nft")
        monkeypatch.setenv("SSH_CONNECTION", ssh)
        args = {"name": "t", "content": CONTENT, "path": str(tmp_path / "t.nft"),
                "management_sources": ["10.250.0.0/24"], "_ansible_check_mode": check_mode, "_ansible_diff": True}
        args.update(params)
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                nft_table.main()
        return json.loads(capsys.readouterr().out)

    runner.path = tmp_path / "t.nft"
    return runner


def test_creates_validates_then_loads(run):
    fake = FakeNft()
    result = run(fake)
    assert result["changed"] is True and result["drift"] is False
    assert [call[0] for call in fake.calls] == ["list", "-f", "list"]
    text = run.path.read_text()
    assert text.splitlines()[1:3] == ["table inet t", "delete table inet t"]
    assert result["diff"]["after"] == CONTENT


def test_no_change_when_live_matches_whatever_the_whitespace(run):
    fake = FakeNft()
    run(fake)
    fake.live = "table inet t {\n    set management_v4 {\n type ipv4_addr\n flags interval\n" \
                "        elements = { 10.250.0.0/24 }\n }\n}\n"
    fake.calls.clear()
    result = run(fake)
    assert result["changed"] is False
    assert [call[0] for call in fake.calls] == ["list"]


def test_drift_is_detected_and_repaired(run):
    fake = FakeNft()
    run(fake)
    fake.live = "table inet t {\n}\n"  # someone flushed it
    result = run(fake)
    assert result["changed"] is True and result["drift"] is True
    assert fake.live.strip() == CONTENT.strip()


def test_check_mode_changes_nothing(run):
    fake = FakeNft(live="table inet t {\n}\n")
    result = run(fake, check_mode=True)
    assert result["changed"] is True
    assert result["diff"]["before"] == "table inet t {\n}\n"
    assert [call[0] for call in fake.calls] == ["list"]
    assert not run.path.exists()


def test_invalid_ruleset_is_never_loaded(run):
    fake = FakeNft(live="table inet t {\n}\n", check_rc=1)
    result = run(fake)
    assert result["failed"] is True
    assert result["msg"].startswith("the ruleset does not validate")
    assert [call[0] for call in fake.calls] == ["list", "-f"]
    assert fake.live == "table inet t {\n}\n"
    assert not run.path.exists() and not (run.path.parent / "t.nft.candidate").exists()


def test_refuses_to_cut_the_current_connection(run):
    fake = FakeNft()
    result = run(fake, ssh="192.0.2.7 40000 10.250.0.11 22")
    assert result["failed"] is True
    assert result["msg"].startswith("refusing to apply: the current connection comes from 192.0.2.7")
    assert fake.calls == []


def test_absent_removes_table_and_file(run):
    fake = FakeNft()
    run(fake)
    result = run(fake, state="absent", content=None)
    assert result["changed"] is True
    assert fake.live == "" and not run.path.exists()
    assert run(fake, state="absent", content=None)["changed"] is False


def test_commit_confirm_arms_before_loading_and_confirm_disarms(run, monkeypatch, tmp_path):
    monkeypatch.setattr(nft_table._rollback, "ROLLBACK_DIR", str(tmp_path / "rollback"))
    fake = FakeNft(live="table inet t {\n}\n")
    result = run(fake, rollback_timeout=30)
    assert result["changed"] is True and result["rollback_armed"] is True
    order = [call[0] for call in fake.calls]
    assert order.index(next(c for c in order if c.startswith("--unit="))) < order.index("-f")
    assert "--on-active=30s" in next(call for call in fake.calls if call[0].startswith("--unit="))
    state = tmp_path / "rollback" / result["rollback_unit"]
    saved = (state / "saved-table").read_text()
    assert saved.endswith("table inet t {\n}\n") and "delete table inet t" in saved
    script = open(fake.rollback, encoding="utf-8").read()
    assert "rm -f %s" % run.path in script  # there was no file before
    assert script.index("rm -f %s" % run.path) < script.index("/usr/sbin/nft -f")
    confirmed = run(fake, state="confirmed", content=None)
    assert confirmed["changed"] is True and not state.exists()
    fake.rollback = None
    assert run(fake, state="confirmed", content=None)["changed"] is False


def test_a_confirmation_after_the_rollback_ran_fails(run, monkeypatch, tmp_path):
    monkeypatch.setattr(nft_table._rollback, "ROLLBACK_DIR", str(tmp_path / "rollback"))
    fake = FakeNft(live="table inet t {\n}\n")
    result = run(fake, rollback_timeout=30)
    (tmp_path / "rollback" / result["rollback_unit"] / "fired").write_text("1700000000\n")
    fake.rollback = None  # the timer has elapsed
    confirmed = run(fake, state="confirmed", content=None)
    assert confirmed["failed"] is True and confirmed["rolled_back"] is True
    assert "previous firewall rules are back" in confirmed["msg"] and "(30 s" in confirmed["msg"]
    assert "2023-11-14 22:13:20 UTC" in confirmed["msg"]


def test_bad_table_name_is_named(run):
    result = run(FakeNft(), name="t; rm -rf /")
    assert result["failed"] is True and "'t; rm -rf /'" in result["msg"]


def test_no_rollback_when_nothing_changes(run, monkeypatch, tmp_path):
    monkeypatch.setattr(nft_table._rollback, "ROLLBACK_DIR", str(tmp_path / "rollback"))
    fake = FakeNft()
    run(fake)
    fake.calls.clear()
    result = run(fake, rollback_timeout=30)
    assert result["changed"] is False and result["rollback_armed"] is False
    assert [call[0] for call in fake.calls] == ["list"]


def test_boot_dropin_written_once_and_service_enabled(run, tmp_path):
    fake = FakeNft()
    dropin = tmp_path / "nftables.service.d" / "lync.conf"
    result = run(fake, boot_dropin=str(dropin))
    assert result["changed"] is True and result["boot_changed"] is True
    text = dropin.read_text()
    assert "ExecStartPost=/usr/sbin/nft -f %s\n" % run.path in text
    assert "ExecReload=/usr/sbin/nft -f %s\n" % run.path in text
    # enabling reloads nothing by itself (--no-reload): the new drop-in costs one daemon-reload
    assert fake.calls.count(["daemon-reload"]) == 1 and ["enable", "--no-reload", "nftables.service"] in fake.calls
    assert fake.calls.index(["daemon-reload"]) > fake.calls.index(["enable", "--no-reload", "nftables.service"])
    fake.calls.clear()
    again = run(fake, boot_dropin=str(dropin))
    assert again["changed"] is False and again["boot_changed"] is False
    assert ["daemon-reload"] not in fake.calls and not [call for call in fake.calls if call[0] == "enable"]


def test_a_disabled_service_is_enabled_without_a_daemon_reload(run, tmp_path):
    fake = FakeNft()
    dropin = tmp_path / "lync.conf"
    run(fake, boot_dropin=str(dropin))
    fake.enabled = False  # disabled by hand; the drop-in is as it should be
    fake.calls.clear()
    result = run(fake, boot_dropin=str(dropin))
    assert result["changed"] is True and result["boot_changed"] is True
    assert ["enable", "--no-reload", "nftables.service"] in fake.calls and ["daemon-reload"] not in fake.calls


def test_boot_dropin_check_mode_writes_nothing(run, tmp_path):
    fake = FakeNft(live=CONTENT)
    run(fake)  # the table and file are in place
    dropin = tmp_path / "d" / "lync.conf"
    result = run(fake, check_mode=True, boot_dropin=str(dropin))
    assert result["changed"] is True and result["boot_changed"] is True
    assert not dropin.exists()


def test_boot_dropin_removed_with_state_absent(run, tmp_path):
    fake = FakeNft()
    dropin = tmp_path / "lync.conf"
    run(fake, boot_dropin=str(dropin))
    result = run(fake, state="absent", boot_dropin=str(dropin))
    assert result["changed"] is True and not dropin.exists() and fake.live == ""
