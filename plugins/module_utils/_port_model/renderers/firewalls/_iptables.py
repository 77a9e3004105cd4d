# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The iptables rendering of a firewall policy. PRIVATE to the lync.reverse_proxy collection.

Chains of our own (``<prefix>-INPUT``, ``-OUTPUT``, ``-FORWARD``) for ``iptables-restore
--noflush``, jumped to from the built-in chains; the policy is the one of ``_policy``.

Per-source limits (the policy's ``source_limits``): ``connlimit`` (connections a source has open)
and ``hashlimit`` (its new connections a second) drop a new connection to the listener's ports
before the rules' accepts; a source is an IPv4 address or an IPv6 /64.
"""

from __future__ import annotations

from ansible_collections.lync.reverse_proxy.plugins.module_utils._names import IPTABLES_CHAIN_PREFIX, IPTABLES_CHAIN_PREFIX_PATTERN
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._address import ANY, of_version
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._policy import SOURCE_PREFIX
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._renderer import Option, Renderer

__all__ = ["FILTER_FAMILY", "RENDERER"]


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
            if rule["port"] is None:  # a protocol without ports (VRRP), as iptables-save prints it
                parts += ["-p", rule["protocol"]]
            else:
                parts += ["-p", "tcp", "-m", "tcp", "--dport", str(rule["port"])]
            parts += ["-m", "comment", "--comment", rule["id"], "-j", "ACCEPT"]
            lines.append(" ".join(parts))
    return lines


def _limit_rules(chain: str, family: int, policy, ports: list, match: str) -> list:
    """Drop a new connection to ``ports`` over its source's limits (as iptables-save prints them;
    ``match`` is the interface part). The hashlimit table is named after the chain."""
    limits = policy.source_limits
    if not ports:
        return []
    mask = SOURCE_PREFIX[family]
    head = "-A %s %s -p tcp -m multiport --dports %s -m conntrack --ctstate NEW" % (
        chain, match, ",".join(map(str, ports)))
    lines = []
    if limits.connections:
        lines.append("%s -m connlimit --connlimit-above %d --connlimit-mask %d --connlimit-saddr "
                     "-m comment --comment source-connections -j DROP" % (head, limits.connections, mask))
    if limits.rate:
        # iptables-save leaves out the default mask (32) of IPv4
        lines.append("%s -m hashlimit --hashlimit-above %d/sec --hashlimit-burst %d --hashlimit-mode srcip "
                     "--hashlimit-name %s%s -m comment --comment source-rate -j DROP" % (
                         head, limits.rate, limits.burst, chain[:15],
                         "" if mask == 32 else " --hashlimit-srcmask %d" % mask))
    return lines


def _interface_rules(chain: str, family: int, rules: list, option: str, interface: str, limits=()) -> list:
    """One interface's part of a chain: the per-source limits, the rules, IPv6 neighbour
    discovery, then a drop."""
    lines = list(limits) + [line for rule in rules for line in _ipt_rule(chain, family, rule, option, interface)]
    if family == 6:
        lines += ["-A %s %s %s -p ipv6-icmp -m icmp6 --icmpv6-type %d -j ACCEPT" % (chain, option, interface, kind)
                  for kind in (135, 136)]
    return lines + ["-A %s %s %s -j DROP" % (chain, option, interface)]


def _render_family(rules: list, policy, chain_prefix: str, family: int) -> dict:
    """The chains of one family.

    Returns ``{"chains": {chain: builtin chain that jumps to it}, "content": restore text}``.
    """
    inbound, egress = policy.inbound(rules), policy.egress(rules)
    # the limits only where this family has rules on those ports
    ports = [port for port in policy.limited_ports(rules)
             if any(rule["port"] == port and of_version(family, rule["sources"]) and of_version(family, rule["destinations"])
                    for rule in inbound)]
    established = "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
    chains = {}
    body = []
    if policy.placement == "gateway":
        chain = chain_prefix + "-FORWARD"
        chains[chain] = "FORWARD"
        body.append("-A %s %s" % (chain, established))
        for outside in policy.external_interfaces:
            for inside in policy.internal_interfaces:
                body.extend(_limit_rules(chain, family, policy, ports, "-i %s -o %s" % (outside, inside)))
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
            body.extend(_interface_rules(chain, family, inbound, "-i", interface,
                                         _limit_rules(chain, family, policy, ports, "-i %s" % interface)))
        if policy.egress_filtering:
            out = chain_prefix + "-OUTPUT"
            chains[out] = "OUTPUT"
            body.append("-A %s %s" % (out, established))
            for interface in policy.internal_interfaces:
                body.extend(_interface_rules(out, family, egress, "-o", interface))
    content = ["*filter"] + [":%s - [0:0]" % name for name in chains] + body + ["COMMIT"]
    return {"chains": chains, "content": "\n".join(content) + "\n"}


def render(rules: list, policy, chain_prefix: str = IPTABLES_CHAIN_PREFIX, family="both") -> dict:
    """Our chains for ``iptables-restore --noflush`` (family 4) or ``ip6tables-restore`` (6); with
    family ``both``, ``{"v4": ..., "v6": ...}``. Each is ``{"chains": {chain: builtin chain that
    jumps to it}, "content": restore text}``; the rule lines are written the way ``iptables-save``
    prints them, so the live chains can be compared with them line by line."""
    if family == "both":
        return {"v%d" % version: _render_family(rules, policy, chain_prefix, version) for version in (4, 6)}
    return _render_family(rules, policy, chain_prefix, family)


# The family of one ruleset the iptables_ruleset filter returns (V(4) iptables, V(6) ip6tables).
# The renderer itself defaults to both families, which firewall_config needs to converge a host;
# the filter has returned one family's chains since 1.0.0 and documents this default
# (tests/unit/plugins/module_utils/test_names.py ties the two documents to these declarations).
FILTER_FAMILY = Option(4, choices=(4, 6), description=("The address family of the chains - V(4) (iptables) or V(6) (ip6tables).",))

RENDERER = Renderer(
    name="iptables",
    render=render,
    options={"chain_prefix": Option(IPTABLES_CHAIN_PREFIX, IPTABLES_CHAIN_PREFIX_PATTERN, meaning="a usable chain name prefix",
                                    description=("The prefix of our chains (C(<prefix>-INPUT), C(-OUTPUT), C(-FORWARD)).",)),
             "family": Option("both", choices=(4, 6, "both"), description=(
                 "The address families rendered - V(4) (iptables), V(6) (ip6tables) or V(both).",))},
)
