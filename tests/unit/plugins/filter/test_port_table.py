# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lync.reverse_proxy.plugins.filter import port_table as plugin
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import full

port_table = plugin.FilterModule().filters()["port_table"]


def test_defaults_to_markdown_in_english():
    text = port_table(full())
    assert text.startswith("### Firewall Details for Reverse Proxy Server: External Interface\n")


@pytest.mark.parametrize(
    "kwargs, first_line",
    [
        ({"lang": "ko"}, "### 역방향 프록시 서버에 대한 방화벽 세부 정보: 외부 인터페이스"),
        ({"format": "csv"}, "Interface,Protocol/TCP or UDP/Port,Source IP Address,Destination IP Address,Notes"),
        ({"format": "html", "lang": "ko"}, "<!DOCTYPE html>"),
        ({"interface": "internal"}, "### Firewall Details for Reverse Proxy Server: Internal Interface"),
    ],
)
def test_options(kwargs, first_line):
    assert port_table(full(), **kwargs).splitlines()[0] == first_line


def test_addresses_switch():
    assert "10.0.1.5" in port_table(full())
    assert "10.0.1.5" not in port_table(full(), addresses=False)


def test_bad_format():
    with pytest.raises(AnsibleFilterError, match="port_table: format must be one of markdown, csv, html, svg, got 'xlsx'"):
        port_table(full(), format="xlsx")
