# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The README test's user: a fresh home with the collection installed from the built tarball."""

from __future__ import annotations


def pytest_configure(config):
    config.addinivalue_line("markers", "lab: the command needs the lab's hosts (make molecule runs them)")


def pytest_terminal_summary(terminalreporter):
    """Every README command with what became of it and how long it took; then the counts."""
    rows = []
    for outcome in ("passed", "failed", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if "test_readme_command[" not in getattr(report, "nodeid", "") or report.when not in ("call", "setup"):
                continue
            if outcome != "skipped" and report.when != "call":
                continue
            properties = dict(getattr(report, "user_properties", []))
            where = report.nodeid.split("[", 1)[1].rstrip("]")
            detail = "%.1f s" % properties["seconds"] if "seconds" in properties else (
                report.longrepr[2].removeprefix("Skipped: ").removeprefix(where + " ")
                if outcome == "skipped" and isinstance(report.longrepr, tuple) else "")
            rows.append((where, outcome, detail, properties.get("seconds", 0.0)))
    if not rows:
        return
    terminalreporter.section("README commands")
    for where, outcome, detail, dummy in sorted(rows, key=lambda r: (r[0].split(":")[0], int(r[0].split(":")[1]))):
        terminalreporter.write_line("%-8s %-22s %s" % (outcome, where, detail))
    ran = [r for r in rows if r[1] != "skipped"]
    deselected = len(terminalreporter.stats.get("deselected", []))
    terminalreporter.write_line("%d run (%d failed) in %.1f s, %d skipped%s" % (
        len(ran), sum(1 for r in ran if r[1] == "failed"), sum(r[3] for r in ran), len(rows) - len(ran),
        ", %d deselected" % deselected if deselected else ""))
