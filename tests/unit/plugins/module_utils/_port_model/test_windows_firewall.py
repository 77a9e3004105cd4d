# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Windows Firewall is a firewall backend like the others: a Renderer in BACKENDS, reached through
render_firewall with a FirewallPolicy, so the same checks refuse what it cannot do with the same
messages. (test_windows.py and the golden files pin its output; they are unchanged by it.)"""

from __future__ import annotations

import dataclasses
import re

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils._names import WINDOWS_FIREWALL_GROUP
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    BACKENDS,
    PortModelError,
    build_policy,
    compute_model,
    firewall_config,
    proxy_group,
    render_firewall,
    render_powershell,
    select_rules,
    windows_firewall_rules,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._select import server_rules
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    TWO_PROXIES,
    full,
    golden_cases,
)

RENDERER = BACKENDS["windows_firewall"]
HOST = {"management_sources": ["10.250.0.0/24"], "external_interfaces": ["ext0"], "internal_interfaces": ["int0"]}


@pytest.fixture(name="model")
def fixture_model():
    return compute_model(full())


@pytest.fixture(name="rules")
def fixture_rules(model):
    return select_rules(model, reverse_proxy="rp01")


def test_the_renderer_declares_what_windows_firewall_does():
    assert RENDERER.placements == ("host", "server")
    assert RENDERER.egress_filtering and not RENDERER.source_limits and not RENDERER.default_drop
    assert set(RENDERER.limits) == {"placement", "source_limits", "management_sources", "interfaces"}
    assert RENDERER.options["group"].default == WINDOWS_FIREWALL_GROUP == "lync.reverse_proxy"


@pytest.mark.parametrize("case", sorted(golden_cases()))
def test_windows_firewall_rules_is_render_firewall_with_a_policy(case):
    """The filter's function is selection, a policy and render_firewall: nothing else."""
    model = compute_model(golden_cases()[case])
    proxies = sorted({g["name"] for rule in model["rules"] for g in rule["destination_groups"]
                      if g["role"] == "reverse_proxy_listener" and g["name"] and "members" not in g
                      and proxy_group(model, g["name"]) is None})  # a group's members are Linux (keepalived)
    for proxy in proxies:
        for egress in (False, True):
            assert windows_firewall_rules(model, [], reverse_proxy=proxy, egress_filtering=egress) == render_firewall(
                "windows_firewall", select_rules(model, reverse_proxy=proxy),
                build_policy(placement="host", egress_filtering=egress))
    servers = sorted({a.split("/")[0] for rule in model["rules"] if rule["interface"] == "internal"
                      for g in rule["destination_groups"] for a in g["addresses"]})
    for server in servers:
        assert windows_firewall_rules(model, [server]) == render_firewall(
            "windows_firewall", server_rules(model, [server]), build_policy(placement="server"))


def test_a_server_gets_the_internal_rules_narrowed_to_its_addresses(model):
    rules = server_rules(model, ["10.0.10.11", "10.0.10.12", "192.0.2.99"])
    assert [(rule["id"], rule["destinations"]) for rule in rules] == [
        ("internal-http-pools", ["10.0.10.11/32", "10.0.10.12/32"]),
        ("internal-https-pools", ["10.0.10.11/32", "10.0.10.12/32"])]
    assert [[g["name"] for g in rule["destination_groups"]] for rule in rules] == [["pool01"], ["pool01"]]
    assert server_rules(model, ["192.0.2.99"]) == []
    assert render_firewall("windows_firewall", [], build_policy(placement="server")) == []


@pytest.mark.parametrize("policy, message", [
    ({"placement": "gateway", "side": "external", "external_interfaces": ["outside0"],
      "internal_interfaces": ["inside0"], "management_sources": []},
     "placement gateway is not supported with windows_firewall (Windows Firewall filters the host's own traffic: a "
     "gateway between zones is a Linux router (nftables, iptables, firewalld or ufw))"),
    ({"source_connections": 100},
     "per-source limits (source_connections, source_rate) are not supported with windows_firewall (Windows Firewall "
     "has no per-source connection or rate limits)"),
    ({"source_rate": 20}, "per-source limits (source_connections, source_rate) are not supported with windows_firewall"),
    ({"management_sources": ["10.250.0.0/24"]},
     "management_sources is not supported with windows_firewall (its rules only allow, in their own group: what "
     "else reaches the host, WinRM among it, is left to the host's other rules and the profiles' default action)"),
    ({"connection": "192.0.2.50 51000 10.250.0.1 22", "keep_connection_source": True},
     "management_sources is not supported with windows_firewall"),
    ({"external_interfaces": ["Ethernet0"]},
     "external_interfaces and internal_interfaces are not supported with windows_firewall (its rules are bound to "
     "the host's own addresses (their local addresses), not to interfaces)"),
])
def test_what_windows_firewall_cannot_do_is_named(rules, policy, message):
    with pytest.raises(PortModelError) as caught:
        render_firewall("windows_firewall", rules, build_policy(**policy))
    assert str(caught.value).startswith(message)


