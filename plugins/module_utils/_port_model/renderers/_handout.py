# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The port summary as a handout: a self-contained HTML page and an SVG diagram of the flows.

PRIVATE to the lync.reverse_proxy collection.

The diagram is laid out on a fixed grid from the model alone, so the same model gives the same
SVG: the sources, the external firewall, one box per reverse proxy, the internal firewall, one
box per Front End pool, Director pool and Office Web Apps farm. Every arrow crosses a firewall
and carries the protocol and port of a rule the model has; each label sits above its own arrow,
in its own row, so labels never overlap however many pools and proxies there are.
"""

from __future__ import annotations

import html

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._address import host_text
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._data import ROLE_LABELS, TABLE_TEXT

__all__ = ["diagram_layout", "render_diagram", "render_handout"]

TEXT = {
    "en": {
        "internet": "Internet",
        "proxy": "Reverse proxy",
        "any": "Any source",
        "sources": "Admitted sources",
        "external_firewall": "External firewall",
        "internal_firewall": "Internal firewall",
        "listener": "listener",
        "internal": "internal",
        "published": "publishes",
        "no_addresses": "(addresses not given)",
        "summary": "Deployment",
        "product": "Product",
        "sip_domains": "SIP domains",
        "pools": "Front End pools",
        "directors": "Director pools",
        "office_web_apps": "Office Web Apps",
        "proxies": "Reverse proxies",
        "options": "Options",
        "certificate": "Listener certificate names",
        "diagram": "Flows through the reverse proxy",
        "generated": "Generated on %s by lync.reverse_proxy %s from Microsoft's port summary for the reverse proxy.",
        "on": "on", "off": "off",
        "option_text": {
            "http_redirect": "external TCP 80 open; plain HTTP is redirected to HTTPS",
            "mobile_autodiscover_over_http": "mobile Autodiscover over plain HTTP: external 80 and internal 8080 "
                                             "required, lyncdiscover names off the certificate",
            "external_sources": "who may reach the listener",
        },
        "desc": "%s reach the listener of %s on %s through the external firewall; the internal firewall admits %s.",
        "none": "none",
        "products": {"lync2013": "Lync Server 2013", "sfb2015": "Skype for Business Server 2015",
                     "sfb2019": "Skype for Business Server 2019"},
    },
    "ko": {
        "internet": "인터넷",
        "proxy": "역방향 프록시",
        "any": "모든 원본",
        "sources": "허용된 원본",
        "external_firewall": "외부 방화벽",
        "internal_firewall": "내부 방화벽",
        "listener": "수신기",
        "internal": "내부",
        "published": "게시",
        "no_addresses": "(주소가 지정되지 않음)",
        "summary": "배포",
        "product": "제품",
        "sip_domains": "SIP 도메인",
        "pools": "프런트 엔드 풀",
        "directors": "디렉터 풀",
        "office_web_apps": "Office Web Apps",
        "proxies": "역방향 프록시",
        "options": "옵션",
        "certificate": "수신기 인증서 이름",
        "diagram": "역방향 프록시를 지나는 흐름",
        "generated": "%s에 lync.reverse_proxy %s(으)로 Microsoft의 역방향 프록시 포트 요약에서 생성했습니다.",
        "on": "켜짐", "off": "꺼짐",
        "option_text": {
            "http_redirect": "외부 TCP 80 열림, 일반 HTTP는 HTTPS로 리디렉션",
            "mobile_autodiscover_over_http": "일반 HTTP를 통한 모바일 자동 검색: 외부 80과 내부 8080 필수, "
                                             "인증서에 lyncdiscover 이름 없음",
            "external_sources": "수신기에 연결할 수 있는 원본",
        },
        "desc": "%s은(는) 외부 방화벽을 지나 %s의 수신기에 %s(으)로 연결하고, 내부 방화벽은 %s을(를) 허용합니다.",
        "none": "없음",
        "products": {"lync2013": "Lync Server 2013", "sfb2015": "Skype for Business Server 2015",
                     "sfb2019": "Skype for Business Server 2019"},
    },
}
# Latin first; Hangul falls back, glyph by glyph, to the Korean font of Windows, macOS or Linux.
FONTS = ('"Segoe UI", "Helvetica Neue", Arial, "Malgun Gothic", "Apple SD Gothic Neo", "Noto Sans CJK KR", '
         '"Noto Sans KR", "NanumGothic", sans-serif')

# Grid of the diagram (px).
_PAD, _LINE, _GAP = 16, 15, 26
_LABEL_LINE = 18  # arrow labels: one line each, stacked above the arrow, room for any font's line box
_COLUMNS = {"sources": (10, 170), "external": (270, 26), "proxies": (406, 230), "internal": (720, 26),
            "backends": (876, 284)}
_WIDTH = 1170
_WRAP = 36  # characters per text line in a box


def _wrap(items: list, width: int = _WRAP) -> list:
    """Items joined with ', ' into lines of at most ``width`` characters (an item longer stays whole)."""
    lines, line = [], ""
    for item in items:
        candidate = item if not line else line + ", " + item
        if line and len(candidate) > width:
            lines.append(line + ",")
            line = item
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


def _groups(model: dict, side: str, role: str) -> dict:
    """name -> addresses of the groups with ``role`` on ``side`` of the rules, in rule order."""
    found: dict = {}
    for rule in model["rules"]:
        for group in rule[side + "_groups"]:
            if group["role"] == role:
                entry = found.setdefault(group["name"], [])
                entry.extend(a for a in group["addresses"] if a not in entry)
    return found


def _ports(model: dict) -> dict:
    ids = {rule["id"] for rule in model["rules"]}
    return {"external": [p for p, rule in ((443, "external-https"), (80, "external-http")) if rule in ids],
            "pools": [p for p, rule in ((4443, "internal-https-pools"), (8080, "internal-http-pools")) if rule in ids],
            "owa": [443] if "internal-https-office-web-apps" in ids else []}


def _backends(model: dict, lang: str) -> list:
    """(kind label, name, address lines, published names, port label lines) per backend."""
    labels = ROLE_LABELS[lang]
    published: dict = {}
    for route in model["routes"]:
        if route["backend"] and route["frontend_port"] == 443:
            names = published.setdefault(route["backend"], [])
            names.extend(n for n in route["host_names"] if n not in names)
    ports = _ports(model)
    order, entries = [], {}
    for rule in model["rules"]:
        if rule["interface"] != "internal":
            continue
        for group in rule["destination_groups"]:
            key = group["name"]
            if key not in entries:
                order.append(key)
                entries[key] = {"roles": [], "addresses": []}
            if group["role"] not in entries[key]["roles"]:
                entries[key]["roles"].append(group["role"])
            entries[key]["addresses"].extend(a for a in group["addresses"] if a not in entries[key]["addresses"])
    result = []
    for key in order:
        roles = entries[key]["roles"]
        owa = "office_web_apps" in roles
        if owa:
            kind = labels["office_web_apps"]
        elif "director_pool" in roles or "director" in roles:
            kind = labels["director_pool"]
        else:
            kind = labels["front_end_pool"]
        if owa:
            port_lines = ["HTTPS %d" % port for port in ports["owa"]]
        else:
            translation = {4443: "HTTPS 443 \u2192 4443", 8080: "HTTP 80 \u2192 8080"}
            port_lines = [translation[port] for port in ports["pools"]]
        result.append({"kind": kind, "name": key or "", "addresses": [host_text(a) for a in entries[key]["addresses"]],
                       "published": published.get(key, []), "ports": port_lines})
    return result


def _proxies(model: dict) -> list:
    """The reverse proxies, each with its listener addresses (then those it shares with its group,
    which either member may hold) and its internal ones."""
    listeners = _groups(model, "destination", "reverse_proxy_listener")
    internals = _groups(model, "source", "reverse_proxy_internal_interface")
    groups = model.get("reverse_proxy_groups") or []
    shared = {member: group["virtual_addresses"] for group in groups for member in group["members"]}
    virtual = {group["name"] for group in groups}
    names = [name for name in dict.fromkeys(list(listeners) + list(internals)) if name not in virtual]
    return [{"name": name or "", "listener": [host_text(a) for a in listeners.get(name, [])] + shared.get(name, []),
             "internal": [host_text(a) for a in internals.get(name, [])]} for name in names]


def _box_height(lines: int) -> int:
    return _PAD + 18 + _LINE * lines + 8


def diagram_layout(model: dict, lang: str = "en") -> dict:
    """The diagram's boxes, arrows and labels with their coordinates (what render_diagram draws)."""
    text = TEXT[lang]
    sources = model["options"]["external_sources"]
    any_source = sorted(sources) == sorted(["0.0.0.0/0", "::/0"])
    source_lines = [text["any"] + " (0.0.0.0/0, ::/0)"] if any_source else _wrap([host_text(s) for s in sources], 22)
    ports = _ports(model)
    proxies, backends = _proxies(model), _backends(model, lang)

    boxes, arrows, labels = [], [], []
    # Proxies and backends are stacked in their columns; each box is as tall as its lines.
    y = 70
    for proxy in proxies:
        lines = (["%s: %s" % (text["listener"], line) for line in _wrap(proxy["listener"] or [text["no_addresses"]], 28)]
                 + ["%s: %s" % (text["internal"], line) for line in _wrap(proxy["internal"] or [text["no_addresses"]], 28)])
        height = _box_height(len(lines))
        boxes.append({"id": "proxy-" + proxy["name"], "kind": "proxy", "x": _COLUMNS["proxies"][0], "y": y,
                      "w": _COLUMNS["proxies"][1], "h": height,
                      "title": "%s %s" % (text["proxy"], proxy["name"]),
                      "lines": lines})
        y += height + _GAP
    proxy_bottom = y
    y = 70
    for backend in backends:
        lines = _wrap(backend["addresses"]) + ["%s: %s" % (text["published"], line)
                                               for line in _wrap(backend["published"], 30)]
        height = max(_box_height(len(lines)), 18 + _LABEL_LINE * len(backend["ports"]) + 30)
        boxes.append({"id": "backend-" + backend["name"], "kind": "backend", "x": _COLUMNS["backends"][0], "y": y,
                      "w": _COLUMNS["backends"][1], "h": height, "title": "%s %s" % (backend["kind"], backend["name"]),
                      "lines": lines, "ports": backend["ports"]})
        y += height + _GAP
    bottom = max(proxy_bottom, y, 70 + 160)
    source_height = _box_height(len(source_lines) + 1)
    source_y = 70 + (min(proxy_bottom, bottom) - 70 - _GAP - source_height) // 2 if proxies else 70
    source_y = max(70, source_y)
    boxes.insert(0, {"id": "sources", "kind": "sources", "x": _COLUMNS["sources"][0], "y": source_y,
                     "w": _COLUMNS["sources"][1], "h": source_height,
                     "title": text["internet"] if any_source else text["sources"], "lines": source_lines})
    for key in ("external", "internal"):
        x, w = _COLUMNS[key]
        boxes.append({"id": key + "-firewall", "kind": "firewall", "x": x, "y": 40, "w": w, "h": bottom - 40 - _GAP + 10,
                      "title": text[key + "_firewall"], "lines": []})

    def arrow(ident, x1, x2, y_at, label_lines):
        arrows.append({"id": ident, "x1": x1, "x2": x2, "y": y_at})
        for index, line in enumerate(reversed(label_lines)):
            labels.append({"arrow": ident, "x": x1 + 8, "y": y_at - 6 - index * _LABEL_LINE, "text": line})

    external_label = ["HTTPS %d" % p if p == 443 else "HTTP %d" % p for p in ports["external"]]  # one per line
    source_mid = source_y + source_height // 2
    ext_x, ext_w = _COLUMNS["external"]
    int_x, int_w = _COLUMNS["internal"]
    arrow("from-sources", _COLUMNS["sources"][0] + _COLUMNS["sources"][1], ext_x, source_mid, external_label)
    for box in boxes:
        if box["kind"] == "proxy":
            mid = box["y"] + 18 + _LABEL_LINE * (len(external_label) - 1) + 6
            arrow("to-" + box["id"], ext_x + ext_w, box["x"], mid, external_label)
            arrow("from-" + box["id"], box["x"] + box["w"], int_x, mid, [])
        elif box["kind"] == "backend" and box["ports"]:
            mid = box["y"] + 18 + _LABEL_LINE * (len(box["ports"]) - 1) + 6
            arrow("to-" + box["id"], int_x + int_w, box["x"], mid, box["ports"])
    return {"width": _WIDTH, "height": bottom + 20, "boxes": boxes, "arrows": arrows, "labels": labels,
            "proxies": proxies, "backends": backends, "ports": ports, "any_source": any_source,
            "source_lines": source_lines}


