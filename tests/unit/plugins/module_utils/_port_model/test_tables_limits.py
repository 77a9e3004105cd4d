# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The port tables and the handout say the per-source limits and time-outs on the listener when
they are given, in the external rules' notes, in English and Korean."""

from __future__ import annotations

import re

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    PortModelError,
    compute_model,
    render_port_table,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._tables import table_rows
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    TWO_PROXIES as TOPOLOGY,
)

DEFAULTS = {"firewall": {"connections": 1000, "rate": 200},
            "proxy": {"software": "haproxy", "connections": 500, "rate": 100, "handshake": "10s", "request_head": "10s"}}


def _notes(limits, lang="en"):
    return {row["rule"]: row["notes"] for row in table_rows(compute_model(TOPOLOGY)["rules"], lang, limits=limits)}


def test_the_external_rules_say_the_limits_and_the_internal_ones_do_not():
    plain, limited = _notes(None), _notes(DEFAULTS)
    for rule, note in limited.items():
        if rule.startswith("external-"):
            assert note == plain[rule] + (
                " Per source (an IPv4 address or an IPv6 /64): the firewall drops a new connection over 1,000 open or "
                "200 new a second; HAProxy refuses one over 500 open or 100 new a second; the TLS handshake must "
                "finish within 10 s, a request head arrive within 10 s.")
        else:
            assert note == plain[rule]


def test_korean_and_nginx_without_a_rate_and_a_firewall_alone():
    note = _notes({"proxy": {"software": "nginx", "connections": 500, "handshake": "5s", "request_head": "1m"}},
                  "ko")["external-https"]
    assert note.endswith("출발지(IPv4 주소 또는 IPv6 /64)별: nginx는 동시 연결이 500개를 넘는 연결을 거부합니다. "
                         "(nginx는 IPv6 주소를 하나씩 따로 셉니다.) TLS 핸드셰이크는 5초 안에 끝나야 하고 요청 헤더는 "
                         "1분 안에 도착해야 합니다.")
    assert _notes({"firewall": {"connections": 0, "rate": 0}})["external-https"].endswith(
        "Per source (an IPv4 address or an IPv6 /64): no per-source limit.")


@pytest.mark.parametrize("fmt", ["markdown", "csv", "html"])
def test_every_format_carries_the_note(fmt):
    model = compute_model(TOPOLOGY)
    assert "1,000 open" not in render_port_table(model, fmt, generated="2026-01-01")
    assert "1,000 open" in render_port_table(model, fmt, limits=DEFAULTS, generated="2026-01-01")


@pytest.mark.parametrize("limits, message", [
    ("1000", "limits must be a mapping with firewall and/or proxy"),
    ({"gateway": {}}, "limits takes no key gateway (its keys: firewall, proxy)"),
    ({"firewall": {"connections": -1}}, "limits.firewall.connections must be a whole number of at least 0, got -1"),
    ({"firewall": {"bursts": 3}}, "limits.firewall takes no key bursts (its keys: connections, rate, burst)"),
    ({"firewall": {"rate": 100, "burst": "1000"}}, "limits.firewall.burst must be a whole number of at least 0, got '1000'"),
    ({"proxy": {"software": "iis", "handshake": "10s", "request_head": "10s"}}, "limits.proxy.software must be one of"),
    ({"proxy": {"software": "nginx", "handshake": "ten", "request_head": "10s"}},
     "limits.proxy.handshake must be a time such as 10s, got 'ten'"),
])
def test_bad_limits_are_named(limits, message):
    with pytest.raises(PortModelError, match=re.escape(message)):
        render_port_table(compute_model(TOPOLOGY), limits=limits)


def test_the_firewalls_burst_beside_its_rate():
    """What rp_firewall applies behind nginx (100 a second, bursts of 1,000), in both languages; a burst
    without a rate says nothing (it is the rate's allowance)."""
    limits = {"firewall": {"connections": 1000, "rate": 100, "burst": 1000}}
    assert _notes(limits)["external-https"].endswith(
        "Per source (an IPv4 address or an IPv6 /64): the firewall drops a new connection over 1,000 open or "
        "100 new a second (bursts of 1,000).")
    assert _notes(limits, "ko")["external-https"].endswith(
        "방화벽은 동시 연결이 1,000개를 넘거나 초당 새 연결이 100개(순간적으로는 1,000개까지)를 넘는 새 연결을 버립니다.")
    assert _notes({"firewall": {"connections": 1000, "burst": 1000}})["external-https"].endswith(
        "(an IPv4 address or an IPv6 /64): the firewall drops a new connection over 1,000 open.")
    assert _notes({"firewall": {"rate": 200, "burst": 400}}, "ko")["external-https"].endswith(
        "방화벽은 초당 새 연결이 200개(순간적으로는 400개까지)를 넘는 새 연결을 버립니다.")
