# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The verification report: probe and certificate results of many hosts as rows, lines and Markdown.
PRIVATE to the lync.reverse_proxy collection."""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._errors import PortModelError

__all__ = ["report_markdown", "report_rows"]


def _detail(result: dict) -> str:
    parts = []
    if result.get("expect") == "closed":
        if result.get("ok"):
            parts.append("closed")
    else:
        if result.get("tls_version"):
            parts.append("%s%s" % (result["tls_version"], ", verified" if result.get("tls_verified") else ""))
        if result.get("http_status") is not None:
            parts.append("HTTP %d" % result["http_status"])
        if result.get("http_location"):
            parts.append("-> %s" % result["http_location"])
        if result.get("connect_ms") is not None:
            parts.append("%.1f ms" % result["connect_ms"])
        if result.get("detail"):
            parts.append(result["detail"])
    if result.get("error"):
        parts.append(result["error"])
    return ", ".join(parts)


def report_rows(hosts: list, results: list) -> list:
    """One row per check: host, check, ok, detail and a printable line. ``results`` names the
    host variables that hold registered results (each with a ``results`` list of checks)."""
    if not isinstance(hosts, list):
        raise PortModelError("expected a list of host variables (hostvars entries)")
    rows = []
    for host in hosts:
        if not isinstance(host, Mapping):
            continue
        for key in results:
            for result in (host.get(key) or {}).get("results", []):
                row = {"host": host.get("inventory_hostname", "?"), "check": result.get("name", "?"),
                       "ok": bool(result.get("ok")), "detail": _detail(result)}
                row["line"] = "%-4s %-8s %s: %s" % (
                    "OK" if row["ok"] else "FAIL", row["host"], row["check"], row["detail"])
                rows.append(row)
    return rows


def report_markdown(rows: list) -> str:
    lines = ["| result | from | check | detail |", "|---|---|---|---|"]
    for row in rows:
        cells = ("OK" if row["ok"] else "**FAIL**", row["host"], row["check"], row["detail"])
        lines.append("| %s |" % " | ".join(cell.replace("|", "\\|") for cell in cells))
    failed = len([row for row in rows if not row["ok"]])
    lines.append("")
    lines.append("%d checks, %d failed." % (len(rows), failed))
    return "\n".join(lines) + "\n"
