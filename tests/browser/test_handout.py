# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTML handout as a person sees it: rendered by headless Chromium (Debian's chromium),
laid out without overflow or overlapping labels, and printed on the expected number of pages.

Chromium runs in a network namespace of its own (unshare -n) on file:// pages: nothing it does
can reach a network. Run by `make browser` (part of `make test`), which installs chromium and
fonts-noto-cjk from Debian.
"""

from __future__ import annotations

import copy
import html
import json
import os
import pathlib
import re
import shutil
import subprocess

import pytest
import yaml

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import compute_model, render_port_table

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--disable-dev-shm-usage"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make browser installs it)")

# Measures the page from inside: every table and the diagram have a size, nothing sticks out of
# the page, every arrow label lies inside the drawing, no two labels overlap.
PROBE = """
<script>
window.addEventListener('load', () => {
  const width = document.documentElement.clientWidth;
  const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; };
  const outside = [...document.body.querySelectorAll('*')].filter(e => e.closest('svg') === null || e.tagName === 'svg')
      .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > width + 0.5; })
      .map(e => e.tagName + (e.id ? '#' + e.id : ''));
  const svg = document.querySelector('svg.lync-diagram');
  const view = svg ? svg.viewBox.baseVal : null;
  const labels = svg ? [...svg.querySelectorAll('text.label')].map(t => { const b = t.getBBox();
      return {arrow: t.dataset.arrow, text: t.textContent, x: b.x, y: b.y, w: b.width, h: b.height}; }) : [];
  const arrows = svg ? [...svg.querySelectorAll('line.arrow')].map(l => ({id: l.id,
      x1: l.x1.baseVal.value, x2: l.x2.baseVal.value, y: l.y1.baseVal.value})) : [];
  const boxes = svg ? [...svg.querySelectorAll('g.box rect')].map(r => { const b = r.getBBox();
      return {id: r.parentNode.id, x: b.x, y: b.y, w: b.width, h: b.height}; }) : [];
  const result = {width: width, outside: outside,
      tables: [...document.querySelectorAll('table')].map(box),
      rows: document.querySelectorAll('tbody tr').length,
      svg: svg ? box(svg) : null, view: view ? [view.x, view.y, view.width, view.height] : null,
      labels: labels, arrows: arrows, boxes: boxes,
      font: getComputedStyle(document.body).fontFamily};
  const pre = document.createElement('pre'); pre.id = 'lync-layout'; pre.textContent = JSON.stringify(result);
  document.body.appendChild(pre);
});
</script>
"""


def chromium(*args, timeout=90):
    command = ["unshare", "-n", CHROMIUM] + FLAGS + list(args)
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)


def example() -> dict:
    return yaml.safe_load((ROOT / "playbooks" / "vars" / "example_topology.yml").read_text())["lync_topology"]


def large() -> dict:
    """10 Front End pools and 4 reverse proxies, dual stack."""
    topology = copy.deepcopy(example())
    topology["front_end_pools"] = [
        {"name": "pool%02d" % i, "external_web_fqdn": "webext%02d.contoso.com" % i, "vip": "10.0.%d.10" % (40 + i),
         "servers": ["10.0.%d.%d" % (40 + i, 11 + s) for s in range(4)]} for i in range(10)]
    topology["reverse_proxies"] = [
        {"name": "rp%02d" % i, "external_addresses": ["198.51.100.%d" % (10 + i), "2001:db8:100::%x" % (16 + i)],
         "internal_addresses": ["10.0.1.%d" % (5 + i)]} for i in range(4)]
    return topology


TOPOLOGIES = {"example": example, "large": large}


def render(tmp_path, name: str, lang: str) -> pathlib.Path:
    page = tmp_path / ("%s.%s.html" % (name, lang))
    page.write_text(render_port_table(compute_model(TOPOLOGIES[name]()), "html", lang, generated="2026-01-01"),
                    encoding="utf-8")
    return page


def layout(tmp_path, page: pathlib.Path, width: int = 1280) -> dict:
    probe = page.with_suffix(".probe.html")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    result = chromium("--user-data-dir=%s" % (tmp_path / "profile"), "--window-size=%d,1000" % width,
                      "--virtual-time-budget=5000", "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="lync-layout">(.*?)</pre>', result.stdout, re.S)
    assert found, "the page did not report its layout:\n%s" % result.stderr[-2000:]
    return json.loads(html.unescape(found.group(1)))


def _overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


@pytest.mark.parametrize("name", sorted(TOPOLOGIES))
@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("width", [1280, 800])
def test_the_page_is_laid_out(tmp_path, name, lang, width):
    found = layout(tmp_path, render(tmp_path, name, lang), width)
    assert found["outside"] == [], "elements wider than the page: %s" % found["outside"]
    assert len(found["tables"]) == 2 and all(w > 0 and h > 0 for dummy, dummy2, w, h in found["tables"])
    assert found["rows"] == 5  # external 80, 443; internal 8080 (optional), 4443, Office Web Apps 443
    assert found["svg"] and found["svg"][2] > 0 and found["svg"][3] > 0
    x, y, w, h = found["view"]
    assert found["labels"], "the diagram has no arrow labels"
    for label in found["labels"]:
        assert x <= label["x"] and label["x"] + label["w"] <= x + w and y <= label["y"] and label["y"] + label["h"] <= y + h, label
    for first, second in ((a, b) for i, a in enumerate(found["labels"]) for b in found["labels"][i + 1:]):
        assert not _overlap(first, second), (first, second)
    for label in found["labels"]:  # a label stays between its arrow's ends, clear of every box
        arrow = next(a for a in found["arrows"] if a["id"] == label["arrow"])
        assert arrow["x1"] <= label["x"] and label["x"] + label["w"] <= arrow["x2"], (label, arrow)
        assert not [b for b in found["boxes"] if _overlap(label, b)], label
    if lang == "ko":
        # The stack names a Hangul font of Windows, macOS and Linux; here the Linux one is installed.
        for family in ("Malgun Gothic", "Apple SD Gothic Neo", "Noto Sans CJK KR"):
            assert family in found["font"], found["font"]
        korean = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True, check=True).stdout
        assert "Noto Sans CJK KR" in korean, "no Hangul font from the stack is installed: install fonts-noto-cjk"


def _pages(pdf: pathlib.Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


@pytest.mark.parametrize("size", ["A4", "letter"])
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_it_prints_summary_and_diagram_then_one_page_per_interface(tmp_path, size, lang):
    page = render(tmp_path, "example", lang)
    sized = page.with_suffix(".%s.html" % size)
    sized.write_text(page.read_text(encoding="utf-8").replace("</style>", "@page { size: %s; }</style>" % size),
                     encoding="utf-8")
    pdf = tmp_path / ("%s.pdf" % size)
    chromium("--user-data-dir=%s" % (tmp_path / "profile"), "--no-pdf-header-footer",
             "--print-to-pdf=%s" % pdf, sized.as_uri())
    assert _pages(pdf) == 3


def test_screenshot_of_the_example(tmp_path):
    """The picture the README links to (written to build/, copied to docs/ by `make handout-screenshot`)."""
    target = pathlib.Path(os.environ.get("LYNC_SCREENSHOT", tmp_path / "port-table.png"))
    target.parent.mkdir(parents=True, exist_ok=True)
    chromium("--user-data-dir=%s" % (tmp_path / "profile"), "--window-size=1280,1500", "--screenshot=%s" % target,
             render(tmp_path, "example", "en").as_uri())
    assert target.stat().st_size > 10000
