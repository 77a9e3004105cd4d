# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What holds the listener under hostile load: per-source limits in the firewall policy (rendered
by nftables and iptables, refused or left out with a warning by firewalld and ufw), the proxies'
handshake and request-head time-outs and per-source limits, and the connection budget sized from
the host. That the rendered text loads and works is the lab's part (molecule scenario hostile)."""

from __future__ import annotations

import re

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    BACKENDS,
    PortModelError,
    build_policy,
    compute_model,
    firewall_config,
    proxy_config,
    render_firewalld,
    render_iptables,
    render_nftables,
    render_ufw,
    select_rules,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers.proxies import _haproxy, _nginx
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    TWO_PROXIES as TOPOLOGY,
)
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import with_options

HOST = {"management_sources": ["10.250.0.0/24"], "external_interfaces": ["ext0"], "internal_interfaces": ["int0"]}
GATEWAY = {"placement": "gateway", "external_interfaces": ["out0"], "internal_interfaces": ["in0"]}
LIMITS = {"source_connections": 1000, "source_rate": 200}
HAPROXY = {"pem_path": "/etc/haproxy/lync/l.pem", "ca_path": "/etc/haproxy/lync/ca.pem"}
NGINX = {"certificate_path": "/etc/nginx/lync/l.crt", "key_path": "/etc/nginx/lync/l.key",
         "ca_path": "/etc/nginx/lync/ca.pem"}


@pytest.fixture(name="rules")
def fixture_rules():
    return select_rules(compute_model(TOPOLOGY), reverse_proxy="rp1")


def _lines(text: str, pattern: str) -> list:
    return [line.strip() for line in text.splitlines() if re.search(pattern, line)]


# -- the policy ---------------------------------------------------------------------------------
def test_limits_are_off_unless_asked_and_burst_is_twice_the_rate(rules):
    assert not build_policy(**HOST).source_limits
    assert build_policy(**HOST).limited_ports(rules) == []
    policy = build_policy(**HOST, source_connections=0, source_rate=50)
    assert policy.source_limits and policy.source_limits.burst == 100
    assert policy.limited_ports(rules) == [80, 443]


# nginx cannot limit the rate per source: rp_firewall holds HAProxy's budget then (100 a second over 10 s)
NGINX_BUDGET = {"source_connections": 1000, "source_rate": 100, "source_burst": 1000}


def test_a_burst_given_replaces_twice_the_rate(rules):
    assert build_policy(**HOST, **NGINX_BUDGET).source_limits.burst == 1000
    assert build_policy(**HOST, source_rate=100, source_burst=0).source_limits.burst == 200
    # a burst without a rate limits nothing
    only = build_policy(**HOST, source_burst=500)
    assert not only.source_limits and only.limited_ports(rules) == [] and only.source_limits.burst == 0


@pytest.mark.parametrize("burst", [99, 10001])
def test_a_burst_below_the_rate_or_above_what_iptables_takes_is_named(burst):
    with pytest.raises(PortModelError, match=re.escape(
            "source_burst must be 0 (twice source_rate) or from source_rate (100) to 10000 (iptables' hashlimit "
            "takes no more), got %d" % burst)):
        build_policy(**HOST, source_rate=100, source_burst=burst)


@pytest.mark.parametrize("value", [-1, True, "100", 1.5])
def test_bad_bursts_are_named(value):
    with pytest.raises(PortModelError, match=re.escape("source_burst must be a whole number of at least 0 (0: no "
                                                       "limit), got %r" % (value,))):
        build_policy(**HOST, source_rate=100, source_burst=value)


@pytest.mark.parametrize("value", [-1, True, "100", 1.5])
def test_bad_limits_are_named(value):
    with pytest.raises(PortModelError, match=re.escape("source_rate must be a whole number of at least 0 (0: no limit), "
                                                       "got %r" % (value,))):
        build_policy(**HOST, source_rate=value)


