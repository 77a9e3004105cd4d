# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The text of a table nft_table keeps: how it is compared, the file it is kept in, the boot
drop-in. PRIVATE to the lync.reverse_proxy collection.

Shared by the module nft_table (on the host) and the firewall_config filter (on the controller,
which tells from a firewall_facts read whether the host already has exactly that, so that a rerun
needs no module call). Standard library only.
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["DROPIN", "HEADER", "dropin_text", "in_place", "normalize", "ruleset_file"]

HEADER = "# Managed by lync.reverse_proxy (nft_table): changes here are replaced.\n"

DROPIN = """# Managed by lync.reverse_proxy (nft_table): loads the table after nftables.conf at boot and on reload.
[Service]
ExecStartPost={nft} -f {path}
ExecReload={nft} -f {path}
"""


# The elements of a dynamic set (the per-source limits): what the traffic put there, not the table.
_DYNAMIC_ELEMENTS = re.compile(r"(set \S+ \{ [^{}]*?flags dynamic[^{}]*?) elements = \{[^{}]*\}")


def normalize(text: str) -> str:
    """Whitespace-insensitive form of a table listing; comments, blank lines and the elements of
    dynamic sets (filled at run time by the traffic) dropped."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    return _DYNAMIC_ELEMENTS.sub(r"\1", re.sub(r"\s+", " ", " ".join(lines)).strip())


def ruleset_file(family: str, name: str, content: str) -> str:
    """The file the table is kept in: it replaces the table whole when nft loads it."""
    return "%stable %s %s\ndelete table %s %s\n%s\n" % (HEADER, family, name, family, name, content.rstrip())


def dropin_text(nft: str, path: str) -> str:
    return DROPIN.format(nft=nft, path=path)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def in_place(content: str, host: dict, table: str, path: str, dropin: str | None, family: str = "inet") -> bool:
    """Whether a firewall_facts read (``host``, read with ``path`` and ``dropin`` among its paths
    and ``nftables`` among its services) shows exactly what nft_table would leave: the live table
    as ``content``, its file, and (with ``dropin``) the boot drop-in with nftables.service enabled.
    False whenever the read lacks any of it, so that the module then decides."""
    nftables = host.get("nftables") or {}
    files = host.get("files") or {}
    if nftables.get("table") != table or not nftables.get("path") or not nftables.get("listing"):
        return False
    if normalize(nftables["listing"]) != normalize(content):
        return False
    if (files.get(path) or {}).get("sha256") != _sha256(ruleset_file(family, table, content)):
        return False
    if dropin:
        if (files.get(dropin) or {}).get("sha256") != _sha256(dropin_text(nftables["path"], path)):
            return False
        if not ((host.get("services") or {}).get("nftables") or {}).get("enabled"):
            return False
    return True