def _description(layout: dict, lang: str) -> str:
    text = TEXT[lang]
    who = text["any"] if layout["any_source"] else "%s (%s)" % (text["sources"], ", ".join(layout["source_lines"]))
    proxies = ", ".join(p["name"] for p in layout["proxies"]) or text["none"]
    external = ", ".join("TCP %d" % p for p in layout["ports"]["external"])
    inside = "; ".join("%s %s: %s" % (b["kind"], b["name"], ", ".join(b["ports"])) for b in layout["backends"])
    return text["desc"] % (who, proxies, external, inside or text["none"])


def render_diagram(model: dict, lang: str = "en") -> str:
    """The SVG diagram of the model's flows (standalone: it is also written as port-diagram.svg)."""
    layout = diagram_layout(model, lang)
    text = TEXT[lang]
    esc = html.escape
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="lync-diagram" role="img" aria-labelledby="diagram-title '
        'diagram-desc" viewBox="0 0 %d %d" width="%d" height="%d" font-family=\'%s\' font-size="12">'
        % (layout["width"], layout["height"], layout["width"], layout["height"], FONTS),
        '<title id="diagram-title">%s</title>' % esc(text["diagram"]),
        '<desc id="diagram-desc">%s</desc>' % esc(_description(layout, lang)),
        "<defs><marker id=\"arrowhead\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
        "markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#1f4e79\"/></marker></defs>",
    ]
    fills = {"sources": "#f2f2f2", "proxy": "#e8f1fa", "backend": "#eef6ea", "firewall": "#c0504d"}
    for box in layout["boxes"]:
        if box["kind"] == "firewall":
            out.append('<g class="box firewall" id="%s"><rect x="%d" y="%d" width="%d" height="%d" rx="3" fill="%s"/>'
                       % (box["id"], box["x"], box["y"], box["w"], box["h"], fills["firewall"]))
            out.append('<text class="caption" x="%d" y="%d" text-anchor="middle" font-weight="bold">%s</text></g>'
                       % (box["x"] + box["w"] // 2, box["y"] - 10, esc(box["title"])))
            continue
        out.append('<g class="box %s" id="%s"><rect x="%d" y="%d" width="%d" height="%d" rx="6" fill="%s" '
                   'stroke="#5a6b7b"/>' % (box["kind"], esc(box["id"]), box["x"], box["y"], box["w"], box["h"],
                                           fills[box["kind"]]))
        out.append('<text x="%d" y="%d" font-weight="bold">%s</text>' % (box["x"] + 10, box["y"] + 18, esc(box["title"])))
        for index, line in enumerate(box["lines"]):
            out.append('<text x="%d" y="%d" font-size="11">%s</text>'
                       % (box["x"] + 10, box["y"] + 18 + _LINE * (index + 1), esc(line)))
        out.append("</g>")
    for item in layout["arrows"]:
        out.append('<line class="arrow" id="%s" x1="%d" y1="%d" x2="%d" y2="%d" stroke="#1f4e79" stroke-width="1.6" '
                   'marker-end="url(#arrowhead)"/>' % (esc(item["id"]), item["x1"], item["y"], item["x2"] - 1, item["y"]))
    for label in layout["labels"]:
        out.append('<text class="label" data-arrow="%s" x="%d" y="%d" font-size="11" fill="#1f4e79">%s</text>'
                   % (esc(label["arrow"]), label["x"], label["y"], esc(label["text"])))
    out.append("</svg>")
    return "\n".join(out) + "\n"


_CSS = """
:root { color-scheme: light; }
body { font-family: %s; color: #1b1b1b; margin: 24px auto; max-width: 1200px; padding: 0 16px; line-height: 1.4; }
header h1 { font-size: 1.6em; margin: 0 0 4px; }
header p.generated { color: #555; margin: 0 0 16px; font-size: 0.9em; }
h2 { font-size: 1.2em; border-bottom: 2px solid #1f4e79; padding-bottom: 2px; margin-top: 28px; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.summary dt { font-weight: 600; }
dl.summary dd { margin: 0; overflow-wrap: anywhere; }
figure.diagram { margin: 12px 0; overflow-x: auto; }
figure.diagram svg { max-width: 100%%; height: auto; }
table { border-collapse: collapse; width: 100%%; table-layout: fixed; margin: 8px 0 16px; }
th, td { border: 1px solid #8a8a8a; padding: 6px 8px; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
thead th { background: #d9e2f3; }
col.protocol { width: 13%%; } col.source { width: 22%%; } col.destination { width: 30%%; } col.notes { width: 35%%; }
tr[data-applied="false"] td { color: #5a5a5a; background: #f7f7f7; font-style: italic; }
.warnings { border: 1px solid #c9a227; border-left: 6px solid #c9a227; background: #fff8e1; padding: 8px 14px; margin: 16px 0; }
.warnings h2 { border: none; margin: 4px 0; }
@page { margin: 14mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  section.interface { break-before: page; }
  tr, .warnings, figure.diagram { break-inside: avoid; }
  figure.diagram { overflow: visible; }
}
""" % FONTS


def _summary(model: dict, lang: str) -> list:
    text = TEXT[lang]
    esc = html.escape
    rows = [(text["product"], text["products"].get(model.get("product"), model.get("product") or "")),
            (text["sip_domains"], ", ".join(model.get("sip_domains", [])))]
    published: dict = {}
    kinds: dict = {}
    for route in model["routes"]:
        if route["backend"] and route["frontend_port"] == 443:
            published.setdefault(route["backend"], [])
            published[route["backend"]].extend(n for n in route["host_names"] if n not in published[route["backend"]])
            kinds[route["backend"]] = route["backend_kind"]
    for kind, label in (("front_end_pool", "pools"), ("director_pool", "directors"), ("office_web_apps", "office_web_apps")):
        names = [name for name, k in kinds.items() if k == kind]
        if names:
            rows.append((text[label], "; ".join("%s: %s" % (name, ", ".join(published[name])) for name in names)))
    proxies = _proxies(model)
    rows.append((text["proxies"], "; ".join("%s (%s: %s; %s: %s)" % (
        p["name"], text["listener"], ", ".join(p["listener"]) or "-", text["internal"], ", ".join(p["internal"]) or "-")
        for p in proxies) or text["none"]))
    options = model["options"]
    option_lines = []
    for key in ("http_redirect", "mobile_autodiscover_over_http"):
        option_lines.append("%s: %s (%s)" % (key, text["on"] if options[key] else text["off"], text["option_text"][key]))
    sources = options["external_sources"]
    option_lines.append("external_sources: %s (%s)" % (
        "any" if sorted(sources) == sorted(["0.0.0.0/0", "::/0"]) else ", ".join(host_text(s) for s in sources),
        text["option_text"]["external_sources"]))
    out = ['<dl class="summary">']
    for term, value in rows:
        out.append("<dt>%s</dt><dd>%s</dd>" % (esc(term), esc(value)))
    out.append("<dt>%s</dt><dd>%s</dd>" % (esc(text["options"]), "<br>".join(esc(line) for line in option_lines)))
    out.append("<dt>%s</dt><dd>%s</dd>" % (esc(text["certificate"]), esc(", ".join(model["certificate_names"]))))
    out.append("</dl>")
    return out


def render_handout(model: dict, sections: list, lang: str, warnings: list, generated: str,
                   version: str = "unknown") -> str:
    """The self-contained HTML page: summary, diagram, the two tables, the warnings."""
    text, table_text = TEXT[lang], TABLE_TEXT[lang]
    esc = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="%s">' % lang,
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="lync.reverse_proxy %s">' % esc(version),
        "<title>%s</title>" % esc(table_text["title"]),
        "<style>%s</style>" % _CSS,
        "</head>",
        "<body>",
        "<header>",
        "<h1>%s</h1>" % esc(table_text["title"]),
        '<p class="generated">%s</p>' % esc(text["generated"] % (generated, version)),
        "</header>",
        '<section class="summary-section">',
        "<h2>%s</h2>" % esc(text["summary"]),
    ]
    out.extend(_summary(model, lang))
    out.append("</section>")
    if warnings:
        out.append('<aside class="warnings" role="note">')
        out.append("<h2>%s</h2>" % esc(table_text["warnings"]))
        out.append("<ul>%s</ul>" % "".join("<li>%s</li>" % esc(w) for w in warnings))
        out.append("</aside>")
    out.append('<section class="diagram-section">')
    out.append("<h2>%s</h2>" % esc(text["diagram"]))
    out.append('<figure class="diagram">%s</figure>' % render_diagram(model, lang).strip())
    out.append("</section>")
    for interface, rows in sections:
        out.append('<section class="interface" id="%s">' % interface)
        out.append("<h2>%s</h2>" % esc(table_text["heading"][interface]))
        if not rows:
            out.append("<p>%s</p>" % esc(table_text["no_rules"]))
            out.append("</section>")
            continue
        out.append('<table data-interface="%s">' % interface)
        out.append('<colgroup><col class="protocol"><col class="source"><col class="destination"><col class="notes">'
                   "</colgroup>")
        out.append("<thead>")
        out.append("<tr>%s</tr>" % "".join("<th>%s</th>" % esc(c) for c in table_text["columns"]))
        out.append("</thead>")
        out.append("<tbody>")
        for row in rows:
            cells = "".join("<td>%s</td>" % esc(row[cell]) for cell in ("protocol", "source", "destination", "notes"))
            applied = "" if row["applied"] else ' data-applied="false"'
            if row.get("addition"):
                applied += ' data-addition="true"'
            out.append('<tr data-rule="%s"%s>%s</tr>' % (esc(row["rule"]), applied, cells))
        out.append("</tbody>")
        out.append("</table>")
        out.append("</section>")
    out.extend(["</body>", "</html>", ""])
    return "\n".join(out)
