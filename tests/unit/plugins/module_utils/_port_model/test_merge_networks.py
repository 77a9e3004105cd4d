# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""merge_networks (netaddr.cidr_merge) against the collection's earlier algorithm, kept here as
the reference: adjacent and overlapping integer spans joined, each joined span turned into CIDRs.
The same output for hand-picked and for random networks, dense ones (that merge) included."""

from __future__ import annotations

import netaddr
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._address import merge_networks

SETTINGS = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def merge_by_spans(networks) -> list[str]:
    """The algorithm merge_networks had before it used netaddr.cidr_merge (the reference)."""
    spans: dict = {4: [], 6: []}
    for network in networks:
        spans[network.version].append((network.first, network.last))
    merged_cidrs = []
    for version in (4, 6):
        joined: list = []
        for first, last in sorted(spans[version]):
            if joined and first <= joined[-1][1] + 1:
                if last > joined[-1][1]:
                    joined[-1][1] = last
            else:
                joined.append([first, last])
        for first, last in joined:
            merged_cidrs.extend(
                str(cidr)
                for cidr in netaddr.iprange_to_cidrs(netaddr.IPAddress(first, version), netaddr.IPAddress(last, version))
            )
    return merged_cidrs


def _networks(texts):
    return [netaddr.IPNetwork(text) for text in texts]


@pytest.mark.parametrize("texts, expected", [
    ([], []),
    (["10.0.10.10", "10.0.10.11", "10.0.10.12"], ["10.0.10.10/31", "10.0.10.12/32"]),
    (["10.0.0.0/25", "10.0.0.128/25"], ["10.0.0.0/24"]),
    (["10.0.0.0/24", "10.0.0.7"], ["10.0.0.0/24"]),
    (["10.0.0.7", "10.0.0.7"], ["10.0.0.7/32"]),
    (["2001:db8::1", "10.0.0.1", "2001:db8::"], ["10.0.0.1/32", "2001:db8::/127"]),
    (["0.0.0.0/0", "::/0", "10.0.0.1"], ["0.0.0.0/0", "::/0"]),
    # host bits set: taken as the network, merged or not
    (["10.250.0.5/24"], ["10.250.0.0/24"]),
    (["10.250.0.5/25", "10.250.0.200/25"], ["10.250.0.0/24"]),
    (["10.0.0.3", "10.0.0.1", "10.0.0.2", "10.0.0.0"], ["10.0.0.0/30"]),
])
def test_merge_networks(texts, expected):
    assert merge_networks(_networks(texts)) == expected
    assert merge_by_spans(_networks(texts)) == expected


def test_merge_networks_takes_any_iterable():
    assert merge_networks(netaddr.IPNetwork(text) for text in ["10.0.0.0", "10.0.0.1"]) == ["10.0.0.0/31"]


# Networks anywhere (rarely merging), and networks in a small space (often adjacent or
# overlapping); some with host bits set.
ANYWHERE = st.one_of(
    st.builds(lambda value, prefix: netaddr.IPNetwork((value, prefix)), st.integers(0, 2 ** 32 - 1), st.integers(0, 32)),
    st.builds(lambda value, prefix: netaddr.IPNetwork((value, prefix), version=6),
              st.integers(0, 2 ** 128 - 1), st.integers(0, 128)),
)
DENSE = st.one_of(
    st.builds(lambda value, prefix: netaddr.IPNetwork((0x0A000000 + value, prefix)), st.integers(0, 1023), st.integers(22, 32)),
    st.builds(lambda value, prefix: netaddr.IPNetwork((0x20010DB8 << 96 | value, prefix), version=6),
              st.integers(0, 255), st.integers(120, 128)),
)


@SETTINGS
@given(st.lists(st.one_of(ANYWHERE, DENSE), max_size=40))
def test_merge_networks_agrees_with_the_earlier_algorithm(networks):
    assert merge_networks(networks) == merge_by_spans(networks)


@SETTINGS
@given(st.lists(DENSE, min_size=50, max_size=400))
def test_merge_networks_agrees_on_many_dense_networks(networks):
    assert merge_networks(networks) == merge_by_spans(networks)
