# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The port summary tables (markdown, csv, html; en, ko). PRIVATE to the lync.reverse_proxy collection.

The tables have the source's shape: one per interface, the columns protocol/port, source,
destination and notes, one row per rule in the source's order. Cells name roles as the source
does and, when the model has them, the real addresses beside the roles. Given the limits the
firewall and the proxy apply (the roles' settings), the external rules' notes say them.
"""

from __future__ import annotations

import csv
import datetime
import io
import re

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._address import host_text
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._data import (
    FACTS,
    INTERFACES,
    LANGUAGES,
    ROLE_LABELS,
    ROLE_ORDER,
    TABLE_TEXT,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._errors import PortModelError
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._handout import (
    render_diagram,
    render_handout,
)

__all__ = ["FORMATS", "render_port_table", "table_rows"]

FORMATS = ("markdown", "csv", "html", "svg")


def _endpoint_cell(rule: dict, side: str, lang: str, addresses: bool) -> str:
    labels = ROLE_LABELS[lang]
    roles = rule["source_roles"] if side == "source" else rule["roles"]
    groups = rule.get(side + "_groups") or []
    if not addresses or not any(group["addresses"] for group in groups):
        return ", ".join(labels[role] for role in roles)
    parts = []
    for group in sorted(groups, key=lambda g: ROLE_ORDER.index(g["role"])):
        label = labels[group["role"]]
        if group["role"] == "any":
            parts.append(label)
            continue
        if group["name"]:
            label = "%s %s" % (label, group["name"])
        if "members" in group:  # a reverse proxy group's shared addresses
            label = "%s (%s)" % (label, TABLE_TEXT[lang]["virtual"].format(members=", ".join(group["members"])))
        if group["addresses"]:
            label = "%s: %s" % (label, ", ".join(host_text(a) for a in group["addresses"]))
        else:
            label = "%s (%s)" % (label, TABLE_TEXT[lang]["unknown_addresses"])
        parts.append(label)
    return "; ".join(parts)


def _notes(rule: dict, lang: str) -> str:
    text = " ".join(FACTS[lang][fact] for fact in rule["facts"])
    if not rule["required"]:
        text = "%s %s" % (TABLE_TEXT[lang]["optional"], text)
    if rule.get("addition"):
        text = "%s %s" % (TABLE_TEXT[lang]["addition"], text)
    return text


def _protocol(rule: dict, lang: str) -> str:
    """The first cell: ``HTTPS/TCP/443`` as the source writes it; a protocol without ports (VRRP,
    an addition beyond the source) by its IP protocol number."""
    if rule["port"] is None:
        return "%s/%s" % (rule["application"].upper(),
                          TABLE_TEXT[lang]["ip_protocol"].format(number=rule["ip_protocol"]))
    return "%s/%s/%d" % (rule["application"].upper(), rule["protocol"].upper(), rule["port"])


def _with_optional_8080(rules: list) -> list:
    """The rules, and the internal 8080 row as the source shows it when the model leaves it out:
    optional (not required) while the certificate carries the lyncdiscover names. The row is
    marked ``applied: false``; the firewall rules stay without it."""
    ids = [rule["id"] for rule in rules]
    if "internal-http-pools" in ids or "internal-https-pools" not in ids:
        return rules
    pools = rules[ids.index("internal-https-pools")]
    optional = dict(pools, id="internal-http-pools", application="http", port=8080, required=False,
                    facts=["port_8080_optional", "port_80_to_8080"], applied=False)
    return rules[:ids.index("internal-https-pools")] + [optional] + rules[ids.index("internal-https-pools"):]


_LIMIT_KEYS = {"firewall": ("connections", "rate", "burst"),
               "proxy": ("software", "connections", "rate", "handshake", "request_head")}
_PROXY_NAMES = {"haproxy": "HAProxy", "nginx": "nginx"}


def check_limits(limits) -> dict:
    """``limits`` checked: ``firewall`` (``connections``, ``rate``, ``burst``: rp_firewall's per-source limits)
    and ``proxy`` (``software``, ``connections``, ``rate``, ``handshake``, ``request_head``), each
    optional; a bad key or value is named."""
    if limits in (None, {}):
        return {}
    if not isinstance(limits, dict):
        raise PortModelError("limits must be a mapping with firewall and/or proxy, got %r" % (limits,))
    unknown = sorted(set(limits) - set(_LIMIT_KEYS))
    if unknown:
        raise PortModelError("limits takes no key %s (its keys: firewall, proxy)" % ", ".join(unknown))
    checked = {}
    for part, keys in _LIMIT_KEYS.items():
        given = limits.get(part)
        if given in (None, {}):
            continue
        if not isinstance(given, dict):
            raise PortModelError("limits.%s must be a mapping, got %r" % (part, given))
        unknown = sorted(set(given) - set(keys))
        if unknown:
            raise PortModelError("limits.%s takes no key %s (its keys: %s)" % (part, ", ".join(unknown), ", ".join(keys)))
        values = {}
        for key in keys:
            value = given.get(key, 0 if key in ("connections", "rate", "burst") else None)
            if key == "software":
                if value not in _PROXY_NAMES:
                    raise PortModelError("limits.proxy.software must be one of haproxy, nginx, got %r" % (value,))
            elif key in ("handshake", "request_head"):
                if not (isinstance(value, str) and re.fullmatch(r"[0-9]+(ms|s|m)", value)):
                    raise PortModelError("limits.proxy.%s must be a time such as 10s, got %r" % (key, value))
            elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise PortModelError("limits.%s.%s must be a whole number of at least 0, got %r" % (part, key, value))
            values[key] = value
        checked[part] = values
    return checked


def _seconds(value: str, lang: str) -> str:
    number, unit = re.fullmatch(r"([0-9]+)(ms|s|m)", value).groups()
    return number + {"en": {"ms": " ms", "s": " s", "m": " min"}, "ko": {"ms": "ms", "s": "초", "m": "분"}}[lang][unit]


def limits_note(limits: dict, lang: str) -> str:
    """What the external rules' notes say of the limits (empty without any)."""
    if not limits:
        return ""
    text = TABLE_TEXT[lang]
    parts = [text["limits_source"]]
    firewall = limits.get("firewall")
    if firewall and (firewall["connections"] or firewall["rate"]):
        # each limit the firewall has; a burst only beside a rate (it is the rate's allowance)
        key = "limits_firewall" if firewall["connections"] and firewall["rate"] else (
            "limits_firewall_open" if firewall["connections"] else "limits_firewall_rate")
        burst = text["limits_firewall_burst"].format(burst="{:,}".format(firewall["burst"])) if firewall["burst"] else ""
        parts.append(text[key].format(connections="{:,}".format(firewall["connections"]),
                                      rate="{:,}".format(firewall["rate"]), burst=burst))
    proxy = limits.get("proxy")
    if proxy:
        name = _PROXY_NAMES[proxy["software"]]
        if proxy["connections"] and proxy["rate"]:
            parts.append(text["limits_proxy"].format(proxy=name, connections="{:,}".format(proxy["connections"]),
                                                     rate="{:,}".format(proxy["rate"])))
        elif proxy["connections"]:
            parts.append(text["limits_proxy_open"].format(proxy=name, connections="{:,}".format(proxy["connections"])))
        if proxy["software"] == "nginx" and proxy["connections"]:
            parts.append(text["limits_nginx"])
    if len(parts) == 1:
        parts.append(text["limits_none"])
    if proxy:
        parts.append(text["limits_times"].format(handshake=_seconds(proxy["handshake"], lang),
                                                 request_head=_seconds(proxy["request_head"], lang)))
    elif parts[-1].endswith(";"):
        parts[-1] = parts[-1][:-1] + "."
    return " ".join(parts)


def table_rows(rules: list, lang: str = "en", interface: str | None = None, addresses: bool = True,
               limits: dict | None = None) -> list:
    """The table rows: dicts with interface, rule, applied, protocol (the first cell), source,
    destination, notes (for the external rules with the limits' note, when ``limits`` says any),
    and ``addition: true`` for a row beyond the source's tables (VRRP between a group's proxies)."""
    note = limits_note(check_limits(limits), lang)
    rows = []
    for rule in _with_optional_8080(rules):
        if interface is not None and rule["interface"] != interface:
            continue
        rows.append({
            "interface": rule["interface"],
            "rule": rule["id"],
            "applied": rule.get("applied", True),
            "protocol": _protocol(rule, lang),
            "source": _endpoint_cell(rule, "source", lang, addresses),
            "destination": _endpoint_cell(rule, "destination", lang, addresses),
            # the limits are on the listener's ports; a rule without ports has none of them
            "notes": _notes(rule, lang) + (" " + note if note and rule["interface"] == "external"
                                           and rule["port"] is not None else ""),
        })
        if rule.get("addition"):
            rows[-1]["addition"] = True
    return rows


def _warnings(rules: list, lang: str) -> list:
    """The source's own warning (TCP 4443 is not CMS replication), in the table's language,
    when the 4443 rule is there."""
    if any(rule["id"] == "internal-https-pools" for rule in rules):
        return [TABLE_TEXT[lang]["cms_warning"]]
    return []


_CELLS = ("protocol", "source", "destination", "notes")


def _markdown_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _markdown(sections, text: dict, warnings: list) -> str:
    lines = []
    for interface, rows in sections:
        lines.append("### %s" % text["heading"][interface])
        lines.append("")
        if not rows:
            lines.append(text["no_rules"])
        else:
            lines.append("| %s |" % " | ".join(text["columns"]))
            lines.append("|%s" % ("---|" * len(text["columns"])))
            for row in rows:
                lines.append("| %s |" % " | ".join(_markdown_cell(row[cell]) for cell in _CELLS))
        lines.append("")
    if warnings:
        lines.append("> **%s**" % text["warnings"])
        for warning in warnings:
            lines.append("> - %s" % _markdown_cell(warning))
        lines.append("")
    return "\n".join(lines)


def _csv(sections, text: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow((text["interface_column"],) + tuple(text["columns"]))
    for interface, rows in sections:
        for row in rows:
            writer.writerow([text["interface"][interface]] + [row[cell] for cell in _CELLS])
    return buffer.getvalue()


def render_port_table(
    model: dict,
    fmt: str = "markdown",
    lang: str = "en",
    interface: str | None = None,
    addresses: bool = True,
    generated: str | None = None,
    limits: dict | None = None,
    version: str = "unknown",
) -> str:
    """Render the model's rules as the source's two tables (``html``: the handout with the
    deployment's summary and diagram; ``svg``: the diagram alone). ``generated`` is the date the
    HTML says it was generated on (today when not given), ``version`` the collection's version it
    names (the caller knows it); ``limits`` (:func:`check_limits`) the
    per-source limits and time-outs on the listener, said in the external rules' notes."""
    if fmt not in FORMATS:
        raise PortModelError("format must be one of %s, got %r" % (", ".join(FORMATS), fmt))
    if lang not in LANGUAGES:
        raise PortModelError("lang must be one of %s, got %r" % (", ".join(LANGUAGES), lang))
    if interface is not None and interface not in INTERFACES:
        raise PortModelError("interface must be one of %s, got %r" % (", ".join(INTERFACES), interface))
    if not isinstance(addresses, bool):
        raise PortModelError("addresses must be true or false, got %r" % (addresses,))
    text = TABLE_TEXT[lang]
    limits = check_limits(limits)
    interfaces = INTERFACES if interface is None else (interface,)
    sections = [(name, table_rows(model["rules"], lang, name, addresses, limits)) for name in interfaces]
    warnings = _warnings(model["rules"], lang) if interface in (None, "internal") else []
    if fmt == "markdown":
        return _markdown(sections, text, warnings)
    if fmt == "csv":
        return _csv(sections, text)
    if fmt == "svg":
        return render_diagram(model, lang)
    if generated is None:
        generated = datetime.date.today().isoformat()
    # The source's warning in the page's language, then the deployment's own (in English).
    own = [w for w in model.get("warnings", []) if not w.startswith("internal-https-pools:")]
    return render_handout(model, sections, lang, warnings + own, str(generated), str(version))
