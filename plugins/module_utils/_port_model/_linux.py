# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The iptables, firewalld and ufw renderings of a proxy's or a gateway's rules.

PRIVATE to the lync.reverse_proxy collection.

Every backend gets the same policy from the same rules (``firewall_rules`` of the model):

* placement ``host`` (the reverse proxy itself): established traffic first, loopback and the
  management port from the management sources, the model's external rules on the external
  interfaces, everything else arriving on them dropped; with egress filtering, what leaves by
  the internal interfaces is limited to the model's internal rules;
* placement ``gateway`` (a Linux router between zones): forwarded traffic from the outside
  interfaces to the inside interfaces limited to the rules of that side (the external firewall:
  Internet -> listeners; the internal firewall: proxy internal addresses -> pools and Office Web
  Apps), nothing else forwarded between those interfaces in either direction.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import quoteattr

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._errors import PortModelError

__all__ = ["PLACEMENTS", "check_policy", "render_firewalld", "render_iptables", "render_ufw", "rules_for", "ufw_stale"]

PLACEMENTS = ("host", "gateway")
_IFNAME_RE = re.compile(r"^[A-Za-z0-9_.:@-]{1,15}$")
_CHAIN_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,20}$")
_ANY = {4: "0.0.0.0/0", 6: "::/0"}


def _of(version: int, cidrs) -> list:
    return [cidr for cidr in cidrs if (":" in cidr) == (version == 6)]


def _interfaces(name: str, values) -> list:
    values = list(values or [])
    for value in values:
        if not isinstance(value, str) or not _IFNAME_RE.match(value):
            raise PortModelError("%s: %r is not an interface name" % (name, value))
    return values


def _check_reachable(rules: list, placement: str, side, egress_filtering: bool, external: list,
                     internal: list) -> None:
    """Refuse what would leave the listener unfiltered or unreachable: a rule set that would
    drop everything on an interface, a rule without addresses, a missing interface."""
    if placement == "host":
        if not external:
            raise PortModelError(
                "external_interfaces is empty: the listener's interface is needed, or the listener would be "
                "left unfiltered (give external_interfaces, or the host's addresses so they are found)")
        if egress_filtering and not internal:
            raise PortModelError(
                "internal_interfaces is empty: egress filtering needs the interfaces the internal rules leave by")
    inbound, egress = rules_for(rules, placement, side, egress_filtering)
    if not inbound:
        what = "external rules" if placement == "host" else "%s rules" % side
        raise PortModelError(
            "the rules have no %s: everything arriving for the listener would be dropped (pass the model's "
            "rules, e.g. firewall_rules(reverse_proxy=...))" % what)
    for rule in inbound + egress:
        for key in ("sources", "destinations"):
            if not rule.get(key):
                raise PortModelError(
                    "rule %s has no %s: its traffic would be dropped; list the reverse proxies' addresses in "
                    "lync_topology.reverse_proxies and select this proxy's rules (reverse_proxy=...)" % (rule["id"], key))
        if not any(_of(version, rule["sources"]) and _of(version, rule["destinations"]) for version in (4, 6)):
            raise PortModelError(
                "rule %s has IPv4 and IPv6 addresses that never meet (sources %s, destinations %s): its traffic "
                "would be dropped" % (rule["id"], ", ".join(rule["sources"]), ", ".join(rule["destinations"])))


def check_policy(rules, management_sources, management_port, placement, external_interfaces,
                 internal_interfaces, side=None, egress_filtering=False) -> dict:
    """Validate the common arguments; returns them normalized."""
    if placement not in PLACEMENTS:
        raise PortModelError("placement must be one of %s, got %r" % (", ".join(PLACEMENTS), placement))
    if not isinstance(rules, list) or not all(isinstance(rule, dict) and "interface" in rule for rule in rules):
        raise PortModelError("the input must be a list of rules (lync.reverse_proxy.firewall_rules)")
    if not isinstance(management_port, int) or isinstance(management_port, bool) or not 0 < management_port < 65536:
        raise PortModelError("management_port must be a port number, got %r" % (management_port,))
    external = _interfaces("external_interfaces", external_interfaces)
    internal = _interfaces("internal_interfaces", internal_interfaces)
    management = list(management_sources or [])
    if placement == "host" and not management:
        raise PortModelError("management_sources is empty: management access would not be kept")
    if placement == "gateway":
        if side not in ("external", "internal"):
            raise PortModelError("gateway placement needs side: external or internal, got %r" % (side,))
        if not external or not internal:
            raise PortModelError(
                "gateway placement needs outside interfaces (external_interfaces) and inside interfaces "
                "(internal_interfaces), got %r and %r" % (external, internal))
        if set(external) & set(internal):
            raise PortModelError("interfaces %s are both outside and inside" % sorted(set(external) & set(internal)))
    _check_reachable(rules, placement, side, bool(egress_filtering), external, internal)
    return {"external": external, "internal": internal, "management": management}


