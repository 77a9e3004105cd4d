# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Commit-confirm on the managed host. PRIVATE to the lync.reverse_proxy collection.

Before a firewall change, ``arm`` saves the files the change touches and starts a transient
systemd timer that, unless ``confirm`` runs first, puts those files back (removing the ones that
did not exist) and then runs a restore command (reload the firewall from them). A rollback that
ran leaves its mark, and a confirmation that comes too late fails instead of reporting rules
that are no longer there. The saved state lives under /run, so a reboot (which loads the
persisted, previous configuration anyway) forgets it.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shlex
import time

ROLLBACK_DIR = "/run/lync-reverse-proxy"
# Seconds a confirmation waits for a restore that has already begun.
RESTORE_WAIT = 60
_UNIT_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def connection_source() -> str | None:
    """The address the current SSH connection comes from, when there is one."""
    value = os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_CLIENT") or ""
    return value.split()[0] if value.split() else None


def refuse_outside_management(module, sources: list, applies: bool) -> str | None:
    """Fail before any change when the connection's address is outside ``sources``; returns it."""
    source = connection_source()
    networks = []
    for cidr in sources:
        try:
            networks.append(ipaddress.ip_network(cidr, strict=False))
        except ValueError:
            module.fail_json(msg="management_sources: %r is not a network" % cidr)
    if applies and networks and source:
        address = ipaddress.ip_address(source.split("%")[0])
        if not any(address in network for network in networks):
            module.fail_json(
                msg="refusing to apply: the current connection comes from %s, which is not in the "
                    "management sources %s; the new ruleset could cut it" % (source, ", ".join(sources)),
                connection_source=source)
    return source


def unit_name(name: str) -> str:
    if not _UNIT_RE.match(name or ""):
        raise ValueError("%r is not usable in a unit name" % (name,))
    return "lync-rollback-" + name


def _state_dir(unit: str) -> str:
    return os.path.join(ROLLBACK_DIR, unit)


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError:
        return ""


def _clear(state: str) -> None:
    """Empty the state directory of a rollback (what an earlier arm saved, its mark)."""
    for name in os.listdir(state):
        os.unlink(os.path.join(state, name))


def _when(epoch: str) -> str:
    try:
        return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(int(epoch)))
    except ValueError:
        return "an unknown time"


def disarm(module, unit: str) -> bool:
    """Stop a pending rollback; True when one was pending and had not started.

    Only the timer is stopped: a restore that has already begun is left to finish (bounded
    wait) rather than cut in half.
    """
    systemctl = module.get_bin_path("systemctl")
    if not systemctl:
        return False
    rc, out, err = module.run_command([systemctl, "is-active", unit + ".timer"])
    pending = out.strip() in ("active", "activating")
    module.run_command([systemctl, "stop", unit + ".timer"])
    fired = os.path.exists(os.path.join(_state_dir(unit), "fired"))
    if fired:
        deadline = time.monotonic() + RESTORE_WAIT
        while time.monotonic() < deadline:
            rc, out, err = module.run_command([systemctl, "is-active", unit + ".service"])
            if out.strip() not in ("active", "activating", "reloading"):
                break
            time.sleep(0.2)
    module.run_command([systemctl, "reset-failed", unit + ".timer", unit + ".service"])
    return pending and not fired


def fired_message(unit: str, fired: str, armed: str) -> str:
    """Why a confirmation fails when the rollback ran (``fired``: its epoch; ``armed``: the epoch
    and timeout it was armed with)."""
    armed_at = armed.split()
    timeout = armed_at[1] if len(armed_at) > 1 else "?"
    return ("the rollback %s ran at %s, before this confirmation: the previous firewall rules are back "
            "and the new ones are not applied. Applying took longer than the confirmation timeout "
            "(%s s, armed at %s); raise it (rp_firewall_confirm_timeout, or the module's timeout) and "
            "run again." % (unit, _when(fired), timeout, _when(armed_at[0]) if armed_at else "an unknown time"))


def _fail_if_fired(module, unit: str) -> None:
    state = _state_dir(unit)
    fired = _read(os.path.join(state, "fired"))
    if fired:
        module.fail_json(msg=fired_message(unit, fired, _read(os.path.join(state, "armed"))), unit=unit,
                         rolled_back=True)


