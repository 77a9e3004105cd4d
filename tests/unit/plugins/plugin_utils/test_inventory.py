# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The topology as the inventory completes it: each proxy host's lync_reverse_proxy, in the
group's order, when the topology lists no reverse proxies itself."""

from __future__ import annotations

import pytest

from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._inventory import with_inventory_proxies

TOPOLOGY = {"sip_domains": ["contoso.com"], "front_end_pools": []}
RP1 = {"name": "rp01", "external_addresses": ["198.51.100.10"], "internal_addresses": ["10.0.1.5"]}
RP2 = {"name": "rp02", "external_addresses": ["198.51.100.11"], "internal_addresses": ["10.0.1.6"]}


def task_vars(**extra):
    return dict({"groups": {"lync_reverse_proxies": ["b", "a", "c"], "edge": ["a"]},
                 "hostvars": {"a": {"lync_reverse_proxy": RP1}, "b": {"lync_reverse_proxy": RP2}, "c": {}}}, **extra)


def test_the_group_fills_the_topology_in_its_order():
    assert with_inventory_proxies(TOPOLOGY, task_vars())["reverse_proxies"] == [RP2, RP1]
    assert "reverse_proxies" not in TOPOLOGY


def test_another_group():
    assert with_inventory_proxies(TOPOLOGY, task_vars(lync_reverse_proxies_group="edge"))["reverse_proxies"] == [RP1]


def test_a_topology_that_lists_them_or_a_model_is_left_as_it_is():
    listed = dict(TOPOLOGY, reverse_proxies=[RP1])
    assert with_inventory_proxies(listed, task_vars()) is listed
    model = {"kind": "lync.reverse_proxy/port-model", "rules": []}
    assert with_inventory_proxies(model, task_vars()) is model


def test_no_host_that_says_its_own():
    assert with_inventory_proxies(TOPOLOGY, {"groups": {}, "hostvars": {}}) is TOPOLOGY
    assert with_inventory_proxies(TOPOLOGY, task_vars(lync_reverse_proxies_group="nobody")) is TOPOLOGY


def test_values_are_resolved_as_the_action_templates_them():
    resolved = with_inventory_proxies(TOPOLOGY, task_vars(), resolve=lambda value: dict(value, seen=True)
                                      if isinstance(value, dict) else value)
    assert all(proxy["seen"] for proxy in resolved["reverse_proxies"])


def test_groups_are_validated_against_the_proxies_the_inventory_fills_in():
    """A topology names its groups' members before the inventory says who the proxies are: the
    model validates the groups against the filled list, and names a member the inventory lacks."""
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (  # pylint: disable=import-outside-toplevel
        TopologyError,
        compute_model,
        proxy_group,
    )

    topology = {"sip_domains": ["contoso.com"],
                "front_end_pools": [{"name": "pool01", "external_web_fqdn": "webext.contoso.com", "vip": "10.0.10.10"}],
                "reverse_proxy_groups": [{"name": "rpg1", "members": ["rp01", "rp02"],
                                          "virtual_addresses": ["198.51.100.20"]}]}
    model = compute_model(with_inventory_proxies(topology, task_vars()))
    assert proxy_group(model, "rp02")["member_addresses"] == {"rp01": ["198.51.100.10"], "rp02": ["198.51.100.11"]}
    with pytest.raises(TopologyError) as caught:
        compute_model(with_inventory_proxies(topology, task_vars(lync_reverse_proxies_group="edge")))
    assert caught.value.problems == [("reverse_proxy_groups[0].members[1]",
                                      "'rp02' is not the name of an entry of reverse_proxies (known: rp01)")]
