# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The inventory_topology lookup: the topology of the variables (or the one given) completed with the
proxies of the group the variables (or the option) name, as the actions complete it; a topology that
lists its proxies left as it is; errors that name what is wrong."""

from __future__ import annotations

from unittest import mock

import pytest
import yaml

from ansible import constants as C
from ansible.errors import AnsibleLookupError
from ansible_collections.lync.reverse_proxy.plugins.lookup import inventory_topology

NAME = "lync.reverse_proxy.inventory_topology"
TOPOLOGY = {"sip_domains": ["contoso.com"], "front_end_pools": [{"name": "pool01", "servers": ["10.0.10.11"]}]}
RP1 = {"name": "rp01", "external_addresses": ["198.51.100.10"], "internal_addresses": ["10.0.1.5"]}
RP2 = {"name": "rp02", "external_addresses": ["198.51.100.11"], "internal_addresses": ["10.0.1.6"]}


def lookup(variables, *terms, **options):
    """The lookup as Ansible's loader gives it (its options declared from its documentation)."""
    C.config.initialize_plugin_configuration_definitions(
        "lookup", NAME, yaml.safe_load(inventory_topology.DOCUMENTATION)["options"])
    templar = mock.MagicMock()
    # a value that went through the templar says so: each is read as the play would template it
    templar.template.side_effect = lambda value: dict(value, templated=True) if isinstance(value, dict) else value
    plugin = inventory_topology.LookupModule(loader=None, templar=templar)
    plugin._load_name = NAME
    return plugin.run(list(terms), variables=variables, **options)


def variables(**extra):
    return dict({"lync_topology": TOPOLOGY, "groups": {"lync_reverse_proxies": ["b", "a", "c"], "edge": ["a"]},
                 "hostvars": {"a": {"lync_reverse_proxy": RP1}, "b": {"lync_reverse_proxy": RP2}, "c": {}}}, **extra)


def names(result):
    assert len(result) == 1
    return [proxy["name"] for proxy in result[0]["reverse_proxies"]]


def test_lync_topology_takes_the_groups_proxies_in_its_order():
    result = lookup(variables())
    assert names(result) == ["rp02", "rp01"]
    assert result[0]["templated"] and all(proxy["templated"] for proxy in result[0]["reverse_proxies"])
    assert "reverse_proxies" not in TOPOLOGY


def test_the_group_from_the_variables_or_the_option():
    assert names(lookup(variables(lync_reverse_proxies_group="edge"))) == ["rp01"]
    assert names(lookup(variables(), group="edge")) == ["rp01"]
    # the option over the variable
    assert names(lookup(variables(lync_reverse_proxies_group="nobody"), group="edge")) == ["rp01"]


def test_a_topology_given_instead_of_lync_topology():
    other = dict(TOPOLOGY, sip_domains=["fabrikam.com"])
    result = lookup(variables(lync_topology={"unused": True}), topology=other)
    assert result[0]["sip_domains"] == ["fabrikam.com"] and names(result) == ["rp02", "rp01"]


@pytest.mark.parametrize("listed", [[RP1], []])
def test_a_topology_that_lists_its_proxies_wins(listed):
    result = lookup(variables(), topology=dict(TOPOLOGY, reverse_proxies=listed))
    assert result[0]["reverse_proxies"] == listed


def test_no_proxy_in_the_group_leaves_the_topology_as_it_is():
    result = lookup(variables(lync_reverse_proxies_group="nobody"))
    assert "reverse_proxies" not in result[0] and result[0]["sip_domains"] == ["contoso.com"]


def test_errors_name_what_is_wrong():
    with pytest.raises(AnsibleLookupError, match=r"takes no terms \(got 1\); give the topology as topology="):
        lookup(variables(), "topology.yml")
    missing = variables()
    del missing["lync_topology"]
    with pytest.raises(AnsibleLookupError, match="lync_topology is not defined"):
        lookup(missing)
    with pytest.raises(AnsibleLookupError, match="the topology must be a mapping, got list"):
        lookup(variables(lync_topology=["pool01"]))
