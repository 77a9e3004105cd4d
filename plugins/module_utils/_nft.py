# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The table nft_table keeps: compared as ``nft -j`` lists it, the file it is kept in, the boot
drop-in. PRIVATE to the lync.reverse_proxy collection.

Live and desired are compared as nft's own JSON (``nft -j list table``), not as text: the desired
table is what the same nft lists after loading the ruleset into a private network namespace
(``unshare --net``), so nothing on the host changes, the comparison does not depend on how the
content is written, and a ruleset that does not load is known before anything is loaded. (A copy
of the table under another name with the ``dormant`` flag would need no namespace, but nft 1.0.6,
Debian 12's, writes broken JSON for a dormant table.)

Shared by the module nft_table and the reads (firewall_info, host_info) on the host, and by the
firewall_config filter on the controller, which tells from a read whether the host already has
exactly that, so that a rerun needs no module call. Standard library only.
"""

from __future__ import annotations

import hashlib
import json
import os
import re

__all__ = ["DROPIN", "HEADER", "MEMO_DIR", "dropin_text", "in_place", "load_privately", "live_table", "loads_as",
           "remember_load", "ruleset_file", "table_objects"]

HEADER = "# Managed by lync.reverse_proxy (nft_table): changes here are replaced.\n"

DROPIN = """# Managed by lync.reverse_proxy (nft_table): loads the table after nftables.conf at boot and on reload.
[Service]
ExecStartPost={nft} -f {path}
ExecReload={nft} -f {path}
"""

# Keys whose values are state, not configuration: object handles, what counters and quotas have
# counted, when a dynamic set element expires.
_STATE_KEYS = frozenset(("handle", "packets", "bytes", "used", "used_unit", "expires"))
# Content that names interfaces other than lo by index (iif, oif, a netdev chain's or flowtable's
# devices): they must exist where the ruleset is loaded.
_BY_INDEX = re.compile(r'\b[io]if\s+(?!"?lo"?[\s;}])|\bdevices?\b')
# Exit statuses of the namespace script when nft refuses the ruleset, and when the ruleset loads
# but does not make the table (anything else: no namespace).
_REFUSED, _NO_TABLE = 97, 98
_PRIVATE_SCRIPT = """
nft=$1 path=$2 family=$3 name=$4 ip=$5
shift 5
n=0
for link in "$@"; do
  n=$((n + 1))
  "$ip" link add "$link" type dummy 2>/dev/null || "$ip" link add "$link" type veth peer name "lync-peer$n" 2>/dev/null
done
"$nft" -f "$path" || exit %d
"$nft" -j list table "$family" "$name" || exit %d
""" % (_REFUSED, _NO_TABLE)


def _strip(value):
    if isinstance(value, dict):
        return {key: _strip(item) for key, item in value.items() if key not in _STATE_KEYS}
    if isinstance(value, list):
        return [_strip(item) for item in value]
    return value


def _filled_by_rules(value, found: set) -> set:
    """The names of the sets a rule adds to or updates at run time (the per-source limits'
    ``add @set { ... }``; nft 1.0.6 does not list such a set's ``dynamic`` flag)."""
    if isinstance(value, dict):
        statement = value.get("set")
        if isinstance(statement, dict) and statement.get("op") in ("add", "update") \
                and isinstance(statement.get("set"), str):
            found.add(statement["set"].lstrip("@"))
        for item in value.values():
            _filled_by_rules(item, found)
    elif isinstance(value, list):
        for item in value:
            _filled_by_rules(item, found)
    return found


def table_objects(text: str) -> list | None:
    """The objects of one table from ``nft -j list table`` output, in a form to compare: no
    metainfo and table object, no handles, counters and quotas without what they counted, no
    elements of a set the rules fill at run time (the sources the per-source limits counted); sets, chains and other objects
    sorted, rules in each chain's order (grouped by chain). None when ``text`` is not nft's JSON."""
    try:
        listed = json.loads(text)["nftables"]
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(listed, list):
        return None
    objects, rules = [], []
    filled = _filled_by_rules([entry.get("rule") for entry in listed if isinstance(entry, dict)], set())
    for entry in listed:
        if not isinstance(entry, dict) or len(entry) != 1:
            return None
        (kind, body), = entry.items()
        if kind in ("metainfo", "table"):
            continue
        if isinstance(body, dict):
            dynamic = kind in ("set", "map") and body.get("name") in filled
            body = {key: item for key, item in _strip(body).items()
                    if key != "table" and not (dynamic and key == "elem")}
        (rules if kind == "rule" else objects).append({kind: body})
    objects.sort(key=lambda item: json.dumps(item, sort_keys=True))
    rules.sort(key=lambda item: str(item["rule"].get("chain", "")) if isinstance(item["rule"], dict) else "")
    return objects + rules


def live_table(run, nft: str, family: str, name: str) -> list | None:
    """The live table as table_objects, or None when it does not exist. ``run``: AnsibleModule.run_command."""
    rc, out, dummy = run([nft, "-j", "list", "table", family, name])
    return table_objects(out) if rc == 0 else None


def load_privately(run, unshare: str | None, nft: str, path: str, family: str, name: str, ip: str | None = None,
                   content: str | None = None) -> tuple:
    """The table as nft lists it after loading the ruleset file ``path`` into a private network
    namespace: ``(table_objects, None)``, or ``(None, (kind, why))`` with kind ``refused`` (nft
    does not load the ruleset) or ``unavailable`` (no private namespace here). Where the ruleset
    names interfaces by index, the host's interfaces exist in the namespace (dummy links, or veth
    where the kernel has no dummy links)."""
    if not unshare:
        return None, ("unavailable", "the unshare command (util-linux) is not installed")
    if content is None:
        try:
            with open(path, encoding="utf-8") as handle:
                content = handle.read()
        except OSError as exc:
            return None, ("refused", "cannot read %s: %s" % (path, exc))
    links = []
    if ip and _BY_INDEX.search(content):
        try:
            links = sorted(link for link in os.listdir("/sys/class/net") if link != "lo")
        except OSError:
            links = []
    rc, out, err = run([unshare, "--net", "--", "/bin/sh", "-c", _PRIVATE_SCRIPT, "sh", nft, path, family, name,
                        ip or ""] + links)
    if rc == _REFUSED:
        return None, ("refused", (err or out).strip())
    if rc == _NO_TABLE:
        return None, ("refused", "the ruleset loads but does not make table %s %s" % (family, name))
    if rc != 0:
        return None, ("unavailable", (err or out).strip() or "unshare --net failed (%d)" % rc)
    objects = table_objects(out)
    if objects is None:
        return None, ("refused", "nft -j did not list %s %s as JSON" % (family, name))
    return objects, None


# What a table's file loads, remembered (a digest) so that the next read need not load it again in a
# private namespace: under /run, so that a boot (a new kernel) forgets it; valid for the file's exact
# content, the same nft binary and the same kernel release.
MEMO_DIR = "/run/lync-reverse-proxy/nft"


def objects_digest(objects: list) -> str:
    """A digest of table_objects (to compare without keeping them)."""
    return hashlib.sha256(json.dumps(objects, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def _memo_key(nft: str, family: str, name: str, content: str) -> tuple:
    try:
        info = os.stat(nft)
        binary = "%s:%d:%d:%d" % (nft, info.st_ino, info.st_size, info.st_mtime_ns)
    except OSError:
        binary = None
    return os.path.join(MEMO_DIR, "%s-%s.json" % (family, name)), {
        "file_sha256": _sha256(content), "nft": binary, "kernel": os.uname().release}


def remember_load(nft: str, family: str, name: str, content: str, objects: list) -> None:
    """Keep what the ruleset ``content`` loads as (root only; where /run cannot be written, nothing is kept)."""
    path, key = _memo_key(nft, family, name, content)
    if key["nft"] is None:
        return
    try:
        os.makedirs(os.path.dirname(path), 0o700, exist_ok=True)
        scratch = "%s.%d" % (path, os.getpid())
        descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(dict(key, objects_sha256=objects_digest(objects)), handle)
        os.replace(scratch, path)
    except OSError:
        pass


def loads_as(nft: str, family: str, name: str, content: str) -> str | None:
    """The digest of what ``content`` loads as, when remembered for this content, nft and kernel; else None."""
    path, key = _memo_key(nft, family, name, content)
    try:
        with open(path, encoding="utf-8") as handle:
            memo = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(memo, dict) or key["nft"] is None or any(memo.get(part) != value for part, value in key.items()):
        return None
    digest = memo.get("objects_sha256")
    return digest if isinstance(digest, str) else None


def ruleset_file(family: str, name: str, content: str) -> str:
    """The file the table is kept in: it replaces the table whole when nft loads it."""
    return "%stable %s %s\ndelete table %s %s\n%s\n" % (HEADER, family, name, family, name, content.rstrip())


def dropin_text(nft: str, path: str) -> str:
    return DROPIN.format(nft=nft, path=path)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def in_place(content: str, host: dict, table: str, path: str, dropin: str | None, family: str = "inet") -> bool:
    """Whether a firewall_info read (``host``, read with ``path`` as its table_file and among its
    paths, with ``dropin`` among its paths and ``nftables`` among its services) shows exactly what
    nft_table would leave: the file as ``content`` makes it, the live table as nft -j lists that
    file loaded (the read compared them on the host), and (with ``dropin``) the boot drop-in with
    nftables.service enabled. False whenever the read lacks any of it, so that the module then decides."""
    nftables = host.get("nftables") or {}
    files = host.get("files") or {}
    if nftables.get("table") != table or not nftables.get("path") or nftables.get("live") is None:
        return False
    if nftables.get("file") != path or nftables.get("file_matches") is not True:
        return False
    if (files.get(path) or {}).get("sha256") != _sha256(ruleset_file(family, table, content)):
        return False
    if dropin:
        if (files.get(dropin) or {}).get("sha256") != _sha256(dropin_text(nftables["path"], path)):
            return False
        if not ((host.get("services") or {}).get("nftables") or {}).get("enabled"):
            return False
    return True
