# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The firewall policy: one host's firewall options, validated once. PRIVATE to the collection.

Every firewall renderer gets the same two things: the model's rules (``firewall_rules``) and a
:class:`FirewallPolicy` that :func:`build_policy` made from the options the role, the
``firewall_config`` filter, a standalone ruleset filter or ``windows_firewall_rules`` received. The
renderers check nothing themselves; :func:`check_rules` refuses, before any rendering, a rule set
that would leave the listener unfiltered or unreachable under the policy with that renderer.

Placements:

* ``host`` (the reverse proxy itself): established traffic first, loopback and the management
  port from the management sources, the model's external rules on the external interfaces,
  everything else arriving on them dropped; with egress filtering, what leaves by the internal
  interfaces is limited to the model's internal rules;
* ``gateway`` (a Linux router between zones): forwarded traffic from the outside interfaces to
  the inside interfaces limited to the rules of that side (the external firewall: Internet ->
  listeners; the internal firewall: proxy internal addresses -> pools and Office Web Apps),
  nothing else forwarded between those interfaces in either direction;
* ``server`` (a Front End, Director or Office Web Apps server; Windows Firewall only): the
  model's internal rules that reach the server's own addresses admitted, nothing else changed.
  A server in none of them gets no rules: that is not refused, nothing of the listener is at stake.

Where the renderer drops what its rules do not allow (``Renderer.default_drop``: the Linux
backends), a proxy's policy needs management sources and interfaces; where it only adds allow rules
bound to the host's addresses (Windows Firewall), it needs neither.

