# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.lync.reverse_proxy.plugins.filter.iis_bindings import iis_bindings
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import full


def test_a_topology_gives_the_listener_bindings():
    topology = full()
    topology["reverse_proxies"][0]["external_addresses"] = ["198.51.100.10", "2001:db8:100::10"]
    bindings = iis_bindings(topology, "rp01")
    assert {(b["ip"], b["port"], b["protocol"]) for b in bindings} == {
        ("198.51.100.10", 443, "https"), ("[2001:db8:100::10]", 443, "https"),
        ("198.51.100.10", 80, "http"), ("[2001:db8:100::10]", 80, "http")}
    assert not any(b["ip"] == "*" for b in bindings)


def test_an_unknown_proxy_is_named():
    with pytest.raises(AnsibleFilterError, match="iis_bindings: reverse proxy 'rp09' is not in the topology's reverse_proxies \\(known: rp01\\)"):
        iis_bindings(full(), "rp09")
