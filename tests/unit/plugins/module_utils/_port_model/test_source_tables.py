# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The model and port_table against the source's two tables, row by row, in both languages.

fixtures/source_tables.yml transcribes the source; with the full topology (every rule
present) the model must have exactly its rows, and the rendered tables must give its cells back.
"""

from __future__ import annotations

import csv
import html.parser
import io

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import compute_model, render_port_table
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    full,
    source_tables,
    with_options,
)

TABLES = source_tables()
SOURCE_ROWS = [(table["interface"], row) for table in TABLES for row in table["rows"]]


def _markdown_tables(text):
    """heading -> list of rows (lists of cells) of a Markdown rendering."""
    tables, heading = {}, None
    for line in text.splitlines():
        if line.startswith("### "):
            heading = line[4:]
            tables[heading] = []
        elif line.startswith("| ") and heading is not None:
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            tables[heading].append(cells)
    return {name: rows[1:] for name, rows in tables.items()}  # drop the header row


class _HtmlTables(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.headings, self._cell, self._row, self._in = [], [], None, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th", "h2"):
            self._cell, self._in = "", tag

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._row is not None:
            self._row.append(self._cell)
        elif tag == "h2":
            self.headings.append(self._cell)
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None
        if tag in ("td", "th", "h2"):
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._cell += data


def test_model_has_the_source_rows_in_order():
    model = compute_model(full())
    assert len(model["rules"]) == len(SOURCE_ROWS)
    for rule, (interface, row) in zip(model["rules"], SOURCE_ROWS):
        assert rule["interface"] == interface
        assert "%s/%s/%d" % (rule["application"].upper(), rule["protocol"].upper(), rule["port"]) == row["cell"]
        assert (rule["application"], rule["protocol"], rule["port"]) == (row["application"], row["protocol"], row["port"])
        assert rule["source_roles"] == row["source_roles"]
        assert rule["roles"] == row["destination_roles"]
        assert rule["facts"] == row["facts"]
        assert rule["source_ref"].startswith("%s interface table, row %s" % (interface, row["cell"]))


def test_optional_rows_are_optional_when_nothing_else_needs_them():
    """Only the source's optional row (external HTTP/TCP/80) is optional with the redirect alone."""
    model = compute_model(with_options(full(), mobile_autodiscover_over_http=False))
    by_cell = {"%s/TCP/%d" % (r["application"].upper(), r["port"]): r for r in model["rules"]}
    for interface, row in SOURCE_ROWS:
        if row["cell"] == "HTTP/TCP/8080":
            continue  # present only when mobile Autodiscover needs it, and then required
        rule = next(r for r in model["rules"] if r["interface"] == interface and r["port"] == row["port"])
        assert rule["required"] is not row["optional"], row["cell"]
    assert "HTTP/TCP/8080" not in by_cell


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_markdown_gives_the_source_tables_back(lang):
    rendered = _markdown_tables(render_port_table(compute_model(full()), "markdown", lang, addresses=False))
    assert list(rendered) == [table["heading"][lang] for table in TABLES]
    for table in TABLES:
        rows = rendered[table["heading"][lang]]
        assert [cells[0] for cells in rows] == [row["cell"] for row in table["rows"]]
        for cells, row in zip(rows, table["rows"]):
            assert cells[1] == row["source"][lang]
            assert cells[2] == row["destination"][lang]
            notes = cells[3].lower()
            for term in row["terms"][lang]:
                assert term.lower() in notes, (row["cell"], term)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_optional_marker_in_notes(lang):
    rendered = render_port_table(compute_model(with_options(full(), mobile_autodiscover_over_http=False)),
                                 "markdown", lang, addresses=False)
    marker = {"en": "(Optional)", "ko": "(선택 사항)"}[lang]
    marked = [line.split(" | ")[0] for line in rendered.splitlines() if marker in line]
    # The source calls 8080 optional (not required) while the certificate carries the
    # lyncdiscover names: the table shows the row as optional, the firewall rules leave it out.
    assert marked == ["| HTTP/TCP/80", "| HTTP/TCP/8080"]
    model = compute_model(with_options(full(), mobile_autodiscover_over_http=False))
    assert 8080 not in [rule["port"] for rule in model["rules"]]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_4443_warning_is_a_warning_in_every_language(lang):
    rendered = render_port_table(compute_model(full()), "markdown", lang)
    heading = {"en": "> **Warnings**", "ko": "> **경고**"}[lang]
    words = {"en": ["4443", "Central Management Store"], "ko": ["4443", "중앙 관리 저장소"]}[lang]
    tail = rendered[rendered.index(heading):]
    assert all(word in tail for word in words)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_html_and_csv_carry_the_same_cells(lang):
    model = compute_model(full())
    parser = _HtmlTables()
    parser.feed(render_port_table(model, "html", lang, addresses=False))
    # The handout: the deployment, its warnings, the diagram, then the source's two tables.
    assert parser.headings == [{"en": "Deployment", "ko": "배포"}[lang], {"en": "Warnings", "ko": "경고"}[lang],
                               {"en": "Flows through the reverse proxy", "ko": "역방향 프록시를 지나는 흐름"}[lang]] + [
        table["heading"][lang] for table in TABLES]
    expected = [[[row["cell"], row["source"][lang], row["destination"][lang]] for row in t["rows"]] for t in TABLES]
    assert [[cells[:3] for cells in table[1:]] for table in parser.tables] == expected
    rows = list(csv.reader(io.StringIO(render_port_table(model, "csv", lang, addresses=False))))
    assert [cells[1:4] for cells in rows[1:]] == [cells for table in expected for cells in table]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_real_addresses_stand_beside_the_roles(lang):
    rendered = _markdown_tables(render_port_table(compute_model(full()), "markdown", lang))
    internal = rendered[TABLES[1]["heading"][lang]]
    row_4443 = next(cells for cells in internal if cells[0] == "HTTPS/TCP/4443")
    labels = {"en": ("Internal reverse proxy interface", "Front End pool", "Director pool"),
              "ko": ("내부 역방향 프록시 인터페이스", "프런트 엔드 풀", "디렉터 풀")}[lang]
    assert row_4443[1] == "%s rp01: 10.0.1.5" % labels[0]
    assert "%s pool01: 10.0.10.10" % labels[1] in row_4443[2]
    assert "%s dir01: 10.0.20.10" % labels[2] in row_4443[2]
    assert "10.0.10.11, 10.0.10.12" in row_4443[2]
