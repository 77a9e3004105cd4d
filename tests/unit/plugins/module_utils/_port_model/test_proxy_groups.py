# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""reverse_proxy_groups: proxies that share listener addresses (keepalived, VRRP) - validation, the
model's groups, the listener rules' virtual addresses and the external-vrrp rule, per proxy."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    PortModelError,
    TopologyError,
    compute_model,
    listener_addresses,
    normalize_topology,
    proxy_group,
    select_rules,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._select import server_rules

# rp1 and rp2 share 198.51.100.20 and 2001:db8:100::20; rp3 stands alone. rp1 gives its networks
# in interface notation, rp2 does not.
_GROUPED = {
    "sip_domains": ["contoso.com"],
    "front_end_pools": [{"name": "pool01", "external_web_fqdn": "webext.contoso.com", "vip": "10.0.10.10"}],
    "reverse_proxies": [
        {"name": "rp1", "external_addresses": ["198.51.100.10/24", "2001:db8:100::10/64"],
         "internal_addresses": ["10.0.1.5"]},
        {"name": "rp2", "external_addresses": ["198.51.100.11", "2001:db8:100::11"], "internal_addresses": ["10.0.1.6"]},
        {"name": "rp3", "external_addresses": ["203.0.113.30"], "internal_addresses": ["10.0.1.7"]},
    ],
    "reverse_proxy_groups": [
        {"name": "rpg1", "members": ["rp1", "rp2"], "preferred": "rp2",
         "virtual_addresses": ["198.51.100.20", "2001:db8:100::20"]},
    ],
}


def grouped() -> dict:
    return copy.deepcopy(_GROUPED)


def _problems(topology) -> list:
    with pytest.raises(TopologyError) as caught:
        compute_model(topology)
    return caught.value.problems


def _edit(change):
    topology = grouped()
    change(topology)
    return topology


