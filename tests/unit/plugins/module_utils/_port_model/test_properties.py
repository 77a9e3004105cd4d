# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Property-based tests: whatever the input, the result is a valid model or the collection's own error.

Three sources of input: arbitrary JSON-like data; valid topologies with one part mutated
(replaced, removed, or given an extra key); and valid topologies generated from scratch, whose
models must keep the contract's invariants.
"""

from __future__ import annotations

import copy

import netaddr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    TopologyError,
    compute_model,
    listener_addresses,
    render_port_table,
    select_rules,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._validate import SCHEMA
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    golden_cases,
)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEYS = sorted({"name", "servers", "vip", "fqdn", "external_web_fqdn", "meet", "dialin", "external_addresses",
               "internal_addresses", "http_redirect", "mobile_autodiscover_over_http", "external_sources"}
              | set(SCHEMA))
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20),
    st.sampled_from(["10.0.0.1", "10.0.0.300", "::1", "any", "0.0.0.0/0", "10.0.0.1/8", "contoso.com",
                     "-x.com", "lyncdiscover.contoso.com", "webext.contoso.com", "pool01", "", " ", "a..b"]),
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8), st.integers()), children, max_size=5),
    ),
    max_leaves=25,
)
CASES = golden_cases()


def _check_outcome(topology):
    """compute_model must return a model or raise TopologyError with paths; nothing else."""
    try:
        model = compute_model(topology)
    except TopologyError as exc:
        assert exc.problems
        for path, message in exc.problems:
            assert isinstance(path, str) and path
            assert isinstance(message, str) and message
            head = path.split(".")[0].split("[")[0]
            known = head in SCHEMA or (isinstance(topology, dict) and head in topology)
            assert path == "lync_topology" or path.startswith("[") or known, path
        return None
    _check_model(model)
    return model


def _check_model(model):
    ids = [rule["id"] for rule in model["rules"]]
    assert "external-https" in ids and "internal-https-pools" in ids
    assert len(ids) == len(set(ids))
    for rule in model["rules"]:
        for key in ("sources", "destinations"):
            networks = [netaddr.IPNetwork(cidr) for cidr in rule[key]]
            assert [str(n) for n in netaddr.cidr_merge(networks)] == sorted(
                rule[key], key=lambda c: (netaddr.IPNetwork(c).version, netaddr.IPNetwork(c).first))
    for port in (80, 443):
        hosts = [h for r in model["routes"] if r["frontend_port"] == port for h in r["host_names"]]
        assert len(hosts) == len(set(hosts))
    https_hosts = {h for r in model["routes"] if r["frontend_port"] == 443 for h in r["host_names"]}
    assert model["certificate_names"] == sorted(https_hosts)
    # every address a route sends to is admitted by the rule for its backend port
    allowed = {rule["port"]: netaddr.IPSet(rule["destinations"]) for rule in model["rules"]
               if rule["interface"] == "internal"}
    for route in model["routes"]:
        if route["redirect_to_https"]:
            assert route["backend"] is None and route["frontend_port"] == 80
            continue
        for address in route["backend_addresses"]:
            assert netaddr.IPAddress(address) in allowed[route["backend_port"]], (route["name"], address)
    for lang in ("en", "ko"):
        assert render_port_table(model, "markdown", lang)


@SETTINGS
@given(JSON)
def test_arbitrary_data(data):
    _check_outcome(data)


@SETTINGS
@given(st.dictionaries(st.sampled_from(sorted(SCHEMA)), JSON, max_size=8))
def test_arbitrary_values_under_valid_keys(data):
    _check_outcome(data)


def _locations(node, prefix=()):
    """Every (path, container) in a topology: the places a mutation can hit."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _locations(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _locations(value, prefix + (index,))


@st.composite
def mutated(draw):
    name = draw(st.sampled_from(sorted(CASES)))
    topology = copy.deepcopy(CASES[name])
    locations = [path for path in _locations(topology) if path]
    path = draw(st.sampled_from(locations))
    parent = topology
    for key in path[:-1]:
        parent = parent[key]
    action = draw(st.sampled_from(["replace", "delete", "add-key", "duplicate"]))
    if action == "replace":
        parent[path[-1]] = draw(JSON)
    elif action == "delete":
        del parent[path[-1]]
    elif action == "add-key" and isinstance(parent, dict):
        parent[draw(st.text(max_size=10))] = draw(JSON)
    elif action == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[path[-1]]))
    return topology


@SETTINGS
@given(mutated())
def test_mutated_topologies(topology):
    _check_outcome(topology)


