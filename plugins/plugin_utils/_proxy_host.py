# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A proxy host as read against what it must have: what differs (proxy_host_changes) and what
the read must show without the files' content (proxy_host_expected). PRIVATE to the
lync.reverse_proxy collection."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

HOST_KEYS = ("packages", "tls_dir", "files", "config")


def file_digest(item, line_end: bool) -> str:
    """The SHA-256 of a file as written: its ``sha256`` when given, else of its content (with one
    line end after it for certificate files, ``line_end``)."""
    if item.get("sha256"):
        return item["sha256"]
    return hashlib.sha256((item["content"] + ("\n" if line_end else "")).encode("utf-8")).hexdigest()


def _check_host(name: str, what: str, host) -> None:
    if not isinstance(host, Mapping) or any(key not in host for key in HOST_KEYS):
        raise AnsibleFilterError("%s: %s must be a dict with %s, got %r" % (name, what, ", ".join(HOST_KEYS), host))


def proxy_host_changes(found, host):
    """The parts of ``host`` that the read ``found`` does not show as they must be."""
    if not isinstance(found, Mapping):
        raise AnsibleFilterError("proxy_host_changes: the input must be the read of the host (a dict), got %r" % (found,))
    _check_host("proxy_host_changes", "host", host)
    files = found.get("files") or {}
    service = found.get("service") or {}
    tls_dir, config = host["tls_dir"], host["config"]
    wanted_files = list(host["files"])
    wanted_paths = {item["path"] for item in wanted_files}
    return {
        "packages": [name for name, present in (found.get("packages") or {}).items() if not present],
        "tls_dir": files.get(tls_dir["path"], {}) != {
            "type": "directory", "mode": tls_dir["mode"], "owner": tls_dir["owner"], "group": tls_dir["group"]},
        "files": [item["path"] for item in wanted_files if files.get(item["path"], {}) != {
            "type": "file", "mode": item["mode"], "owner": item["owner"], "group": item["group"],
            "sha256": file_digest(item, line_end=True)}],
        "config": files.get(config["path"], {}) != {
            "type": "file", "mode": "0644", "owner": "root", "group": "root", "sha256": file_digest(config, line_end=False)},
        "service": not (service.get("enabled") and service.get("active")),
        "stale": [path for path, state in files.items()
                  if (state or {}).get("type") == "file" and path != config["path"]
                  and path not in wanted_paths],
    }


def proxy_host_expected(host):
    """``host`` with each file's content replaced by the digest of the file as written."""
    _check_host("proxy_host_expected", "the input", host)
    keep = ("path", "owner", "group", "mode")
    return {
        "packages": list(host["packages"]),
        "tls_dir": dict(host["tls_dir"]),
        "files": [dict({key: item[key] for key in keep}, sha256=file_digest(item, line_end=True))
                  for item in host["files"]],
        "config": {"path": host["config"]["path"], "sha256": file_digest(host["config"], line_end=False)},
    }
