# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The sequence every firewall backend module follows (module_utils/_apply.py), with a backend
that records what it is asked and a module that fails as AnsibleModule does. The three real
backends are tested with their fake tools beside this (test_nft_table.py, test_iptables_chains.py,
test_firewalld_config.py) and with the real ones in the lab."""

from __future__ import annotations

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _apply


class Failed(Exception):
    pass


class Module:
    def __init__(self, check_mode=False, state="present", rollback_timeout=60):
        self.check_mode = check_mode
        self.params = {"state": state, "rollback_timeout": rollback_timeout, "management_sources": []}

    def fail_json(self, **kwargs):
        raise Failed(kwargs["msg"])


class Backend(_apply.ApplyByDiff):
    """Host state: {'live': ..., 'file': ...}; the wanted state is 'new' for both."""

    unit = "lync-rollback-test"
    CONFIRMED_RESULT = {"own": "confirmed"}

    def __init__(self, module, live="old", file="old", load_works=True, arm_only_for_live=False):
        super().__init__(module)
        self.host = {"live": live, "file": file}
        self.calls = []
        self.load_works = load_works
        self.arm_only_for_live = arm_only_for_live

    def read(self):
        self.calls.append("read")
        return dict(self.host)

    def want(self, observed):
        self.calls.append("want")
        return "new"

    def live_matches(self, observed, desired):
        return observed["live"] == desired

    def file_matches(self, observed, desired):
        return observed["file"] == desired

    def result_fields(self, observed, desired):
        return {"before": observed["live"]}

    def diff(self, observed, desired):
        return {"before": observed["live"], "after": desired}

    def arm_needed(self, observed, desired, live_ok):
        return not live_ok if self.arm_only_for_live else True

    def arm(self, observed, desired):
        self.calls.append("arm")

    def write(self, observed, desired, live_ok, result):
        self.calls.append("write")
        self.host = {"live": desired if self.load_works else "garbled", "file": desired}
        if self.host["live"] != desired:
            self.host = observed
            self.module.fail_json(msg="loaded wrong; the previous state is back")


@pytest.fixture(autouse=True)
def no_rollback_side_effects(monkeypatch):
    """_rollback.confirmed as it behaves without a pending rollback or a refusal."""
    def confirmed(module, unit, **result):
        if module.params["state"] == "confirmed":
            return dict(result, changed=False, rollback_armed=False, rollback_unit=unit)
        return None
    monkeypatch.setattr(_apply._rollback, "confirmed", confirmed)


def test_nothing_differs_nothing_is_armed_or_written():
    backend = Backend(Module(), live="new", file="new")
    assert backend.run() == {"changed": False, "drift": False, "rollback_armed": False, "before": "new"}
    assert backend.calls == ["read", "want"]


def test_a_difference_arms_then_writes_and_reports_the_diff():
    backend = Backend(Module())
    result = backend.run()
    assert result == {"changed": True, "drift": False, "rollback_armed": True, "before": "old",
                      "diff": {"before": "old", "after": "new"}}
    assert backend.calls == ["read", "want", "arm", "write"]
    assert backend.host == {"live": "new", "file": "new"}
    assert backend.run()["changed"] is False


def test_a_right_file_beside_a_wrong_live_state_is_drift():
    result = Backend(Module(), live="tampered", file="new").run()
    assert result["changed"] is True and result["drift"] is True


def test_a_wrong_file_beside_a_right_live_state_is_no_drift():
    backend = Backend(Module(), live="new", file="old", arm_only_for_live=True)
    result = backend.run()
    assert result["changed"] is True and result["drift"] is False
    assert result["rollback_armed"] is False and backend.calls == ["read", "want", "write"]


def test_check_mode_reports_and_touches_nothing():
    backend = Backend(Module(check_mode=True))
    result = backend.run()
    assert result["changed"] is True and result["diff"] == {"before": "old", "after": "new"}
    assert result["rollback_armed"] is False
    assert backend.calls == ["read", "want"] and backend.host == {"live": "old", "file": "old"}


def test_no_rollback_when_the_timeout_is_zero():
    backend = Backend(Module(rollback_timeout=0))
    assert backend.run()["rollback_armed"] is False
    assert "arm" not in backend.calls and backend.host["live"] == "new"


def test_confirmed_reads_nothing():
    backend = Backend(Module(state="confirmed"))
    result = backend.run()
    assert result["own"] == "confirmed" and result["changed"] is False
    assert backend.calls == []


def test_a_wrong_load_fails_after_arming_with_the_previous_state_back():
    backend = Backend(Module(), load_works=False)
    with pytest.raises(Failed, match="previous state is back"):
        backend.run()
    assert backend.calls == ["read", "want", "arm", "write"]
    assert backend.host == {"live": "old", "file": "old"}


def test_a_backend_must_fill_in_its_steps():
    class Empty(_apply.ApplyByDiff):
        unit = "lync-rollback-empty"

    with pytest.raises(NotImplementedError):
        Empty(Module()).run()
