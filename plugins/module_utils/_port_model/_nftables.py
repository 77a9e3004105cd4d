# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The nftables rendering of a reverse proxy's rules. PRIVATE to the lync.reverse_proxy collection.

The output is one ``table inet <name>`` written exactly as ``nft list table`` prints it (tabs,
set layout, element order), so that the live table can be compared with it as text. Address
lists go into interval sets, one per rule, side and family: one rule per (interface, rule,
family), however many addresses there are. Established and related traffic is accepted first.
"""

from __future__ import annotations

import re

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._compute import host_text
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._errors import PortModelError
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._linux import check_policy, rules_for

__all__ = ["render_nftables"]

_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}$")
_IFNAME_RE = re.compile(r"^[A-Za-z0-9_.:@-]{1,15}$")
_FAMILIES = ((4, "ip", "ipv4_addr"), (6, "ip6", "ipv6_addr"))


def _of(version: int, cidrs) -> list:
    return [cidr for cidr in cidrs if (":" in cidr) == (version == 6)]


def _set(lines: list, name: str, kind: str, elements: list) -> None:
    lines.extend([
        "\tset %s {" % name,
        "\t\ttype %s" % kind,
        "\t\tflags interval",
        "\t\telements = { %s }" % ", ".join(host_text(cidr) for cidr in elements),
        "\t}",
    ])


def _filter_chain(lines: list, hook: str, direction: str, interfaces: list, rules: list, head: list) -> None:
    lines.append("")
    lines.append("\tchain %s {" % hook)
    lines.append("\t\ttype filter hook %s priority filter; policy accept;" % hook)
    lines.append("\t\tct state established,related accept")
    lines.extend(head)
    for interface in interfaces:
        for rule in rules:
            name = rule["id"].replace("-", "_")
            for version, proto, dummy in _FAMILIES:
                if _of(version, rule["sources"]) and _of(version, rule["destinations"]):
                    lines.append(
                        '\t\t%s "%s" %s saddr @%s_src_v%d %s daddr @%s_dst_v%d tcp dport %d accept comment "%s"'
                        % (direction, interface, proto, name, version, proto, name, version, rule["port"], rule["id"])
                    )
        lines.append('\t\t%s "%s" icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept' % (direction, interface))
        lines.append('\t\t%s "%s" drop' % (direction, interface))
    lines.append("\t}")


def _sets(lines: list, rules: list) -> None:
    for rule in rules:
        name = rule["id"].replace("-", "_")
        for version, dummy, kind in _FAMILIES:
            if _of(version, rule["sources"]) and _of(version, rule["destinations"]):
                _set(lines, "%s_src_v%d" % (name, version), kind, _of(version, rule["sources"]))
                _set(lines, "%s_dst_v%d" % (name, version), kind, _of(version, rule["destinations"]))


def _gateway(rules: list, table: str, side: str, outside: list, inside: list) -> str:
    """Forwarding between the outside and inside interfaces limited to the side's rules."""
    selected, dummy = rules_for(rules, "gateway", side, False)
    lines = ["table inet %s {" % table]
    _sets(lines, selected)
    lines.append("")
    lines.append("\tchain forward {")
    lines.append("\t\ttype filter hook forward priority filter; policy accept;")
    lines.append("\t\tct state established,related accept")
    for rule in selected:
        name = rule["id"].replace("-", "_")
        for version, proto, dummy in _FAMILIES:
            if _of(version, rule["sources"]) and _of(version, rule["destinations"]):
                for out_if in outside:
                    for in_if in inside:
                        lines.append(
                            '\t\tiifname "%s" oifname "%s" %s saddr @%s_src_v%d %s daddr @%s_dst_v%d tcp dport %d '
                            'accept comment "%s"' % (out_if, in_if, proto, name, version, proto, name, version,
                                                     rule["port"], rule["id"]))
    for out_if in outside:
        for in_if in inside:
            lines.append('\t\tiifname "%s" oifname "%s" drop' % (out_if, in_if))
            lines.append('\t\tiifname "%s" oifname "%s" drop' % (in_if, out_if))
    lines.append("\t}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_nftables(
    rules: list,
    table: str = "lync_reverse_proxy",
    management_sources: list | None = None,
    management_port: int = 22,
    external_interfaces: list | None = None,
    internal_interfaces: list | None = None,
    egress_filtering: bool = False,
    placement: str = "host",
    side: str | None = None,
) -> str:
    """One proxy's rules (firewall_rules with reverse_proxy=...) as an nftables table; or, with
    ``placement="gateway"``, the forwarding table of the external or internal firewall."""
    management_sources = list(management_sources or [])
    external_interfaces = list(external_interfaces or [])
    internal_interfaces = list(internal_interfaces or [])
    if not _NAME_RE.match(str(table)):
        raise PortModelError("table %r is not a valid nftables table name" % (table,))
    check_policy(rules, management_sources, management_port, placement, external_interfaces,
                 internal_interfaces, side, egress_filtering)
    if placement == "gateway":
        return _gateway(rules, table, side, external_interfaces, internal_interfaces)
    for interface in external_interfaces + internal_interfaces:
        if not _IFNAME_RE.match(str(interface)):
            raise PortModelError("%r is not an interface name" % (interface,))
    if not isinstance(management_port, int) or not 0 < management_port < 65536:
        raise PortModelError("management_port must be a port number, got %r" % (management_port,))
    external = [rule for rule in rules if rule["interface"] == "external"]
    internal = [rule for rule in rules if rule["interface"] == "internal"] if egress_filtering else []

    lines = ["table inet %s {" % table]
    for version, dummy, kind in _FAMILIES:
        if _of(version, management_sources):
            _set(lines, "management_v%d" % version, kind, _of(version, management_sources))
    for rule in external + internal:
        name = rule["id"].replace("-", "_")
        for version, dummy, kind in _FAMILIES:
            if _of(version, rule["sources"]) and _of(version, rule["destinations"]):
                _set(lines, "%s_src_v%d" % (name, version), kind, _of(version, rule["sources"]))
                _set(lines, "%s_dst_v%d" % (name, version), kind, _of(version, rule["destinations"]))
    head = ['\t\tiif "lo" accept']
    for version, proto, dummy in _FAMILIES:
        if _of(version, management_sources):
            head.append("\t\ttcp dport %d %s saddr @management_v%d accept" % (management_port, proto, version))
    _filter_chain(lines, "input", "iifname", external_interfaces, external, head)
    if egress_filtering:
        _filter_chain(lines, "output", "oifname", internal_interfaces, internal, [])
    lines.append("}")
    return "\n".join(lines) + "\n"
