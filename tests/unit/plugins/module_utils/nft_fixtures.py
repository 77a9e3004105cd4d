# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the real nft of the lab images lists, recorded by fixtures/nft/record.sh: nft 1.0.6
(Debian 12) and 1.1.3 (Debian 13)."""

from __future__ import annotations

import pathlib

HERE = pathlib.Path(__file__).resolve().parent / "fixtures" / "nft"
VERSIONS = sorted(path.name[len("nft-"):] for path in HERE.glob("nft-*"))
TABLE = "lync_reverse_proxy"
# The table every recording loaded (rendered by firewall_config for a proxy with egress filtering).
CONTENT = (HERE / "table.nft").read_text(encoding="utf-8")
COUNTED = (HERE / "counted.nft").read_text(encoding="utf-8")


def recorded(version: str, name: str) -> str:
    """A recording: table.json / table.txt (CONTENT loaded), drifted.json (a rule added by hand),
    counted.json / counted-traffic.json (COUNTED loaded, before and after one packet),
    limited.json / limited-traffic.json (fixtures/nft/limited.nft, the per-source limits' sets,
    before and after a connection put its source in them)."""
    return (HERE / ("nft-" + version) / name).read_text(encoding="utf-8")


def _body(ruleset: str) -> str:
    """The table of a ruleset file (after its "table" and "delete table" lines, comments left out),
    or the text itself."""
    marker = "delete table inet %s\n" % TABLE
    body = ruleset.split(marker, 1)[1] if marker in ruleset else ruleset
    return "\n".join(line for line in body.splitlines() if not line.lstrip().startswith("#")).strip()


class FakeHost:
    """Stands in for AnsibleModule.run_command on a host with nft, replaying the recordings of one
    nft version: the table is in one of the recorded states (table, drifted, empty, or None when
    it does not exist), listed as text and as JSON; a file loaded with nft -f, or in the private
    namespace, makes the recorded state whose content it holds. systemd answers as the lab's does.

    ``private_rc``/``private_err``: the namespace script's answer instead (97: nft refuses, 1: no
    namespace); ``load_rc``: nft -f refuses; ``after_load``: the state nft lists after a load
    (to stand for a table that lists differently from what was checked); ``restore_rc``: a load
    of the previous table fails."""

    def __init__(self, version: str, state: str | None = None):
        self.version, self.state, self.calls = version, state, []
        self.private_rc, self.private_err, self.load_rc, self.after_load, self.restore_rc = 0, "", 0, None, 0
        self.rollback, self.enabled, self.loads = None, False, 0
        self.known = {_body(CONTENT): "table"}
        for state_name in ("table", "drifted", "empty"):
            self.known[_body(recorded(version, state_name + ".txt"))] = state_name

    def text(self) -> str:
        return recorded(self.version, self.state + ".txt") if self.state else ""

    def _state_of(self, path: str) -> str:
        with open(path, encoding="utf-8") as handle:
            body = _body(handle.read())
        if body not in self.known:
            raise AssertionError("no recording holds this table:\n%s" % body)
        return self.known[body]

    def __call__(self, args, **kwargs):
        self.calls.append(args)
        command = args[0].rsplit("/", 1)[-1]
        if command == "systemd-run":
            self.rollback = args[-1]
            return 0, "", ""
        if command == "systemctl":
            return self._systemctl(args[1:])
        if command == "unshare":
            if self.private_rc:
                return self.private_rc, "", self.private_err
            return 0, recorded(self.version, self._state_of(args[8]) + ".json"), ""
        if command != "nft":
            raise AssertionError(args)
        if args[1:3] == ["list", "table"]:
            return (0, self.text(), "") if self.state else (1, "", "Error: No such file or directory")
        if args[1:4] == ["-j", "list", "table"]:
            return (0, recorded(self.version, self.state + ".json"), "") if self.state else (1, "", "Error: No such file")
        if args[1] == "-f":
            self.loads += 1
            state = self._state_of(args[2])
            if self.loads > 1 and self.restore_rc:
                return self.restore_rc, "", "Error: Could not process rule"
            if self.load_rc:
                return self.load_rc, "", "Error: syntax error"
            self.state = self.after_load if self.after_load and self.loads == 1 else state
            return 0, "", ""
        if args[1] == "delete":
            self.state = None
            return 0, "", ""
        raise AssertionError(args)

    def _systemctl(self, args):
        if args[0] == "is-enabled":
            return (0, "enabled\n", "") if self.enabled else (1, "disabled\n", "")
        if args[0] in ("daemon-reload", "enable"):
            self.enabled = self.enabled or args[0] == "enable"
            return 0, "", ""
        if args[0] == "is-active":
            return (0, "active\n", "") if self.rollback else (3, "inactive\n", "")
        if args[0] in ("stop", "reset-failed"):
            return 0, "", ""
        if args[0] == "show":  # the reads then ask is-enabled and is-active per service
            return 1, "", ""
        raise AssertionError(args)