def rules_for(rules: list, placement: str, side: str | None, egress_filtering: bool) -> tuple:
    """(inbound rules, egress rules) the placement filters."""
    if placement == "gateway":
        return [rule for rule in rules if rule["interface"] == side], []
    inbound = [rule for rule in rules if rule["interface"] == "external"]
    egress = [rule for rule in rules if rule["interface"] == "internal"] if egress_filtering else []
    return inbound, egress


# -- iptables ---------------------------------------------------------------------------------
def _ipt_rule(chain: str, version: int, rule: dict, iface_opt: str, interface: str, out_opt: str = "",
              out_interface: str = "") -> list:
    lines = []
    for source in _of(version, rule["sources"]):
        for destination in _of(version, rule["destinations"]):
            parts = ["-A", chain]
            if source != _ANY[version]:
                parts += ["-s", source]
            if destination != _ANY[version]:
                parts += ["-d", destination]
            parts += [iface_opt, interface]
            if out_opt:
                parts += [out_opt, out_interface]
            parts += ["-p", "tcp", "-m", "tcp", "--dport", str(rule["port"]),
                      "-m", "comment", "--comment", rule["id"], "-j", "ACCEPT"]
            lines.append(" ".join(parts))
    return lines


def render_iptables(rules, management_sources=None, management_port: int = 22, external_interfaces=None,
                    internal_interfaces=None, egress_filtering: bool = False, placement: str = "host",
                    side: str | None = None, chain_prefix: str = "LYNC-RP", family: int = 4) -> dict:
    """Our chains for ``iptables-restore --noflush`` (family 4) or ``ip6tables-restore`` (6).

    Returns ``{"chains": {chain: builtin chain that jumps to it}, "content": restore text}``; the
    rule lines are written the way ``iptables-save`` prints them, so the live chains can be
    compared with them line by line.
    """
    policy = check_policy(rules, management_sources, management_port, placement, external_interfaces,
                          internal_interfaces, side, egress_filtering)
    if family not in (4, 6):
        raise PortModelError("family must be 4 or 6, got %r" % (family,))
    if not isinstance(chain_prefix, str) or not _CHAIN_RE.match(chain_prefix):
        raise PortModelError("chain_prefix %r is not a usable chain name prefix" % (chain_prefix,))
    inbound, egress = rules_for(rules, placement, side, egress_filtering)
    established = "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
    chains = {}
    body = []
    if placement == "gateway":
        chain = chain_prefix + "-FORWARD"
        chains[chain] = "FORWARD"
        body.append("-A %s %s" % (chain, established))
        for outside in policy["external"]:
            for inside in policy["internal"]:
                for rule in inbound:
                    body.extend(_ipt_rule(chain, family, rule, "-i", outside, "-o", inside))
        for outside in policy["external"]:
            for inside in policy["internal"]:
                body.append("-A %s -i %s -o %s -j DROP" % (chain, outside, inside))
                body.append("-A %s -i %s -o %s -j DROP" % (chain, inside, outside))
    else:
        chain = chain_prefix + "-INPUT"
        chains[chain] = "INPUT"
        body.append("-A %s %s" % (chain, established))
        body.append("-A %s -i lo -j ACCEPT" % chain)
        for source in _of(family, policy["management"]):
            body.append("-A %s %s-p tcp -m tcp --dport %d -m comment --comment management -j ACCEPT" % (
                chain, "" if source == _ANY[family] else "-s %s " % source, management_port))
        for interface in policy["external"]:
            for rule in inbound:
                body.extend(_ipt_rule(chain, family, rule, "-i", interface))
            if family == 6:
                for kind in (135, 136):
                    body.append("-A %s -i %s -p ipv6-icmp -m icmp6 --icmpv6-type %d -j ACCEPT" % (chain, interface, kind))
            body.append("-A %s -i %s -j DROP" % (chain, interface))
        if egress_filtering:
            out = chain_prefix + "-OUTPUT"
            chains[out] = "OUTPUT"
            body.append("-A %s %s" % (out, established))
            for interface in policy["internal"]:
                for rule in egress:
                    body.extend(_ipt_rule(out, family, rule, "-o", interface))
                if family == 6:
                    for kind in (135, 136):
                        body.append("-A %s -o %s -p ipv6-icmp -m icmp6 --icmpv6-type %d -j ACCEPT" % (out, interface, kind))
                body.append("-A %s -o %s -j DROP" % (out, interface))
    content = ["*filter"] + [":%s - [0:0]" % name for name in chains] + body + ["COMMIT"]
    return {"chains": chains, "content": "\n".join(content) + "\n"}


