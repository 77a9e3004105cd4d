# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lync.reverse_proxy.plugins.filter import firewall_rules as rules_plugin
from ansible_collections.lync.reverse_proxy.plugins.filter import nftables_ruleset as plugin
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import full

nftables_ruleset = plugin.FilterModule().filters()["nftables_ruleset"]
firewall_rules = rules_plugin.FilterModule().filters()["firewall_rules"]


def _lines(text):
    return [line.strip() for line in text.splitlines()]


def test_input_chain_order_and_sets():
    text = nftables_ruleset(firewall_rules(full(), reverse_proxy="rp01"), ["10.250.0.0/24"],
                            external_interfaces=["ext0"])
    lines = _lines(text)
    chain = lines[lines.index("chain input {"):]
    assert chain[1:5] == [
        "type filter hook input priority filter; policy accept;",
        "ct state established,related accept",
        'iif "lo" accept',
        "tcp dport 22 ip saddr @management_v4 accept",
    ]
    assert chain[5] == ('iifname "ext0" ip saddr @external_http_src_v4 ip daddr @external_http_dst_v4 '
                        'tcp dport 80 accept comment "external-http"')
    assert chain[-3] == 'iifname "ext0" drop'
    assert "elements = { 198.51.100.10 }" in lines  # host routes without /32, as nft prints them
    assert "chain output {" not in lines  # no egress filtering unless asked


def test_egress_filtering_allows_exactly_the_internal_rules():
    text = nftables_ruleset(firewall_rules(full(), reverse_proxy="rp01"), ["10.250.0.0/24"],
                            external_interfaces=["ext0"], internal_interfaces=["int0"], egress_filtering=True)
    output = _lines(text)[_lines(text).index("chain output {"):]
    accepts = [line for line in output if line.endswith('"') and " accept comment " in line]
    assert [line.rsplit('"', 2)[1] for line in accepts] == [
        "internal-http-pools", "internal-https-pools", "internal-https-office-web-apps"]
    assert [line.split("tcp dport ")[1].split()[0] for line in accepts] == ["8080", "4443", "443"]
    assert output[-3] == 'oifname "int0" drop'


def test_proxy_narrowing_and_unknown_proxy():
    topology = full()
    topology["reverse_proxies"].append({"name": "rp02", "external_addresses": ["198.51.100.11"],
                                        "internal_addresses": ["10.0.1.6"]})
    rules = firewall_rules(topology, reverse_proxy="rp02")
    assert rules[1]["destinations"] == ["198.51.100.11/32"]
    assert rules[3]["sources"] == ["10.0.1.6/32"]
    with pytest.raises(AnsibleFilterError, match=r"reverse proxy 'rp9' is not in the topology's reverse_proxies \(known: rp01, rp02\)"):
        firewall_rules(topology, reverse_proxy="rp9")


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"management_sources": []}, "management_sources is empty"),
        ({"management_sources": ["10.0.0.0/8"], "table": "bad name"}, "is not a valid nftables table name"),
        ({"management_sources": ["10.0.0.0/8"], "external_interfaces": ['x" accept']}, "is not an interface name"),
        ({"management_sources": ["10.0.0.0/8"], "management_port": 70000}, "management_port must be a port number"),
    ],
)
def test_refuses_bad_arguments(kwargs, words):
    with pytest.raises(AnsibleFilterError, match=words):
        nftables_ruleset(firewall_rules(full(), reverse_proxy="rp01"), **kwargs)
