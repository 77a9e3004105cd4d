# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The nftables rendering of a firewall policy. PRIVATE to the lync.reverse_proxy collection.

The output is one ``table inet <name>`` written as ``nft list table`` prints it (tabs, set
layout, element order), so that a diff against the live table reads line by line (nft_table
compares the two as nft -j lists them). Address
lists go into interval sets, one per rule, side and family: one rule per (interface, rule,
family), however many addresses there are. Established and related traffic is accepted first.

Per-source limits (the policy's ``source_limits``) are dynamic sets keyed by the source (an IPv4
address, an IPv6 /64): ``ct count`` for the connections a source has open, ``limit rate`` for its
new connections; a new connection over either is dropped before the rules' accepts. nft lists the
sources such a set holds at run time; ``_nft.table_objects`` leaves them out of the comparison.
"""

from __future__ import annotations

from ansible_collections.lync.reverse_proxy.plugins.module_utils._names import NFT_TABLE
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._address import host_text, of_version
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._policy import SOURCE_PREFIX
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._renderer import Option, Renderer

__all__ = ["RENDERER"]

_FAMILIES = ((4, "ip", "ipv4_addr"), (6, "ip6", "ipv6_addr"))


def _set(lines: list, name: str, kind: str, elements: list) -> None:
    lines.extend([
        "\tset %s {" % name,
        "\t\ttype %s" % kind,
        "\t\tflags interval",
        "\t\telements = { %s }" % ", ".join(host_text(cidr) for cidr in elements),
        "\t}",
    ])


def _sets(lines: list, rules: list) -> None:
    for rule in rules:
        name = rule["id"].replace("-", "_")
        for version, dummy in _both_ends(rule):
            kind = "ipv%d_addr" % version
            _set(lines, "%s_src_v%d" % (name, version), kind, of_version(version, rule["sources"]))
            _set(lines, "%s_dst_v%d" % (name, version), kind, of_version(version, rule["destinations"]))


def _both_ends(rule: dict) -> list:
    """The families (version, nft protocol) the rule has sources and destinations in."""
    return [(version, proto) for version, proto, dummy in _FAMILIES
            if of_version(version, rule["sources"]) and of_version(version, rule["destinations"])]


def _accept(rule: dict, version: int, proto: str, match: str) -> str:
    """The rule's accept for one family; ``match`` is the interface part."""
    name = rule["id"].replace("-", "_")
    # a protocol without ports (VRRP) is matched by its number's name, as nft lists it
    what = "meta l4proto %s" % rule["protocol"] if rule["port"] is None else "tcp dport %d" % rule["port"]
    return '\t\t%s%s saddr @%s_src_v%d %s daddr @%s_dst_v%d %s accept comment "%s"' % (
        match, proto, name, version, proto, name, version, what, rule["id"])


