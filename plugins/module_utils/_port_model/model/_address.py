# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Addresses: the one place that writes their text, merges them and finds them on a host's
interfaces. PRIVATE to the lync.reverse_proxy collection.

The model keeps addresses as CIDRs (``192.0.2.10/32``, ``2001:db8::/64``); nft, PowerShell,
ufw, proxy configurations and people write a single host without its prefix length. netaddr is
imported here for the whole model (its absence is reported where it is needed, by validation).
"""

from __future__ import annotations

import json

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._errors import PortModelError

try:
    import netaddr
except ImportError:  # pragma: no cover - exercised through the missing-library tests
    netaddr = None

__all__ = ["ANY", "host_text", "interfaces_for", "merge_networks", "netaddr", "of_version", "version_of"]

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


def merge_networks(networks) -> list[str]:
    """Merge address lists into the fewest CIDRs and sort them, IPv4 first, then IPv6.

    netaddr.cidr_merge does it; a network given with host bits set is taken as its CIDR first
    (cidr_merge keeps a network that merges with nothing as it was given).
    """
    return [str(cidr) for cidr in netaddr.cidr_merge(
        [network if network.value == network.first else network.cidr for network in networks])]


def interfaces_for(links: object, addresses: list) -> list:
    """Names of the interfaces that carry any of ``addresses``, from ``ip -j addr show`` output."""
    if isinstance(links, str):
        try:
            links = json.loads(links)
        except ValueError:
            raise PortModelError("expected the JSON output of 'ip -j addr show'") from None
    if not isinstance(links, list):
        raise PortModelError("expected the JSON output of 'ip -j addr show' (a list of links)")
    wanted = {str(address).split("/", maxsplit=1)[0] for address in addresses}
    names = []
    for link in links:
        for info in link.get("addr_info", []) if isinstance(link, dict) else []:
            if info.get("local") in wanted and link.get("ifname") not in names:
                names.append(link["ifname"])
    return sorted(names)
