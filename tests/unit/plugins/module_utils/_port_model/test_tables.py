# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""port_table renderers: formats, escaping, selection and argument errors."""

from __future__ import annotations

import csv
import io

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    PortModelError,
    compute_model,
    render_port_table,
)
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    full,
    minimal,
)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"fmt": "pdf"}, "format must be one of markdown, csv, html, svg, got 'pdf'"),
        ({"lang": "de"}, "lang must be one of en, ko, got 'de'"),
        ({"interface": "dmz"}, "interface must be one of external, internal, got 'dmz'"),
        ({"addresses": "yes"}, "addresses must be true or false"),
    ],
)
def test_bad_arguments(kwargs, words):
    with pytest.raises(PortModelError, match=words.replace("(", r"\(")):
        render_port_table(compute_model(minimal()), **kwargs)


def test_one_interface_only():
    text = render_port_table(compute_model(full()), interface="internal")
    assert [line for line in text.splitlines() if line.startswith("### ")] == [
        "### Firewall Details for Reverse Proxy Server: Internal Interface",
    ]
    assert "HTTP/TCP/80 |" not in text and "HTTPS/TCP/4443" in text


def test_interface_without_rules():
    model = compute_model(full())
    model = dict(model, rules=[rule for rule in model["rules"] if rule["interface"] == "external"])
    assert "No rules for this interface." in render_port_table(model, interface="internal")
    assert "이 인터페이스에 해당하는 규칙이 없습니다." in render_port_table(model, "html", "ko", interface="internal")


def test_roles_only_without_reverse_proxies():
    text = render_port_table(compute_model(minimal()))
    assert "| HTTPS/TCP/443 | Any | Reverse proxy listener |" in text
    assert "| HTTPS/TCP/4443 | Internal reverse proxy interface | Front End Server pool01: 10.0.10.11 |" in text


def test_markdown_escapes_cell_text():
    model = compute_model(minimal())
    model["rules"][0]["destination_groups"] = [
        {"role": "reverse_proxy_listener", "name": "a|b", "addresses": ["192.0.2.1/32"]},
    ]
    text = render_port_table(model)
    assert "Reverse proxy listener a\\|b: 192.0.2.1" in text
    assert "http://&lt;published FQDN&gt;" in text
    assert "<" not in text


def test_csv_is_one_table_with_an_interface_column():
    rows = list(csv.reader(io.StringIO(render_port_table(compute_model(full()), "csv", "ko"))))
    assert rows[0] == ["인터페이스", "프로토콜/TCP 또는 UDP/포트", "원본 IP 주소", "대상 IP 주소", "참고"]
    assert [row[0] for row in rows[1:]] == ["외부", "외부", "내부", "내부", "내부"]
    assert [row[1] for row in rows[1:]] == ["HTTP/TCP/80", "HTTPS/TCP/443", "HTTP/TCP/8080", "HTTPS/TCP/4443",
                                            "HTTPS/TCP/443"]


def test_html_is_a_document_with_escaped_cells():
    text = render_port_table(compute_model(full()), "html", "ko")
    assert text.startswith("<!DOCTYPE html>\n<html lang=\"ko\">")
    assert '<meta charset="utf-8">' in text
    assert "http://&lt;게시된 FQDN&gt;" in text
    assert text.count("<table") == 2
    assert '<tr data-rule="internal-https-pools">' in text


def test_ipv6_hosts_and_networks_display():
    topology = minimal()
    topology["front_end_pools"][0]["servers"] = ["2001:db8::11"]
    topology["options"] = {"external_sources": ["2001:db8:ffff::/48"]}
    text = render_port_table(compute_model(topology))
    assert "Front End Server pool01: 2001:db8::11 |" in text
    assert "| External sources: 2001:db8:ffff::/48 |" in text
