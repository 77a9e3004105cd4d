# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ufw rendering of a firewall policy, and our stale rules in ufw's files. PRIVATE to the collection.

Rules for community.general.ufw, each with a comment that names the model rule; ufw has no
egress filtering here (its rules are ordered by insertion).

ufw's command line allows TCP, UDP and a few named protocols, not VRRP (IP protocol 112): a rule
without a port (``external-vrrp``) is rendered by :func:`before_rules` instead, as the lines ufw's
documentation says to add to ``/etc/ufw/before.rules`` and ``before6.rules`` (chain
``ufw-before-input``), which the rp_firewall role keeps in a marked block of those files.
"""

from __future__ import annotations

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._address import ANY, host_text, of_version
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._errors import PortModelError
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._renderer import Option, Renderer

__all__ = ["RENDERER", "stale_rules"]


def render(rules: list, policy, comment_prefix: str = "lync-rp:") -> list:
    """Rules for community.general.ufw, each with a comment naming the model rule.

    ufw's own default policy drops incoming traffic on every interface; these rules allow the
    management port from the management sources (in both placements: ufw filters a router's own
    input too) and the model's external rules on the external interfaces (host placement), or
    route the side's rules from the outside to the inside interfaces (gateway placement, with
    ufw's default routed policy deny).
    """
    inbound = [rule for rule in policy.inbound(rules) if rule["port"] is not None]  # the rest: before_rules
    result = []
    # ufw filters the router's own input as well: management access is kept in both placements.
    for source in policy.management_sources:
        result.append({"rule": "allow", "direction": "in", "from_ip": source, "to_ip": "any",
                       "to_port": str(policy.management_port), "proto": "tcp", "comment": comment_prefix + "management"})
    for rule in inbound:
        for version in (4, 6):
            for source in of_version(version, rule["sources"]):
                for destination in of_version(version, rule["destinations"]):
                    for outside in policy.external_interfaces:
                        item = {"rule": "allow", "from_ip": "any" if source == ANY[version] else source,
                                "to_ip": destination, "to_port": str(rule["port"]), "proto": "tcp",
                                "comment": comment_prefix + rule["id"]}
                        if policy.placement == "gateway":
                            for inside in policy.internal_interfaces:
                                result.append(dict(item, route=True, interface_in=outside, interface_out=inside))
                        else:
                            result.append(dict(item, direction="in", interface=outside))
    return result


# The chain of ufw's before.rules (IPv4) and before6.rules (IPv6) that filters the host's input.
_BEFORE_INPUT = {4: "ufw-before-input", 6: "ufw6-before-input"}


def before_rules(rules: list, policy, comment_prefix: str = "lync-rp:") -> dict:
    """The rules ufw's command line cannot express (those without a port: VRRP) as lines of
    ``/etc/ufw/before.rules`` (``v4``) and ``before6.rules`` (``v6``), in the form iptables-restore
    reads there: ``-A ufw-before-input -i <external> -s <peer> -d <own> -p vrrp ... -j ACCEPT`` (IPv6:
    ``ufw6-before-input``). A gateway
    has none (``policy.inbound``): VRRP stays on the proxies' segment."""
    lines: dict = {"v4": [], "v6": []}
    for rule in policy.inbound(rules):
        if rule["port"] is not None:
            continue
        for version in (4, 6):
            for source in of_version(version, rule["sources"]):
                for destination in of_version(version, rule["destinations"]):
                    for interface in policy.external_interfaces:
                        lines["v%d" % version].append(
                            "-A %s -i %s -s %s -d %s -p %s -m comment --comment %s%s -j ACCEPT"
                            % (_BEFORE_INPUT[version], interface, source, destination, rule["protocol"],
                               comment_prefix, rule["id"]))
    return lines


RENDERER = Renderer(
    name="ufw",
    render=render,
    options={"comment_prefix": Option("lync-rp:", r"[^'\"\\\s]{1,64}",
                                      meaning="a comment prefix without blanks or quotes, at most 64 characters",
                                      description=("The start of our rules' comments; rules with it are ours.",))},
    egress_filtering=False,
    source_limits=False,
    limits={"egress_filtering": "ufw orders rules by insertion, a rule added later would land after the final "
                                "deny; use nftables, iptables or firewalld for it",
            "source_limits": "ufw's limit rule allows a source 6 new connections in 30 seconds, far too few for "
                             "Lync clients behind one NAT address, and cannot be set; the proxy's own per-source "
                             "limits apply, or use nftables or iptables"},
)


def _ufw_address(value: str) -> str:
    value = str(value)
    return "any" if value in ("any", ANY[4], ANY[6]) else host_text(value)


def _ufw_key(item: dict) -> tuple:
    if item.get("route"):
        where = ("route", item.get("interface_in", ""), item.get("interface_out", ""))
    else:
        where = (item.get("direction", "in"), item.get("interface", ""), "")
    return (item["rule"], item.get("proto", "any"), str(item.get("to_port", "any")), _ufw_address(item.get("to_ip", "any")),
            _ufw_address(item.get("from_ip", "any"))) + where


def stale_rules(user_rules: str, desired: list, comment_prefix: str = "lync-rp:") -> list:
    """Our rules in ufw's user rules (``### tuple ###`` lines of user.rules and user6.rules) that
    ``desired`` (render_ufw's output) no longer has, as community.general.ufw parameters."""
    if not isinstance(user_rules, str):
        raise PortModelError("the input must be the text of /etc/ufw/user.rules and user6.rules")
    if not isinstance(comment_prefix, str) or not comment_prefix:
        raise PortModelError("comment_prefix must be a non-empty text, got %r" % (comment_prefix,))
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
