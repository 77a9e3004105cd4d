# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The firewall policy is built and checked once; renderers declare what they support."""

from __future__ import annotations

import dataclasses
import re

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    BACKENDS,
    FirewallPolicy,
    PortModelError,
    build_policy,
    compute_model,
    firewall_config,
    render_firewall,
    render_nftables,
    select_rules,
)
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import TWO_PROXIES as TOPOLOGY

HOST = {"management_sources": ["10.250.0.0/24"], "external_interfaces": ["ext0"], "internal_interfaces": ["int0"]}


@pytest.fixture(name="rules")
def fixture_rules():
    return select_rules(compute_model(TOPOLOGY), reverse_proxy="rp1")


def test_policy_is_normalised_once():
    policy = build_policy(management_sources=["10.250.0.9", "10.250.0.0/24", "2001:db8::1"], management_port="2222",
                          external_interfaces=["ext0"], connection="192.0.2.50 51000 10.250.0.1 22",
                          keep_connection_source=True)
    assert policy.management_sources == ("10.250.0.0/24", "192.0.2.50/32", "2001:db8::1/128")
    assert policy.management_port == 2222
    assert policy.side is None and policy.placement == "host"
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.management_port = 22  # type: ignore[misc]


def test_connection_is_kept_only_when_asked():
    policy = build_policy(management_sources=["10.250.0.0/24"], connection="192.0.2.50 1 2 22")
    assert policy.management_sources == ("10.250.0.0/24",)


@pytest.mark.parametrize("kwargs, message", [
    ({"placement": "router"}, "placement must be one of host, gateway, server, got 'router'"),
    ({"management_sources": "10.0.0.0/8"}, "management_sources must be a list of networks"),
    ({"management_sources": ["10.0.0.0/8", "ten"]}, "management_sources[1]: 'ten' is not an address or network"),
    ({"management_port": True}, "management_port must be a port number"),
    ({"management_port": "ssh"}, "management_port must be a port number, got 'ssh'"),
    ({"management_port": 70000}, "management_port must be a port number (1-65535), got 70000"),
    ({"external_interfaces": "eth0"}, "external_interfaces must be a list of interface names"),
    ({"internal_interfaces": ["int0", "a-name-far-too-long"]}, "internal_interfaces[1]: 'a-name-far-too-long'"),
    ({"placement": "gateway", "side": "dmz"}, "gateway placement needs side: external or internal, got 'dmz'"),
    ({"placement": "gateway", "side": "external", "internal_interfaces": []}, "gateway placement needs outside"),
    ({"placement": "gateway", "side": "external", "internal_interfaces": ["ext0"]}, "interfaces ['ext0'] are both"),
])
def test_bad_options_are_named(kwargs, message):
    with pytest.raises(PortModelError, match=re.escape(message)):
        build_policy(**dict(HOST, **kwargs))


def test_every_backend_declares_its_options_and_limits():
    assert set(BACKENDS) == {"nftables", "iptables", "firewalld", "ufw", "windows_firewall"}
    for renderer in BACKENDS.values():
        assert renderer.options, renderer.name
        for feature, supported in (("egress_filtering", renderer.egress_filtering),
                                   ("source_limits", renderer.source_limits),
                                   ("interfaces", renderer.default_drop),
                                   ("management_sources", renderer.default_drop)):
            assert supported or feature in renderer.limits, renderer.name
    assert not BACKENDS["ufw"].egress_filtering


def test_management_sources_are_needed_where_the_backend_drops_the_rest(rules):
    """A backend that drops what its rules do not allow needs the management sources on a proxy;
    one that only adds allow rules (Windows Firewall) needs none and refuses them."""
    policy = build_policy(**{**HOST, "management_sources": []})
    assert policy.management_sources == ()
    for backend in ("nftables", "iptables", "firewalld", "ufw"):
        with pytest.raises(PortModelError, match="management_sources is empty: management access would not be kept"):
            render_firewall(backend, rules, policy)
    assert render_firewall("windows_firewall", rules, build_policy())
    with pytest.raises(PortModelError, match=r"management_sources is not supported with windows_firewall \(its rules "
                                             r"only allow, in their own group"):
        render_firewall("windows_firewall", rules, build_policy(management_sources=["10.250.0.0/24"]))


def test_unsupported_features_come_from_the_declaration(rules, monkeypatch):
    policy = build_policy(egress_filtering=True, **HOST)
    with pytest.raises(PortModelError, match="egress_filtering is not supported with ufw .ufw orders rules"):
        render_firewall("ufw", rules, policy)
    # The same check refuses it for any backend that declares it missing.
    monkeypatch.setitem(BACKENDS, "nftables", dataclasses.replace(BACKENDS["nftables"], egress_filtering=False))
    with pytest.raises(PortModelError, match="egress_filtering is not supported with nftables"):
        render_firewall("nftables", rules, policy)


def test_renderer_options_are_checked_before_rendering(rules):
    policy = build_policy(**HOST)
    with pytest.raises(PortModelError, match="nftables takes no option chain_prefix .its options: table"):
        render_firewall("nftables", rules, policy, chain_prefix="X")
    with pytest.raises(PortModelError, match="table 'bad name' is not a valid nftables table name"):
        render_firewall("nftables", rules, policy, table="bad name")
    with pytest.raises(PortModelError, match="prefix 'UPPER' is not a prefix of lower-case letters"):
        render_firewall("firewalld", rules, policy, prefix="UPPER")
    with pytest.raises(PortModelError,
                       match="backend must be one of nftables, iptables, firewalld, ufw, windows_firewall, got 'pf'"):
        render_firewall("pf", rules, policy)
    with pytest.raises(PortModelError, match="the policy must come from build_policy"):
        render_firewall("nftables", rules, dict(HOST))


def test_renderers_see_only_checked_rules(rules):
    policy = build_policy(**HOST)
    with pytest.raises(PortModelError, match="the input must be a list of rules"):
        render_firewall("iptables", "not rules", policy)
    with pytest.raises(PortModelError, match="the rules have no external rules"):
        render_firewall("firewalld", [rule for rule in rules if rule["interface"] == "internal"], policy)


@pytest.mark.parametrize("backend, own", [("nftables", {"table": "t1"}), ("iptables", {"chain_prefix": "X"}),
                                          ("firewalld", {"firewalld_prefix": "fw"}), ("ufw", {"ufw_comment_prefix": "c:"})])
def test_firewall_config_and_the_standalone_path_agree(rules, backend, own):
    """The role's path (firewall_config) and a standalone rendering give the same text."""
    config = firewall_config(TOPOLOGY, backend=backend, reverse_proxy="rp1", keep_connection_source=False, **HOST, **own)
    name = {"table": "table", "chain_prefix": "chain_prefix", "firewalld_prefix": "prefix",
            "ufw_comment_prefix": "comment_prefix"}[next(iter(own))]
    direct = render_firewall(backend, rules, build_policy(**HOST), **{name: next(iter(own.values()))})
    assert config["content"] == direct
    assert isinstance(build_policy(**HOST), FirewallPolicy)


def test_standalone_filter_merges_management_sources(rules):
    text = render_nftables(rules, management_sources=["10.250.0.0/25", "10.250.0.128/25"], external_interfaces=["ext0"])
    assert "elements = { 10.250.0.0/24 }" in text


def test_firewall_config_rejects_unknown_options():
    with pytest.raises(PortModelError, match="firewall_config takes no option tabel"):
        firewall_config(TOPOLOGY, reverse_proxy="rp1", tabel="x", **HOST)