def _source_key(version: int) -> str:
    """The key of a per-source set: the address, or its /64 (IPv6)."""
    proto = "ip" if version == 4 else "ip6"
    if SOURCE_PREFIX[version] == (32 if version == 4 else 128):
        return "%s saddr" % proto
    mask = ":".join(["ffff"] * (SOURCE_PREFIX[version] // 16)) + "::"
    return "%s saddr & %s" % (proto, mask)


def _limited(rules: list, policy) -> tuple:
    """(ports, families) the per-source limits cover: none when they are off."""
    ports = policy.limited_ports(rules)
    families = sorted({version for rule in policy.inbound(rules) if rule["port"] in ports
                       for version, dummy in _both_ends(rule)})
    return ports, families


def _limit_sets(lines: list, policy, families: list) -> None:
    limits = policy.source_limits
    for version in families:
        if limits.connections:
            lines.extend(["\tset source_connections_v%d {" % version, "\t\ttype ipv%d_addr" % version,
                          "\t\tsize 65535", "\t\tflags dynamic", "\t}"])
        if limits.rate:
            lines.extend(["\tset source_rate_v%d {" % version, "\t\ttype ipv%d_addr" % version, "\t\tsize 65535",
                          "\t\tflags dynamic,timeout", "\t\ttimeout 1m", "\t}"])


def _limit_rules(policy, ports: list, families: list, match: str) -> list:
    """Drop a new connection to ``ports`` over its source's limits; ``match`` is the interface part."""
    limits = policy.source_limits
    if not ports or not families:
        return []
    dport = "tcp dport %d" % ports[0] if len(ports) == 1 else "tcp dport { %s }" % ", ".join(map(str, ports))
    lines = []
    for version in families:
        key = _source_key(version)
        if limits.connections:
            lines.append('\t\t%s%s ct state new add @source_connections_v%d { %s ct count over %d } drop '
                         'comment "source-connections"' % (match, dport, version, key, limits.connections))
        if limits.rate:
            lines.append('\t\t%s%s ct state new update @source_rate_v%d { %s limit rate over %d/second burst %d packets } '
                         'drop comment "source-rate"' % (match, dport, version, key, limits.rate, limits.burst))
    return lines


def _filter_chain(lines: list, hook: str, direction: str, interfaces, rules: list, head: list,
                  limits=None) -> None:
    lines.append("")
    lines.append("\tchain %s {" % hook)
    lines.append("\t\ttype filter hook %s priority filter; policy accept;" % hook)
    lines.append("\t\tct state established,related accept")
    lines.extend(head)
    for interface in interfaces:
        if limits:
            lines.extend(limits('%s "%s" ' % (direction, interface)))
        for rule in rules:
            lines.extend(_accept(rule, version, proto, '%s "%s" ' % (direction, interface))
                         for version, proto in _both_ends(rule))
        lines.append('\t\t%s "%s" icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept' % (direction, interface))
        lines.append('\t\t%s "%s" drop' % (direction, interface))
    lines.append("\t}")


def _gateway(rules: list, policy, table: str) -> str:
    """Forwarding between the outside and inside interfaces limited to the side's rules."""
    selected = policy.inbound(rules)
    ports, families = _limited(rules, policy)
    lines = ["table inet %s {" % table]
    _sets(lines, selected)
    _limit_sets(lines, policy, families)
    lines.append("")
    lines.append("\tchain forward {")
    lines.append("\t\ttype filter hook forward priority filter; policy accept;")
    lines.append("\t\tct state established,related accept")
    for out_if in policy.external_interfaces:
        for in_if in policy.internal_interfaces:
            lines.extend(_limit_rules(policy, ports, families, 'iifname "%s" oifname "%s" ' % (out_if, in_if)))
    for rule in selected:
        for version, proto in _both_ends(rule):
            for out_if in policy.external_interfaces:
                for in_if in policy.internal_interfaces:
                    lines.append(_accept(rule, version, proto, 'iifname "%s" oifname "%s" ' % (out_if, in_if)))
    for out_if in policy.external_interfaces:
        for in_if in policy.internal_interfaces:
            lines.append('\t\tiifname "%s" oifname "%s" drop' % (out_if, in_if))
            lines.append('\t\tiifname "%s" oifname "%s" drop' % (in_if, out_if))
    lines.append("\t}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(rules: list, policy, table: str = NFT_TABLE) -> str:
    """One proxy's rules as an nftables table; on a gateway, the forwarding table of its side."""
    if policy.placement == "gateway":
        return _gateway(rules, policy, table)
    management = policy.management_sources
    inbound, egress = policy.inbound(rules), policy.egress(rules)
    lines = ["table inet %s {" % table]
    for version, dummy, kind in _FAMILIES:
        if of_version(version, management):
            _set(lines, "management_v%d" % version, kind, of_version(version, management))
    _sets(lines, inbound + egress)
    ports, families = _limited(rules, policy)
    _limit_sets(lines, policy, families)
    head = ['\t\tiif "lo" accept']
    for version, proto, dummy in _FAMILIES:
        if of_version(version, management):
            head.append("\t\ttcp dport %d %s saddr @management_v%d accept" % (policy.management_port, proto, version))
    _filter_chain(lines, "input", "iifname", policy.external_interfaces, inbound, head,
                  lambda match: _limit_rules(policy, ports, families, match))
    if policy.egress_filtering:
        _filter_chain(lines, "output", "oifname", policy.internal_interfaces, egress, [])
    lines.append("}")
    return "\n".join(lines) + "\n"


RENDERER = Renderer(
    name="nftables",
    render=render,
    options={"table": Option(NFT_TABLE, r"[A-Za-z][A-Za-z0-9_]{0,30}", meaning="a valid nftables table name",
                             description=("The name of the table of our own.",))},
)
