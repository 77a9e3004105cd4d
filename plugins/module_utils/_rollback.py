# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Commit-confirm on the managed host. PRIVATE to the lync.reverse_proxy collection.

Before a firewall change, ``arm`` saves the files the change touches and starts a transient
systemd timer that, unless ``disarm`` runs first, puts those files back (removing the ones that
did not exist) and then runs a restore command (reload the firewall from them). The saved state
lives under /run, so a reboot (which loads the persisted, previous configuration anyway) forgets
it.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shlex

ROLLBACK_DIR = "/run/lync-reverse-proxy"
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


def disarm(module, unit: str) -> bool:
    """Stop a pending rollback; True when one was pending."""
    systemctl = module.get_bin_path("systemctl")
    if not systemctl:
        return False
    rc, out, err = module.run_command([systemctl, "is-active", unit + ".timer"])
    pending = out.strip() in ("active", "activating")
    module.run_command([systemctl, "stop", unit + ".timer", unit + ".service"])
    module.run_command([systemctl, "reset-failed", unit + ".timer", unit + ".service"])
    return pending


def arm(module, unit: str, timeout: int, paths: list, restore_command: str, saved: dict | None = None) -> str:
    """Save ``paths`` (and ``saved``: name -> text written beside them) and arm the timer.

    ``restore_command`` runs after the files are back; ``{saved[name]}`` in it names the saved
    copy of ``saved[name]``. Returns the directory holding the saved state.
    """
    systemd_run = module.get_bin_path("systemd-run")
    if not systemd_run:
        module.fail_json(msg="commit-confirm needs systemd-run on the host; nothing was applied")
    disarm(module, unit)
    state = os.path.join(ROLLBACK_DIR, unit)
    os.makedirs(state, 0o700, exist_ok=True)
    for old in os.listdir(state):
        os.unlink(os.path.join(state, old))
    steps = []
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
    rc, out, err = module.run_command([
        systemd_run, "--unit=" + unit, "--on-active=%ds" % timeout, "--timer-property=AccuracySec=1s",
        "/bin/sh", script])
    if rc != 0:
        module.fail_json(msg="could not arm the rollback timer; nothing was applied", stderr=err)
    return state
