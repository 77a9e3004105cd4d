# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The iptables, firewalld and ufw renderers: the same policy as nftables, and their errors."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    PortModelError,
    compute_model,
    render_firewalld,
    render_iptables,
    render_nftables,
    render_ufw,
    select_rules,
    ufw_stale,
)
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import TWO_PROXIES as TOPOLOGY

HOST = {"management_sources": ["10.250.0.0/24"], "external_interfaces": ["ext0"], "internal_interfaces": ["int0"]}
GATEWAY = {"external_interfaces": ["inet0"], "internal_interfaces": ["dmz0"], "placement": "gateway"}


@pytest.fixture(name="model")
def fixture_model():
    return compute_model(TOPOLOGY)


def _accepts_iptables(content: str) -> set:
    """(source, destination, port) triples an iptables rendering accepts with a model rule."""
    found = set()
    for line in content.splitlines():
        parts = line.split()
        if "--comment" in parts and parts[parts.index("--comment") + 1] != "management" and parts[-1] == "ACCEPT":
            source = parts[parts.index("-s") + 1] if "-s" in parts else "any"
            found.add((source, parts[parts.index("-d") + 1], int(parts[parts.index("--dport") + 1])))
    return found


def _expected(rules, interface, version):
    expected = set()
    for rule in rules:
        if rule["interface"] != interface:
            continue
        for source in rule["sources"]:
            for destination in rule["destinations"]:
                if (":" in source) == (version == 6) == (":" in destination):
                    expected.add(("any" if source in ("0.0.0.0/0", "::/0") else source, destination, rule["port"]))
    return expected


@pytest.mark.parametrize("version", [4, 6])
def test_iptables_allows_exactly_the_proxy_rules(model, version):
    rules = select_rules(model, reverse_proxy="rp1")
    content = render_iptables(rules, family=version, egress_filtering=True, **HOST)["content"]
    inbound = "\n".join(line for line in content.splitlines() if "LYNC-RP-INPUT" in line)
    outbound = "\n".join(line for line in content.splitlines() if "LYNC-RP-OUTPUT" in line)
    assert _accepts_iptables(inbound) == _expected(rules, "external", version)
    assert _accepts_iptables(outbound) == _expected(rules, "internal", version)
    assert _expected(rules, "external", 4)  # the test has something to compare


def test_iptables_order_established_first_drop_last(model):
    result = render_iptables(select_rules(model, reverse_proxy="rp1"), **HOST)
    lines = [line for line in result["content"].splitlines() if line.startswith("-A LYNC-RP-INPUT")]
    assert "--ctstate RELATED,ESTABLISHED" in lines[0]
    assert lines[-1] == "-A LYNC-RP-INPUT -i ext0 -j DROP"
    assert any("-s 10.250.0.0/24" in line and "--dport 22" in line for line in lines[:-1])
    assert result["chains"] == {"LYNC-RP-INPUT": "INPUT"}


def test_gateway_external_forwards_listeners_only(model):
    content = render_iptables(model["rules"], side="external", **GATEWAY)["content"]
    accepted = _accepts_iptables(content)
    assert accepted == _expected(model["rules"], "external", 4)
    assert {dst for dummy, dst, dummy2 in accepted} == {"198.51.100.10/32", "192.0.2.10/32"}
    assert "-A LYNC-RP-FORWARD -i inet0 -o dmz0 -j DROP" in content
    assert "-A LYNC-RP-FORWARD -i dmz0 -o inet0 -j DROP" in content
    assert "INPUT" not in content


def test_gateway_internal_forwards_proxy_internal_addresses(model):
    accepted = _accepts_iptables(render_iptables(model["rules"], side="internal", **GATEWAY)["content"])
    assert {src for src, dummy, dummy2 in accepted} == {"10.10.1.5/32", "10.9.0.10/32"}
    assert {port for dummy, dummy2, port in accepted} == {4443, 443}


def test_nftables_gateway_matches_iptables_gateway(model):
    table = render_nftables(model["rules"], management_sources=[], side="internal", **GATEWAY)
    assert "hook forward" in table and "hook input" not in table
    for rule in model["rules"]:
        if rule["interface"] == "internal":
            assert 'comment "%s"' % rule["id"] in table