# (id, change to the grouped topology, expected path, words expected in the message)
BAD_GROUPS = [
    ("member-not-a-proxy", lambda t: t["reverse_proxy_groups"][0]["members"].append("rp9"),
     "reverse_proxy_groups[0].members[2]", "'rp9' is not the name of an entry of reverse_proxies"),
    ("proxy-in-two-groups", lambda t: t["reverse_proxy_groups"].append(
        {"name": "rpg2", "members": ["rp3", "rp1"], "virtual_addresses": ["203.0.113.40"]}),
     "reverse_proxy_groups[1].members[1]", "'rp1' is already a member of reverse_proxy_groups[0]"),
    ("group-of-one", lambda t: t["reverse_proxy_groups"][0].update(members=["rp1"], preferred="rp1"),
     "reverse_proxy_groups[0].members", "needs at least two reverse proxies"),
    ("group-of-one-twice", lambda t: t["reverse_proxy_groups"][0].update(members=["rp1", "rp1"], preferred="rp1"),
     "reverse_proxy_groups[0].members[1]", "'rp1' is listed twice"),
    ("preferred-not-a-member", lambda t: t["reverse_proxy_groups"][0].update(preferred="rp3"),
     "reverse_proxy_groups[0].preferred", "'rp3' is not one of the group's members (rp1, rp2)"),
    ("virtual-address-twice", lambda t: t["reverse_proxy_groups"][0]["virtual_addresses"].append("198.51.100.20"),
     "reverse_proxy_groups[0].virtual_addresses[2]", "198.51.100.20 is listed twice"),
    ("virtual-address-invalid", lambda t: t["reverse_proxy_groups"][0]["virtual_addresses"].append("198.51.100.300"),
     "reverse_proxy_groups[0].virtual_addresses[2]", "'198.51.100.300' is not an IP address"),
    ("virtual-address-a-network", lambda t: t["reverse_proxy_groups"][0]["virtual_addresses"].append("198.51.100.0/24"),
     "reverse_proxy_groups[0].virtual_addresses[2]", "is not a host address"),
    ("virtual-address-none", lambda t: t["reverse_proxy_groups"][0].update(virtual_addresses=[]),
     "reverse_proxy_groups[0].virtual_addresses", "is empty"),
    ("virtual-address-a-proxy-own", lambda t: t["reverse_proxy_groups"][0]["virtual_addresses"].append("198.51.100.11"),
     "reverse_proxy_groups[0].virtual_addresses[2]", "198.51.100.11 is already used by reverse_proxies[1]"),
    ("virtual-address-another-proxy-own", lambda t: t["reverse_proxy_groups"][0]["virtual_addresses"].append(
        "203.0.113.30"), "reverse_proxy_groups[0].virtual_addresses[2]", "is already used by reverse_proxies[2]"),
    ("virtual-address-a-pool", lambda t: t["reverse_proxy_groups"][0]["virtual_addresses"].append("10.0.10.10"),
     "reverse_proxy_groups[0].virtual_addresses[2]", "is already used by front_end_pools[0].vip"),
    ("virtual-address-outside-the-network", lambda t: t["reverse_proxy_groups"][0]["virtual_addresses"].append(
        "198.51.101.20"), "reverse_proxy_groups[0].virtual_addresses[2]",
     "198.51.101.20 is in no external network of the members (rp1: 198.51.100.0/24)"),
    ("virtual-address-the-broadcast-address", lambda t: t["reverse_proxy_groups"][0]["virtual_addresses"].append(
        "198.51.100.255"), "reverse_proxy_groups[0].virtual_addresses[2]",
     "198.51.100.255 is the broadcast address of the external network of rp1 (198.51.100.0/24)"),
    ("virtual-address-the-network-address", lambda t: t["reverse_proxy_groups"][0]["virtual_addresses"].append(
        "198.51.100.0"), "reverse_proxy_groups[0].virtual_addresses[2]",
     "198.51.100.0 is the network address of the external network of rp1 (198.51.100.0/24)"),
    ("virtual-address-the-ipv6-network-address", lambda t: t["reverse_proxy_groups"][0]["virtual_addresses"].append(
        "2001:db8:100::"), "reverse_proxy_groups[0].virtual_addresses[2]",
     "2001:db8:100:: is the network address of the external network of rp1 (2001:db8:100::/64)"),
    ("virtual-address-of-a-family-a-member-lacks", lambda t: t["reverse_proxies"][1].update(
        external_addresses=["198.51.100.11"]), "reverse_proxy_groups[0].virtual_addresses[1]",
     "2001:db8:100::20 is IPv6, but rp2 (IPv4) has no IPv6 external address"),
    ("group-name-twice", lambda t: t["reverse_proxy_groups"].append(
        {"name": "rpg1", "members": ["rp3", "rp9"], "virtual_addresses": ["203.0.113.40"]}),
     "reverse_proxy_groups[1].name", "'rpg1' is already the name of reverse_proxy_groups[0]"),
    ("group-name-invalid", lambda t: t["reverse_proxy_groups"][0].update(name="RPG 1"),
     "reverse_proxy_groups[0].name", "is not a valid name"),
    ("group-unknown-key", lambda t: t["reverse_proxy_groups"][0].update(priority=100),
     "reverse_proxy_groups[0].priority", "unknown key"),
    ("group-without-members", lambda t: t["reverse_proxy_groups"][0].pop("members"),
     "reverse_proxy_groups[0].members", "is required"),
    ("groups-not-a-list", lambda t: t.update(reverse_proxy_groups={"name": "rpg1"}),
     "reverse_proxy_groups", "expected a list"),
    ("interface-notation-network-address", lambda t: t["reverse_proxies"][2].update(
        external_addresses=["203.0.113.0/24"]), "reverse_proxies[2].external_addresses[0]",
     "is the network address of its network"),
    ("interface-notation-bad-prefix", lambda t: t["reverse_proxies"][2].update(
        external_addresses=["203.0.113.30/33"]), "reverse_proxies[2].external_addresses[0]",
     "is neither an address nor an address with its network's prefix length (1 to 31)"),
    ("interface-notation-internal", lambda t: t["reverse_proxies"][2].update(internal_addresses=["10.0.1.7/24"]),
     "reverse_proxies[2].internal_addresses[0]", "is not a host address"),
]


@pytest.mark.parametrize("change, path, words", [case[1:] for case in BAD_GROUPS], ids=[case[0] for case in BAD_GROUPS])
def test_a_bad_group_is_reported_with_its_path(change, path, words):
    problems = _problems(_edit(change))
    assert any(where == path and words in message for where, message in problems), problems


def test_the_error_names_the_group():
    topology = grouped()
    topology["reverse_proxy_groups"][0]["preferred"] = "rp3"
    with pytest.raises(TopologyError) as caught:
        compute_model(topology)
    assert "reverse_proxy_groups[0].preferred (rpg1):" in str(caught.value)


def test_a_group_without_reverse_proxies_names_none_known():
    topology = grouped()
    del topology["reverse_proxies"]
    problems = _problems(topology)
    assert ("reverse_proxy_groups[0].members[0]",
            "'rp1' is not the name of an entry of reverse_proxies (known: none)") in problems