def test_limits_cover_the_listener_not_the_internal_side():
    model = compute_model(TOPOLOGY)
    assert build_policy(**GATEWAY, side="external", **LIMITS).limited_ports(model["rules"]) == [80, 443]
    assert build_policy(**GATEWAY, side="internal", **LIMITS).limited_ports(model["rules"]) == []
    internal = render_nftables(model["rules"], management_sources=[], side="internal", **GATEWAY, **LIMITS)
    assert "source_" not in internal
    https_only = compute_model(with_options(TOPOLOGY, http_redirect=False))
    assert build_policy(**HOST, **LIMITS).limited_ports(select_rules(https_only, reverse_proxy="rp1")) == [443]


# -- nftables -----------------------------------------------------------------------------------
def test_nftables_drops_over_the_limits_before_the_accepts(rules):
    table = render_nftables(rules, **HOST, **LIMITS)
    chain = table[table.index("chain input"):].splitlines()
    limits = [i for i, line in enumerate(chain) if "source-" in line]
    accepts = [i for i, line in enumerate(chain) if line.strip().endswith('accept comment "external-https"')]
    assert len(limits) == 4 and max(limits) < min(accepts)
    assert ('iifname "ext0" tcp dport { 80, 443 } ct state new add @source_connections_v4 { ip saddr ct count over 1000 } '
            'drop comment "source-connections"') in table
    assert ("update @source_rate_v6 { ip6 saddr & ffff:ffff:ffff:ffff:: limit rate over 200/second burst 400 packets } "
            "drop") in table
    assert "set source_rate_v4 {\n\t\ttype ipv4_addr\n\t\tsize 65535\n\t\tflags dynamic,timeout\n\t\ttimeout 1m\n\t}" in table
    assert "source_" not in render_nftables(rules, **HOST)


def test_nftables_one_limit_and_one_port():
    rules = select_rules(compute_model(with_options(TOPOLOGY, http_redirect=False)), reverse_proxy="rp1")
    table = render_nftables(rules, **HOST, source_connections=300)
    assert _lines(table, "source-") == [
        'iifname "ext0" tcp dport 443 ct state new add @source_connections_v%d { %s ct count over 300 } '
        'drop comment "source-connections"' % (version, key)
        for version, key in ((4, "ip saddr"), (6, "ip6 saddr & ffff:ffff:ffff:ffff::"))]
    assert "source_rate" not in table


def test_nftables_renders_the_burst_given(rules):
    table = render_nftables(rules, **HOST, **NGINX_BUDGET)
    assert _lines(table, "source-rate") == [
        'iifname "ext0" tcp dport { 80, 443 } ct state new update @source_rate_v%d { %s limit rate over 100/second '
        'burst 1000 packets } drop comment "source-rate"' % (version, key)
        for version, key in ((4, "ip saddr"), (6, "ip6 saddr & ffff:ffff:ffff:ffff::"))]


# -- iptables -----------------------------------------------------------------------------------
def test_iptables_connlimit_and_hashlimit_as_iptables_save_prints_them(rules):
    v4 = render_iptables(rules, family=4, **HOST, **LIMITS)["content"]
    v6 = render_iptables(rules, family=6, **HOST, **LIMITS)["content"]
    assert _lines(v4, "source-") == [
        "-A LYNC-RP-INPUT -i ext0 -p tcp -m multiport --dports 80,443 -m conntrack --ctstate NEW -m connlimit "
        "--connlimit-above 1000 --connlimit-mask 32 --connlimit-saddr -m comment --comment source-connections -j DROP",
        "-A LYNC-RP-INPUT -i ext0 -p tcp -m multiport --dports 80,443 -m conntrack --ctstate NEW -m hashlimit "
        "--hashlimit-above 200/sec --hashlimit-burst 400 --hashlimit-mode srcip --hashlimit-name LYNC-RP-INPUT "
        "-m comment --comment source-rate -j DROP"]
    assert "--connlimit-mask 64" in v6 and "--hashlimit-srcmask 64" in v6
    lines = v4.splitlines()
    assert max(i for i, line in enumerate(lines) if "source-" in line) < min(
        i for i, line in enumerate(lines) if "external-https" in line)
    assert "source-" not in render_iptables(rules, family=4, **HOST)["content"]