# -- firewalld --------------------------------------------------------------------------------
def _fwd_rules(rule: dict, indent: str = "  ") -> list:
    lines = []
    for version in (4, 6):
        for source in _of(version, rule["sources"]):
            for destination in _of(version, rule["destinations"]):
                parts = ['<rule family="ipv%d">' % version]
                if source != _ANY[version]:
                    parts.append("<source address=%s/>" % quoteattr(source))
                if destination != _ANY[version]:
                    parts.append("<destination address=%s/>" % quoteattr(destination))
                parts.append('<port port="%d" protocol="tcp"/>' % rule["port"])
                parts.append("<accept/></rule>")
                lines.append(indent + "".join(parts))
    return lines


def _xml(kind: str, attributes: str, short: str, description: str, inner: list) -> str:
    return "\n".join(['<?xml version="1.0" encoding="utf-8"?>', "<%s%s>" % (kind, attributes),
                      "  <short>%s</short>" % short, "  <description>%s</description>" % description]
                     + inner + ["</%s>" % kind]) + "\n"


def render_firewalld(rules, management_sources=None, management_port: int = 22, external_interfaces=None,
                     internal_interfaces=None, egress_filtering: bool = False, placement: str = "host",
                     side: str | None = None, prefix: str = "lync") -> dict:
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
    policy = check_policy(rules, management_sources, management_port, placement, external_interfaces,
                          internal_interfaces, side, egress_filtering)
    if not isinstance(prefix, str) or not re.match(r"^[a-z][a-z0-9-]{0,11}$", prefix):
        raise PortModelError("prefix %r must be lower-case letters, digits and '-', at most 12" % (prefix,))
    inbound, egress = rules_for(rules, placement, side, egress_filtering)
    note = "Managed by lync.reverse_proxy: changes here are replaced."
    files = {}

    def interfaces(names):
        return ["  <interface name=%s/>" % quoteattr(name) for name in names]

    if placement == "gateway":
        files["zones/%s-outside.xml" % prefix] = _xml(
            "zone", ' target="default"', "%s-outside" % prefix, note, interfaces(policy["external"]))
        files["zones/%s-inside.xml" % prefix] = _xml(
            "zone", ' target="default"', "%s-inside" % prefix, note, interfaces(policy["internal"]))
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
    body = interfaces(policy["external"])
    for source in policy["management"]:
        version = 6 if ":" in source else 4
        body.append('  <rule family="ipv%d">%s<port port="%d" protocol="tcp"/><accept/></rule>' % (
            version, "" if source == _ANY[version] else "<source address=%s/>" % quoteattr(source), management_port))
    for rule in inbound:
        body.extend(_fwd_rules(rule))
    files["zones/%s-external.xml" % prefix] = _xml("zone", ' target="DROP"', "%s-external" % prefix, note, body)
    files["zones/%s-internal.xml" % prefix] = _xml(
        "zone", ' target="ACCEPT"', "%s-internal" % prefix, note, interfaces(policy["internal"]))
    if egress_filtering:
        body = ['  <ingress-zone name="HOST"/>', '  <egress-zone name="%s-internal"/>' % prefix]
        for rule in egress:
            body.extend(_fwd_rules(rule))
        files["policies/%s-egress.xml" % prefix] = _xml("policy", ' target="DROP"', "%s-egress" % prefix, note, body)
    return files


