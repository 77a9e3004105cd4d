# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Topology validation: every bad value is reported with its path; good values are normalised."""

from __future__ import annotations

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    TopologyError,
    compute_model,
    normalize_topology,
)
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    full,
    minimal,
)


def _set(topology, path, value):
    """Set (or, with value DELETE, remove) the item at path, a tuple of keys and indexes."""
    node = topology
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    elif isinstance(node, list) and path[-1] == len(node):
        node.append(value)
    else:
        node[path[-1]] = value
    return topology


DELETE = object()

# (id, path to change in the full topology, new value, expected problem path, expected words)
BAD_VALUES = [
    ("unknown-top-key", ("front_end_pool",), [], "front_end_pool", "unknown key (did you mean 'front_end_pools'?)"),
    ("missing-sip-domains", ("sip_domains",), DELETE, "sip_domains", "is required"),
    ("empty-sip-domains", ("sip_domains",), [], "sip_domains", "needs at least one SIP domain"),
    ("sip-domains-not-list", ("sip_domains",), "contoso.com", "sip_domains", "expected a list, got 'contoso.com'"),
    ("bad-dns-empty-label", ("sip_domains", 0), "contoso..com", "sip_domains[0]", "'contoso..com' is not a DNS name"),
    ("dns-single-label", ("front_end_pools", 0, "external_web_fqdn"), "webext",
     "front_end_pools[0].external_web_fqdn", "'webext' is not a DNS name"),
    ("dns-url", ("directors", 0, "external_web_fqdn"), "https://webdirext.contoso.com", "directors[0].external_web_fqdn",
     "give the host name only"),
    ("simple-url-http", ("simple_urls", "meet", 0), "http://meet.contoso.com/Meet", "simple_urls.meet[0]",
     "is not an https:// URL"),
    ("simple-url-port", ("simple_urls", "meet", 0), "https://lync.contoso.com:8443/Meet", "simple_urls.meet[0]",
     "has a port"),
    ("simple-url-query", ("simple_urls", "meet", 0), "https://lync.contoso.com/Meet?x=1", "simple_urls.meet[0]",
     "has a query"),
    ("simple-url-credentials", ("simple_urls", "dialin", 0), "https://admin:secret@lync.contoso.com/Dialin",
     "simple_urls.dialin[0]", "carries credentials"),
    ("simple-url-path-without-scheme", ("simple_urls", "dialin", 0), "lync.contoso.com/Dialin",
     "simple_urls.dialin[0]", "write a URL with a path as https://lync.contoso.com/Dialin"),
    ("simple-url-bad-host", ("simple_urls", "dialin", 0), "https://lync_/Dialin", "simple_urls.dialin[0]",
     "is not a DNS name"),
    ("simple-url-host-is-pool", ("simple_urls", "meet", 0), "https://webext.contoso.com/Meet", "simple_urls.meet[0]",
     "'webext.contoso.com' (the host of https://webext.contoso.com/Meet) is already published by "
     "front_end_pools[0].external_web_fqdn"),
    ("admin-simple-url", ("simple_urls", "admin"), ["https://lync.contoso.com/Admin"], "simple_urls.admin",
     "internal only"),
    ("server-loopback", ("front_end_pools", 0, "servers", 0), "127.0.0.1", "front_end_pools[0].servers[0]",
     "is a loopback address"),
    ("server-unspecified", ("front_end_pools", 0, "servers", 0), "0.0.0.0", "front_end_pools[0].servers[0]",
     "is the unspecified address"),
    ("vip-unspecified-v6", ("front_end_pools", 0, "vip"), "::", "front_end_pools[0].vip", "is the unspecified address"),
    ("server-broadcast", ("directors", 0, "servers", 0), "255.255.255.255", "directors[0].servers[0]",
     "is the broadcast address"),
    ("server-multicast", ("office_web_apps", 0, "servers", 0), "239.1.1.1", "office_web_apps[0].servers[0]",
     "is a multicast address"),
    ("proxy-link-local", ("reverse_proxies", 0, "internal_addresses", 0), "fe80::5",
     "reverse_proxies[0].internal_addresses[0]", "is a link-local address"),
    ("proxy-no-listener", ("reverse_proxies", 0, "external_addresses"), [], "reverse_proxies[0].external_addresses",
     "is empty; list at least one address of the listener"),
    ("proxy-no-internal", ("reverse_proxies", 0, "internal_addresses"), [], "reverse_proxies[0].internal_addresses",
     "is empty; list at least one address of the internal interface"),
    ("server-entry-bad-key", ("front_end_pools", 0, "servers", 0), {"address": "10.0.10.11", "name": "fe01"},
     "front_end_pools[0].servers[0].name", "unknown key"),
    ("server-entry-bad-fqdn", ("front_end_pools", 0, "servers", 0), {"address": "10.0.10.11", "fqdn": "fe 01"},
     "front_end_pools[0].servers[0].fqdn", "is not a DNS name"),
    ("server-entry-no-address", ("front_end_pools", 0, "servers", 0), {"fqdn": "fe01.contoso.com"},
     "front_end_pools[0].servers[0].address", "is required"),
    ("dns-wildcard", ("directors", 0, "external_web_fqdn"), "*.contoso.com", "directors[0].external_web_fqdn",
     "wildcards are for certificates"),
    ("dns-ip-address", ("office_web_apps", 0, "fqdn"), "10.0.30.11", "office_web_apps[0].fqdn", "is not a DNS name"),
    ("dns-label-too-long", ("sip_domains", 0), "a" * 64 + ".com", "sip_domains[0]", "is not a DNS name"),
    ("dns-leading-hyphen", ("sip_domains", 0), "-contoso.com", "sip_domains[0]", "is not a DNS name"),
    ("dns-not-string", ("sip_domains", 0), 42, "sip_domains[0]", "expected a DNS name, got 42 (int)"),
    ("bad-ipv4", ("front_end_pools", 0, "servers", 0), "10.0.0.300", "front_end_pools[0].servers[0]",
     "'10.0.0.300' is not an IP address"),
    ("ipv4-leading-zero", ("front_end_pools", 0, "vip"), "010.0.10.10", "front_end_pools[0].vip", "is not an IP address"),
    ("ipv4-short", ("front_end_pools", 0, "vip"), "10.10", "front_end_pools[0].vip", "is not an IP address"),
    ("ipv6-zone", ("directors", 0, "servers", 0), "fe80::1%eth0", "directors[0].servers[0]", "is not an IP address"),
    ("vip-network", ("front_end_pools", 0, "vip"), "10.0.10.0/24", "front_end_pools[0].vip", "is not a host address"),
    ("vip-int", ("front_end_pools", 0, "vip"), 5, "front_end_pools[0].vip", "expected an IP address, got 5 (int)"),
    ("servers-not-list", ("front_end_pools", 0, "servers"), "10.0.10.11", "front_end_pools[0].servers",
     "expected a list, got '10.0.10.11'"),
    ("server-twice", ("front_end_pools", 0, "servers", 2), "10.0.10.11", "front_end_pools[0].servers[2]",
     "10.0.10.11 is listed twice (also front_end_pools[0].servers[0])"),
    ("server-in-two-pools", ("directors", 0, "servers", 0), "10.0.10.12", "directors[0].servers[0]",
     "10.0.10.12 is already used by front_end_pools[0].servers[1]"),
    ("vip-is-a-server", ("front_end_pools", 0, "vip"), "10.0.10.11", "front_end_pools[0].servers[0]",
     "10.0.10.11 is already used by front_end_pools[0].vip"),
    ("proxy-is-a-server", ("reverse_proxies", 0, "internal_addresses", 0), "10.0.30.11",
     "reverse_proxies[0].internal_addresses[0]", "10.0.30.11 is already used by office_web_apps[0].servers[0]"),
    ("two-proxies-one-address", ("reverse_proxies", 1),
     {"name": "rp02", "external_addresses": ["198.51.100.10"], "internal_addresses": ["10.0.1.6"]},
     "reverse_proxies[1].external_addresses[0]", "198.51.100.10 is already used by reverse_proxies[0].external_addresses[0]"),
    ("duplicate-name", ("directors", 0, "name"), "pool01", "directors[0].name",
     "'pool01' is already the name of front_end_pools[0]"),
    ("duplicate-proxy-name", ("reverse_proxies", 1),
     {"name": "rp01", "external_addresses": ["198.51.100.11"], "internal_addresses": ["10.0.1.6"]},
     "reverse_proxies[1].name", "'rp01' is already the name of reverse_proxies[0]"),
    ("bad-name", ("front_end_pools", 0, "name"), "Pool 01", "front_end_pools[0].name", "'Pool 01' is not a valid name"),
    ("name-bool", ("front_end_pools", 0, "name"), True, "front_end_pools[0].name", "expected a name, got True (bool)"),
    ("host-published-twice", ("directors", 0, "external_web_fqdn"), "WebExt.contoso.com.",
     "directors[0].external_web_fqdn", "'webext.contoso.com' is already published by front_end_pools[0].external_web_fqdn"),
    ("simple-url-is-lyncdiscover", ("simple_urls", "dialin", 0), "lyncdiscover.contoso.com",
     "sip_domains[0] (as lyncdiscover.contoso.com)", "already published by simple_urls.dialin[0]"),
    ("meet-equals-dialin", ("simple_urls", "dialin", 0), "meet.contoso.com", "simple_urls.dialin[0]",
     "'meet.contoso.com' is already listed as simple_urls.meet[0]"),
    ("same-url-in-any-case", ("simple_urls", "dialin", 0), "HTTPS://MEET.contoso.com/", "simple_urls.dialin[0]",
     "'meet.contoso.com' is already listed as simple_urls.meet[0]"),
    ("no-front-end-pool", ("front_end_pools",), [], "front_end_pools", "needs at least one Front End pool"),
    ("missing-front-end-pools", ("front_end_pools",), DELETE, "front_end_pools", "is required"),
    ("pool-without-addresses", ("front_end_pools", 0), {"name": "pool01", "external_web_fqdn": "webext.contoso.com"},
     "front_end_pools[0]", "needs a vip, servers, or both"),
    ("pool-empty-servers", ("directors", 0), {"name": "dir01", "external_web_fqdn": "webdirext.contoso.com", "servers": []},
     "directors[0]", "needs a vip, servers, or both"),
    ("pool-not-mapping", ("front_end_pools", 1), "pool02", "front_end_pools[1]", "expected a mapping"),
    ("pool-unknown-key", ("front_end_pools", 0, "vips"), ["10.0.10.9"], "front_end_pools[0].vips",
     "unknown key (did you mean 'vip'?); valid keys: name, external_web_fqdn, vip, servers"),
    ("owa-missing-fqdn", ("office_web_apps", 0, "fqdn"), DELETE, "office_web_apps[0].fqdn", "is required"),
    ("simple-urls-list", ("simple_urls",), ["meet.contoso.com"], "simple_urls", "expected a mapping"),
    ("option-not-bool", ("options", "http_redirect"), "yes", "options.http_redirect", "expected true or false, got 'yes'"),
    ("option-typo", ("options", "http_redirects"), True, "options.http_redirects", "did you mean 'http_redirect'?"),
    ("sources-empty", ("options", "external_sources"), [], "options.external_sources", "is empty"),
    ("sources-host-bits", ("options", "external_sources"), ["10.0.0.1/8"], "options.external_sources[0]",
     "has host bits set; did you mean 10.0.0.0/8?"),
    ("sources-bad-cidr", ("options", "external_sources"), ["10/8"], "options.external_sources[0]",
     "is not an IP network in CIDR notation"),
    ("sources-bad-prefix", ("options", "external_sources"), ["10.0.0.0/33"], "options.external_sources[0]",
     "is not an IP network in CIDR notation"),
    ("sources-string", ("options", "external_sources"), "any", "options.external_sources",
     "expected a list of CIDRs or 'any'"),
    ("product", ("product",), "lync2010", "product", "'lync2010' is not a supported product"),
    ("proxy-missing-internal", ("reverse_proxies", 0, "internal_addresses"), DELETE,
     "reverse_proxies[0].internal_addresses", "is required"),
    ("sip-domain-twice", ("sip_domains", 1), "CONTOSO.com", "sip_domains[1]",
     "'contoso.com' is listed twice (also sip_domains[0])"),
    ("non-string-key", (5,), "x", "lync_topology", "unknown key 5 (int); valid keys: product, sip_domains"),
]