def test_a_virtual_address_outside_the_network_of_a_member_that_gives_it_is_refused():
    """rp2 gives no network: only rp1's counts, and the address is outside it."""
    topology = grouped()
    topology["reverse_proxy_groups"][0]["virtual_addresses"] = ["198.51.101.20"]
    assert [where for where, dummy in _problems(topology)] == ["reverse_proxy_groups[0].virtual_addresses[0]"]


def test_without_any_network_the_family_is_enough():
    topology = grouped()
    topology["reverse_proxies"][0]["external_addresses"] = ["198.51.100.10", "2001:db8:100::10"]
    topology["reverse_proxy_groups"][0]["virtual_addresses"] = ["192.0.2.99", "2001:db8:999::1"]
    assert compute_model(topology)["reverse_proxy_groups"][0]["virtual_addresses"] == ["192.0.2.99", "2001:db8:999::1"]


# -- interface notation keeps the old inputs' meaning ---------------------------------------------
def test_interface_notation_is_the_address_for_every_rule():
    with_prefix = grouped()
    without = grouped()
    without["reverse_proxies"][0]["external_addresses"] = ["198.51.100.10", "2001:db8:100::10"]
    assert compute_model(with_prefix)["rules"] == compute_model(without)["rules"]


def test_normalisation_gives_interface_notation_back():
    normal = normalize_topology(grouped())
    assert normal["reverse_proxies"][0]["external_addresses"] == ["198.51.100.10/24", "2001:db8:100::10/64"]
    assert normal["reverse_proxies"][1]["external_addresses"] == ["198.51.100.11", "2001:db8:100::11"]
    assert normal["reverse_proxy_groups"] == _GROUPED["reverse_proxy_groups"]
    assert normalize_topology(normal) == normal


def test_host_prefix_is_the_address_itself():
    topology = grouped()
    topology["reverse_proxies"][2]["external_addresses"] = ["203.0.113.30/32"]
    assert normalize_topology(topology)["reverse_proxies"][2]["external_addresses"] == ["203.0.113.30"]


def test_the_preferred_proxy_defaults_to_the_first_member():
    topology = grouped()
    del topology["reverse_proxy_groups"][0]["preferred"]
    assert normalize_topology(topology)["reverse_proxy_groups"][0]["preferred"] == "rp1"
    assert compute_model(topology)["reverse_proxy_groups"][0]["preferred"] == "rp1"


def test_a_topology_without_groups_normalises_without_them():
    topology = grouped()
    del topology["reverse_proxy_groups"]
    assert "reverse_proxy_groups" not in normalize_topology(topology)
    assert compute_model(topology)["reverse_proxy_groups"] == []


# -- the model ---------------------------------------------------------------------------------
def test_the_model_lists_the_groups():
    assert compute_model(grouped())["reverse_proxy_groups"] == [{
        "name": "rpg1",
        "members": ["rp1", "rp2"],
        "preferred": "rp2",
        "virtual_addresses": ["198.51.100.20", "2001:db8:100::20"],
        "member_addresses": {"rp1": ["198.51.100.10", "2001:db8:100::10"],
                             "rp2": ["198.51.100.11", "2001:db8:100::11"]},
    }]


def test_proxy_group():
    model = compute_model(grouped())
    assert proxy_group(model, "rp2")["name"] == "rpg1"
    assert proxy_group(model, "rp3") is None
    old = {key: value for key, value in model.items() if key != "reverse_proxy_groups"}
    assert proxy_group(old, "rp1") is None  # a model computed before groups existed


@pytest.mark.parametrize("rule_id", ["external-http", "external-https"])
def test_the_listener_rules_reach_the_virtual_addresses(rule_id):
    rule = next(rule for rule in compute_model(grouped())["rules"] if rule["id"] == rule_id)
    virtual = [group for group in rule["destination_groups"] if group["name"] == "rpg1"]
    assert virtual == [{"role": "reverse_proxy_listener", "name": "rpg1", "members": ["rp1", "rp2"],
                        "addresses": ["198.51.100.20/32", "2001:db8:100::20/128"]}]
    assert "198.51.100.20/32" in rule["destinations"] and "2001:db8:100::20/128" in rule["destinations"]
    assert rule["roles"] == ["reverse_proxy_listener"]


