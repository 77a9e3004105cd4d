# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The iptables rendering of a firewall policy. PRIVATE to the lync.reverse_proxy collection.

Chains of our own (``<prefix>-INPUT``, ``-OUTPUT``, ``-FORWARD``) for ``iptables-restore
--noflush``, jumped to from the built-in chains; the policy is the one of ``_policy``.
"""

from __future__ import annotations

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._address import ANY, of_version
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._renderer import Option, Renderer

__all__ = ["RENDERER"]


def _ipt_rule(chain: str, version: int, rule: dict, iface_opt: str, interface: str, out_opt: str = "",
              out_interface: str = "") -> list:
    lines = []
    for source in of_version(version, rule["sources"]):
        for destination in of_version(version, rule["destinations"]):
            parts = ["-A", chain]
            if source != ANY[version]:
                parts += ["-s", source]
            if destination != ANY[version]:
                parts += ["-d", destination]
            parts += [iface_opt, interface]
            if out_opt:
                parts += [out_opt, out_interface]
            parts += ["-p", "tcp", "-m", "tcp", "--dport", str(rule["port"]),
                      "-m", "comment", "--comment", rule["id"], "-j", "ACCEPT"]
            lines.append(" ".join(parts))
    return lines


def _interface_rules(chain: str, family: int, rules: list, option: str, interface: str) -> list:
    """One interface's part of a chain: the rules, IPv6 neighbour discovery, then a drop."""
    lines = [line for rule in rules for line in _ipt_rule(chain, family, rule, option, interface)]
    if family == 6:
        lines += ["-A %s %s %s -p ipv6-icmp -m icmp6 --icmpv6-type %d -j ACCEPT" % (chain, option, interface, kind)
                  for kind in (135, 136)]
    return lines + ["-A %s %s %s -j DROP" % (chain, option, interface)]


def _render_family(rules: list, policy, chain_prefix: str, family: int) -> dict:
    """The chains of one family.

    Returns ``{"chains": {chain: builtin chain that jumps to it}, "content": restore text}``.
    """
    inbound, egress = policy.inbound(rules), policy.egress(rules)
    established = "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
    chains = {}
    body = []
    if policy.placement == "gateway":
        chain = chain_prefix + "-FORWARD"
        chains[chain] = "FORWARD"
        body.append("-A %s %s" % (chain, established))
        for outside in policy.external_interfaces:
            for inside in policy.internal_interfaces:
                for rule in inbound:
                    body.extend(_ipt_rule(chain, family, rule, "-i", outside, "-o", inside))
        for outside in policy.external_interfaces:
            for inside in policy.internal_interfaces:
                body.append("-A %s -i %s -o %s -j DROP" % (chain, outside, inside))
                body.append("-A %s -i %s -o %s -j DROP" % (chain, inside, outside))
    else:
        chain = chain_prefix + "-INPUT"
        chains[chain] = "INPUT"
        body.append("-A %s %s" % (chain, established))
        body.append("-A %s -i lo -j ACCEPT" % chain)
        for source in of_version(family, policy.management_sources):
            body.append("-A %s %s-p tcp -m tcp --dport %d -m comment --comment management -j ACCEPT" % (
                chain, "" if source == ANY[family] else "-s %s " % source, policy.management_port))
        for interface in policy.external_interfaces:
            body.extend(_interface_rules(chain, family, inbound, "-i", interface))
        if policy.egress_filtering:
            out = chain_prefix + "-OUTPUT"
            chains[out] = "OUTPUT"
            body.append("-A %s %s" % (out, established))
            for interface in policy.internal_interfaces:
                body.extend(_interface_rules(out, family, egress, "-o", interface))
    content = ["*filter"] + [":%s - [0:0]" % name for name in chains] + body + ["COMMIT"]
    return {"chains": chains, "content": "\n".join(content) + "\n"}


def render(rules: list, policy, chain_prefix: str = "LYNC-RP", family="both") -> dict:
    """Our chains for ``iptables-restore --noflush`` (family 4) or ``ip6tables-restore`` (6); with
    family ``both``, ``{"v4": ..., "v6": ...}``. Each is ``{"chains": {chain: builtin chain that
    jumps to it}, "content": restore text}``; the rule lines are written the way ``iptables-save``
    prints them, so the live chains can be compared with them line by line."""
    if family == "both":
        return {"v%d" % version: _render_family(rules, policy, chain_prefix, version) for version in (4, 6)}
    return _render_family(rules, policy, chain_prefix, family)


RENDERER = Renderer(
    name="iptables",
    render=render,
    options={"chain_prefix": Option("LYNC-RP", r"[A-Za-z][A-Za-z0-9_-]{0,20}", meaning="a usable chain name prefix"),
             "family": Option("both", choices=(4, 6, "both"))},
)