def test_iptables_renders_the_burst_given(rules):
    v4 = render_iptables(rules, family=4, **HOST, **NGINX_BUDGET)["content"]
    assert _lines(v4, "source-rate") == [
        "-A LYNC-RP-INPUT -i ext0 -p tcp -m multiport --dports 80,443 -m conntrack --ctstate NEW -m hashlimit "
        "--hashlimit-above 100/sec --hashlimit-burst 1000 --hashlimit-mode srcip --hashlimit-name LYNC-RP-INPUT "
        "-m comment --comment source-rate -j DROP"]


# -- firewalld and ufw --------------------------------------------------------------------------
@pytest.mark.parametrize("render, why", [(render_firewalld, "one budget for every source"),
                                         (render_ufw, "6 new connections in 30 seconds")])
def test_firewalld_and_ufw_refuse_limits_asked_of_them(rules, render, why):
    with pytest.raises(PortModelError, match="per-source limits .* are not supported with .*" + why):
        render(rules, **HOST, **LIMITS)


def test_firewall_config_leaves_out_what_the_backend_cannot_and_says_so():
    links = '[{"ifname": "ext0", "addr_info": [{"family": "inet", "local": "198.51.100.10", "prefixlen": 24}]}]'
    common = dict(reverse_proxy="rp1", management_sources=["10.250.0.0/24"], links=links, **LIMITS)
    firewalld = firewall_config(TOPOLOGY, backend="firewalld", **common)
    assert firewalld["source_limits"] == {} and firewalld["warnings"] == [
        "firewalld cannot limit connections per source: %s." % BACKENDS["firewalld"].limits["source_limits"]]
    nftables = firewall_config(TOPOLOGY, backend="nftables", **common)
    assert nftables["warnings"] == []
    assert nftables["source_limits"] == {"connections": 1000, "rate": 200, "burst": 400, "ports": [80, 443]}
    assert "ct count over 1000" in nftables["content"]


# -- HAProxy ------------------------------------------------------------------------------------
def test_haproxy_handshake_and_request_head_timeouts_per_version():
    config = proxy_config(TOPOLOGY, "haproxy", reverse_proxy="rp1", timeout_handshake="7s", **HAPROXY)
    defaults = config[config.index("defaults"):config.index("frontend lync_https")]
    assert ".if version_atleast(2.8)\n    # The TLS handshake: far shorter than the long polls' time-outs.\n" \
           "    timeout client-hs 7s\n.endif" in defaults
    assert "timeout http-request 10s" in defaults and "timeout client 960s" in defaults
    https = config[config.index("frontend lync_https"):config.index("frontend lync_http\n")]
    assert re.search(r"\.if version_before\(2\.8\)\n(    #.*\n)+    timeout client 7s\n\.endif", https)
    # port 80 has no handshake: its first request is timeout http-request's
    assert "version_before" not in config[config.index("frontend lync_http\n"):]


def test_haproxy_refuses_a_source_over_its_limits_at_accept_on_both_ports():
    config = proxy_config(TOPOLOGY, "haproxy", reverse_proxy="rp1", source_connections=300, source_rate=20, **HAPROXY)
    assert "stick-table type ipv6 size 100k expire 60s store conn_cur,conn_rate(10s)" in config
    assert _lines(config, "tcp-request") == [
        "tcp-request connection track-sc0 src,ipmask(32,64) table lync_per_source",
        "tcp-request connection reject if { sc_conn_cur(0) gt 300 } || { sc_conn_rate(0) gt 200 }"] * 2
    only = proxy_config(TOPOLOGY, "haproxy", reverse_proxy="rp1", source_rate=0, **HAPROXY)
    assert "reject if { sc_conn_cur(0) gt 500 }\n" in only
    off = proxy_config(TOPOLOGY, "haproxy", reverse_proxy="rp1", source_connections=0, source_rate=0, **HAPROXY)
    assert "tcp-request" not in off and "lync_per_source" not in off


