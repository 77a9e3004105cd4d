# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Address text, the one place that writes it. PRIVATE to the lync.reverse_proxy collection.

The model keeps addresses as CIDRs (``192.0.2.10/32``, ``2001:db8::/64``); nft, PowerShell,
ufw, proxy configurations and people write a single host without its prefix length.
"""

from __future__ import annotations

__all__ = ["ANY", "host_text", "of_version", "version_of"]

# "Any address" of each family, as the model writes it.
ANY = {4: "0.0.0.0/0", 6: "::/0"}


def version_of(cidr: str) -> int:
    """4 or 6, from the text alone (the model's addresses are already valid)."""
    return 6 if ":" in str(cidr) else 4


def of_version(version: int, cidrs) -> list:
    """The addresses of one family, in their order."""
    return [cidr for cidr in cidrs if version_of(cidr) == version]


def host_text(cidr: str) -> str:
    """A host route without its prefix length (``192.0.2.10/32`` -> ``192.0.2.10``); a network as it is."""
    address, dummy, prefix = str(cidr).partition("/")
    if prefix == ("128" if ":" in address else "32"):
        return address
    return str(cidr)