def test_the_vrrp_rule():
    rule = compute_model(grouped())["rules"][-1]
    members = [{"role": "reverse_proxy_listener", "name": "rp1", "addresses": ["198.51.100.10/32", "2001:db8:100::10/128"]},
               {"role": "reverse_proxy_listener", "name": "rp2", "addresses": ["198.51.100.11/32", "2001:db8:100::11/128"]}]
    assert rule["id"] == "external-vrrp"
    assert (rule["interface"], rule["protocol"], rule["ip_protocol"], rule["port"], rule["application"]) == (
        "external", "vrrp", 112, None, "vrrp")
    assert rule["required"] is True and rule["addition"] is True
    assert rule["source_groups"] == members and rule["destination_groups"] == members
    # .10 and .11 merge into one network; rp3 is in no group and not among them
    assert rule["sources"] == rule["destinations"] == ["198.51.100.10/31", "2001:db8:100::10/127"]
    assert rule["source_ref"].startswith("addition beyond the source document")
    assert "keepalived" in rule["reason"] and "VRRP" in rule["reason"]


def test_no_vrrp_rule_without_a_group():
    topology = grouped()
    del topology["reverse_proxy_groups"]
    ids = [rule["id"] for rule in compute_model(topology)["rules"]]
    assert "external-vrrp" not in ids and ids == ["external-http", "external-https", "internal-https-pools"]


# -- one proxy's rules ---------------------------------------------------------------------------
def _by_id(rules) -> dict:
    return {rule["id"]: rule for rule in rules}


@pytest.mark.parametrize("proxy, own, peer", [
    ("rp1", ["198.51.100.10/32", "2001:db8:100::10/128"], ["198.51.100.11/32", "2001:db8:100::11/128"]),
    ("rp2", ["198.51.100.11/32", "2001:db8:100::11/128"], ["198.51.100.10/32", "2001:db8:100::10/128"]),
])
def test_a_member_admits_vrrp_from_the_other_members_only(proxy, own, peer):
    rules = _by_id(select_rules(compute_model(grouped()), reverse_proxy=proxy))
    assert rules["external-vrrp"]["sources"] == peer
    assert rules["external-vrrp"]["destinations"] == own
    assert rules["external-https"]["destinations"] == [own[0], "198.51.100.20/32", own[1], "2001:db8:100::20/128"]


def test_a_proxy_in_no_group_has_no_vrrp_rule_and_no_virtual_address():
    rules = _by_id(select_rules(compute_model(grouped()), reverse_proxy="rp3"))
    assert "external-vrrp" not in rules
    assert rules["external-https"]["destinations"] == ["203.0.113.30/32"]


def test_a_group_admits_only_its_own_members():
    topology = grouped()
    topology["reverse_proxies"].append({"name": "rp4", "external_addresses": ["203.0.113.31"],
                                        "internal_addresses": ["10.0.1.8"]})
    topology["reverse_proxy_groups"].append({"name": "rpg2", "members": ["rp3", "rp4"],
                                             "virtual_addresses": ["203.0.113.40"]})
    model = compute_model(topology)
    assert _by_id(select_rules(model, reverse_proxy="rp3"))["external-vrrp"]["sources"] == ["203.0.113.31/32"]
    assert _by_id(select_rules(model, reverse_proxy="rp1"))["external-vrrp"]["sources"] == [
        "198.51.100.11/32", "2001:db8:100::11/128"]
    assert listener_addresses(model, "rp4") == ["203.0.113.31", "203.0.113.40"]


def test_listener_addresses_put_the_virtual_addresses_after_the_own():
    model = compute_model(grouped())
    assert listener_addresses(model, "rp1") == ["198.51.100.10", "2001:db8:100::10", "198.51.100.20", "2001:db8:100::20"]
    assert listener_addresses(model, "rp3") == ["203.0.113.30"]


def test_listener_addresses_keep_neighbouring_addresses_apart():
    """.10 and .11 of one proxy merge into a /31 among the rule's destinations; bound, they are two."""
    topology = grouped()
    topology["reverse_proxies"][2]["external_addresses"] = ["203.0.113.30", "203.0.113.31"]
    assert listener_addresses(compute_model(topology), "rp3") == ["203.0.113.30", "203.0.113.31"]


def test_a_group_is_not_a_reverse_proxy():
    with pytest.raises(PortModelError, match="reverse proxy 'rpg1' is not in the topology's reverse_proxies"):
        select_rules(compute_model(grouped()), reverse_proxy="rpg1")


def test_a_virtual_address_is_not_a_server():
    with pytest.raises(PortModelError, match="198.51.100.20 is a virtual address of reverse proxy group rpg1"):
        server_rules(compute_model(grouped()), ["198.51.100.20"])


def test_a_group_may_not_take_a_reverse_proxy_name():
    topology = grouped()
    topology["reverse_proxy_groups"][0]["name"] = "rp3"
    assert ("reverse_proxy_groups[0].name",
            "'rp3' is already the name of a reverse proxy; give the group a name of its own") in _problems(topology)