@st.composite
def valid_topologies(draw):
    """Valid topologies built from scratch: unique names, addresses and host names."""
    counter = iter(range(1, 10 ** 6))

    def address(version=None):
        n = next(counter)
        if version == 4 or (version is None and draw(st.booleans())):
            return str(netaddr.IPAddress(0x0A000000 + n))
        return str(netaddr.IPAddress((0x20010DB8 << 96) + n, 6))

    def backend(kind, index, fqdn_key):
        entry = {"name": "%s%d" % (kind, index), fqdn_key: "%s%d.contoso.com" % (kind, index)}
        if draw(st.booleans()):
            entry["vip"] = address()
        servers = [address() for dummy in range(draw(st.integers(0 if "vip" in entry else 1, 4)))]
        if servers or "vip" not in entry:
            entry["servers"] = servers
        return entry

    domains = ["domain%d.example" % i for i in range(draw(st.integers(1, 4)))]
    topology = {
        "product": draw(st.sampled_from(["lync2013", "sfb2015", "sfb2019"])),
        "sip_domains": domains,
        "front_end_pools": [backend("fe", i, "external_web_fqdn") for i in range(draw(st.integers(1, 3)))],
        "directors": [backend("dir", i, "external_web_fqdn") for i in range(draw(st.integers(0, 2)))],
        "office_web_apps": [backend("owa", i, "fqdn") for i in range(draw(st.integers(0, 2)))],
        "simple_urls": {
            "meet": ["meet.%s" % d for d in domains if draw(st.booleans())],
            "dialin": ["dialin.%s" % d for d in domains if draw(st.booleans())],
        },
        "reverse_proxies": [
            # Reachable proxies: the listener shares IPv4 with any source list drawn below, the
            # internal interface has both families (pools may be IPv4 or IPv6 only).
            {"name": "rp%d" % i, "external_addresses": [address(4)] + [address() for dummy in range(draw(st.integers(0, 1)))],
             "internal_addresses": [address(4), address(6)]}
            for i in range(draw(st.integers(0, 3)))
        ],
        "options": {
            "http_redirect": draw(st.booleans()),
            "mobile_autodiscover_over_http": draw(st.booleans()),
            "external_sources": draw(st.sampled_from([["any"], ["203.0.113.0/24"], ["0.0.0.0/0", "2001:db8::/32"]])),
        },
    }
    proxies = [proxy["name"] for proxy in topology["reverse_proxies"]]
    if len(proxies) >= 2 and draw(st.booleans()):
        # every proxy has an IPv4 listener address (above), so an IPv4 virtual address fits any of them
        members = draw(st.lists(st.sampled_from(proxies), min_size=2, max_size=len(proxies), unique=True))
        topology["reverse_proxy_groups"] = [{"name": "group1", "members": members,
                                             "virtual_addresses": [address(4)]}]
    return topology


@SETTINGS
@given(valid_topologies())
def test_valid_topologies_give_models_that_keep_the_contract(topology):
    model = compute_model(topology)
    _check_model(model)
    options = topology["options"]
    ids = {rule["id"] for rule in model["rules"]}
    assert ("external-http" in ids) == (options["http_redirect"] or options["mobile_autodiscover_over_http"])
    assert ("internal-http-pools" in ids) == options["mobile_autodiscover_over_http"]
    assert ("internal-https-office-web-apps" in ids) == bool(topology["office_web_apps"])
    groups = topology.get("reverse_proxy_groups") or []
    assert ("external-vrrp" in ids) == bool(groups)
    for group in groups:
        own = {proxy["name"]: proxy["external_addresses"] for proxy in topology["reverse_proxies"]}
        for member in group["members"]:
            rules = {rule["id"]: rule for rule in select_rules(model, reverse_proxy=member)}
            peers = {netaddr.IPAddress(a) for other in group["members"] if other != member for a in own[other]}
            assert set(netaddr.IPSet(rules["external-vrrp"]["sources"])) == peers
            assert set(netaddr.IPSet(rules["external-vrrp"]["destinations"])) == {netaddr.IPAddress(a) for a in own[member]}
            assert listener_addresses(model, member)[-len(group["virtual_addresses"]):] == group["virtual_addresses"]
    lyncdiscover = {"lyncdiscover." + d for d in topology["sip_domains"]}
    on_certificate = lyncdiscover & set(model["certificate_names"])
    assert on_certificate == (set() if options["mobile_autodiscover_over_http"] else lyncdiscover)
