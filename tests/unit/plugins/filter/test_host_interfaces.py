# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lync.reverse_proxy.plugins.filter import host_interfaces as plugin

host_interfaces = plugin.FilterModule().filters()["host_interfaces"]

LINKS = [
    {"ifname": "lo", "addr_info": [{"family": "inet", "local": "127.0.0.1"}]},
    {"ifname": "ext0", "addr_info": [{"family": "inet", "local": "198.51.100.10"},
                                     {"family": "inet6", "local": "2001:db8:100::10"}]},
    {"ifname": "int0", "addr_info": [{"family": "inet", "local": "10.10.1.5"}]},
    {"ifname": "down0"},
]


@pytest.mark.parametrize(
    "addresses, names",
    [
        (["198.51.100.10/32"], ["ext0"]),
        (["2001:db8:100::10/128", "10.10.1.5"], ["ext0", "int0"]),
        (["192.0.2.1"], []),
    ],
)
def test_finds_interfaces(addresses, names):
    assert host_interfaces(json.dumps(LINKS), addresses) == names
    assert host_interfaces(LINKS, addresses) == names


@pytest.mark.parametrize("links", ["not json", {"ifname": "x"}])
def test_bad_input(links):
    with pytest.raises(AnsibleFilterError, match="ip -j addr show"):
        host_interfaces(links, ["10.0.0.1"])
