# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The firewalld rendering of a firewall policy. PRIVATE to the lync.reverse_proxy collection.

Zones and policies of our own, as the XML files firewalld reads from ``/etc/firewalld``.
"""

from __future__ import annotations

from ansible_collections.lync.reverse_proxy.plugins.module_utils._names import FIREWALLD_PREFIX, FIREWALLD_PREFIX_PATTERN
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._address import ANY, of_version
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._renderer import Option, Renderer

__all__ = ["RENDERER"]


def _attribute(value: str) -> str:
    """An XML attribute value, quoted (xml.sax.saxutils.quoteattr, imported when firewalld is
    rendered: it pulls in urllib, which no other renderer needs)."""
    from xml.sax.saxutils import quoteattr  # pylint: disable=import-outside-toplevel

    return quoteattr(value)


def _fwd_rules(rule: dict, indent: str = "  ") -> list:
    lines = []
    for version in (4, 6):
        for source in of_version(version, rule["sources"]):
            for destination in of_version(version, rule["destinations"]):
                parts = ['<rule family="ipv%d">' % version]
                if source != ANY[version]:
                    parts.append("<source address=%s/>" % _attribute(source))
                if destination != ANY[version]:
                    parts.append("<destination address=%s/>" % _attribute(destination))
                if rule["port"] is None:  # a protocol without ports (VRRP)
                    parts.append("<protocol value=%s/>" % _attribute(rule["protocol"]))
                else:
                    parts.append('<port port="%d" protocol="tcp"/>' % rule["port"])
                parts.append("<accept/></rule>")
                lines.append(indent + "".join(parts))
    return lines


def _xml(kind: str, attributes: str, short: str, description: str, inner: list) -> str:
    return "\n".join(['<?xml version="1.0" encoding="utf-8"?>', "<%s%s>" % (kind, attributes),
                      "  <short>%s</short>" % short, "  <description>%s</description>" % description]
                     + inner + ["</%s>" % kind]) + "\n"


def render(rules: list, policy, prefix: str = FIREWALLD_PREFIX) -> dict:
    """firewalld configuration files: ``{"zones/<prefix>-external.xml": text, ...}``.

    Host placement: zone ``<prefix>-external`` (target DROP) holding the external interfaces, with
    one rich rule per (rule, source, destination) and the management port from the management
    sources; zone ``<prefix>-internal`` (target ACCEPT) holding the internal interfaces; with
    egress filtering, policy ``<prefix>-egress`` (ingress zone HOST, egress zone
    ``<prefix>-internal``, target DROP) holding the internal rules.
    Gateway placement: zones ``<prefix>-outside`` and ``<prefix>-inside`` and policy
    ``<prefix>-forward`` (outside -> inside, target DROP) holding the rules of the side, and
    policy ``<prefix>-return`` (inside -> outside, target DROP): only replies pass.
    """
    inbound, egress = policy.inbound(rules), policy.egress(rules)
    note = "Managed by lync.reverse_proxy: changes here are replaced."
    files = {}

    def interfaces(names):
        return ["  <interface name=%s/>" % _attribute(name) for name in names]

    if policy.placement == "gateway":
        files["zones/%s-outside.xml" % prefix] = _xml(
            "zone", ' target="default"', "%s-outside" % prefix, note, interfaces(policy.external_interfaces))
        files["zones/%s-inside.xml" % prefix] = _xml(
            "zone", ' target="default"', "%s-inside" % prefix, note, interfaces(policy.internal_interfaces))
        body = []
        for rule in inbound:
            body.extend(_fwd_rules(rule))
        files["policies/%s-forward.xml" % prefix] = _xml(
            "policy", ' target="DROP"', "%s-forward" % prefix, note,
            ['  <ingress-zone name="%s-outside"/>' % prefix, '  <egress-zone name="%s-inside"/>' % prefix] + body)
        files["policies/%s-return.xml" % prefix] = _xml(
            "policy", ' target="DROP"', "%s-return" % prefix, note,
            ['  <ingress-zone name="%s-inside"/>' % prefix, '  <egress-zone name="%s-outside"/>' % prefix])
        return files
    body = interfaces(policy.external_interfaces)
    for source in policy.management_sources:
        version = 6 if ":" in source else 4
        body.append('  <rule family="ipv%d">%s<port port="%d" protocol="tcp"/><accept/></rule>' % (
            version, "" if source == ANY[version] else "<source address=%s/>" % _attribute(source), policy.management_port))
    for rule in inbound:
        body.extend(_fwd_rules(rule))
    files["zones/%s-external.xml" % prefix] = _xml("zone", ' target="DROP"', "%s-external" % prefix, note, body)
    files["zones/%s-internal.xml" % prefix] = _xml(
        "zone", ' target="ACCEPT"', "%s-internal" % prefix, note, interfaces(policy.internal_interfaces))
    if policy.egress_filtering:
        body = ['  <ingress-zone name="HOST"/>', '  <egress-zone name="%s-internal"/>' % prefix]
        for rule in egress:
            body.extend(_fwd_rules(rule))
        files["policies/%s-egress.xml" % prefix] = _xml("policy", ' target="DROP"', "%s-egress" % prefix, note, body)
    return files


RENDERER = Renderer(
    name="firewalld",
    render=render,
    options={"prefix": Option(FIREWALLD_PREFIX, FIREWALLD_PREFIX_PATTERN,
                              meaning="a prefix of lower-case letters, digits and '-', at most 12",
                              description=("The prefix of our zones and policies.",))},
    source_limits=False,
    limits={"source_limits": "a firewalld rich rule's limit is one budget for every source together, and firewalld "
                             "has no per-source connection count; the proxy's own per-source limits apply, or use "
                             "nftables or iptables"},
)