def test_firewalld_files_are_xml_with_every_rule(model):
    rules = select_rules(model, reverse_proxy="rp1")
    files = render_firewalld(rules, egress_filtering=True, **HOST)
    assert sorted(files) == ["policies/lync-egress.xml", "zones/lync-external.xml", "zones/lync-internal.xml"]
    external = ET.fromstring(files["zones/lync-external.xml"].split("?>", 1)[1])
    assert external.get("target") == "DROP"
    assert [i.get("name") for i in external.findall("interface")] == ["ext0"]
    found = set()
    for rule in external.findall("rule"):
        source = rule.find("source")
        destination = rule.find("destination")
        port = int(rule.find("port").get("port"))
        if port == 22:
            assert source.get("address") == "10.250.0.0/24"
            continue
        found.add(("any" if source is None else source.get("address"), destination.get("address"), port))
    assert found == _expected(rules, "external", 4) | _expected(rules, "external", 6)
    egress = ET.fromstring(files["policies/lync-egress.xml"].split("?>", 1)[1])
    assert egress.find("ingress-zone").get("name") == "HOST"
    assert egress.find("egress-zone").get("name") == "lync-internal"


def test_ufw_rules_name_the_model_rule(model):
    rules = select_rules(model, reverse_proxy="rp1")
    result = render_ufw(rules, **HOST)
    ids = {rule["id"] for rule in rules if rule["interface"] == "external"}
    assert {item["comment"] for item in result} == {"lync-rp:" + i for i in ids} | {"lync-rp:management"}
    assert all(item["interface"] == "ext0" for item in result if item["comment"] != "lync-rp:management")
    routed = render_ufw(model["rules"], side="external", **GATEWAY)
    assert routed and all(item["route"] and item["interface_in"] == "inet0" and item["interface_out"] == "dmz0"
                          for item in routed)


# Lines as ufw 0.36 (Debian 12) writes them to /etc/ufw/user.rules and user6.rules for:
#   ufw allow in on ext0 from any to 198.51.100.10 port 80 proto tcp comment 'lync-rp:external-http'
#   ufw allow from 10.250.0.0/24 to any port 22 proto tcp comment 'lync-rp:management'
#   ufw route allow in on inet0 out on dmz0 from any to 192.0.2.10 port 443 proto tcp comment 'x'
#   ufw allow in on ext0 from 2001:db8::/32 to 2001:db8:1::10 port 443 proto tcp comment 'lync-rp:v6'
USER_RULES = """
### tuple ### allow tcp 80 198.51.100.10 any 0.0.0.0/0 in_ext0 comment=6c796e632d72703a65787465726e616c2d68747470
-A ufw-user-input -i ext0 -p tcp -d 198.51.100.10 --dport 80 -j ACCEPT
### tuple ### allow tcp 22 0.0.0.0/0 any 10.250.0.0/24 in comment=6c796e632d72703a6d616e6167656d656e74
### tuple ### route:allow tcp 443 192.0.2.10 any 0.0.0.0/0 in_inet0!out_dmz0 comment=78
### tuple ### allow tcp 443 2001:db8:1::10 any 2001:db8::/32 in_ext0 comment=6c796e632d72703a7636
### tuple ### allow tcp 2222 0.0.0.0/0 any 0.0.0.0/0 in
"""


def test_ufw_stale_finds_ours_only():
    desired = [{"rule": "allow", "direction": "in", "interface": "ext0", "from_ip": "any",
                "to_ip": "198.51.100.10/32", "to_port": "80", "proto": "tcp", "comment": "lync-rp:external-http"}]
    stale = ufw_stale(USER_RULES, desired)
    assert [item["comment"] for item in stale] == ["lync-rp:management", "lync-rp:v6"]
    assert stale[0] == {"rule": "allow", "proto": "tcp", "to_port": "22", "to_ip": "any", "from_ip": "10.250.0.0/24",
                        "comment": "lync-rp:management", "direction": "in"}
    assert stale[1]["interface"] == "ext0" and stale[1]["from_ip"] == "2001:db8::/32"
    # Not ours: no comment, or another prefix ("x" on the route rule).
    assert ufw_stale(USER_RULES, desired, comment_prefix="x")[0]["route"] is True


def test_ufw_stale_keeps_what_is_desired(model):
    desired = render_ufw(select_rules(model, reverse_proxy="rp1"), **HOST)
    lines = []
    for item in desired:
        dst = "0.0.0.0/0" if item["to_ip"] == "any" else item["to_ip"].split("/")[0]
        src = "0.0.0.0/0" if item["from_ip"] == "any" else item["from_ip"]
        where = "in_" + item["interface"] if item.get("interface") else "in"
        lines.append("### tuple ### allow tcp %s %s any %s %s comment=%s" % (
            item["to_port"], dst, src, where, item["comment"].encode().hex()))
    assert ufw_stale("\n".join(lines), desired) == []
    assert len(ufw_stale("\n".join(lines), desired[:1])) == len(desired) - 1


