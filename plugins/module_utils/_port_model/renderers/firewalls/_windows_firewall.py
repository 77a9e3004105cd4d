# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Windows Firewall rendering of a firewall policy. PRIVATE to the lync.reverse_proxy collection.

Parameters for community.windows.win_firewall_rule, one dict per rule, named
``<group>/<rule id>/<port>`` and put in the collection's group. Windows Firewall is a backend like
the others (``_firewall.BACKENDS``), reached through ``render_firewall``; what sets it apart is
declared in its :data:`RENDERER`:

* its rules are allow rules of our own group, bound to the host's own addresses (their local
  addresses), not to interfaces; nothing else of the host's firewall changes - the profiles' default
  actions and every other rule (WinRM's among them) stay the host's. So it needs neither interfaces
  nor management sources (``default_drop`` false), and refuses them when a policy gives them;
* placements ``host`` (a Windows reverse proxy: the external rules admitted to its listener
  addresses; with egress filtering, the internal rules as outbound rules) and ``server`` (a Front
  End, Director or Office Web Apps server: the internal rules admitted to its own addresses, as
  ``_select.server_rules`` narrows them); no ``gateway``;
* no per-source limits.
"""

from __future__ import annotations

from ansible_collections.lync.reverse_proxy.plugins.module_utils._names import (
    WINDOWS_FIREWALL_GROUP,
    WINDOWS_FIREWALL_GROUP_PATTERN,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._address import ANY, host_text
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._errors import PortModelError
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._renderer import Option, Renderer

__all__ = ["PROFILES", "RENDERER", "render"]

# The Windows Firewall profiles every rule applies to.
PROFILES = ("domain", "private", "public")
_ANY = sorted(ANY.values())


def _addresses(cidrs: list) -> str:
    """win_firewall_rule's address list: ``any`` for the source's "Any", else the addresses as
    Windows writes them (a host without /32 or /128), comma-separated."""
    return "any" if sorted(cidrs) == _ANY else ",".join(host_text(c) for c in cidrs)


def _rule(rule: dict, direction: str, remote: list, local: list, group: str) -> dict:
    params = {
        "name": "%s/%s/%d" % (group, rule["id"], rule["port"]),
        "group": group,
        "direction": direction,
        "action": "allow",
        "protocol": "tcp",
        "remoteip": _addresses(remote),
        "localip": _addresses(local),
        "profiles": list(PROFILES),
        "enabled": True,
        "description": "%s (%s)" % (rule["reason"], rule["source_ref"]),
    }
    params["localport" if direction == "in" else "remoteport"] = str(rule["port"])
    return params


def render(rules: list, policy, group: str = WINDOWS_FIREWALL_GROUP) -> list:
    """win_firewall_rule parameters, in the order of the rules: the rules the policy filters where
    traffic arrives (``policy.inbound``) as inbound rules from their sources to their destinations,
    those that limit what a proxy sends (``policy.egress``) as outbound rules from their sources to
    their destinations."""
    for rule in rules:
        if rule["port"] is None:
            raise PortModelError(
                "rule %s: a reverse proxy group's members hand their virtual addresses over with keepalived (VRRP), "
                "which runs on Linux; a Windows reverse proxy cannot be a member of reverse_proxy_groups (take it out "
                "of the group, or use Linux proxies with HAProxy or nginx)" % rule["id"])
    inbound = {id(rule) for rule in policy.inbound(rules)}
    egress = {id(rule) for rule in policy.egress(rules)}
    params = []
    for rule in rules:
        if id(rule) in inbound:
            params.append(_rule(rule, "in", rule["sources"], rule["destinations"], group))
        elif id(rule) in egress:
            params.append(_rule(rule, "out", rule["destinations"], rule["sources"], group))
    return params


RENDERER = Renderer(
    name="windows_firewall",
    render=render,
    options={"group": Option(WINDOWS_FIREWALL_GROUP, WINDOWS_FIREWALL_GROUP_PATTERN,
                             meaning="a Windows Firewall group name of letters, digits, dots, underscores and "
                                     "hyphens, at most 64 characters")},
    placements=("host", "server"),
    egress_filtering=True,
    source_limits=False,
    default_drop=False,
    limits={"placement": "Windows Firewall filters the host's own traffic: a gateway between zones is a Linux "
                         "router (nftables, iptables, firewalld or ufw)",
            "source_limits": "Windows Firewall has no per-source connection or rate limits",
            "management_sources": "its rules only allow, in their own group: what else reaches the host, WinRM "
                                  "among it, is left to the host's other rules and the profiles' default action",
            "interfaces": "its rules are bound to the host's own addresses (their local addresses), not to "
                          "interfaces"},
)