@pytest.mark.parametrize(
    "path, value, problem_path, words",
    [case[1:] for case in BAD_VALUES],
    ids=[case[0] for case in BAD_VALUES],
)
def test_bad_value_is_reported_with_its_path(path, value, problem_path, words):
    topology = _set(full(), path, value)
    with pytest.raises(TopologyError) as caught:
        compute_model(topology)
    problems = caught.value.problems
    matching = [message for where, message in problems if where == problem_path]
    assert matching, "no problem at %s; got %r" % (problem_path, problems)
    assert any(words in message for message in matching), matching
    assert problem_path in str(caught.value)


@pytest.mark.parametrize("topology", [None, [], "lync", 5, True], ids=repr)
def test_topology_must_be_a_mapping(topology):
    with pytest.raises(TopologyError) as caught:
        compute_model(topology)
    assert caught.value.paths == ["lync_topology"]
    assert "expected a mapping with keys product, sip_domains" in str(caught.value)


def test_every_problem_is_reported_at_once():
    topology = full()
    topology["front_end_pools"][0]["servers"][0] = "10.0.0.300"
    topology["directors"][0]["name"] = "Dir 01"
    topology["options"]["mobile_autodiscover_over_http"] = "no"
    with pytest.raises(TopologyError) as caught:
        compute_model(topology)
    assert caught.value.paths == [
        "front_end_pools[0].servers[0]",
        "directors[0].name",
        "options.mobile_autodiscover_over_http",
    ]
    assert str(caught.value).startswith(
        "invalid lync_topology (3 problems):\n  - front_end_pools[0].servers[0] (pool01): ")