def confirm(module, unit: str) -> bool:
    """Disarm after a change; True when a rollback was pending.

    Fails when the rollback ran before the confirmation: the previous rules are back, so a
    run that went on as if the new ones were applied would report a state the host is not in.
    """
    pending = disarm(module, unit)
    _fail_if_fired(module, unit)
    state = _state_dir(unit)
    if pending and os.path.isdir(state):
        _clear(state)
        os.rmdir(state)
    return pending


def confirm_command(unit: str) -> str:
    """``confirm`` as one /bin/sh command, for a caller that has a shell on the host and no Python
    module round trip to spare (the firewall_rollback action): it prints one line that
    ``confirm_outcome`` reads."""
    state = _state_dir(unit)
    return "\n".join([
        "u=%s; s=%s; pending=no" % (shlex.quote(unit), shlex.quote(state)),
        "if command -v systemctl >/dev/null 2>&1; then",
        '  case "$(systemctl is-active "$u.timer" 2>/dev/null)" in active|activating) pending=yes;; esac',
        '  systemctl stop "$u.timer" >/dev/null 2>&1',
        # A restore that has already begun is left to finish (bounded wait), not cut in half.
        '  if [ -e "$s/fired" ]; then',
        "    i=0",
        '    while [ "$i" -lt %d ]; do' % RESTORE_WAIT,
        '      case "$(systemctl is-active "$u.service" 2>/dev/null)" in active|activating|reloading) sleep 1;; *) break;; esac',
        "      i=$((i + 1))",
        "    done",
        "  fi",
        '  systemctl reset-failed "$u.timer" "$u.service" >/dev/null 2>&1',
        "fi",
        'if [ -e "$s/fired" ]; then',
        '  echo "lync-rollback fired $(cat "$s/fired") armed $(cat "$s/armed" 2>/dev/null)"',
        "  exit 0",
        "fi",
        'if [ "$pending" = yes ] && [ -d "$s" ]; then rm -f "$s"/*; rmdir "$s"; fi',
        'echo "lync-rollback pending $pending"',
    ])


def confirm_outcome(unit: str, rc: int, stdout: str, stderr: str = "") -> tuple:
    """What ``confirm_command`` printed: (changed, error); error is None when confirmed."""
    lines = [line.split() for line in (stdout or "").splitlines() if line.startswith("lync-rollback ")]
    if rc != 0 or not lines:
        return False, "could not confirm %s: the command exited with %s%s" % (
            unit, rc, (": " + stderr.strip()) if (stderr or "").strip() else "")
    words = lines[-1]
    if words[1:2] == ["fired"]:
        fired = words[2] if len(words) > 2 and words[2] != "armed" else ""
        armed = " ".join(words[words.index("armed") + 1:]) if "armed" in words else ""
        return False, fired_message(unit, fired, armed)
    return words[1:3] == ["pending", "yes"], None


def restart(module, unit: str, timeout: int) -> None:
    """Restart the countdown of the pending rollback from now, keeping what ``arm`` saved.

    For a change made in several steps: armed before the first, restarted after the last, so
    the confirmation has the whole timeout whatever the steps took.
    """
    script = os.path.join(_state_dir(unit), "restore.sh")
    pending = disarm(module, unit)
    _fail_if_fired(module, unit)
    if not pending or not os.path.exists(script):
        module.fail_json(msg="no rollback %s is pending: nothing to restart (arm it before the change)" % unit)
    _start(module, unit, timeout, script, failure="its previous countdown is stopped: confirm or roll back by hand")


def _start(module, unit: str, timeout: int, script: str, failure: str = "nothing was applied") -> None:
    with open(os.path.join(os.path.dirname(script), "armed"), "w", encoding="utf-8") as handle:
        handle.write("%d %d\n" % (time.time(), timeout))
    rc, out, err = module.run_command([
        module.get_bin_path("systemd-run"), "--unit=" + unit, "--on-active=%ds" % timeout,
        "--timer-property=AccuracySec=1s", "/bin/sh", script])
    if rc != 0:
        module.fail_json(msg="could not start the rollback timer %s (systemd-run); %s" % (unit, failure), stderr=err)


