# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""aerleon_policy checked with aerleon itself: generation for Cisco, Juniper, Palo Alto and
nftables, golden files of what aerleon generates, and a Cisco ACL that permits exactly the
model's flows."""

from __future__ import annotations

import ipaddress
import os
import re

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    PortModelError,
    aerleon_policy,
    compute_model,
    select_rules,
)
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    GOLDEN_DIR,
    golden_cases,
)

aerleon_api = pytest.importorskip("aerleon.api")
naming = pytest.importorskip("aerleon.lib.naming")

TARGETS = {
    "external": {"cisco": "lync-ext", "juniper": "lync-ext", "paloalto": "from-zone untrust to-zone dmz",
                 "nftables": "INPUT"},
    "internal": {"cisco": "lync-int", "juniper": "lync-int", "paloalto": "from-zone dmz to-zone trust",
                 "nftables": "OUTPUT"},
}
CASES = {name: topology for name, topology in golden_cases().items() if topology.get("reverse_proxies")}


def generate(policy: dict) -> dict:
    definitions = naming.Naming()
    definitions.ParseDefinitionsObject(policy["definitions"], "")
    return dict(aerleon_api.Generate(policy["policies"], definitions))


@pytest.mark.parametrize("case", sorted(CASES))
def test_aerleon_generates_every_target_and_golden(case):
    configurations = generate(aerleon_policy(CASES[case], TARGETS))
    expected = {"lync-%s.%s" % (interface, ext) for interface in ("external", "internal")
                for ext in ("acl", "jcl", "xml", "nft")}
    assert set(configurations) == expected
    for name, text in sorted(configurations.items()):
        reference = GOLDEN_DIR / "aerleon" / case / (name + ".ref")
        if os.environ.get("LYNC_GOLDEN_UPDATE") == "1":
            reference.parent.mkdir(parents=True, exist_ok=True)
            reference.write_text(text, encoding="utf-8")
        assert reference.read_text(encoding="utf-8") == text, "differs from %s" % reference


def _cisco_address(words: list, version: int) -> tuple:
    """(network, words consumed) of a Cisco ACL address: any, host X, X/len or X wildcard."""
    if words[0] == "any":
        return ipaddress.ip_network("0.0.0.0/0" if version == 4 else "::/0"), 1
    if words[0] == "host":
        return ipaddress.ip_network(words[1]), 2
    if "/" in words[0]:
        return ipaddress.ip_network(words[0]), 1
    mask = int(ipaddress.ip_address(words[1])) ^ 0xFFFFFFFF
    return ipaddress.ip_network("%s/%s" % (words[0], ipaddress.ip_address(mask))), 2


def cisco_flows(acl: str) -> set:
    """(source, destination, port or "protocol 112") the ACLs permit; anything else they say must be the
    final deny."""
    flows, version = set(), 4
    for line in acl.splitlines():
        words = line.split()
        if line.startswith("ipv6 access-list"):
            version = 6
        if not words or words[0] != "permit":
            if words and words[0] == "deny":
                assert words[1:] in (["ip", "any", "any"], ["ipv6", "any", "any"]), line
            continue
        assert words[1] in ("tcp", "112"), line  # 112: VRRP, by its number
        source, used = _cisco_address(words[2:], version)
        destination, used2 = _cisco_address(words[2 + used:], version)
        rest = words[2 + used + used2:]
        if words[1] == "112":
            assert not rest, line
            flows.add((source, destination, "protocol 112"))
            continue
        assert rest[0] == "eq" and len(rest) == 2, line
        flows.add((source, destination, int(rest[1])))
    return flows


def model_flows(rules: list) -> set:
    flows = set()
    for rule in rules:
        for source in rule["sources"]:
            for destination in rule["destinations"]:
                s, d = ipaddress.ip_network(source), ipaddress.ip_network(destination)
                if s.version == d.version:
                    flows.add((s, d, rule["port"] if rule["port"] is not None else "protocol %d" % rule["ip_protocol"]))
    return flows


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("interface", ["external", "internal"])
def test_the_cisco_acl_permits_exactly_the_model_flows(case, interface):
    configurations = generate(aerleon_policy(CASES[case], TARGETS))
    rules = select_rules(compute_model(CASES[case]), interface=interface)
    # The model merges host lists into CIDRs; Cisco lists hosts. Compare address by address.

    def expand(flows):
        out = set()
        for source, destination, port in flows:
            sources = [source] if source.prefixlen == 0 or source.num_addresses > 256 else \
                [ipaddress.ip_network(a) for a in source]
            destinations = [ipaddress.ip_network(a) for a in destination] if destination.num_addresses <= 256 \
                else [destination]
            out.update((s, d, port) for s in sources for d in destinations)
        return out
    assert expand(cisco_flows(configurations["lync-%s.acl" % interface])) == expand(model_flows(rules))


