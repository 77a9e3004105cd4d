# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""firewall_config: one pass gives what the chained filters give, finds interfaces, merges
management sources, and names bad values."""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lync.reverse_proxy.plugins.filter import firewall_config as plugin
from ansible_collections.lync.reverse_proxy.plugins.filter import firewall_rules as rules_plugin
from ansible_collections.lync.reverse_proxy.plugins.filter import firewalld_files as firewalld_plugin
from ansible_collections.lync.reverse_proxy.plugins.filter import iptables_ruleset as iptables_plugin
from ansible_collections.lync.reverse_proxy.plugins.filter import nftables_ruleset as nftables_plugin
from ansible_collections.lync.reverse_proxy.plugins.filter import ufw_rules as ufw_plugin
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import TWO_PROXIES as TOPOLOGY

firewall_config = plugin.FilterModule().filters()["firewall_config"]
firewall_rules = rules_plugin.FilterModule().filters()["firewall_rules"]
RENDER = {
    "nftables": nftables_plugin.nftables_ruleset,
    "iptables": lambda rules, **policy: {"v%d" % f: iptables_plugin.iptables_ruleset(rules, family=f, **policy)
                                         for f in (4, 6)},
    "firewalld": firewalld_plugin.firewalld_files,
    "ufw": ufw_plugin.ufw_rules,
}

LINKS = [
    {"ifname": "lo", "addr_info": [{"family": "inet", "local": "127.0.0.1"}]},
    {"ifname": "eth1", "addr_info": [{"family": "inet", "local": "198.51.100.10"}]},
    {"ifname": "eth2", "addr_info": [{"family": "inet", "local": "10.10.1.5"}]},
    {"ifname": "mgmt0", "addr_info": [{"family": "inet", "local": "10.250.0.11"}]},
]
CONNECTION = "10.250.0.2 51000 10.250.0.11 22"


@pytest.mark.parametrize("backend", sorted(RENDER))
@pytest.mark.parametrize("egress", [False, True])
def test_same_as_the_chained_filters(backend, egress):
    if backend == "ufw" and egress:
        pytest.skip("ufw has no egress filtering of ours")
    got = firewall_config(TOPOLOGY, backend=backend, reverse_proxy="rp1", links=json.dumps(LINKS),
                          connection=CONNECTION, management_sources=["192.0.2.128/26", "10.250.0.0/24"],
                          egress_filtering=egress)
    rules = firewall_rules(TOPOLOGY, reverse_proxy="rp1")
    # The controller's address is inside 10.250.0.0/24: merged away; the list comes out sorted.
    policy = {"management_sources": ["10.250.0.0/24", "192.0.2.128/26"], "external_interfaces": ["eth1"],
              "internal_interfaces": ["eth2"], "egress_filtering": egress}
    assert got["content"] == RENDER[backend](rules, **policy)
    assert got["rules"] == len(rules)
    assert (got["external_interfaces"], got["internal_interfaces"]) == (["eth1"], ["eth2"])
    assert got["management_sources"] == ["10.250.0.0/24", "192.0.2.128/26"]


@pytest.mark.parametrize("side", ["external", "internal"])
def test_gateway(side):
    got = firewall_config(TOPOLOGY, placement="gateway", side=side, external_interfaces=["inet0"],
                          internal_interfaces=["dmz0"], links=LINKS)
    rules = firewall_rules(TOPOLOGY, interface=side)
    assert got["content"] == RENDER["nftables"](rules, management_sources=[], external_interfaces=["inet0"],
                                                internal_interfaces=["dmz0"], placement="gateway", side=side)
    assert got["rules"] == len(rules) > 0


def test_connection_source_kept_or_not():
    kept = firewall_config(TOPOLOGY, reverse_proxy="rp1", links=LINKS, connection="172.16.5.9 4000 10.250.0.11 22",
                           management_sources=["10.250.0.0/24"])
    assert kept["management_sources"] == ["10.250.0.0/24", "172.16.5.9/32"]
    assert "172.16.5.9" in kept["content"]
    dropped = firewall_config(TOPOLOGY, reverse_proxy="rp1", links=LINKS, connection="172.16.5.9 4000 10.250.0.11 22",
                              management_sources=["10.250.0.0/24"], keep_connection_source=False)
    assert dropped["management_sources"] == ["10.250.0.0/24"]
    assert "172.16.5.9" not in dropped["content"]


def test_adjacent_management_networks_merge():
    got = firewall_config(TOPOLOGY, reverse_proxy="rp1", links=LINKS,
                          management_sources=["10.250.1.0/24", "10.250.0.0/24", "", None])
    assert got["management_sources"] == ["10.250.0.0/23"]


def test_given_interfaces_win_over_links():
    got = firewall_config(TOPOLOGY, reverse_proxy="rp1", links=LINKS, management_sources=["10.250.0.0/24"],
                          external_interfaces=["wan9"])
    assert got["external_interfaces"] == ["wan9"]
    assert got["internal_interfaces"] == ["eth2"]
    assert 'iifname "wan9"' in got["content"] or "wan9" in got["content"]


def test_no_listener_address_on_the_host_is_refused_not_left_unfiltered():
    # rp2's addresses are not on this host: no interface is found, and a ruleset that filters
    # no interface (the listener unfiltered) is refused with the name of what is missing.
    with pytest.raises(AnsibleFilterError, match="external_interfaces is empty: the listener's interface is needed"):
        firewall_config(TOPOLOGY, reverse_proxy="rp2", links=LINKS, management_sources=["10.250.0.0/24"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"backend": "pf", "reverse_proxy": "rp1"}, "backend must be one of .*'pf'"),
        ({"reverse_proxy": "rp9"}, "reverse proxy 'rp9' is not in the topology"),
        ({}, "placement host needs reverse_proxy"),
        ({"placement": "dmz", "reverse_proxy": "rp1"}, "placement must be one of .*'dmz'"),
        ({"placement": "gateway"}, "gateway placement needs side"),
        ({"reverse_proxy": "rp1", "management_sources": ["10.250.0.0/33"]},
         r"management_sources\[0\]: '10.250.0.0/33' is not an address or network"),
        ({"reverse_proxy": "rp1", "management_sources": "10.250.0.0/24"}, "management_sources must be a list"),
        ({"reverse_proxy": "rp1", "management_sources": ["10.250.0.0/24"], "connection": "bogus 1 2 3"},
         "the connection's source address: 'bogus'"),
        ({"reverse_proxy": "rp1", "management_sources": ["10.250.0.0/24"], "management_port": "ssh"},
         "management_port must be a port number, got 'ssh'"),
        ({"reverse_proxy": "rp1", "keep_connection_source": False}, "management_sources is empty"),
    ],
)
def test_errors_name_the_value(kwargs, message):
    with pytest.raises(AnsibleFilterError, match="^firewall_config: .*" + message):
        firewall_config(TOPOLOGY, links=LINKS, **kwargs)


def test_bad_topology_names_the_path():
    broken = dict(TOPOLOGY, reverse_proxies=[{"name": "rp1", "external_addresses": ["300.1.1.1"]}])
    with pytest.raises(AnsibleFilterError, match=r"reverse_proxies\[0\]"):
        firewall_config(broken, reverse_proxy="rp1", management_sources=["10.250.0.0/24"])


def test_bad_management_source_named_by_its_own_index():
    with pytest.raises(AnsibleFilterError, match=r"management_sources\[2\]: 'nowhere'"):
        firewall_config(TOPOLOGY, reverse_proxy="rp1", links=LINKS, management_sources=["", "10.250.0.0/24", "nowhere"])
