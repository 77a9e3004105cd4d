# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One host's firewall in one pass: rules, interfaces, management sources, the backend's rendering.

PRIVATE to the lync.reverse_proxy collection.

The firewall role used to derive these in several Jinja expressions, each of which computed the
model again and passed the topology's address lists through the template engine; with hundreds
of source networks that cost seconds per host. Here the model is computed once and everything
else follows from it in Python.
"""

from __future__ import annotations

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._compute import _merge, ensure_model
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._errors import PortModelError
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._linux import (
    PLACEMENTS,
    render_firewalld,
    render_iptables,
    render_ufw,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._nftables import render_nftables
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._select import interfaces_for, select_rules
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._validate import netaddr

__all__ = ["BACKENDS", "firewall_config"]

BACKENDS = ("nftables", "iptables", "firewalld", "ufw")


def _management(sources, connection: str | None, keep_connection_source: bool) -> list:
    """The management networks (and this connection's source address), merged."""
    if sources is None:
        sources = []
    if not isinstance(sources, (list, tuple)):
        raise PortModelError("management_sources must be a list of networks, got %r" % (sources,))
    entries = [("management_sources[%d]" % index, value) for index, value in enumerate(sources)
               if value not in (None, "")]
    if keep_connection_source and connection:
        entries.append(("the connection's source address", str(connection).split()[0]))
    networks = []
    for where, value in entries:
        try:
            networks.append(netaddr.IPNetwork(str(value)))
        except (netaddr.AddrFormatError, ValueError, TypeError):
            raise PortModelError("%s: %r is not an address or network" % (where, value)) from None
    return _merge(networks)


def firewall_config(data, backend: str = "nftables", placement: str = "host", reverse_proxy: str | None = None,
                    side: str | None = None, links=None, connection: str | None = None, management_sources=None,
                    keep_connection_source: bool = True, management_port: int = 22, external_interfaces=None,
                    internal_interfaces=None, egress_filtering: bool = False, table: str = "lync_reverse_proxy",
                    chain_prefix: str = "LYNC-RP", firewalld_prefix: str = "lync",
                    ufw_comment_prefix: str = "lync-rp:") -> dict:
    """Everything a host's firewall needs, from a topology (or model) and what the host reported.

    ``links`` is the output of ``ip -j addr show`` (text or parsed) used to find the interfaces
    when ``external_interfaces`` / ``internal_interfaces`` are not given; ``connection`` is the
    value of ``SSH_CONNECTION`` (its first field, the controller's address, joins the management
    sources when ``keep_connection_source``).

    Returns ``{"rules": <rule count>, "external_interfaces", "internal_interfaces",
    "management_sources", "content"}``, where ``content`` is what the backend's renderer gives
    (nftables: text; iptables: ``{"v4": {...}, "v6": {...}}``; firewalld: files; ufw: rules).
    """
    if backend not in BACKENDS:
        raise PortModelError("backend must be one of %s, got %r" % (", ".join(BACKENDS), backend))
    if placement not in PLACEMENTS:
        raise PortModelError("placement must be one of %s, got %r" % (", ".join(PLACEMENTS), placement))
    model = ensure_model(data)
    if placement == "host":
        if not reverse_proxy:
            raise PortModelError("placement host needs reverse_proxy (the proxy's name in reverse_proxies)")
        rules = select_rules(model, reverse_proxy=reverse_proxy)
    else:
        if side not in ("external", "internal"):
            raise PortModelError("gateway placement needs side: external or internal, got %r" % (side,))
        rules = select_rules(model, interface=side)
    external = list(external_interfaces or [])
    internal = list(internal_interfaces or [])
    if not external and links is not None:
        external = interfaces_for(links, [a for rule in rules if rule["interface"] == "external"
                                          for a in rule["destinations"]])
    if not internal and links is not None:
        internal = interfaces_for(links, [a for rule in rules if rule["interface"] == "internal"
                                          for a in rule["sources"]])
    management = _management(management_sources, connection, bool(keep_connection_source))
    try:
        port = int(management_port)
    except (TypeError, ValueError):
        raise PortModelError("management_port must be a port number, got %r" % (management_port,)) from None
    policy = {"management_sources": management, "management_port": port, "external_interfaces": external,
              "internal_interfaces": internal, "egress_filtering": bool(egress_filtering),
              "placement": placement, "side": side if placement == "gateway" else None}
    if backend == "nftables":
        content = render_nftables(rules, table=table, **policy)
    elif backend == "iptables":
        content = {"v%d" % family: render_iptables(rules, chain_prefix=chain_prefix, family=family, **policy)
                   for family in (4, 6)}
    elif backend == "firewalld":
        content = render_firewalld(rules, prefix=firewalld_prefix, **policy)
    else:
        content = render_ufw(rules, comment_prefix=ufw_comment_prefix, **policy)
    return {"rules": len(rules), "external_interfaces": external, "internal_interfaces": internal,
            "management_sources": management, "content": content}