def test_one_proxy_and_names_of_the_network_team():
    policy = aerleon_policy(CASES["example"], {"cisco": "edge-in"}, reverse_proxy="rp02", interface="external",
                            names={"LYNC_LISTENER_RP02": "DMZ_LYNC_RP02"})
    assert set(policy["definitions"]["networks"]) == {"LYNC_ANY", "DMZ_LYNC_RP02"}
    assert policy["policies"][0]["filters"][0]["terms"][1]["destination-address"] == "DMZ_LYNC_RP02"
    acl = generate(policy)["lync-external.acl"]
    assert "host 198.51.100.11 eq 443" in acl and "198.51.100.10" not in acl


def test_the_address_family_is_added_or_checked():
    policy = aerleon_policy(CASES["example"], TARGETS)
    headers = [p["filters"][0]["header"]["targets"] for p in policy["policies"]]
    assert headers[0] == {"cisco": "lync-ext mixed", "juniper": "lync-ext mixed",
                          "paloalto": "from-zone untrust to-zone dmz mixed", "nftables": "mixed INPUT"}
    assert headers[1]["cisco"] == "lync-int extended"  # the internal side is IPv4 only here
    with pytest.raises(PortModelError, match=r"cisco 'extended' admits IPv4 only, but the rules have IPv6 addresses: "
                                             r"use 'mixed'"):
        aerleon_policy(CASES["example"], {"cisco": "lync-ext extended"}, interface="external")


def test_targets_without_a_deny_get_no_deny_term():
    policy = aerleon_policy(CASES["example"], {"k8s": "ingress"}, interface="external")
    assert [t["name"] for t in policy["policies"][0]["filters"][0]["terms"]] == ["external-http", "external-https"]


@pytest.mark.parametrize("kwargs, words", [
    ({"targets": {"cisco": "x"}}, "external and internal policies need headers of their own"),
    ({"targets": {"external": {"cisco": "x"}}}, "targets has no generators for the internal policy"),
    ({"targets": {"external": {"cisco": "x"}, "cisco": "y"}, "interface": "external"}, "next to external/internal"),
    ({"targets": {"cisco": ""}, "interface": "external"}, "the header options of cisco must be a non-empty string"),
    ({"targets": [], "interface": "external"}, "targets must map aerleon generator names"),
    ({"targets": {"cisco": "x"}, "interface": "dmz"}, "interface must be one of external, internal"),
    ({"targets": {"cisco": "x"}, "interface": "external", "names": {"LYNC_ANY": "not a token"}}, "names must map"),
])
def test_bad_arguments_are_named(kwargs, words):
    with pytest.raises(PortModelError, match=re.escape(words)):
        aerleon_policy(CASES["example"], **kwargs)


def test_a_topology_without_proxies_is_refused():
    topology = {key: value for key, value in CASES["example"].items() if key != "reverse_proxies"}
    with pytest.raises(PortModelError, match="rule external-http has no destinations: list the reverse proxies"):
        aerleon_policy(topology, {"cisco": "x"}, interface="external")


@pytest.mark.parametrize("case", sorted(CASES))
def test_comments_fit_every_target(case):
    """nftables refuses comments over 128 characters (found loading aerleon's output into real nft)."""
    policy = aerleon_policy(CASES[case], TARGETS)
    comments = [p["filters"][0]["header"]["comment"] for p in policy["policies"]] + [
        term["comment"] for p in policy["policies"] for term in p["filters"][0]["terms"]]
    assert comments and all(len(comment) <= 128 for comment in comments), [c for c in comments if len(c) > 128]
    nft = generate(policy)["lync-internal.nft"]
    assert all(len(line.split('comment "', 1)[1]) <= 129 for line in nft.splitlines() if 'comment "' in line)