def test_one_problem_reads_as_one_line():
    topology = full()
    topology["front_end_pools"][0]["servers"][0] = "10.0.0.300"
    with pytest.raises(TopologyError) as caught:
        compute_model(topology)
    assert str(caught.value) == (
        "invalid lync_topology: front_end_pools[0].servers[0] (pool01): '10.0.0.300' is not an IP address"
    )


def test_later_entries_keep_their_index_after_a_bad_one():
    topology = full()
    topology["front_end_pools"].insert(0, "not a pool")
    topology["front_end_pools"].append({"name": "pool02", "external_web_fqdn": "webext.contoso.com", "vip": "10.9.9.9"})
    with pytest.raises(TopologyError) as caught:
        compute_model(topology)
    assert caught.value.paths == ["front_end_pools[0]", "front_end_pools[2].external_web_fqdn"]


def test_normalisation():
    topology = minimal()
    topology["sip_domains"] = ["Contoso.COM.", "fabrikam.com"]
    topology["front_end_pools"][0]["external_web_fqdn"] = " WebExt.Contoso.com "
    topology["front_end_pools"][0]["servers"] = ["10.0.10.11/32", "2001:DB8:0:0::0010"]
    topology["reverse_proxies"] = [
        {"name": "rp01", "external_addresses": ["198.51.100.10"], "internal_addresses": ["2001:db8:1:0::5/128"]},
    ]
    assert normalize_topology(topology) == {
        "product": "lync2013",
        "sip_domains": ["contoso.com", "fabrikam.com"],
        "front_end_pools": [
            {"name": "pool01", "external_web_fqdn": "webext.contoso.com", "vip": None,
             "servers": ["10.0.10.11", "2001:db8::10"]},
        ],
        "directors": [],
        "office_web_apps": [],
        "simple_urls": {"meet": [], "dialin": []},
        "reverse_proxies": [
            {"name": "rp01", "external_addresses": ["198.51.100.10"], "internal_addresses": ["2001:db8:1::5"]},
        ],
        "options": {"http_redirect": True, "mobile_autodiscover_over_http": False, "external_sources": ["any"]},
    }