def test_maxconn_is_sized_from_the_host():
    assert _haproxy.sized(1024, 524288)[0] == 8192  # memory decides
    assert _haproxy.sized(24000, 20000)[0] == 9500  # open files decide: two each, 1,000 others
    assert _haproxy.sized(16, 2048)[0] == 256  # never below the floor
    config = proxy_config(TOPOLOGY, "haproxy", reverse_proxy="rp1", maxconn="auto", memory_mb=2048, **HAPROXY)
    assert "    maxconn 16384\n    # maxconn from the host: 2048 MiB of memory x 8, or 524288 open files / 2" in config
    assert "    maxconn 4096\n    stats" in proxy_config(TOPOLOGY, "haproxy", reverse_proxy="rp1", maxconn="4096", **HAPROXY)


@pytest.mark.parametrize("options, message", [
    ({"maxconn": "auto"}, "haproxy: maxconn auto needs memory_mb (the host's memory in MiB), or give maxconn a number"),
    ({"maxconn": "auto", "memory_mb": 0}, "memory_mb must be a whole number of at least 1, got 0"),
    ({"maxconn": "auto", "memory_mb": 512, "open_files": 100}, "open_files must be a whole number of at least 2048"),
    ({"maxconn": "many"}, "maxconn must be a whole number of at least 1, got 'many'"),
    ({"source_connections": -5}, "source_connections must be a whole number of at least 0 (0: no limit), got -5"),
    ({"timeout_handshake": "ten seconds"}, "timeout_handshake 'ten seconds' is not an HAProxy time"),
])
def test_bad_hostile_load_options_are_named(options, message):
    with pytest.raises(PortModelError, match=re.escape(message)):
        proxy_config(TOPOLOGY, "haproxy", reverse_proxy="rp1", **HAPROXY, **options)


# -- nginx --------------------------------------------------------------------------------------
def test_nginx_bounds_the_sni_and_the_request_head_and_counts_sources_before_reading():
    config = proxy_config(TOPOLOGY, "nginx", reverse_proxy="rp1", timeout_handshake="5s", timeout_header="8s",
                          source_connections=250, **NGINX)
    public = config[config.index("    server {\n        listen 198.51.100.10:443;"):]
    public = public[:public.index("    }\n")]
    assert _lines(public, "preread_timeout|limit_conn|proxy_timeout") == [
        "preread_timeout 5s;", "limit_conn lync_stream_per_source 250;", "proxy_timeout 960s;"]
    assert "limit_conn_zone $binary_remote_addr zone=lync_stream_per_source:10m;" in config
    assert "    client_header_timeout 8s;" in config
    assert _lines(config, "limit_conn lync_http_per_source") == ["limit_conn lync_http_per_source 250;"]
    # the unix-socket hops behind the public server count nothing again
    assert len(_lines(config, "limit_conn lync_stream_per_source")) == 1
    off = proxy_config(TOPOLOGY, "nginx", reverse_proxy="rp1", source_connections=0, **NGINX)
    assert "limit_conn" not in off and "preread_timeout 10s;" in off


def test_worker_connections_are_sized_from_the_host_with_the_files_to_match():
    assert _nginx.sized(1024, 524288)[0] == 32768
    assert _nginx.sized(24000, 20000)[0] == 18976
    assert _nginx.sized(8, 524288)[0] == 1024
    config = proxy_config(TOPOLOGY, "nginx", reverse_proxy="rp1", worker_connections="auto", memory_mb=1024,
                          open_files=20000, **NGINX)
    assert "worker_rlimit_nofile 20000;" in config and "    worker_connections 18976;" in config
    assert "worker_rlimit_nofile 5120;" in proxy_config(TOPOLOGY, "nginx", reverse_proxy="rp1", **NGINX)
