# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""nft_table on a host that answers as the real nft 1.0.6 and 1.1.3 did (their recorded output,
tests/unit/plugins/module_utils/fixtures/nft): the decisions (change, drift, check mode, refusal,
validation before loading, a load that does not list as checked). The real nft runs in the lab
(molecule), where every apply is compared with the live table."""

from __future__ import annotations

import json
import pathlib

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _nft
from ansible_collections.lync.reverse_proxy.plugins.modules import nft_table
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils.nft_fixtures import (
    CONTENT,
    TABLE,
    VERSIONS,
    FakeHost,
    recorded,
)


@pytest.fixture(params=VERSIONS)
def host(request):
    return FakeHost(request.param)


@pytest.fixture
def run(monkeypatch, capsys, tmp_path):
    def runner(fake, check_mode=False, ssh="10.250.0.1 40000 10.250.0.11 22", **params):
        monkeypatch.setattr(nft_table.AnsibleModule, "run_command", lambda self, args, **kw: fake(args, **kw))
        if not getattr(runner, "bin_path_fixed", False):
            monkeypatch.setattr(nft_table.AnsibleModule, "get_bin_path",
                                lambda self, name, *a, **kw: "/usr/%s/%s" % ("bin" if name == "unshare" else "sbin", name))
        monkeypatch.setenv("SSH_CONNECTION", ssh)
        args = {"name": TABLE, "content": CONTENT, "path": str(tmp_path / "d" / "t.nft"),
                "management_sources": ["10.250.0.0/24"], "_ansible_check_mode": check_mode, "_ansible_diff": True,
                "_ansible_tmpdir": str(tmp_path)}
        args.update(params)
        fake.calls.clear()
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                nft_table.main()
        return json.loads(capsys.readouterr().out)

    runner.path = tmp_path / "d" / "t.nft"
    return runner


def _commands(fake):
    """The calls as short words: unshare, list, -j, -f, delete, systemctl ..."""
    words = []
    for args in fake.calls:
        command = args[0].rsplit("/", 1)[-1]
        words.append(args[1] if command == "nft" else command)
    return words


def test_creates_checks_in_a_private_namespace_then_loads_and_lists(run, host):
    result = run(host)
    assert result["changed"] is True and result["drift"] is False
    assert _commands(host) == ["list", "unshare", "-f", "-j"]
    text = run.path.read_text()
    assert text.splitlines()[1:3] == ["table inet %s" % TABLE, "delete table inet %s" % TABLE]
    assert result["diff"]["after"] == CONTENT.rstrip() + "\n"
    assert host.state == "table"


def test_the_applied_file_is_remembered_as_the_table_it_loads(run, host, tmp_path, monkeypatch):
    """After a load (and after a run that finds the table in place) a read knows what the file loads
    without loading it again; check mode remembers nothing."""
    nft = tmp_path / "nft"
    nft.write_text("nft")
    monkeypatch.setattr(nft_table.AnsibleModule, "get_bin_path", lambda self, name, *a, **kw: str(tmp_path / name))
    run.bin_path_fixed = True
    loaded = _nft.objects_digest(_nft.table_objects(recorded(host.version, "table.json")))
    run(host, check_mode=True)
    assert _nft.loads_as(str(nft), "inet", TABLE, _nft.ruleset_file("inet", TABLE, CONTENT)) is None
    run(host)
    assert _nft.loads_as(str(nft), "inet", TABLE, run.path.read_text()) == loaded
    for memo in pathlib.Path(_nft.MEMO_DIR).iterdir():
        memo.unlink()
    assert run(host)["changed"] is False
    assert _nft.loads_as(str(nft), "inet", TABLE, run.path.read_text()) == loaded


def test_no_change_when_nft_lists_the_same_table_however_the_content_is_written(run, host):
    run(host)
    # nft's own listing of the table (other indentation, blank lines) as the content
    result = run(host, content=recorded(host.version, "table.txt"))
    assert result["changed"] is True  # the file holds other text: written again, not loaded as different
    result = run(host, content=recorded(host.version, "table.txt"))
    assert result["changed"] is False
    assert _commands(host) == ["list", "unshare", "-j"]


def test_drift_is_detected_and_repaired(run, host):
    run(host)
    host.state = "drifted"  # a rule added by hand
    result = run(host)
    assert result["changed"] is True and result["drift"] is True
    assert host.state == "table"
    host.state = "empty"  # emptied by hand
    assert run(host)["drift"] is True and host.state == "table"


def test_check_mode_changes_nothing(run, host):
    host.state = "empty"
    result = run(host, check_mode=True)
    assert result["changed"] is True
    assert result["diff"]["before"] == recorded(host.version, "empty.txt")
    assert _commands(host) == ["list", "unshare", "-j"]
    assert not run.path.parent.exists()
    assert host.state == "empty"


def test_a_ruleset_nft_refuses_is_never_loaded(run, host):
    host.state = "empty"
    host.private_rc, host.private_err = 97, "/tmp/x.nft:3:9-12: Error: syntax error, unexpected junk"
    result = run(host)
    assert result["failed"] is True
    assert result["msg"].startswith("the ruleset does not validate (nft -f refused it in a private network namespace)")
    assert "unexpected junk" in result["stderr"]
    assert _commands(host) == ["list", "unshare"]
    assert host.state == "empty" and not run.path.parent.exists()


def test_without_a_private_namespace_nothing_is_applied(run, host):
    host.state = "empty"
    host.private_rc, host.private_err = 1, "unshare: unshare failed: Operation not permitted"
    result = run(host)
    assert result["failed"] is True
    assert "unshare failed: Operation not permitted; nothing was applied" in result["msg"]
    assert _commands(host) == ["list", "unshare"] and host.state == "empty"


def test_a_load_nft_refuses_changes_nothing(run, host):
    host.state = "empty"
    host.load_rc = 1
    result = run(host)
    assert result["failed"] is True and result["msg"].startswith("the ruleset does not validate (nft -f refused it)")
    assert host.state == "empty" and not run.path.exists()


@pytest.mark.parametrize("before", ["empty", None])
def test_a_load_that_lists_differently_is_undone(run, host, before):
    """The table loads but nft lists it otherwise than in the namespace: the previous table and
    file come back before the module fails."""
    host.state = before
    if before:
        run.path.parent.mkdir()
        run.path.write_text("the previous file\n")
    host.after_load = "drifted"
    result = run(host)
    assert result["failed"] is True and result["restored"] is True
    assert result["msg"].startswith("the table was loaded, but nft -j lists it differently")
    assert result["msg"].endswith("the previous table and its file are back")
    assert host.state == before
    if before:
        assert run.path.read_text() == "the previous file\n"
        assert _commands(host) == ["list", "unshare", "-j", "-f", "-j", "-f"]
    else:
        assert not run.path.exists()
        assert _commands(host) == ["list", "unshare", "-f", "-j", "delete"]


def test_a_failed_undo_says_so_and_leaves_the_rollback_armed(run, host, monkeypatch, tmp_path):
    monkeypatch.setattr(nft_table._rollback, "ROLLBACK_DIR", str(tmp_path / "rollback"))
    host.state = "empty"
    host.after_load, host.restore_rc = "drifted", 1
    result = run(host, rollback_timeout=30)
    assert result["failed"] is True and result["restored"] is False and result["rollback_armed"] is True
    assert "putting the previous table back failed as well" in result["msg"]
    assert "the armed rollback restores it when its timer fires" in result["msg"]
    assert (tmp_path / "rollback" / result["rollback_unit"]).is_dir()


def test_an_undo_disarms_the_rollback_it_makes_needless(run, host, monkeypatch, tmp_path):
    monkeypatch.setattr(nft_table._rollback, "ROLLBACK_DIR", str(tmp_path / "rollback"))
    host.state = "empty"
    host.after_load = "drifted"
    result = run(host, rollback_timeout=30)
    assert result["restored"] is True and result["rollback_armed"] is False
    assert not (tmp_path / "rollback" / result["rollback_unit"]).exists()
    assert ["/usr/sbin/systemctl", "stop", result["rollback_unit"] + ".timer"] in host.calls


def test_refuses_to_cut_the_current_connection(run, host):
    result = run(host, ssh="192.0.2.7 40000 10.250.0.11 22")
    assert result["failed"] is True
    assert result["msg"].startswith("refusing to apply: the current connection comes from 192.0.2.7")
    assert host.calls == []


def test_absent_removes_table_and_file(run, host):
    run(host)
    result = run(host, state="absent", content=None)
    assert result["changed"] is True
    assert host.state is None and not run.path.exists()
    assert run(host, state="absent", content=None)["changed"] is False


def test_commit_confirm_arms_before_loading_and_confirm_disarms(run, host, monkeypatch, tmp_path):
    monkeypatch.setattr(nft_table._rollback, "ROLLBACK_DIR", str(tmp_path / "rollback"))
    host.state = "empty"
    result = run(host, rollback_timeout=30)
    assert result["changed"] is True and result["rollback_armed"] is True
    order = _commands(host)
    assert order.index("systemd-run") < order.index("-f")
    assert "--on-active=30s" in next(call for call in host.calls if call[0].endswith("systemd-run"))
    state = tmp_path / "rollback" / result["rollback_unit"]
    saved = (state / "saved-table").read_text()
    assert saved.endswith(recorded(host.version, "empty.txt").rstrip() + "\n")
    assert "delete table inet %s" % TABLE in saved
    script = open(host.rollback, encoding="utf-8").read()
    assert "rm -f %s" % run.path in script  # there was no file before
    assert script.index("rm -f %s" % run.path) < script.index("/usr/sbin/nft -f")
    confirmed = run(host, state="confirmed", content=None)
    assert confirmed["changed"] is True and not state.exists()
    host.rollback = None
    assert run(host, state="confirmed", content=None)["changed"] is False


def test_a_confirmation_after_the_rollback_ran_fails(run, host, monkeypatch, tmp_path):
    monkeypatch.setattr(nft_table._rollback, "ROLLBACK_DIR", str(tmp_path / "rollback"))
    host.state = "empty"
    result = run(host, rollback_timeout=30)
    (tmp_path / "rollback" / result["rollback_unit"] / "fired").write_text("1700000000\n")
    host.rollback = None  # the timer has elapsed
    confirmed = run(host, state="confirmed", content=None)
    assert confirmed["failed"] is True and confirmed["rolled_back"] is True
    assert "previous firewall rules are back" in confirmed["msg"] and "(30 s" in confirmed["msg"]
    assert "2023-11-14 22:13:20 UTC" in confirmed["msg"]


def test_bad_table_name_is_named(run, host):
    result = run(host, name="t; rm -rf /")
    assert result["failed"] is True and "'t; rm -rf /'" in result["msg"]


def test_no_rollback_when_nothing_changes(run, host, monkeypatch, tmp_path):
    monkeypatch.setattr(nft_table._rollback, "ROLLBACK_DIR", str(tmp_path / "rollback"))
    run(host)
    result = run(host, rollback_timeout=30)
    assert result["changed"] is False and result["rollback_armed"] is False
    assert _commands(host) == ["list", "unshare", "-j"]


def test_boot_dropin_written_once_and_service_enabled(run, host, tmp_path):
    dropin = tmp_path / "nftables.service.d" / "lync.conf"
    result = run(host, boot_dropin=str(dropin))
    assert result["changed"] is True and result["boot_changed"] is True
    text = dropin.read_text()
    assert "ExecStartPost=/usr/sbin/nft -f %s\n" % run.path in text
    assert "ExecReload=/usr/sbin/nft -f %s\n" % run.path in text
    # enabling reloads nothing by itself (--no-reload): the new drop-in costs one daemon-reload
    calls = [call[1:] for call in host.calls if call[0].endswith("systemctl")]
    assert calls.count(["daemon-reload"]) == 1 and ["enable", "--no-reload", "nftables.service"] in calls
    assert calls.index(["daemon-reload"]) > calls.index(["enable", "--no-reload", "nftables.service"])
    again = run(host, boot_dropin=str(dropin))
    assert again["changed"] is False and again["boot_changed"] is False
    calls = [call[1:] for call in host.calls if call[0].endswith("systemctl")]
    assert ["daemon-reload"] not in calls and not [call for call in calls if call[0] == "enable"]


def test_a_disabled_service_is_enabled_without_a_daemon_reload(run, host, tmp_path):
    dropin = tmp_path / "lync.conf"
    run(host, boot_dropin=str(dropin))
    host.enabled = False  # disabled by hand; the drop-in is as it should be
    result = run(host, boot_dropin=str(dropin))
    assert result["changed"] is True and result["boot_changed"] is True
    calls = [call[1:] for call in host.calls if call[0].endswith("systemctl")]
    assert ["enable", "--no-reload", "nftables.service"] in calls and ["daemon-reload"] not in calls


def test_boot_dropin_check_mode_writes_nothing(run, host, tmp_path):
    run(host)  # the table and file are in place
    dropin = tmp_path / "dropin" / "lync.conf"
    result = run(host, check_mode=True, boot_dropin=str(dropin))
    assert result["changed"] is True and result["boot_changed"] is True
    assert not dropin.exists()


def test_boot_dropin_removed_with_state_absent(run, host, tmp_path):
    dropin = tmp_path / "lync.conf"
    run(host, boot_dropin=str(dropin))
    result = run(host, state="absent", boot_dropin=str(dropin))
    assert result["changed"] is True and not dropin.exists() and host.state is None
