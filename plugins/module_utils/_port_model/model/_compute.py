# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Computation of the port model from a validated topology. PRIVATE to the lync.reverse_proxy collection.

The model has four parts (see the collection's DESIGN contract):

- ``rules``: the firewall rules of the source's two tables that the topology calls for;
- ``routes``: the publishing rules a reverse proxy needs (host name -> backend and port);
- ``certificate_names``: the names the listener certificate must carry;
- ``warnings``: sentences for the operator.

A model says what it is: ``kind: lync.reverse_proxy/port-model`` and ``model_version: 1``. It
travels through Ansible's variables (set_fact, register, a JSON or YAML file) as a plain dict, so
the marker is two keys of that dict, not a Python class. ``_kind.ensure_model`` reads the marker to
tell a model from a topology (``_kind.model_kind``); ``model_version`` is raised only when a key of the
model changes meaning or goes away, never for an added key.
"""

from __future__ import annotations

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._address import merge_networks
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._data import (
    ADDED_RULE_DEFS,
    FACTS,
    ROLE_ORDER,
    RULE_DEFS,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._kind import MODEL_KIND, MODEL_VERSION
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._validate import validate_topology

__all__ = ["compute_model", "model_of_validated"]

_ANY = ("0.0.0.0/0", "::/0")
_BACKEND_KIND = {
    "front_end_pools": "front_end_pool",
    "directors": "director_pool",
    "office_web_apps": "office_web_apps",
}
_ROUTE_PREFIX = {"front_end_pools": "fe", "directors": "dir", "office_web_apps": "owa"}
# (role of the VIP, role of the servers) for each kind of backend.
_DESTINATION_ROLES = {
    "front_end_pools": ("front_end_pool", "front_end_server"),
    "directors": ("director_pool", "director"),
    "office_web_apps": ("office_web_apps", "office_web_apps"),
}


def _hosts(networks) -> list[str]:
    """Host addresses as plain text, de-duplicated and sorted, without merging."""
    unique = {network.ip: None for network in networks}
    return [str(ip) for ip in sorted(unique, key=lambda ip: (ip.version, int(ip)))]


def _backend_addresses(entry: dict) -> list[str]:
    return _hosts([entry["vip"]] if entry["vip"] is not None else entry["servers"])


def _backend_names(entry: dict) -> dict:
    """The server FQDNs the topology gives ({address, fqdn} servers), by address, for the
    addresses the proxy uses (none when it uses the VIP)."""
    if entry["vip"] is not None:
        return {}
    names = entry.get("server_names") or {}
    return {str(server.ip): names[server] for server in entry["servers"] if server in names}


def _group(role: str, name: str | None, networks) -> dict:
    """One named member of a rule's sources or destinations. ``networks`` (netaddr objects) is
    kept for merging and dropped from the model; ``addresses`` lists each host on its own."""
    unique = sorted({network: None for network in networks}, key=lambda n: (n.version, n.first, n.prefixlen))
    return {"role": role, "name": name, "addresses": [str(network) for network in unique], "networks": unique}


def _public(groups: list[dict]) -> list[dict]:
    return [{key: value for key, value in group.items() if key != "networks"} for group in groups]


def _roles(groups: list[dict]) -> list[str]:
    present = {group["role"] for group in groups}
    return [role for role in ROLE_ORDER if role in present]


def _backend_groups(topo: dict, sections) -> list[dict]:
    groups = []
    for section in sections:
        vip_role, server_role = _DESTINATION_ROLES[section]
        for entry in topo[section]:
            if vip_role == server_role:
                networks = ([entry["vip"]] if entry["vip"] is not None else []) + entry["servers"]
                groups.append(_group(vip_role, entry["name"], networks))
                continue
            if entry["vip"] is not None:
                groups.append(_group(vip_role, entry["name"], [entry["vip"]]))
            if entry["servers"]:
                groups.append(_group(server_role, entry["name"], entry["servers"]))
    return groups


def _proxy_groups(topo: dict, role: str, key: str) -> list[dict]:
    proxies = topo["reverse_proxies"]
    if not proxies:
        return [_group(role, None, [])]
    return [_group(role, proxy["name"], proxy[key]) for proxy in proxies]


def _virtual_groups(topo: dict) -> list[dict]:
    """The virtual addresses of each reverse proxy group, as listener destinations: named after the
    group, with its ``members`` (the proxies that may hold them)."""
    return [dict(_group("reverse_proxy_listener", group["name"], group["virtual_addresses"]),
                 members=list(group["members"]))
            for group in topo["reverse_proxy_groups"]]


def _member_groups(topo: dict) -> list[dict]:
    """The external addresses of every proxy in a group: VRRP's sources and destinations."""
    members = {member for group in topo["reverse_proxy_groups"] for member in group["members"]}
    return [_group("reverse_proxy_listener", proxy["name"], proxy["external_addresses"])
            for proxy in topo["reverse_proxies"] if proxy["name"] in members]


def _reverse_proxy_groups(topo: dict) -> list[dict]:
    proxies = {proxy["name"]: proxy for proxy in topo["reverse_proxies"]}
    return [{"name": group["name"], "members": list(group["members"]), "preferred": group["preferred"],
             "virtual_addresses": _hosts(group["virtual_addresses"]),
             "member_addresses": {member: _hosts(proxies[member]["external_addresses"]) for member in group["members"]}}
            for group in topo["reverse_proxy_groups"]]


def _rule(definition: dict, required: bool, facts: list, source_groups: list, destination_groups: list,
          merge) -> dict:
    rule = {
        "id": definition["id"],
        "interface": definition["interface"],
        "protocol": definition.get("protocol", "tcp"),
        "port": definition["port"],
        "application": definition["application"],
        "sources": merge(source_groups),
        "destinations": merge(destination_groups),
        "roles": _roles(destination_groups),
        "source_roles": _roles(source_groups),
        "source_groups": _public(source_groups),
        "destination_groups": _public(destination_groups),
        "required": required,
        "source_ref": definition["source_ref"],
        "facts": facts,
        "reason": ("" if required else "Optional. ") + " ".join(FACTS["en"][fact] for fact in facts),
    }
    for key in ("ip_protocol", "addition"):
        if key in definition:
            rule[key] = definition[key]
    if "translated_from" in definition:
        rule["translated_from"] = dict(definition["translated_from"])
    return rule


def _rules(topo: dict) -> list[dict]:
    options = topo["options"]
    mobile_http = options["mobile_autodiscover_over_http"]
    redirect = options["http_redirect"]

    sources = merge_networks(options["external_sources"])
    role = "any" if tuple(sources) == _ANY else "external_sources"
    external_sources = [dict(_group(role, None, []), addresses=sources, networks=options["external_sources"])]
    # A group's virtual addresses are listener addresses too, after the proxies' own.
    listener = _proxy_groups(topo, "reverse_proxy_listener", "external_addresses") + _virtual_groups(topo)
    internal = _proxy_groups(topo, "reverse_proxy_internal_interface", "internal_addresses")
    pools = _backend_groups(topo, ("front_end_pools", "directors"))
    office = _backend_groups(topo, ("office_web_apps",))

    # rule id -> (present, required, facts, source groups, destination groups)
    wanted = {
        "external-http": (
            redirect or mobile_http,
            mobile_http,
            (["http_redirect"] if redirect else []) + (["mobile_autodiscover_http_table"] if mobile_http else []),
            external_sources,
            listener,
        ),
        "external-https": (True, True, ["web_services_over_tls"], external_sources, listener),
        "internal-http-pools": (
            mobile_http, True, ["mobile_autodiscover_http", "port_80_to_8080"], internal, pools,
        ),
        "internal-https-pools": (True, True, ["port_443_to_4443", "not_cms_replication"], internal, pools),
        "internal-https-office-web-apps": (bool(office), True, ["office_web_apps_https"], internal, office),
    }
    merged: dict = {}  # id of a group list -> its merged CIDRs; several rules share one list

    def merge(groups: list[dict]) -> list[str]:
        if id(groups) not in merged:
            merged[id(groups)] = merge_networks(n for group in groups for n in group["networks"])
        return merged[id(groups)]

    rules = []
    for definition in RULE_DEFS:
        present, required, facts, source_groups, destination_groups = wanted[definition["id"]]
        if present:
            rules.append(_rule(definition, required, facts, source_groups, destination_groups, merge))
    if topo["reverse_proxy_groups"]:
        # keepalived's advertisements between the members; _select narrows the sources of each
        # member to the other members of its own group.
        members = _member_groups(topo)
        rules.extend(_rule(definition, True, ["vrrp_between_proxies"], members, members, merge)
                     for definition in ADDED_RULE_DEFS)
    return rules


def _route(name: str, port: int, hosts, backend: dict | None, backend_port: int | None, tls: bool) -> dict:
    return {
        "name": name,
        "frontend_port": port,
        "host_names": sorted(hosts),
        "backend": backend["name"] if backend else None,
        "backend_kind": backend["kind"] if backend else None,
        "backend_fqdn": (backend.get("external_web_fqdn") or backend.get("fqdn")) if backend else None,
        "backend_port": backend_port,
        "backend_tls": tls,
        "backend_addresses": _backend_addresses(backend) if backend else [],
        "backend_names": _backend_names(backend) if backend else {},
        "redirect_to_https": backend is None,
    }


def _routes(topo: dict) -> list[dict]:
    options = topo["options"]
    mobile_http = options["mobile_autodiscover_over_http"]

    backends = []  # (route suffix, host names, backend entry) for pool-backed names
    for section in ("front_end_pools", "directors"):
        for entry in topo[section]:
            entry = dict(entry, kind=_BACKEND_KIND[section])
            backends.append(("%s-%s" % (_ROUTE_PREFIX[section], entry["name"]), [entry["external_web_fqdn"]], entry))
    # Simple URLs and Autodiscover go to the first Director pool if there is one, else to
    # the first Front End pool.
    hub = backends[len(topo["front_end_pools"])] if topo["directors"] else backends[0]
    hub_entry = hub[2]
    # Naming options 2 and 3 put several simple URLs on one host: the host is published once.
    simple = list({url["host"]: None for kind in ("meet", "dialin") for url in topo["simple_urls"][kind]})
    if simple:
        backends.append(("simple-urls", simple, hub_entry))
    autodiscover = ["lyncdiscover." + domain for domain in topo["sip_domains"]]

    routes = [_route("https-" + suffix, 443, hosts, entry, 4443, True) for suffix, hosts, entry in backends]
    if not mobile_http:
        routes.append(_route("https-lyncdiscover", 443, autodiscover, hub_entry, 4443, True))
    for entry in topo["office_web_apps"]:
        entry = dict(entry, kind="office_web_apps")
        routes.append(_route("https-owa-" + entry["name"], 443, [entry["fqdn"]], entry, 443, True))

    if mobile_http:
        # Port 80 is bridged to the pools' 8080 for every pool-backed name, Autodiscover included.
        routes.extend(_route("http-" + suffix, 80, hosts, entry, 8080, False) for suffix, hosts, entry in backends)
        routes.append(_route("http-lyncdiscover", 80, autodiscover, hub_entry, 8080, False))
    if options["http_redirect"]:
        bridged = {host for route in routes if route["frontend_port"] == 80 for host in route["host_names"]}
        secure = [host for route in routes if route["frontend_port"] == 443 for host in route["host_names"]]
        redirected = [host for host in secure if host not in bridged]
        if redirected:
            routes.append(_route("http-redirect", 80, redirected, None, None, False))
    return routes


def _meet_domain(url: dict, domain: str) -> bool:
    """Whether a Meet simple URL serves ``domain``: its host is in the domain (options 1 to 3:
    meet.fabrikam.com, conf.fabrikam.com/Meet, lync.fabrikam.com/Meet), or a segment of its path
    names the domain (https://lync.contoso.com/fabrikam/Meet, Lync 2010's form)."""
    host = url["host"]
    if host == domain or host.endswith("." + domain):
        return True
    segments = [segment.lower() for segment in url["path"].split("/") if segment]
    return domain in segments or domain.split(".", 1)[0] in segments[:-1]


def _simple_urls(topo: dict, hub: dict) -> list[dict]:
    """The simple URLs as published: component, URL, host, path and the pool they reach."""
    return [{"component": kind, "url": url["url"], "host": url["host"], "path": url["path"],
             "backend": hub["name"]}
            for kind in ("meet", "dialin") for url in topo["simple_urls"][kind]]


def _warnings(topo: dict, rules: list[dict]) -> list[str]:
    warnings = []
    by_id = {rule["id"]: rule for rule in rules}
    if "internal-https-pools" in by_id:
        warnings.append(
            "internal-https-pools: TCP 4443 here runs from the reverse proxy's internal interface "
            "to the pools' external web sites. Do not merge it with, or mistake it for, Central "
            "Management Store replication, which also uses TCP 4443 but starts at a Standard "
            "Edition server or the Front End pool that holds the CMS and needs rules of its own."
        )
    if topo["options"]["mobile_autodiscover_over_http"]:
        warnings.append(
            "options.mobile_autodiscover_over_http is true: external TCP 80 and internal TCP 8080 "
            "are required and the lyncdiscover names stay off the listener certificate. Microsoft "
            "supports this but recommends a certificate that carries lyncdiscover.<SIP domain> for "
            "every SIP domain instead."
        )
    if not topo["reverse_proxies"]:
        warnings.append(
            "reverse_proxies is empty: the rules name the listener and the internal interface by "
            "role only, without addresses; list the reverse proxies (the playbooks fill them in "
            "from the inventory) to get rules a firewall can apply."
        )
    for section, label in (("front_end_pools", "Front End pool"), ("directors", "Director pool")):
        for index, entry in enumerate(topo[section]):
            if entry["vip"] is None and len(entry["servers"]) > 1:
                warnings.append(
                    "%s[%d] (%s): no vip, so the reverse proxy spreads requests over %d servers "
                    "itself; for the %s's web traffic Microsoft supports only a hardware load "
                    "balancer in front of the servers."
                    % (section, index, entry["name"], len(entry["servers"]), label)
                )
    meet = topo["simple_urls"]["meet"]
    for index, domain in enumerate(topo["sip_domains"]):
        if not any(_meet_domain(url, domain) for url in meet):
            warnings.append(
                "sip_domains[%d] (%s): no meet simple URL in this domain (simple_urls.meet); "
                "each SIP domain needs one." % (index, domain)
            )
    for rule in rules:
        if not rule["sources"] or not rule["destinations"]:
            continue
        source_versions = {6 if ":" in cidr else 4 for cidr in rule["sources"]}
        for version in sorted({6 if ":" in cidr else 4 for cidr in rule["destinations"]} - source_versions):
            warnings.append(
                "%s: destinations include IPv%d addresses but no source is IPv%d, so IPv%d traffic "
                "for this rule is never admitted." % (rule["id"], version, version, version)
            )
    return warnings


def compute_model(topology: object) -> dict:
    """Validate ``topology`` and compute the port model from it.

    Raises TopologyError (every problem, with its path) or MissingLibraryError.
    """
    return model_of_validated(validate_topology(topology))


def model_of_validated(topo: dict) -> dict:
    """The port model of a topology as validate_topology returned it (not validated again)."""
    rules = _rules(topo)
    routes = _routes(topo)
    names = {host for route in routes if route["frontend_port"] == 443 for host in route["host_names"]}
    return {
        "kind": MODEL_KIND,
        "model_version": MODEL_VERSION,
        "product": topo["product"],
        "sip_domains": list(topo["sip_domains"]),
        "options": {
            "http_redirect": topo["options"]["http_redirect"],
            "mobile_autodiscover_over_http": topo["options"]["mobile_autodiscover_over_http"],
            "external_sources": merge_networks(topo["options"]["external_sources"]),
        },
        "rules": rules,
        "reverse_proxy_groups": _reverse_proxy_groups(topo),
        "routes": routes,
        "certificate_names": sorted(names),
        "simple_urls": _simple_urls(topo, (topo["directors"] or topo["front_end_pools"])[0]),
        "warnings": _warnings(topo, rules),
    }
