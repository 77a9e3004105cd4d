# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The model: which rules, routes, names and warnings each part of a topology brings."""

from __future__ import annotations

import copy
import random

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import compute_model, ensure_model
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    full,
    golden_cases,
    minimal,
    with_options,
)


def _rule(model, rule_id):
    matches = [rule for rule in model["rules"] if rule["id"] == rule_id]
    assert len(matches) == 1, [rule["id"] for rule in model["rules"]]
    return matches[0]


def _route(model, name):
    matches = [route for route in model["routes"] if route["name"] == name]
    assert len(matches) == 1, [route["name"] for route in model["routes"]]
    return matches[0]


def _without(topology, *sections):
    topology = copy.deepcopy(topology)
    for section in sections:
        topology.pop(section, None)
    return topology


# (http_redirect, mobile_autodiscover_over_http, Office Web Apps present) -> {rule id: required}
SWITCHES = [
    (True, False, True, {"external-http": False, "external-https": True, "internal-https-pools": True,
                         "internal-https-office-web-apps": True}),
    (False, False, True, {"external-https": True, "internal-https-pools": True, "internal-https-office-web-apps": True}),
    (True, True, True, {"external-http": True, "external-https": True, "internal-http-pools": True,
                        "internal-https-pools": True, "internal-https-office-web-apps": True}),
    (False, True, True, {"external-http": True, "external-https": True, "internal-http-pools": True,
                         "internal-https-pools": True, "internal-https-office-web-apps": True}),
    (True, False, False, {"external-http": False, "external-https": True, "internal-https-pools": True}),
    (False, False, False, {"external-https": True, "internal-https-pools": True}),
    (False, True, False, {"external-http": True, "external-https": True, "internal-http-pools": True,
                          "internal-https-pools": True}),
]


@pytest.mark.parametrize("redirect, mobile, office, expected", SWITCHES)
def test_switches_decide_the_rules(redirect, mobile, office, expected):
    topology = with_options(full(), http_redirect=redirect, mobile_autodiscover_over_http=mobile)
    if not office:
        topology = _without(topology, "office_web_apps")
    model = compute_model(topology)
    assert {rule["id"]: rule["required"] for rule in model["rules"]} == expected
    # the rules keep the order of the source's tables
    order = ["external-http", "external-https", "internal-http-pools", "internal-https-pools",
             "internal-https-office-web-apps"]
    ids = [rule["id"] for rule in model["rules"]]
    assert ids == [rule_id for rule_id in order if rule_id in ids]


def test_ports_and_translation():
    model = compute_model(full())
    assert [(r["interface"], r["application"], r["port"]) for r in model["rules"]] == [
        ("external", "http", 80), ("external", "https", 443),
        ("internal", "http", 8080), ("internal", "https", 4443), ("internal", "https", 443),
    ]
    assert _rule(model, "internal-http-pools")["translated_from"] == {"interface": "external", "port": 80}
    assert _rule(model, "internal-https-pools")["translated_from"] == {"interface": "external", "port": 443}
    for rule_id in ("external-http", "external-https", "internal-https-office-web-apps"):
        assert "translated_from" not in _rule(model, rule_id)
    assert {rule["protocol"] for rule in model["rules"]} == {"tcp"}


def test_source_refs_name_the_source_rows():
    model = compute_model(full())
    refs = {rule["id"]: rule["source_ref"] for rule in model["rules"]}
    assert refs["external-http"].startswith("external interface table, row HTTP/TCP/80")
    assert refs["external-https"].startswith("external interface table, row HTTPS/TCP/443")
    assert refs["internal-http-pools"].startswith("internal interface table, row HTTP/TCP/8080")
    assert refs["internal-https-pools"].startswith("internal interface table, row HTTPS/TCP/4443")
    assert refs["internal-https-office-web-apps"].startswith("internal interface table, row HTTPS/TCP/443")
    assert all(rule["reason"] for rule in model["rules"])


def test_addresses_of_the_full_topology():
    model = compute_model(full())
    assert _rule(model, "external-https")["sources"] == ["0.0.0.0/0", "::/0"]
    assert _rule(model, "external-https")["destinations"] == ["198.51.100.10/32"]
    pools = _rule(model, "internal-https-pools")
    assert pools["sources"] == ["10.0.1.5/32"]
    # 10.0.10.10 (VIP) and .11 merge into a /31; .12 stays alone; the Director's .10/.11 merge too
    assert pools["destinations"] == ["10.0.10.10/31", "10.0.10.12/32", "10.0.20.10/31"]
    assert pools["roles"] == ["front_end_server", "front_end_pool", "director", "director_pool"]
    assert pools["source_roles"] == ["reverse_proxy_internal_interface"]
    office = _rule(model, "internal-https-office-web-apps")
    assert office["destinations"] == ["10.0.30.11/32"]
    assert office["roles"] == ["office_web_apps"]