@pytest.mark.parametrize("optional", ["directors", "office_web_apps", "simple_urls", "reverse_proxies", "options", "product"])
def test_null_optional_sections_mean_absent(optional):
    topology = full()
    topology[optional] = None
    model = compute_model(topology)
    assert model["rules"]


def test_normalize_keeps_restricted_sources():
    topology = minimal()
    topology["options"] = {"external_sources": ["203.0.113.0/24", "ANY"]}
    assert normalize_topology(topology)["options"]["external_sources"] == ["any", "203.0.113.0/24"]
    topology["options"] = {"external_sources": ["203.0.113.0/24"]}
    assert normalize_topology(topology)["options"]["external_sources"] == ["203.0.113.0/24"]


def test_at_most_fifty_problems_are_listed_then_how_many_more():
    topology = full()
    topology["front_end_pools"][0]["servers"] = ["10.0.0.%d/8" % n for n in range(60)]
    with pytest.raises(TopologyError) as caught:
        compute_model(topology)
    assert len(caught.value.problems) == 60
    lines = str(caught.value).splitlines()
    assert lines[0] == "invalid lync_topology (60 problems):"
    assert len([line for line in lines if line.startswith("  - ")]) == 50
    assert lines[-1] == "  ... and 10 more"


def test_servers_may_carry_their_fqdn_and_keep_it():
    topology = full()
    topology["front_end_pools"][0]["servers"][0] = {"address": "10.0.10.11", "fqdn": "FE01.Contoso.local"}
    pool = normalize_topology(topology)["front_end_pools"][0]
    assert pool["servers"][0] == {"address": "10.0.10.11", "fqdn": "fe01.contoso.local"}
    assert all(isinstance(server, str) for server in pool["servers"][1:])
    # the model is the same as with the bare address
    assert compute_model(topology)["rules"] == compute_model(full())["rules"]