Per-source limits (:class:`SourceLimits`, off unless asked for): on the listener's ports, a new
connection is dropped when its source already has ``connections`` open to them, or opens more than
``rate`` new ones a second (bursts of ``burst``, twice the rate unless given). A source is an IPv4
address or an IPv6 /64 (one subscriber's prefix). They apply where Internet traffic arrives for the
listener: a proxy's external rules, a gateway's external side; never to the internal rules (there
the proxy is the only source). Backends that cannot count per source say so
(``Renderer.source_limits``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._address import of_version
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._address import merge_networks, netaddr
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._errors import PortModelError

__all__ = ["PLACEMENTS", "POLICY_OPTIONS", "SIDES", "SOURCE_PREFIX", "FirewallPolicy", "SourceLimits", "build_policy", "check_rules"]

PLACEMENTS = ("host", "gateway", "server")
SIDES = ("external", "internal")
# The options build_policy takes, as the filters and the role name them.
POLICY_OPTIONS = ("placement", "side", "management_sources", "management_port", "external_interfaces",
                  "internal_interfaces", "egress_filtering", "connection", "keep_connection_source",
                  "source_connections", "source_rate", "source_burst")
# The prefix length that counts as one source, per family: an IPv6 subscriber gets a /64.
SOURCE_PREFIX = {4: 32, 6: 64}
# The largest burst every backend takes (iptables' hashlimit: 10,000).
SOURCE_BURST_MAX = 10000
_IFNAME_RE = re.compile(r"^[A-Za-z0-9_.:@-]{1,15}$")


@dataclass(frozen=True)
class SourceLimits:
    """Per-source limits on the listener's ports: concurrent connections and new connections a
    second (0: that limit is off); bursts of ``burst`` new connections pass (``burst_size``, or
    twice the rate when that is 0)."""

    connections: int = 0
    rate: int = 0
    burst_size: int = 0

    @property
    def burst(self) -> int:
        return (self.burst_size or 2 * self.rate) if self.rate else 0

    def __bool__(self) -> bool:
        return bool(self.connections or self.rate)


@dataclass(frozen=True)
class FirewallPolicy:
    """What a host's firewall does besides the model's rules; made only by :func:`build_policy`."""

    placement: str
    side: str | None
    management_sources: tuple
    management_port: int
    external_interfaces: tuple
    internal_interfaces: tuple
    egress_filtering: bool
    source_limits: SourceLimits = SourceLimits()

    def limited_ports(self, rules: list) -> list:
        """The ports the per-source limits apply to (sorted; none when the limits are off): those
        of the external rules where they are filtered (a proxy, or the external side's gateway)."""
        if not self.source_limits or (self.placement == "gateway" and self.side != "external"):
            return []
        return sorted({rule["port"] for rule in self.inbound(rules)
                       if rule["interface"] == "external" and rule["port"] is not None})

    def inbound(self, rules: list) -> list:
        """The rules filtered where traffic arrives: the external rules on a proxy, the side's on a
        gateway, the internal rules on a server.

        A gateway forwards none of the rules of a protocol without ports (``ip_protocol``: VRRP
        between the proxies of a group): that traffic stays on the proxies' own segment, so a router
        between zones has nothing of it to let through."""
        wanted = {"gateway": self.side, "server": "internal"}.get(self.placement, "external")
        return [rule for rule in rules if rule["interface"] == wanted
                and not (self.placement == "gateway" and rule.get("ip_protocol") is not None)]

    def egress(self, rules: list) -> list:
        """The rules that limit what a proxy sends by its internal interfaces (egress filtering only)."""
        if self.placement != "host" or not self.egress_filtering:
            return []
        return [rule for rule in rules if rule["interface"] == "internal"]


def _interfaces(name: str, values) -> tuple:
    if values is None:
        return ()
    if not isinstance(values, (list, tuple)):
        raise PortModelError("%s must be a list of interface names, got %r" % (name, values))
    for index, value in enumerate(values):
        if not isinstance(value, str) or not _IFNAME_RE.match(value):
            raise PortModelError("%s[%d]: %r is not an interface name" % (name, index, value))
    return tuple(values)


def _management(sources, connection, keep_connection_source: bool) -> tuple:
    """The management networks (and the connection's source address), merged."""
    if sources is None:
        sources = []
    if not isinstance(sources, (list, tuple)):
        raise PortModelError("management_sources must be a list of networks, got %r" % (sources,))
    entries = [("management_sources[%d]" % index, value) for index, value in enumerate(sources)
               if value not in (None, "")]
    if keep_connection_source and connection and str(connection).split():
        entries.append(("the connection's source address", str(connection).split()[0]))
    networks = []
    for where, value in entries:
        try:
            networks.append(netaddr.IPNetwork(str(value)))
        except (netaddr.AddrFormatError, ValueError, TypeError):
            raise PortModelError("%s: %r is not an address or network" % (where, value)) from None
    return tuple(merge_networks(networks))


def _port(value) -> int:
    if isinstance(value, bool):
        raise PortModelError("management_port must be a port number, got %r" % (value,))
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise PortModelError("management_port must be a port number, got %r" % (value,)) from None
    if not 0 < port < 65536:
        raise PortModelError("management_port must be a port number (1-65535), got %r" % (value,))
    return port


def _limit(name: str, value) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PortModelError("%s must be a whole number of at least 0 (0: no limit), got %r" % (name, value))
    return value


def build_policy(placement: str = "host", side: str | None = None, management_sources=None,
                 management_port=22, external_interfaces=None, internal_interfaces=None,
                 egress_filtering: bool = False, connection: str | None = None,
                 keep_connection_source: bool = False, source_connections=0, source_rate=0,
                 source_burst=0) -> FirewallPolicy:
    """Validate a host's firewall options once; every error names the option and the value.

    ``connection`` is the value of ``SSH_CONNECTION`` on the host: with ``keep_connection_source``
    its first field (the controller's address) joins the management sources.
    ``source_connections``, ``source_rate`` and ``source_burst`` are the per-source limits
    (:class:`SourceLimits`).
    """
    limits = SourceLimits(_limit("source_connections", source_connections), _limit("source_rate", source_rate),
                          _limit("source_burst", source_burst))
    if limits.burst_size and limits.rate and not limits.rate <= limits.burst_size <= SOURCE_BURST_MAX:
        raise PortModelError("source_burst must be 0 (twice source_rate) or from source_rate (%d) to %d (iptables' "
                             "hashlimit takes no more), got %d" % (limits.rate, SOURCE_BURST_MAX, limits.burst_size))
    if placement not in PLACEMENTS:
        raise PortModelError("placement must be one of %s, got %r" % (", ".join(PLACEMENTS), placement))
    external = _interfaces("external_interfaces", external_interfaces)
    internal = _interfaces("internal_interfaces", internal_interfaces)
    management = _management(management_sources, connection, bool(keep_connection_source))
    port = _port(management_port)
    if placement in ("host", "server"):
        side = None
    else:
        if side not in SIDES:
            raise PortModelError("gateway placement needs side: external or internal, got %r" % (side,))
        if not external or not internal:
            raise PortModelError(
                "gateway placement needs outside interfaces (external_interfaces) and inside interfaces "
                "(internal_interfaces), got %r and %r" % (list(external), list(internal)))
        if set(external) & set(internal):
            raise PortModelError("interfaces %s are both outside and inside" % sorted(set(external) & set(internal)))
    return FirewallPolicy(placement=placement, side=side, management_sources=management, management_port=port,
                          external_interfaces=external, internal_interfaces=internal,
                          egress_filtering=bool(egress_filtering), source_limits=limits)


def check_rules(rules, policy: FirewallPolicy, default_drop: bool = True) -> None:
    """Refuse what would leave the listener unfiltered or unreachable under ``policy`` with a renderer
    that drops what its rules do not allow (``default_drop``) or one that does not: no rules, a rule
    without addresses or whose families never meet, and where the renderer drops the rest, no
    management sources or a missing interface on a proxy.

    A server's rules are only checked for their form: they add to what the server admits, and 1.0
    rendered them as they are (a rule without sources among them, in a model without reverse
    proxies, which warns about it)."""
    if not isinstance(rules, list) or not all(isinstance(rule, dict) and "interface" in rule for rule in rules):
        raise PortModelError("the input must be a list of rules (lync.reverse_proxy.firewall_rules)")
    if policy.placement == "server":
        return
    if policy.placement == "host" and default_drop:
        if not policy.management_sources:
            raise PortModelError("management_sources is empty: management access would not be kept")
        if not policy.external_interfaces:
            raise PortModelError(
                "external_interfaces is empty: the listener's interface is needed, or the listener would be "
                "left unfiltered (give external_interfaces, or the host's addresses so they are found)")
        if policy.egress_filtering and not policy.internal_interfaces:
            raise PortModelError(
                "internal_interfaces is empty: egress filtering needs the interfaces the internal rules leave by")
    inbound, egress = policy.inbound(rules), policy.egress(rules)
    if not inbound:
        what = "external rules" if policy.placement == "host" else "%s rules" % policy.side
        raise PortModelError(
            "the rules have no %s: everything arriving for the listener would be dropped (pass the model's "
            "rules, e.g. firewall_rules(reverse_proxy=...))" % what)
    for rule in inbound + egress:
        for key in ("sources", "destinations"):
            if not rule.get(key):
                raise PortModelError(
                    "rule %s has no %s: its traffic would be dropped; list the reverse proxies' addresses in "
                    "lync_topology.reverse_proxies and select this proxy's rules (reverse_proxy=...)" % (rule["id"], key))
        if not any(of_version(version, rule["sources"]) and of_version(version, rule["destinations"])
                   for version in (4, 6)):
            raise PortModelError(
                "rule %s has IPv4 and IPv6 addresses that never meet (sources %s, destinations %s): its traffic "
                "would be dropped" % (rule["id"], ", ".join(rule["sources"]), ", ".join(rule["destinations"])))
