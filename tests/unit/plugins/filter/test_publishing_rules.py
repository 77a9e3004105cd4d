# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lync.reverse_proxy.plugins.filter import publishing_rules as plugin
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import full

publishing_rules = plugin.FilterModule().filters()["publishing_rules"]


@pytest.mark.parametrize(
    "port, names",
    [
        (443, ["https-fe-pool01", "https-dir-dir01", "https-simple-urls", "https-owa-owa01"]),
        ("80", ["http-fe-pool01", "http-dir-dir01", "http-simple-urls", "http-lyncdiscover", "http-redirect"]),
    ],
)
def test_frontend_port_selection(port, names):
    assert [route["name"] for route in publishing_rules(full(), port)] == names


def test_all_routes():
    assert len(publishing_rules(full())) == 9


@pytest.mark.parametrize("port", [8080, "https", 0, [443]])
def test_bad_port(port):
    with pytest.raises(AnsibleFilterError, match="publishing_rules: frontend_port must be 443 or 80"):
        publishing_rules(full(), port)
