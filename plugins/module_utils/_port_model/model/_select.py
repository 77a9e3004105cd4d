# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Selecting parts of the model, and JMESPath queries on it. PRIVATE to the lync.reverse_proxy collection."""

from __future__ import annotations

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._address import (
    host_text,
    merge_networks,
    netaddr,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._data import INTERFACES
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._errors import (
    MissingLibraryError,
    PortModelError,
)

try:
    import jmespath
except ImportError:  # pragma: no cover - exercised through the missing-library tests
    jmespath = None

__all__ = ["HAS_JMESPATH", "proxy_group", "query_model", "select_routes", "select_rules", "server_rules"]

HAS_JMESPATH = jmespath is not None
# The model's groups that are a reverse proxy's own addresses.
_PROXY_ROLES = ("reverse_proxy_listener", "reverse_proxy_internal_interface")


def query_model(data: object, expression: str) -> object:
    """Evaluate the JMESPath ``expression`` on ``data`` (a model or part of one)."""
    if jmespath is None:
        raise MissingLibraryError("jmespath", "for a JMESPath query")
    if not isinstance(expression, str):
        raise PortModelError("query must be a JMESPath expression (a string), got %r" % (expression,))
    try:
        return jmespath.search(expression, data)
    except jmespath.exceptions.JMESPathError as exc:
        raise PortModelError("query %r is not a valid JMESPath expression: %s" % (expression, exc)) from None


def proxy_group(model: dict, reverse_proxy: str) -> dict | None:
    """The entry of the model's ``reverse_proxy_groups`` that ``reverse_proxy`` is a member of, or None
    (also for a model computed before groups existed)."""
    for group in model.get("reverse_proxy_groups") or []:
        if reverse_proxy in group["members"]:
            return group
    return None


def _own(group: dict) -> bool:
    """Whether a rule's group is a reverse proxy's own addresses (not a group's virtual addresses)."""
    return group["role"] in _PROXY_ROLES and bool(group["name"]) and "members" not in group


def _proxy_rules(model: dict, name: str) -> list:
    """The rules as one reverse proxy applies them: external rules to its own listener
    addresses and its group's virtual addresses, internal rules from its own internal addresses.
    A rule of a protocol without ports (VRRP between a group's members) admits only the other
    members of the proxy's group, and is left out for a proxy in no group."""
    known = sorted({group["name"] for rule in model["rules"] for group in rule["destination_groups"] + rule["source_groups"]
                    if _own(group)})
    if name not in known:
        raise PortModelError(
            "reverse proxy %r is not in the topology's reverse_proxies (known: %s)" % (name, ", ".join(known) or "none")
        )
    group = proxy_group(model, name)
    peers = [member for member in group["members"] if member != name] if group else []
    rules = []
    for rule in model["rules"]:
        side = "destination" if rule["interface"] == "external" else "source"
        narrowed = dict(rule)
        if rule.get("ip_protocol") is not None:
            if not peers:
                continue
            sources = [g for g in rule["source_groups"] if g["name"] in peers]
            narrowed["source_groups"] = sources
            narrowed["sources"] = merge_networks(netaddr.IPNetwork(a) for g in sources for a in g["addresses"])
        groups = [g for g in rule[side + "_groups"] if g["name"] == name or name in g.get("members", ())]
        narrowed[side + "_groups"] = groups
        narrowed[side + "s"] = merge_networks(netaddr.IPNetwork(a) for g in groups for a in g["addresses"])
        rules.append(narrowed)
    return rules


def server_rules(model: dict, host_addresses) -> list:
    """The rules as one server (Front End, Director, Office Web Apps) admits them: the internal rules
    whose destinations include its own ``host_addresses``, narrowed to those addresses (each as the
    model lists it, in its order, not merged).

    A reverse proxy's address among ``host_addresses`` is refused, naming the proxy: taken for a
    server it would get none of its listener rules, and a role that removes the rules of its group it
    does not compute would close the listener.
    """
    mine = {str(a).split("/", 1)[0] for a in host_addresses or []}
    if not mine:
        raise PortModelError("host_addresses is empty: the host's own addresses decide which rules are its")
    proxies = [group for rule in model["rules"] for group in rule["destination_groups"] + rule["source_groups"]
               if group["role"] in _PROXY_ROLES and group["name"]]
    for group in proxies:
        ours = sorted(mine & {host_text(address) for address in group["addresses"]})
        if ours:
            if "members" in group:
                raise PortModelError(
                    "%s is a virtual address of reverse proxy group %s: give reverse_proxy=<one of %s> for the "
                    "proxy that holds it, not host_addresses" % (ours[0], group["name"], ", ".join(group["members"])))
            raise PortModelError(
                "%s is an address of reverse proxy %s: give reverse_proxy=%s for it (its listener rules and egress "
                "rules), not host_addresses" % (ours[0], group["name"], group["name"]))
    rules = []
    for rule in model["rules"]:
        if rule["interface"] != "internal":
            continue
        groups = [dict(group, addresses=[a for a in group["addresses"] if host_text(a) in mine])
                  for group in rule["destination_groups"]]
        groups = [group for group in groups if group["addresses"]]
        local = [address for group in groups for address in group["addresses"]]
        if local:
            rules.append(dict(rule, destination_groups=groups, destinations=sorted(set(local), key=local.index)))
    return rules


def select_rules(model: dict, interface: str | None = None, query: str | None = None,
                 reverse_proxy: str | None = None) -> object:
    """The model's rules, optionally of one interface and one reverse proxy, optionally
    through a JMESPath query."""
    rules = model["rules"] if reverse_proxy is None else _proxy_rules(model, reverse_proxy)
    if interface is not None:
        if interface not in INTERFACES:
            raise PortModelError(
                "interface must be one of %s, got %r" % (", ".join(INTERFACES), interface)
            )
        rules = [rule for rule in rules if rule["interface"] == interface]
    if query is not None:
        return query_model(rules, query)
    return rules


def select_routes(model: dict, frontend_port: int | None = None) -> list:
    """The model's routes, optionally those of one frontend port (443 or 80)."""
    routes = model["routes"]
    if frontend_port is None:
        return routes
    try:
        port = int(frontend_port)
    except (TypeError, ValueError):
        port = None
    if port not in (80, 443):
        raise PortModelError("frontend_port must be 443 or 80, got %r" % (frontend_port,))
    return [route for route in routes if route["frontend_port"] == port]
