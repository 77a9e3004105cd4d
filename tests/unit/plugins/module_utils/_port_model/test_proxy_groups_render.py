# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every consumer of the model makes of a reverse proxy group: the firewall backends (VRRP from
the group's other members on a member, nothing on a gateway, a clear refusal on Windows), the proxies'
binds, aerleon, the port tables and the handout (the row as an addition, in English and Korean), and
the probes (which never probe a rule without a port)."""

from __future__ import annotations

import re

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    PortModelError,
    aerleon_policy,
    compute_model,
    firewall_config,
    probe_endpoints,
    proxy_config,
    render_firewalld,
    render_iptables,
    render_nftables,
    render_port_table,
    render_ufw,
    select_rules,
    windows_firewall_rules,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._tables import table_rows
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.test_proxy_groups import grouped

HOST = {"management_sources": ["10.250.0.0/24"], "external_interfaces": ["ext0"], "internal_interfaces": ["int0"]}
GATEWAY = {"placement": "gateway", "side": "external", "external_interfaces": ["outside0"],
           "internal_interfaces": ["inside0"]}
# rp1's own addresses and its peer's (rp2), as the topology gives them
OWN = {4: "198.51.100.10", 6: "2001:db8:100::10"}
PEER = {4: "198.51.100.11", 6: "2001:db8:100::11"}


@pytest.fixture(name="model")
def fixture_model():
    return compute_model(grouped())


def _rp1(model):
    return select_rules(model, reverse_proxy="rp1")


# -- nftables ------------------------------------------------------------------------------------
def test_nftables_admits_vrrp_from_the_peer(model):
    text = render_nftables(_rp1(model), **HOST)
    for version, proto in ((4, "ip"), (6, "ip6")):
        assert ('\t\tiifname "ext0" %s saddr @external_vrrp_src_v%d %s daddr @external_vrrp_dst_v%d meta l4proto vrrp '
                'accept comment "external-vrrp"' % (proto, version, proto, version)) in text.splitlines()


def test_nftables_sets_of_the_vrrp_rule(model):
    text = render_nftables(_rp1(model), **HOST)
    for version in (4, 6):
        for end, address in (("src", PEER[version]), ("dst", OWN[version])):
            block = re.search(r"set external_vrrp_%s_v%d \{[^}]*elements = \{ ([^}]*) \}" % (end, version), text)
            assert block and block.group(1) == address


def test_nftables_limits_leave_vrrp_alone(model):
    text = render_nftables(_rp1(model), source_connections=100, source_rate=10, **HOST)
    assert "tcp dport { 80, 443 } ct state new" in text
    assert [line for line in text.splitlines() if "vrrp" in line and "ct state new" in line] == []


def test_nftables_accepts_the_rendering():
    """nft itself checks the table (when nft is installed here)."""
    import shutil  # pylint: disable=import-outside-toplevel
    import subprocess  # pylint: disable=import-outside-toplevel

    if not shutil.which("nft"):
        pytest.skip("nft is not installed")
    text = render_nftables(_rp1(compute_model(grouped())), **HOST)
    checked = subprocess.run(["nft", "-c", "-f", "-"], input=text, text=True, capture_output=True, check=False)
    if "Operation not permitted" in checked.stderr:
        pytest.skip("nft -c needs CAP_NET_ADMIN here")
    assert checked.returncode == 0, checked.stderr


# -- iptables ------------------------------------------------------------------------------------
def test_iptables_admits_vrrp_from_the_peer_in_both_families(model):
    rendered = render_iptables(_rp1(model), family="both", **HOST)
    for version, prefix in ((4, 32), (6, 128)):
        part = rendered["v%d" % version]
        chain = next(chain for chain, builtin in part["chains"].items() if builtin == "INPUT")
        assert ("-A %s -s %s/%d -d %s/%d -i ext0 -p vrrp -m comment --comment external-vrrp -j ACCEPT"
                % (chain, PEER[version], prefix, OWN[version], prefix)) in part["content"].splitlines()


# -- firewalld -----------------------------------------------------------------------------------
def test_firewalld_admits_vrrp_from_the_peer(model):
    files = render_firewalld(_rp1(model), **HOST)
    zone = next(text for name, text in files.items() if name.endswith("-external.xml"))
    for version, prefix in ((4, 32), (6, 128)):
        assert ('<rule family="ipv%d"><source address="%s/%d"/><destination address="%s/%d"/>'
                '<protocol value="vrrp"/><accept/></rule>' % (version, PEER[version], prefix, OWN[version], prefix)) in zone


# -- ufw -----------------------------------------------------------------------------------------
def test_ufw_rules_leave_vrrp_to_the_before_rules(model):
    rules = render_ufw(_rp1(model), **HOST)
    assert [rule for rule in rules if "vrrp" in rule["comment"]] == []
    assert {rule["to_port"] for rule in rules} == {"22", "80", "443"}


def test_firewall_config_gives_ufw_its_before_rules():
    config = firewall_config(grouped(), backend="ufw", reverse_proxy="rp1", **HOST)
    assert config["ufw_before_rules"] == {
        "v4": ["-A ufw-before-input -i ext0 -s 198.51.100.11/32 -d 198.51.100.10/32 -p vrrp "
               "-m comment --comment lync-rp:external-vrrp -j ACCEPT"],
        "v6": ["-A ufw6-before-input -i ext0 -s 2001:db8:100::11/128 -d 2001:db8:100::10/128 -p vrrp "
               "-m comment --comment lync-rp:external-vrrp -j ACCEPT"],
    }


def test_ufw_before_rules_are_empty_without_a_group():
    config = firewall_config(grouped(), backend="ufw", reverse_proxy="rp3", **HOST)
    assert config["ufw_before_rules"] == {"v4": [], "v6": []}


def test_other_backends_have_no_before_rules():
    assert "ufw_before_rules" not in firewall_config(grouped(), backend="nftables", reverse_proxy="rp1", **HOST)


# -- a gateway forwards no VRRP ------------------------------------------------------------------
@pytest.mark.parametrize("backend", ["nftables", "iptables", "firewalld", "ufw"])
def test_a_gateway_forwards_no_vrrp(backend):
    config = firewall_config(grouped(), backend=backend, management_sources=["10.250.0.0/24"], **GATEWAY)
    assert "vrrp" not in repr(config["content"])
    assert "443" in repr(config["content"])  # the listener rules are still there
    assert config.get("ufw_before_rules", {"v4": [], "v6": []}) == {"v4": [], "v6": []}


# -- Windows -------------------------------------------------------------------------------------
def test_windows_firewall_refuses_a_member(model):
    with pytest.raises(PortModelError, match="a Windows reverse proxy cannot be a member of reverse_proxy_groups"):
        windows_firewall_rules(model, [], reverse_proxy="rp1")


def test_windows_firewall_serves_a_proxy_in_no_group(model):
    names = [rule["name"] for rule in windows_firewall_rules(model, [], reverse_proxy="rp3")]
    assert names and not [name for name in names if "vrrp" in name]


# -- the proxies bind the virtual addresses ------------------------------------------------------
def test_haproxy_binds_the_virtual_addresses_after_its_own():
    text = proxy_config(grouped(), "haproxy", reverse_proxy="rp2", pem_path="/etc/haproxy/l.pem",
                        ca_path="/etc/haproxy/ca.pem")
    binds = [line.split()[1] for line in text.splitlines() if line.strip().startswith("bind ")]
    assert binds[:4] == ["198.51.100.11:443", "ipv6@2001:db8:100::11:443", "198.51.100.20:443",
                         "ipv6@2001:db8:100::20:443"]


def test_nginx_listens_on_the_virtual_addresses():
    text = proxy_config(grouped(), "nginx", reverse_proxy="rp1", certificate_path="/etc/nginx/l.crt",
                        key_path="/etc/nginx/l.key", ca_path="/etc/nginx/ca.pem")
    assert "198.51.100.20:443" in text and "[2001:db8:100::20]:443" in text


# -- aerleon -------------------------------------------------------------------------------------
def test_aerleon_has_a_vrrp_term(model):
    policy = aerleon_policy(model, {"cisco": "edge-in"}, interface="external")
    terms = {term["name"]: term for term in policy["policies"][0]["filters"][0]["terms"]}
    term = terms["external-vrrp"]
    assert term["protocol"] == "vrrp" and "destination-port" not in term
    assert term["source-address"] == term["destination-address"] == "LYNC_LISTENER_RP1 LYNC_LISTENER_RP2"
    assert "LYNC_LISTENER_RPG1" in terms["external-https"]["destination-address"]
    assert policy["definitions"]["networks"]["LYNC_LISTENER_RPG1"]["values"][0]["address"] == "198.51.100.20/32"


def test_aerleon_narrowed_to_a_member(model):
    policy = aerleon_policy(model, {"cisco": "edge-in"}, reverse_proxy="rp2", interface="external")
    term = next(term for term in policy["policies"][0]["filters"][0]["terms"] if term["name"] == "external-vrrp")
    assert (term["source-address"], term["destination-address"]) == ("LYNC_LISTENER_RP1", "LYNC_LISTENER_RP2")


# -- port tables and handout ---------------------------------------------------------------------
@pytest.mark.parametrize("lang, protocol, addition, words", [
    ("en", "VRRP/IP protocol 112", "(Addition beyond the source)", "keepalived"),
    ("ko", "VRRP/IP 프로토콜 112", "(원본 문서에 없는 추가 항목)", "keepalived"),
])
def test_the_vrrp_row(model, lang, protocol, addition, words):
    row = next(row for row in table_rows(model["rules"], lang) if row["rule"] == "external-vrrp")
    assert row["protocol"] == protocol and row["addition"] is True and row["interface"] == "external"
    assert row["notes"].startswith(addition + " ") and words in row["notes"]
    assert "198.51.100.10" in row["source"] and "198.51.100.11" in row["destination"]


def test_the_limits_note_is_not_on_the_vrrp_row(model):
    limits = {"firewall": {"connections": 100, "rate": 10}}
    rows = {row["rule"]: row for row in table_rows(model["rules"], "en", limits=limits)}
    assert "Per source" in rows["external-https"]["notes"] and "Per source" not in rows["external-vrrp"]["notes"]


def test_the_listener_row_shows_the_virtual_addresses(model):
    row = next(row for row in table_rows(model["rules"], "en") if row["rule"] == "external-https")
    assert "Reverse proxy listener rpg1 (virtual addresses of rp1, rp2): 198.51.100.20, 2001:db8:100::20" in row["destination"]


@pytest.mark.parametrize("fmt", ["markdown", "csv"])
def test_the_tables_carry_the_row(model, fmt):
    text = render_port_table(model, fmt, "en")
    assert "VRRP/IP protocol 112" in text and "(Addition beyond the source)" in text


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_handout_marks_the_row_as_an_addition(model, lang):
    html = render_port_table(model, "html", lang, generated="2026-01-01")
    assert re.search(r'<tr data-rule="external-vrrp" data-addition="true"><td>VRRP/', html)
    assert html.count('data-addition="true"') == 1


def test_the_handout_shows_the_shared_addresses_on_each_member(model):
    svg = render_port_table(model, "svg", "en")
    assert svg.count("198.51.100.20") == 2  # in the boxes of rp1 and rp2, not in a box of its own
    assert "rpg1" not in svg


# -- probes --------------------------------------------------------------------------------------
def test_probes_reach_the_virtual_addresses_and_never_probe_vrrp(model):
    endpoints = probe_endpoints(model, "outside", reverse_proxy="rp1")
    assert {endpoint["address"] for endpoint in endpoints} == {OWN[4], OWN[6], "198.51.100.20", "2001:db8:100::20"}
    assert all(isinstance(endpoint["port"], int) for endpoint in endpoints)
    for vantage in ("reverse_proxy", "front_end", "certificates"):
        assert all(isinstance(e["port"], int) for e in probe_endpoints(model, vantage, reverse_proxy="rp1"))


def test_iis_bindings_refuse_a_member(model):
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import iis_bindings  # pylint: disable=import-outside-toplevel

    with pytest.raises(PortModelError, match="a Windows reverse proxy with IIS ARR cannot be a member"):
        iis_bindings(model, "rp2")
    assert {binding["ip"] for binding in iis_bindings(model, "rp3")} == {"203.0.113.30"}
