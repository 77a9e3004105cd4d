# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The handout's diagram: only the model's flows, deterministic, a text alternative, and the HTML
self-contained. (tests/browser renders both in Chromium.)"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import compute_model, render_port_table
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._handout import diagram_layout
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    full,
    with_options,
)


def _labels(model) -> list:
    return [label["text"] for label in diagram_layout(model)["labels"]]


def test_only_the_flows_the_model_has_are_drawn():
    everything = _labels(compute_model(full()))  # mobile Autodiscover over HTTP: 80 and 8080
    assert "HTTP 80" in everything and "HTTP 80 \u2192 8080" in everything and "HTTPS 443" in everything
    redirect_only = _labels(compute_model(with_options(full(), mobile_autodiscover_over_http=False)))
    assert "HTTP 80" in redirect_only and not [t for t in redirect_only if "8080" in t]
    no_80 = _labels(compute_model(with_options(full(), mobile_autodiscover_over_http=False, http_redirect=False)))
    assert not [t for t in no_80 if "80" in t.replace("8080", "")]
    without_owa = {key: value for key, value in full().items() if key != "office_web_apps"}
    layout = diagram_layout(compute_model(without_owa))
    assert not [box for box in layout["boxes"] if "Office Web Apps" in box["title"]]
    assert "HTTPS 443" not in [label["text"] for label in layout["labels"] if label["arrow"].startswith("to-backend")]


def test_the_svg_is_deterministic_well_formed_and_described():
    model = compute_model(full())
    first, second = render_port_table(model, "svg"), render_port_table(compute_model(full()), "svg")
    assert first == second
    root = ET.fromstring(first)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img" and root.get("aria-labelledby") == "diagram-title diagram-desc"
    desc = root.find(ns + "desc").text
    assert "TCP 443" in desc and "HTTPS 443 \u2192 4443" in desc


def test_the_labels_of_a_large_deployment_have_rows_of_their_own():
    topology = full()
    topology["front_end_pools"] = [{"name": "pool%02d" % i, "external_web_fqdn": "web%02d.contoso.com" % i,
                                    "servers": ["10.0.%d.%d" % (40 + i, s) for s in range(11, 15)]} for i in range(10)]
    topology["reverse_proxies"] = [{"name": "rp%d" % i, "external_addresses": ["198.51.100.%d" % (10 + i)],
                                    "internal_addresses": ["10.0.1.%d" % (5 + i)]} for i in range(4)]
    layout = diagram_layout(compute_model(topology))
    rows = {}
    for label in layout["labels"]:
        rows.setdefault((label["x"], label["y"]), []).append(label["text"])
    assert all(len(texts) == 1 for texts in rows.values()), rows
    for first in layout["labels"]:
        for second in layout["labels"]:
            if first is not second and first["x"] == second["x"]:
                assert abs(first["y"] - second["y"]) >= 18
    assert len([box for box in layout["boxes"] if box["kind"] == "backend"]) == 12  # 10 pools, a Director, OWA
    assert len([box for box in layout["boxes"] if box["kind"] == "proxy"]) == 4


def test_the_html_is_self_contained():
    page = render_port_table(compute_model(full()), "html", "ko", generated="2026-01-01")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page and "<script" not in page
    assert "2026-01-01" in page and "Noto Sans CJK KR" in page and "<svg" in page
