# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Commit-confirm state: the restore script is run for real by /bin/sh (systemd is faked: the
timer firing is running the script); a confirmation that comes after it ran must fail."""

from __future__ import annotations

import subprocess

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _rollback


class Failed(Exception):
    pass


class FakeModule:
    """run_command for systemctl / systemd-run: a timer that is pending until stopped or fired."""

    def __init__(self):
        self.calls, self.script, self.timer, self.service_busy = [], None, False, 0

    def get_bin_path(self, name, *args, **kwargs):
        return "/usr/bin/" + name

    def run_command(self, args, **kwargs):
        self.calls.append(args)
        if args[0].endswith("systemd-run"):
            self.script, self.timer = args[-1], True
            return 0, "", ""
        verb, unit = args[1], args[2]
        if verb == "is-active" and unit.endswith(".timer"):
            return (0, "active\n", "") if self.timer else (3, "inactive\n", "")
        if verb == "is-active":  # the service: busy for a few polls, then done
            self.service_busy -= 1
            return (0, "active\n", "") if self.service_busy >= 0 else (3, "inactive\n", "")
        if verb == "stop":
            self.timer = False
        return 0, "", ""

    def fail_json(self, **kwargs):
        raise Failed(kwargs)

    def fire(self):
        """What the timer does when it elapses."""
        self.timer = False
        subprocess.run(["/bin/sh", self.script], check=True)


@pytest.fixture
def module(monkeypatch, tmp_path):
    monkeypatch.setattr(_rollback, "ROLLBACK_DIR", str(tmp_path / "run"))
    return FakeModule()


def test_the_restore_puts_files_back_and_removes_new_ones(module, tmp_path):
    kept, new = tmp_path / "user.rules", tmp_path / "new.rules"
    kept.write_text("before\n")
    _rollback.arm(module, "lync-rollback-t", 30, [str(kept), str(new)],
                  "cat {saved[note]} > %s" % (tmp_path / "reloaded"), saved={"note": "reload from the files\n"})
    kept.write_text("after\n")
    new.write_text("created by the change\n")
    module.fire()
    assert kept.read_text() == "before\n" and not new.exists()
    assert (tmp_path / "reloaded").read_text() == "reload from the files\n"


def test_a_confirmation_in_time_disarms_and_forgets(module, tmp_path):
    _rollback.arm(module, "lync-rollback-t", 30, [str(tmp_path / "f")], "true")
    assert _rollback.confirm(module, "lync-rollback-t") is True
    assert not (tmp_path / "run" / "lync-rollback-t").exists()
    assert _rollback.confirm(module, "lync-rollback-t") is False  # nothing armed any more


def test_a_confirmation_after_the_rollback_ran_fails(module, tmp_path):
    _rollback.arm(module, "lync-rollback-t", 12, [str(tmp_path / "f")], "true")
    module.fire()
    with pytest.raises(Failed) as failure:
        _rollback.confirm(module, "lync-rollback-t")
    message = failure.value.args[0]["msg"]
    assert "lync-rollback-t" in message and "previous firewall rules are back" in message
    assert "(12 s, armed at " in message and "rp_firewall_confirm_timeout" in message
    # Arming anew clears the mark: the next change is confirmed normally.
    _rollback.arm(module, "lync-rollback-t", 12, [str(tmp_path / "f")], "true")
    assert _rollback.confirm(module, "lync-rollback-t") is True


def test_a_restore_under_way_is_left_to_finish(module, tmp_path):
    _rollback.arm(module, "lync-rollback-t", 12, [str(tmp_path / "f")], "true")
    module.fire()
    module.service_busy = 3
    with pytest.raises(Failed):
        _rollback.confirm(module, "lync-rollback-t")
    stops = [call[2:] for call in module.calls if call[1] == "stop"]
    assert stops and all(units == ["lync-rollback-t.timer"] for units in stops)  # never the service
    polls = [call for call in module.calls if call[1:] == ["is-active", "lync-rollback-t.service"]]
    assert len(polls) == 4


def test_disarm_before_arming_again_does_not_count_a_fired_rollback(module, tmp_path):
    _rollback.arm(module, "lync-rollback-t", 12, [str(tmp_path / "f")], "true")
    module.fire()
    assert _rollback.disarm(module, "lync-rollback-t") is False


def test_restart_keeps_the_snapshot_and_starts_a_new_countdown(module, tmp_path):
    rules = tmp_path / "user.rules"
    rules.write_text("before\n")
    _rollback.arm(module, "lync-rollback-t", 40, [str(rules)], "true")
    rules.write_text("step 1\n")
    _rollback.restart(module, "lync-rollback-t", 12)
    starts = [call for call in module.calls if call[0].endswith("systemd-run")]
    assert [call[2] for call in starts] == ["--on-active=40s", "--on-active=12s"]
    assert starts[0][-1] == starts[1][-1]  # the same restore script, not a new snapshot
    module.fire()
    assert rules.read_text() == "before\n"


def test_restart_without_a_pending_rollback_fails(module, tmp_path):
    with pytest.raises(Failed) as failure:
        _rollback.restart(module, "lync-rollback-t", 12)
    assert "no rollback lync-rollback-t is pending" in failure.value.args[0]["msg"]
    _rollback.arm(module, "lync-rollback-t", 12, [str(tmp_path / "f")], "true")
    module.fire()
    with pytest.raises(Failed) as failure:
        _rollback.restart(module, "lync-rollback-t", 12)
    assert "previous firewall rules are back" in failure.value.args[0]["msg"]


# -- the confirmation as one shell command (the firewall_rollback action) ---------------------
FAKE_SYSTEMCTL = """#!/bin/sh
# systemctl as the tests need it: the timer is pending while $FAKE/timer exists.
echo "$*" >> "$FAKE/calls"
verb=$1; shift
case "$verb" in
  is-active)
    case "$1" in
      *.timer) if [ -e "$FAKE/timer" ]; then echo active; exit 0; fi; echo inactive; exit 3;;
      *) echo inactive; exit 3;;
    esac;;
  stop) rm -f "$FAKE/timer";;