def test_one_fqdn_for_two_servers_is_refused():
    topology = full()
    servers = topology["front_end_pools"][0]["servers"]
    servers[0] = {"address": servers[0], "fqdn": "fe01.contoso.local"}
    servers[1] = {"address": servers[1], "fqdn": "fe01.contoso.local"}
    with pytest.raises(TopologyError) as caught:
        compute_model(topology)
    assert caught.value.problems == [("front_end_pools[0].servers[1].fqdn",
                                      "'fe01.contoso.local' is already the name of front_end_pools[0].servers[0]")]


def test_a_listener_no_source_can_reach_is_refused():
    topology = full()
    topology["options"]["external_sources"] = ["203.0.113.0/24"]
    topology["reverse_proxies"][0]["external_addresses"] = ["2001:db8:100::10"]
    with pytest.raises(TopologyError) as caught:
        compute_model(topology)
    assert caught.value.problems == [(
        "reverse_proxies[0].external_addresses",
        "are IPv6 only, but options.external_sources are IPv4 only: no client could reach the listener")]


def test_an_internal_interface_that_reaches_no_pool_is_refused():
    topology = full()
    topology["reverse_proxies"][0]["internal_addresses"] = ["2001:db8:1::5"]
    with pytest.raises(TopologyError) as caught:
        compute_model(topology)
    assert caught.value.paths == ["reverse_proxies[0].internal_addresses"]
    assert "the proxy could reach no pool" in str(caught.value)