def test_roles_follow_what_is_given():
    topology = full()
    del topology["front_end_pools"][0]["servers"]
    del topology["directors"][0]["vip"]
    pools = _rule(compute_model(topology), "internal-https-pools")
    assert pools["roles"] == ["front_end_pool", "director"]
    assert [(g["role"], g["name"], g["addresses"]) for g in pools["destination_groups"]] == [
        ("front_end_pool", "pool01", ["10.0.10.10/32"]),
        ("director", "dir01", ["10.0.20.11/32"]),
    ]


def test_dual_stack_and_restricted_sources():
    topology = minimal()
    topology["front_end_pools"][0]["servers"] = ["2001:db8:10::12", "10.0.10.11", "2001:db8:10::11"]
    topology["reverse_proxies"] = [{"name": "rp01", "external_addresses": ["2001:db8:1::10", "198.51.100.10"],
                                    "internal_addresses": ["10.0.1.5", "2001:db8:2::5"]}]
    topology["options"] = {"external_sources": ["203.0.113.128/25", "203.0.113.0/25", "2001:db8:ffff::/48"]}
    model = compute_model(topology)
    https = _rule(model, "external-https")
    assert https["sources"] == ["203.0.113.0/24", "2001:db8:ffff::/48"]
    assert https["source_roles"] == ["external_sources"]
    assert https["destinations"] == ["198.51.100.10/32", "2001:db8:1::10/128"]
    pools = _rule(model, "internal-https-pools")
    assert pools["destinations"] == ["10.0.10.11/32", "2001:db8:10::11/128", "2001:db8:10::12/128"]
    assert pools["sources"] == ["10.0.1.5/32", "2001:db8:2::5/128"]
    assert _route(model, "https-fe-pool01")["backend_addresses"] == ["10.0.10.11", "2001:db8:10::11", "2001:db8:10::12"]


def test_family_mismatch_is_warned():
    topology = minimal()
    topology["reverse_proxies"] = [{"name": "rp01", "external_addresses": ["198.51.100.10", "2001:db8:1::10"],
                                    "internal_addresses": ["10.0.1.5"]}]
    topology["options"] = {"external_sources": ["203.0.113.0/24"]}
    warnings = compute_model(topology)["warnings"]
    assert any(w.startswith("external-https: destinations include IPv6 addresses but no source is IPv6")
               for w in warnings), warnings


def test_minimal_routes_and_names():
    model = compute_model(minimal())
    assert model["routes"] == [
        {"name": "https-fe-pool01", "frontend_port": 443, "host_names": ["webext.contoso.com"],
         "backend": "pool01", "backend_kind": "front_end_pool", "backend_fqdn": "webext.contoso.com", "backend_port": 4443, "backend_tls": True,
         "backend_addresses": ["10.0.10.11"], "backend_names": {}, "redirect_to_https": False},
        {"name": "https-lyncdiscover", "frontend_port": 443, "host_names": ["lyncdiscover.contoso.com"],
         "backend": "pool01", "backend_kind": "front_end_pool", "backend_fqdn": "webext.contoso.com", "backend_port": 4443, "backend_tls": True,
         "backend_addresses": ["10.0.10.11"], "backend_names": {}, "redirect_to_https": False},
        {"name": "http-redirect", "frontend_port": 80,
         "host_names": ["lyncdiscover.contoso.com", "webext.contoso.com"],
         "backend": None, "backend_kind": None, "backend_fqdn": None, "backend_port": None, "backend_tls": False,
         "backend_addresses": [], "backend_names": {}, "redirect_to_https": True},
    ]
    assert model["certificate_names"] == ["lyncdiscover.contoso.com", "webext.contoso.com"]


def test_full_routes():
    model = compute_model(full())
    summary = [(r["name"], r["frontend_port"], r["backend"], r["backend_port"], r["backend_tls"])
               for r in model["routes"]]
    assert summary == [
        ("https-fe-pool01", 443, "pool01", 4443, True),
        ("https-dir-dir01", 443, "dir01", 4443, True),
        ("https-simple-urls", 443, "dir01", 4443, True),
        ("https-owa-owa01", 443, "owa01", 443, True),
        ("http-fe-pool01", 80, "pool01", 8080, False),
        ("http-dir-dir01", 80, "dir01", 8080, False),
        ("http-simple-urls", 80, "dir01", 8080, False),
        ("http-lyncdiscover", 80, "dir01", 8080, False),
        ("http-redirect", 80, None, None, False),
    ]
    assert _route(model, "http-redirect")["host_names"] == ["officewebapps01.contoso.com"]
    assert _route(model, "https-simple-urls")["host_names"] == ["dialin.contoso.com", "meet.contoso.com"]
    assert _route(model, "https-simple-urls")["backend_fqdn"] == "webdirext.contoso.com"
    assert _route(model, "https-owa-owa01")["backend_fqdn"] == "officewebapps01.contoso.com"
    # VIP given: the proxy addresses the VIP only
    assert _route(model, "https-fe-pool01")["backend_addresses"] == ["10.0.10.10"]
    assert _route(model, "https-owa-owa01")["backend_addresses"] == ["10.0.30.11"]
    # lyncdiscover over plain HTTP: not on 443, not on the certificate
    assert model["certificate_names"] == [
        "dialin.contoso.com", "meet.contoso.com", "officewebapps01.contoso.com",
        "webdirext.contoso.com", "webext.contoso.com",
    ]


