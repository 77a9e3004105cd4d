# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The model's rules as aerleon policies. PRIVATE to the lync.reverse_proxy collection.

aerleon (the maintained successor of capirca) reads network and service definitions
(``def/*.yaml``) and policies (``policies/*.yaml``) and generates configurations for Cisco,
Juniper, Palo Alto, Arista, nftables, iptables and many more. This module writes those objects
from the model: one policy per interface of the source (the external firewall in front of the
listener, the internal firewall between the proxy and the pools), one term per model rule named
after its id. Nothing here imports aerleon: the objects are plain data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._kind import ensure_model
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._data import INTERFACES
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._errors import PortModelError
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._select import select_rules

__all__ = ["COMMENT_LIMIT", "FAMILY_OPTIONS", "NO_DENY_TARGETS", "NO_PORTLESS_TARGETS", "aerleon_policy"]

# Where each generator takes its address family in the header options, and the words it knows.
# Generators not listed get the header options exactly as given.
FAMILY_OPTIONS = {
    "cisco": {"inet": "extended", "inet6": "inet6", "mixed": "mixed", "words": ("extended", "inet6", "mixed",
                                                                                "standard", "object-group")},
    "arista": {"inet": "extended", "inet6": "inet6", "mixed": "mixed", "words": ("extended", "inet6", "mixed",
                                                                                 "standard")},
    "ciscoxr": {"inet": "inet", "inet6": "inet6", "mixed": "mixed", "words": ("inet", "inet6", "mixed")},
    "cisconx": {"inet": "extended", "inet6": "inet6", "mixed": "mixed", "words": ("extended", "inet6", "mixed")},
    "juniper": {"inet": "inet", "inet6": "inet6", "mixed": "mixed", "words": ("inet", "inet6", "mixed", "bridge")},
    "junipersrx": {"inet": "inet", "inet6": "inet6", "mixed": "mixed", "words": ("inet", "inet6", "mixed")},
    "paloalto": {"inet": "inet", "inet6": "inet6", "mixed": "mixed", "words": ("inet", "inet6", "mixed")},
    "nftables": {"inet": "inet", "inet6": "inet6", "mixed": "mixed", "words": ("inet", "inet6", "mixed")},
}
# Generators whose output has no deny rules (they admit what they list and nothing else):
# the final deny term is left out of a policy that targets one of them.
NO_DENY_TARGETS = ("k8s", "gce", "gcp_hf", "cloudarmor", "openconfig")
# Generators that refuse a protocol without ports (VRRP): their terms of such a rule are left out. A
# zone firewall (Palo Alto) sits between zones, and VRRP between a group's proxies never crosses one.
NO_PORTLESS_TARGETS = ("paloalto",)
# Generators whose header options begin with their address family (the rest put it later).
_FAMILY_FIRST = ("nftables",)

_ROLE_NAMES = {
    "any": "ANY",
    "external_sources": "EXTERNAL_SOURCES",
    "reverse_proxy_listener": "LISTENER",
    "reverse_proxy_internal_interface": "PROXY_INTERNAL",
    "front_end_server": "FE_SERVERS",
    "front_end_pool": "FE_VIP",
    "director": "DIR_SERVERS",
    "director_pool": "DIR_VIP",
    "office_web_apps": "OWA",
}
_ROLE_COMMENTS = {
    "any": "Any (the source's external sources)",
    "external_sources": "the external sources the listener admits",
    "reverse_proxy_listener": "the reverse proxy listener",
    "reverse_proxy_internal_interface": "the internal reverse proxy interface",
    "front_end_server": "Front End servers",
    "front_end_pool": "Front End pool VIP",
    "director": "Director servers",
    "director_pool": "Director pool VIP",
    "office_web_apps": "Office Web Apps for conferencing",
}
_SERVICE_NAMES = {80: "LYNC_HTTP", 443: "LYNC_HTTPS", 4443: "LYNC_HTTPS_4443", 8080: "LYNC_HTTP_8080"}
_TOKEN_RE = re.compile(r"[^A-Z0-9]+")
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,62}$")


def _network_name(role: str, name, names: Mapping) -> str:
    base = "LYNC_" + _ROLE_NAMES[role] + ("_" + _TOKEN_RE.sub("_", str(name).upper()).strip("_") if name else "")
    return str(names.get(base, base))


def _families(rules: list) -> set:
    return {6 if ":" in cidr else 4 for rule in rules for cidr in rule["sources"] + rule["destinations"]
            if cidr not in ("0.0.0.0/0", "::/0")}


def _header(target: str, options, families: set, where: str) -> str:
    """The header options, with the address family the rules need where the generator takes one."""
    if not isinstance(options, str) or not options.strip():
        raise PortModelError("%s: the header options of %s must be a non-empty string (e.g. the filter name), got %r"
                             % (where, target, options))
    words = options.split()
    known = FAMILY_OPTIONS.get(target)
    if known is None:
        return " ".join(words)
    family = "mixed" if families == {4, 6} else ("inet6" if families == {6} else "inet")
    given = [word for word in words if word in known["words"]]
    if not given:
        # nftables: "<family> <hook>"; Palo Alto: "from-zone A to-zone B [family]"; the rest:
        # "<filter name> [family] ...".
        position = 0 if target in _FAMILY_FIRST else len(words) if target == "paloalto" else 1
        words.insert(position, known[family])
        return " ".join(words)
    admits = {known["inet"]: {4}, known["inet6"]: {6}, known["mixed"]: {4, 6}}
    for word in given:
        if word in admits and not families <= admits[word]:
            raise PortModelError(
                "%s: %s %r admits IPv%s only, but the rules have IPv%s addresses: use %r (or leave the address "
                "family out and it is chosen from the rules)"
                % (where, target, word, "/".join(str(v) for v in sorted(admits[word])),
                   "/".join(str(v) for v in sorted(families - admits[word])), known[family]))
    return " ".join(words)


def _targets(targets, interfaces: tuple) -> dict:
    """interface -> {generator: header options}."""
    if not isinstance(targets, Mapping) or not targets:
        raise PortModelError(
            "targets must map aerleon generator names to their header options, e.g. {cisco: 'lync-ext extended'}, "
            "or each interface to such a mapping, got %r" % (targets,))
    if set(targets) & set(INTERFACES):
        unknown = sorted(set(targets) - set(INTERFACES))
        if unknown:
            raise PortModelError("targets: %s next to external/internal; give every generator under its interface"
                                 % ", ".join(map(str, unknown)))
        missing = [interface for interface in interfaces if interface not in targets]
        if missing:
            raise PortModelError("targets has no generators for the %s policy" % " and ".join(missing))
        result = {}
        for interface in interfaces:
            if not isinstance(targets[interface], Mapping) or not targets[interface]:
                raise PortModelError("targets.%s must map generator names to header options" % interface)
            result[interface] = dict(targets[interface])
        return result
    if len(interfaces) > 1:
        raise PortModelError(
            "targets names generators but not the interface: the external and internal policies need headers of "
            "their own (filter names, zones); give {external: {...}, internal: {...}}, or interface='external'")
    return {interfaces[0]: dict(targets)}


# nftables refuses comments longer than 128 characters, and aerleon passes them on as they are.
COMMENT_LIMIT = 128


def _comment(rule: dict) -> str:
    """The row of the source the term comes from (the reason stays in the port table)."""
    return (rule["source_ref"][0].upper() + rule["source_ref"][1:])[:COMMENT_LIMIT]


def aerleon_policy(data, targets, reverse_proxy=None, interface=None, names=None) -> dict:
    """``{definitions: {networks, services}, policies: [...]}`` in aerleon's object form."""
    model = ensure_model(data)
    if interface is not None and interface not in INTERFACES:
        raise PortModelError("interface must be one of %s, got %r" % (", ".join(INTERFACES), interface))
    names = {} if names is None else names
    if not isinstance(names, Mapping) or not all(isinstance(v, str) and _NAME_RE.match(v) for v in names.values()):
        raise PortModelError("names must map this collection's network names (LYNC_...) to aerleon token names")
    interfaces = INTERFACES if interface is None else (interface,)
    headers = _targets(targets, interfaces)
    rules = select_rules(model, reverse_proxy=reverse_proxy)
    networks, services, policies = {}, {}, []

    def network(group: dict) -> str:
        token = _network_name(group["role"], group["name"], names)
        if not group["addresses"] and group["role"] not in ("any",):
            raise PortModelError(
                "%s has no addresses: list the reverse proxies in lync_topology.reverse_proxies (a firewall needs "
                "the listener and the internal interface as addresses, not roles)" % token)
        values = [{"address": cidr} for cidr in group["addresses"]] or [{"address": "0.0.0.0/0"}, {"address": "::/0"}]
        values[0]["comment"] = _ROLE_COMMENTS[group["role"]] + (" %s" % group["name"] if group["name"] else "")
        existing = networks.get(token)
        if existing is not None and existing["values"] != values:
            raise PortModelError("names maps two networks to %s" % token)
        networks[token] = {"values": values}
        return token

    for name in interfaces:
        selected = [rule for rule in rules if rule["interface"] == name]
        if not selected:
            continue
        families = _families(selected) or {4, 6}
        terms = []
        for rule in selected:
            if not rule["sources"] or not rule["destinations"]:
                raise PortModelError(
                    "rule %s has no %s: list the reverse proxies in lync_topology.reverse_proxies (a firewall needs "
                    "the listener and the internal interface as addresses, not roles)"
                    % (rule["id"], "sources" if not rule["sources"] else "destinations"))
            term = {
                "name": rule["id"],
                "comment": _comment(rule),
                "source-address": " ".join(dict.fromkeys(network(group) for group in rule["source_groups"])),
                "destination-address": " ".join(dict.fromkeys(network(group) for group in rule["destination_groups"])),
                "protocol": rule["protocol"],
                "action": "accept",
            }
            # A rule without a port is VRRP between the proxies of a group (aerleon knows the protocol
            # by name): it matters where the policy filters the proxies' own segment; a router between
            # zones never sees it.
            if rule["port"] is not None:
                service = _SERVICE_NAMES[rule["port"]]
                services[service] = [{"port": rule["port"], "protocol": "tcp"}]
                term["destination-port"] = service
            elif NO_PORTLESS_TARGETS:
                term["platform-exclude"] = " ".join(NO_PORTLESS_TARGETS)
            terms.append(term)
        generators = {target: _header(target, options, families, "targets.%s" % name if interface is None
                                      and len(headers) > 1 else "targets")
                      for target, options in headers[name].items()}
        if not any(target in NO_DENY_TARGETS for target in generators):
            terms.append({"name": "default-deny", "comment": "Nothing else crosses the %s firewall." % name,
                          "action": "deny"})
        policies.append({
            "filename": "lync-%s" % name,
            "filters": [{
                "header": {
                    "targets": generators,
                    "comment": "Lync reverse proxy, %s interface: the %s firewall (lync.reverse_proxy)" % (name, name),
                },
                "terms": terms,
            }],
        })
    if not policies:
        raise PortModelError("the model has no rules for %s" % " or ".join(interfaces))
    return {"definitions": {"networks": networks, "services": services}, "policies": policies}