@pytest.mark.parametrize("kwargs, message", [
    ({"placement": "edge"}, "placement must be one of host, gateway, server, got 'edge'"),
    ({"placement": "gateway"}, "gateway placement needs side"),
    ({"placement": "gateway", "side": "external", "external_interfaces": ["eth0"], "internal_interfaces": []},
     "needs outside interfaces"),
    ({"placement": "gateway", "side": "external", "external_interfaces": ["eth0"], "internal_interfaces": ["eth0"]},
     "are both outside and inside"),
    ({"management_sources": []}, "management_sources is empty"),
    ({"external_interfaces": ["eth 0"]}, "external_interfaces[0]: 'eth 0' is not an interface name"),
    ({"management_port": 0}, "management_port must be a port number"),
])
@pytest.mark.parametrize("renderer", [render_iptables, render_firewalld, render_ufw])
def test_bad_arguments_are_named(model, renderer, kwargs, message):
    arguments = dict(HOST, **kwargs)
    with pytest.raises(PortModelError, match=re.escape(message)):
        renderer(select_rules(model, reverse_proxy="rp1"), **arguments)


def test_ufw_refuses_egress_filtering(model):
    with pytest.raises(PortModelError, match="egress_filtering is not supported with ufw"):
        render_ufw(select_rules(model, reverse_proxy="rp1"), egress_filtering=True, **HOST)


def test_iptables_refuses_bad_family_and_prefix(model):
    rules = select_rules(model, reverse_proxy="rp1")
    with pytest.raises(PortModelError, match="family must be one of 4, 6"):
        render_iptables(rules, family=5, **HOST)
    with pytest.raises(PortModelError, match="chain_prefix"):
        render_iptables(rules, chain_prefix="1 bad", **HOST)


def test_input_must_be_rules():
    with pytest.raises(PortModelError, match="list of rules"):
        render_iptables({"rules": []}, **HOST)


_BACKENDS = {
    "nftables": render_nftables,
    "iptables": render_iptables,
    "firewalld": render_firewalld,
    "ufw": render_ufw,
}


@pytest.mark.parametrize("backend", sorted(_BACKENDS))
@pytest.mark.parametrize("change, words", [
    ({"external_interfaces": []}, "external_interfaces is empty: the listener's interface is needed"),
    ({"egress_filtering": True, "internal_interfaces": []}, "internal_interfaces is empty: egress filtering"),
])
def test_a_ruleset_that_would_leave_the_listener_unfiltered_is_refused(model, backend, change, words):
    if backend == "ufw" and "egress_filtering" in change:
        pytest.skip("ufw has no egress filtering")
    with pytest.raises(PortModelError, match=words):
        _BACKENDS[backend](select_rules(model, reverse_proxy="rp1"), **dict(HOST, **change))


@pytest.mark.parametrize("backend", sorted(_BACKENDS))
def test_rules_without_listener_addresses_are_refused(backend):
    # A model without reverse proxies names the listener by role only: rendered, its rules
    # would drop everything for the listener.
    model = compute_model({key: value for key, value in TOPOLOGY.items() if key != "reverse_proxies"})
    with pytest.raises(PortModelError, match="rule external-https has no destinations: its traffic would be dropped"):
        _BACKENDS[backend]([r for r in model["rules"] if r["id"] == "external-https"], **HOST)


@pytest.mark.parametrize("backend", sorted(_BACKENDS))
def test_rules_without_external_rules_are_refused(model, backend):
    internal = select_rules(model, interface="internal", reverse_proxy="rp1")
    with pytest.raises(PortModelError, match="the rules have no external rules"):
        _BACKENDS[backend](internal, **HOST)


@pytest.mark.parametrize("backend", sorted(_BACKENDS))
def test_families_that_never_meet_are_refused(model, backend):
    rules = select_rules(model, interface="external", reverse_proxy="rp2")
    rules = [dict(rule, sources=["2001:db8::/32"]) for rule in rules]  # rp2's listener is IPv4 only
    with pytest.raises(PortModelError, match="IPv4 and IPv6 addresses that never meet"):
        _BACKENDS[backend](rules, **HOST)