# -- ufw --------------------------------------------------------------------------------------
def render_ufw(rules, management_sources=None, management_port: int = 22, external_interfaces=None,
               internal_interfaces=None, egress_filtering: bool = False, placement: str = "host",
               side: str | None = None, comment_prefix: str = "lync-rp:") -> list:
    """Rules for community.general.ufw, each with a comment naming the model rule.

    ufw's own default policy drops incoming traffic on every interface; these rules allow the
    management port from the management sources (in both placements: ufw filters a router's own
    input too) and the model's external rules on the external interfaces (host placement), or
    route the side's rules from the outside to the inside interfaces (gateway placement, with
    ufw's default routed policy deny).
    """
    policy = check_policy(rules, management_sources, management_port, placement, external_interfaces,
                          internal_interfaces, side, egress_filtering)
    if egress_filtering:
        raise PortModelError("egress_filtering is not supported with ufw (rules are ordered by insertion, "
                             "a rule added later would land after the final deny); use nftables, iptables "
                             "or firewalld for it")
    inbound, dummy = rules_for(rules, placement, side, False)
    result = []
    # ufw filters the router's own input as well: management access is kept in both placements.
    for source in policy["management"]:
        result.append({"rule": "allow", "direction": "in", "from_ip": source, "to_ip": "any",
                       "to_port": str(management_port), "proto": "tcp", "comment": comment_prefix + "management"})
    for rule in inbound:
        for version in (4, 6):
            for source in _of(version, rule["sources"]):
                for destination in _of(version, rule["destinations"]):
                    for outside in policy["external"]:
                        item = {"rule": "allow", "from_ip": "any" if source == _ANY[version] else source,
                                "to_ip": destination, "to_port": str(rule["port"]), "proto": "tcp",
                                "comment": comment_prefix + rule["id"]}
                        if placement == "gateway":
                            for inside in policy["internal"]:
                                result.append(dict(item, route=True, interface_in=outside, interface_out=inside))
                        else:
                            result.append(dict(item, direction="in", interface=outside))
    return result


def _ufw_address(value: str) -> str:
    value = str(value)
    if value in ("any", "0.0.0.0/0", "::/0"):
        return "any"
    host = "/128" if ":" in value else "/32"
    return value[: -len(host)] if value.endswith(host) else value


def _ufw_key(item: dict) -> tuple:
    if item.get("route"):
        where = ("route", item.get("interface_in", ""), item.get("interface_out", ""))
    else:
        where = (item.get("direction", "in"), item.get("interface", ""), "")
    return (item["rule"], item.get("proto", "any"), str(item.get("to_port", "any")), _ufw_address(item.get("to_ip", "any")),
            _ufw_address(item.get("from_ip", "any"))) + where


def ufw_stale(user_rules: str, desired: list, comment_prefix: str = "lync-rp:") -> list:
    """Our rules in ufw's user rules (``### tuple ###`` lines of user.rules and user6.rules) that
    ``desired`` (render_ufw's output) no longer has, as community.general.ufw parameters."""
    if not isinstance(user_rules, str):
        raise PortModelError("the input must be the text of /etc/ufw/user.rules and user6.rules")
    wanted = {_ufw_key(item) for item in desired or []}
    stale, seen = [], set()
    for line in user_rules.splitlines():
        if not line.startswith("### tuple ### "):
            continue
        fields = line[len("### tuple ### "):].split()
        comment = ""
        if fields and fields[-1].startswith("comment="):
            try:
                comment = bytes.fromhex(fields.pop()[len("comment="):]).decode("utf-8", "replace")
            except ValueError:
                comment = ""
        if not comment.startswith(comment_prefix) or len(fields) != 7:
            continue
        action, proto, dport, destination, dummy, source, where = fields
        item = {"rule": action.split(":")[-1], "proto": proto, "to_port": dport, "to_ip": _ufw_address(destination),
                "from_ip": _ufw_address(source), "comment": comment}
        if action.startswith("route:"):
            incoming, dummy, outgoing = where.partition("!")
            item.update(route=True, interface_in=incoming.partition("_")[2], interface_out=outgoing.partition("_")[2])
        else:
            direction, dummy, interface = where.partition("_")
            item["direction"] = direction
            if interface:
                item["interface"] = interface
        key = _ufw_key(item)
        if key not in wanted and key not in seen:
            seen.add(key)
            stale.append(item)
    return stale