esac
exit 0
"""


def shell_confirm(tmp_path, unit="lync-rollback-t", pending=False):
    """Run confirm_command for real with /bin/sh and a fake systemctl; what confirm_outcome reads."""
    fake = tmp_path / "fake"
    (fake / "bin").mkdir(parents=True, exist_ok=True)
    systemctl = fake / "bin" / "systemctl"
    systemctl.write_text(FAKE_SYSTEMCTL)
    systemctl.chmod(0o755)
    if pending:
        (fake / "timer").write_text("")
    done = subprocess.run(["/bin/sh", "-c", _rollback.confirm_command(unit)], capture_output=True, text=True,
                          env={"PATH": "%s:/usr/bin:/bin" % (fake / "bin"), "FAKE": str(fake)}, check=False)
    return _rollback.confirm_outcome(unit, done.returncode, done.stdout, done.stderr)


def test_the_shell_confirmation_disarms_and_forgets_as_the_module_does(module, tmp_path):
    _rollback.arm(module, "lync-rollback-t", 30, [str(tmp_path / "f")], "true")
    assert (tmp_path / "run" / "lync-rollback-t" / "restore.sh").exists()
    assert shell_confirm(tmp_path, pending=True) == (True, None)
    assert not (tmp_path / "run" / "lync-rollback-t").exists()
    assert "stop lync-rollback-t.timer" in (tmp_path / "fake" / "calls").read_text()
    assert shell_confirm(tmp_path) == (False, None)  # nothing armed any more


def test_the_shell_confirmation_after_the_rollback_ran_fails_with_the_modules_message(module, tmp_path):
    _rollback.arm(module, "lync-rollback-t", 12, [str(tmp_path / "f")], "true")
    module.fire()
    with pytest.raises(Failed) as failure:
        _rollback.confirm(module, "lync-rollback-t")
    changed, error = shell_confirm(tmp_path, pending=False)
    assert changed is False and error == failure.value.args[0]["msg"]
    assert "(12 s, armed at " in error and "an unknown time" not in error


def test_a_shell_confirmation_that_could_not_run_is_an_error_not_a_confirmation():
    changed, error = _rollback.confirm_outcome("lync-rollback-t", 127, "", "sh: 1: systemctl: not found")
    assert changed is False and "exited with 127: sh: 1: systemctl: not found" in error
    changed, error = _rollback.confirm_outcome("lync-rollback-t", 0, "something else\n")
    assert changed is False and "could not confirm lync-rollback-t" in error


def test_arming_with_nothing_pending_asks_systemd_nothing_first(module, tmp_path):
    """No state directory: no rollback of ours can be pending, so arm starts the timer at once."""
    target = tmp_path / "rules"
    target.write_text("old\n")
    _rollback.arm(module, "lync-rollback-t", 30, [str(target)], "true")
    assert [call[1] for call in module.calls] == ["--unit=lync-rollback-t"]
    module.calls.clear()
    _rollback.arm(module, "lync-rollback-t", 30, [str(target)], "true")  # pending: stopped first
    verbs = [call[1] for call in module.calls]
    assert verbs[:2] == ["is-active", "stop"] and verbs[-1] == "--unit=lync-rollback-t"