def test_the_same_message_as_the_other_backends(rules, monkeypatch):
    """What no backend declares is refused by the one check, worded once."""
    for backend, policy in (("firewalld", build_policy(source_rate=20, **HOST)),
                            ("windows_firewall", build_policy(source_rate=20))):
        with pytest.raises(PortModelError) as caught:
            render_firewall(backend, rules, policy)
        assert str(caught.value).startswith(
            "per-source limits (source_connections, source_rate) are not supported with %s (%s)"
            % (backend, BACKENDS[backend].limits["source_limits"]))
    monkeypatch.setitem(BACKENDS, "windows_firewall", dataclasses.replace(RENDERER, egress_filtering=False))
    with pytest.raises(PortModelError, match="^egress_filtering is not supported with windows_firewall"):
        render_firewall("windows_firewall", rules, build_policy(egress_filtering=True))


def test_the_rules_checks_apply_to_a_windows_reverse_proxy(model, rules):
    policy = build_policy()
    internal = [rule for rule in rules if rule["interface"] == "internal"]
    with pytest.raises(PortModelError, match="^the rules have no external rules: everything arriving for the "
                                             "listener would be dropped"):
        render_firewall("windows_firewall", internal, policy)
    with pytest.raises(PortModelError, match="^the input must be a list of rules"):
        render_firewall("windows_firewall", {"rules": []}, policy)
    rp2 = [dict(rule, sources=["2001:db8::/32"])
           for rule in select_rules(compute_model(TWO_PROXIES), interface="external", reverse_proxy="rp2")]
    with pytest.raises(PortModelError, match="IPv4 and IPv6 addresses that never meet"):
        render_firewall("windows_firewall", rp2, policy)
    without = [dict(rule, destinations=[]) if rule["id"] == "external-https" else rule for rule in rules]
    with pytest.raises(PortModelError, match="^rule external-https has no destinations: its traffic would be dropped"):
        render_firewall("windows_firewall", without, policy)


def test_egress_filtering_is_the_policys(rules):
    inbound = render_firewall("windows_firewall", rules, build_policy())
    both = render_firewall("windows_firewall", rules, build_policy(egress_filtering=True))
    assert [r["direction"] for r in inbound] == ["in", "in"]
    assert [r["direction"] for r in both] == ["in", "in", "out", "out", "out"]
    assert both[:2] == inbound
    # On a server egress filtering means nothing, as on a gateway: the filter has always ignored it there.
    server = build_policy(placement="server", egress_filtering=True)
    assert render_firewall("windows_firewall", server_rules(compute_model(full()), ["10.0.10.11"]), server) == \
        windows_firewall_rules(compute_model(full()), ["10.0.10.11"])


def test_the_group_is_the_renderers_option(rules):
    other = render_firewall("windows_firewall", rules, build_policy(), group="contoso.edge")
    assert [r["name"] for r in other] == ["contoso.edge/external-http/80", "contoso.edge/external-https/443"]
    assert {r["group"] for r in other} == {"contoso.edge"}
    with pytest.raises(PortModelError, match=re.escape(
            "group 'not a group' is not a Windows Firewall group name of letters, digits, dots, underscores and "
            "hyphens, at most 64 characters")):
        render_firewall("windows_firewall", rules, build_policy(), group="not a group")
    with pytest.raises(PortModelError, match=r"^windows_firewall takes no option table \(its options: group\)"):
        render_firewall("windows_firewall", rules, build_policy(), table="lync")
    # The script keeps the collection's group (the rp_iis_arr role's names are under it too).
    with pytest.raises(PortModelError, match="^the script keeps the Windows Firewall rules of group lync.reverse_proxy "
                                             r"\(and the rp_iis_arr role's names under it\), not of group contoso.edge"):
        render_powershell(other)


@pytest.mark.parametrize("backend", ["nftables", "iptables", "firewalld", "ufw"])
def test_a_linux_backend_has_no_server_placement(rules, backend):
    with pytest.raises(PortModelError, match="^placement server is not supported with %s$" % backend):
        render_firewall(backend, rules, build_policy(placement="server", **HOST))


def test_firewall_config_renders_the_linux_backends_only():
    with pytest.raises(PortModelError) as caught:
        firewall_config(TWO_PROXIES, backend="windows_firewall", reverse_proxy="rp1", **HOST)
    assert str(caught.value) == (
        "backend must be one of nftables, iptables, firewalld, ufw, got 'windows_firewall' (firewall_config renders a "
        "Linux host's firewall; Windows Firewall: the windows_firewall_rules filter, the rp_windows_firewall role)")