def test_without_director_simple_urls_go_to_the_first_front_end_pool():
    topology = _without(full(), "directors")
    topology["front_end_pools"].append({"name": "pool02", "external_web_fqdn": "webext2.contoso.com",
                                        "vip": "10.0.11.10"})
    model = compute_model(with_options(topology, mobile_autodiscover_over_http=False))
    assert _route(model, "https-simple-urls")["backend"] == "pool01"
    assert _route(model, "https-lyncdiscover")["backend"] == "pool01"
    assert _route(model, "https-fe-pool02")["backend_addresses"] == ["10.0.11.10"]
    assert "lyncdiscover.contoso.com" in model["certificate_names"]


def test_several_sip_domains_give_one_autodiscover_name_each():
    topology = with_options(full(), mobile_autodiscover_over_http=False)
    topology["sip_domains"] = ["contoso.com", "fabrikam.com", "litware.com"]
    topology["simple_urls"]["meet"] = ["meet.contoso.com", "meet.fabrikam.com"]
    model = compute_model(topology)
    assert _route(model, "https-lyncdiscover")["host_names"] == [
        "lyncdiscover.contoso.com", "lyncdiscover.fabrikam.com", "lyncdiscover.litware.com",
    ]
    assert {"lyncdiscover.fabrikam.com", "meet.fabrikam.com"} <= set(model["certificate_names"])
    assert [w for w in model["warnings"] if w.startswith("sip_domains[")] == [
        "sip_domains[2] (litware.com): no meet simple URL in this domain (simple_urls.meet); each SIP domain needs one.",
    ]


def test_no_port_80_without_either_switch():
    model = compute_model(with_options(full(), http_redirect=False, mobile_autodiscover_over_http=False))
    assert all(route["frontend_port"] == 443 for route in model["routes"])
    assert all(rule["port"] not in (80, 8080) for rule in model["rules"])


def test_warnings():
    cms = compute_model(minimal())["warnings"]
    assert any(w.startswith("internal-https-pools: TCP 4443") and "Central Management Store" in w for w in cms)
    assert any(w.startswith("reverse_proxies is empty") for w in cms)
    assert not any("mobile_autodiscover_over_http" in w for w in cms)
    mobile = compute_model(full())["warnings"]
    assert any(w.startswith("options.mobile_autodiscover_over_http is true") for w in mobile)
    assert not any(w.startswith("reverse_proxies is empty") for w in mobile)
    topology = full()
    del topology["front_end_pools"][0]["vip"]
    balanced = compute_model(topology)["warnings"]
    assert any(w.startswith("front_end_pools[0] (pool01): no vip") for w in balanced)


@pytest.mark.parametrize("case, topology", sorted(golden_cases().items()))
def test_invariants_of_every_case(case, topology):
    model = compute_model(topology)
    ids = [rule["id"] for rule in model["rules"]]
    has_4443 = "internal-https-pools" in ids
    assert has_4443 == any("Central Management Store" in w for w in model["warnings"]), case
    for port in (80, 443):
        hosts = [h for route in model["routes"] if route["frontend_port"] == port for h in route["host_names"]]
        assert len(hosts) == len(set(hosts)), (case, port)
    assert model["certificate_names"] == sorted(set(model["certificate_names"]))
    assert (80 in {r["frontend_port"] for r in model["routes"]}) == ("external-http" in ids)
    assert any(r["backend_port"] == 8080 for r in model["routes"]) == ("internal-http-pools" in ids)


def test_deterministic_whatever_the_input_order():
    topology = full()
    first = compute_model(topology)
    shuffled = copy.deepcopy(topology)
    rng = random.Random(4443)
    rng.shuffle(shuffled["front_end_pools"][0]["servers"])
    rng.shuffle(shuffled["simple_urls"]["meet"])
    shuffled["front_end_pools"][0]["servers"].reverse()
    assert compute_model(shuffled)["rules"] == first["rules"]
    assert compute_model(copy.deepcopy(topology)) == first


def test_ensure_model_passes_a_model_through():
    model = compute_model(full())
    assert ensure_model(model) is model
    assert ensure_model(full()) == model
