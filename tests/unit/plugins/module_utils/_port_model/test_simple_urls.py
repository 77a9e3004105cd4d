# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Microsoft's three simple URL naming options, through the model, the tables and the probes."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    TopologyError,
    arr_configuration,
    compute_model,
    normalize_topology,
    probe_endpoints,
)

BASE = {
    "sip_domains": ["contoso.com", "fabrikam.com"],
    "front_end_pools": [{"name": "pool01", "external_web_fqdn": "webext.contoso.com", "servers": ["10.0.10.11"]}],
    "directors": [{"name": "dir01", "external_web_fqdn": "webdirext.contoso.com", "servers": ["10.0.20.11"]}],
    "reverse_proxies": [{"name": "rp01", "external_addresses": ["198.51.100.10"], "internal_addresses": ["10.0.1.5"]}],
}
# Microsoft's examples of each naming option (Planning for simple URLs).
OPTIONS = {
    1: {"meet": ["meet.contoso.com", "meet.fabrikam.com"], "dialin": ["dialin.contoso.com"]},
    2: {"meet": ["https://conf.contoso.com/Meet", "https://conf.fabrikam.com/Meet"],
        "dialin": ["https://conf.contoso.com/Dialin"]},
    3: {"meet": ["https://lync.contoso.com/Meet", "https://lync.fabrikam.com/Meet"],
        "dialin": ["https://lync.contoso.com/Dialin"]},
}
HOSTS = {
    1: ["dialin.contoso.com", "meet.contoso.com", "meet.fabrikam.com"],
    2: ["conf.contoso.com", "conf.fabrikam.com"],
    3: ["lync.contoso.com", "lync.fabrikam.com"],
}


def topology(simple_urls):
    return dict(copy.deepcopy(BASE), simple_urls=copy.deepcopy(simple_urls))


def _simple_route(model, port=443):
    return next(r for r in model["routes"] if r["name"] == ("https-simple-urls" if port == 443 else "http-simple-urls"))


@pytest.mark.parametrize("option", sorted(OPTIONS))
def test_each_host_is_published_once_to_the_director(option):
    model = compute_model(topology(OPTIONS[option]))
    route = _simple_route(model)
    assert route["host_names"] == HOSTS[option]
    assert route["backend"] == "dir01" and route["backend_port"] == 4443
    every_443_name = [name for r in model["routes"] if r["frontend_port"] == 443 for name in r["host_names"]]
    assert len(every_443_name) == len(set(every_443_name))
    for host in HOSTS[option]:
        assert model["certificate_names"].count(host) == 1


@pytest.mark.parametrize("option", sorted(OPTIONS))
def test_every_domain_has_its_meet_url_so_no_warning(option):
    model = compute_model(topology(OPTIONS[option]))
    assert not [w for w in model["warnings"] if "no meet simple URL" in w]


@pytest.mark.parametrize("meet, missing", [
    (["https://lync.contoso.com/Meet"], ["fabrikam.com"]),
    (["https://conf.contoso.com/Meet", "https://conf.contoso.com/Dialin2"], ["fabrikam.com"]),
    # Lync 2010's form names the domain in the path: it counts for that domain.
    (["https://conf.contoso.com/contoso/Meet", "https://conf.contoso.com/fabrikam/Meet"], []),
    (["https://lync.contoso.com/Meet", "https://lync.fabrikam.com/Meet"], []),
])
def test_the_meet_warning_counts_per_domain(meet, missing):
    model = compute_model(topology({"meet": meet, "dialin": ["https://lync.contoso.com/Dialin"]}))
    warned = [d for d in BASE["sip_domains"] if any("(%s): no meet simple URL" % d in w for w in model["warnings"])]
    assert warned == missing


def test_urls_in_any_case_are_normalised_and_kept():
    topo = topology({"meet": ["HTTPS://Lync.Contoso.COM/Meet/"], "dialin": ["https://lync.contoso.com/Dialin"]})
    assert normalize_topology(topo)["simple_urls"] == {
        "meet": ["https://lync.contoso.com/Meet"], "dialin": ["https://lync.contoso.com/Dialin"]}
    urls = compute_model(topo)["simple_urls"]
    assert [(u["component"], u["host"], u["path"], u["backend"]) for u in urls] == [
        ("meet", "lync.contoso.com", "/Meet", "dir01"), ("dialin", "lync.contoso.com", "/Dialin", "dir01")]


def test_a_bare_host_and_an_https_url_without_path_are_the_same_url():
    with pytest.raises(TopologyError) as caught:
        compute_model(topology({"meet": ["meet.contoso.com"], "dialin": ["https://meet.contoso.com"]}))
    assert caught.value.problems == [("simple_urls.dialin[0]", "'meet.contoso.com' is already listed as simple_urls.meet[0]")]


def test_same_path_in_another_case_is_the_same_url():
    with pytest.raises(TopologyError) as caught:
        compute_model(topology({"meet": ["https://lync.contoso.com/Meet", "https://lync.contoso.com/MEET"]}))
    assert caught.value.paths == ["simple_urls.meet[1]"]


def test_the_probes_ask_every_path_on_the_shared_host():
    model = compute_model(topology(OPTIONS[3]))
    endpoints = probe_endpoints(model, "outside")
    paths = sorted((e["server_name"], e["http"]["path"]) for e in endpoints
                   if e.get("server_name", "").startswith("lync.") and e["http"]["path"] != "/")
    assert paths == [("lync.contoso.com", "/Dialin"), ("lync.contoso.com", "/Meet"), ("lync.fabrikam.com", "/Meet")]


@pytest.mark.parametrize("mobile_http", [False, True])
def test_arr_has_one_rule_per_shared_host_and_port(mobile_http):
    topo = dict(topology(OPTIONS[3]), options={"mobile_autodiscover_over_http": mobile_http})
    arr = arr_configuration(compute_model(topo))
    names = [rule["name"] for rule in arr["rules"] if rule["host"].startswith("lync.")]
    assert len(names) == len(set(names)) == 4  # two hosts, on 443 and on 80 (redirect or bridge)