def arm(module, unit: str, timeout: int, paths: list, restore_command: str, saved: dict | None = None) -> str:
    """Save ``paths`` (and ``saved``: name -> text written beside them) and arm the timer.

    ``restore_command`` runs after the files are back; ``{saved[name]}`` in it names the saved
    copy of ``saved[name]``. Returns the directory holding the saved state.
    """
    systemd_run = module.get_bin_path("systemd-run")
    if not systemd_run:
        module.fail_json(msg="commit-confirm needs systemd-run on the host; nothing was applied")
    state = _state_dir(unit)
    # Only arm creates the state directory (before its timer) and only a confirmation of a
    # pending rollback removes it (after stopping the timer): without it, nothing is pending.
    if os.path.isdir(state):
        disarm(module, unit)
    os.makedirs(state, 0o700, exist_ok=True)
    _clear(state)
    # First, the mark that the rollback began: a late confirmation finds it and fails.
    steps = ["date +%%s > %s" % shlex.quote(os.path.join(state, "fired"))]
    for index, path in enumerate(paths):
        if os.path.exists(path):
            copy = os.path.join(state, "file-%d" % index)
            with open(path, "rb") as source, open(copy, "wb") as target:
                target.write(source.read())
            steps.append("cp %s %s" % (shlex.quote(copy), shlex.quote(path)))
        else:
            steps.append("rm -f %s" % shlex.quote(path))
    names = {}
    for name, text in (saved or {}).items():
        copy = os.path.join(state, "saved-" + re.sub(r"[^A-Za-z0-9_.-]", "_", name))
        with open(copy, "w", encoding="utf-8") as handle:
            handle.write(text)
        names[name] = shlex.quote(copy)
    steps.append(restore_command.format(saved=names))
    # A script file, not "sh -c ...": systemd reads ';' in a command line as its own separator.
    script = os.path.join(state, "restore.sh")
    with open(script, "w", encoding="utf-8") as handle:
        handle.write("#!/bin/sh\n# Written by lync.reverse_proxy: the rollback of %s.\n%s\n" % (unit, "\n".join(steps)))
    os.chmod(script, 0o700)
    _start(module, unit, timeout, script)
    return state


# The firewall_rollback module's options (its action plugin validates the same). It takes the
# backend modules' rollback_timeout and management_sources as well, so that module_defaults for the
# action group commit_confirm (meta/runtime.yml) set them once for all four modules.
ROLLBACK_SPEC = {
    "name": {"type": "str", "required": True},
    "state": {"type": "str", "default": "armed", "choices": ["armed", "restarted", "confirmed"]},
    "paths": {"type": "list", "elements": "path", "default": []},
    "restore_command": {"type": "str"},
    "timeout": {"type": "int"},
    "rollback_timeout": {"type": "int", "default": 0},
    "management_sources": {"type": "list", "elements": "str", "default": []},
    "reconnect": {"type": "bool", "default": False},
}
ROLLBACK_REQUIRED_IF = [("state", "armed", ("paths", "restore_command"))]
# firewall_rollback's countdown when neither timeout nor rollback_timeout says otherwise.
DEFAULT_TIMEOUT = 60


def rollback_seconds(params: dict) -> int:
    """firewall_rollback's countdown: ``timeout`` when given, else ``rollback_timeout`` when above
    0 (the backends' option, from the action group's defaults), else DEFAULT_TIMEOUT."""
    if params.get("timeout") is not None:
        return params["timeout"]
    return params.get("rollback_timeout") or DEFAULT_TIMEOUT


# -- what the backend modules share ---------------------------------------------------------
def backend_argument_spec(**specific) -> dict:
    """The argument spec of a firewall backend module: its own options and the shared ones
    (``state`` with ``confirmed``, ``rollback_timeout``, ``management_sources``; documented by the
    doc fragment lync.reverse_proxy.commit_confirm)."""
    spec = {
        "state": {"type": "str", "default": "present", "choices": ["present", "absent", "confirmed"]},
        "rollback_timeout": {"type": "int", "default": 0},
        "management_sources": {"type": "list", "elements": "str", "default": []},
    }
    spec.update(specific)
    return spec


def confirmed(module, unit: str, **result) -> dict | None:
    """``state=confirmed``: the pending rollback disarmed (nothing in check mode); ``None`` for
    any other state, after refusing a change from outside the management sources."""
    if module.params["state"] == "confirmed":
        pending = False if module.check_mode else confirm(module, unit)
        return dict(result, changed=pending, rollback_armed=False, rollback_unit=unit,
                    connection_source=connection_source() or "")
    refuse_outside_management(module, module.params["management_sources"], module.params["state"] == "present")
    return None
