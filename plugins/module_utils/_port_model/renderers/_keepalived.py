# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""keepalived (VRRP) for a group of reverse proxies that share listener addresses. PRIVATE to the
lync.reverse_proxy collection.

One VRRP instance per address family of the group's virtual addresses, on the interface that
carries the proxy's own external address of that family, with unicast peers (the group's other
members; no multicast is needed between them). The preferred member starts with the higher
priority; two track scripts lower a member's priority below every healthy peer's when its proxy
software is not running or when it reaches no pool server on the pools' port, so the healthy peer
takes the addresses over. Without preemption a failed check puts the member's instances in fault
instead: keepalived's backups with ``nopreempt`` never take over from a holder that still
advertises, however low its priority. The scripts start failed (``init_fail``): a proxy that has
just booted takes the addresses only once its software answers.

VRRP version 3 (RFC 5798) allows advertisements every half second, which puts a takeover after
the holder disappears under two seconds; version 3 has no authentication (RFC 5798 removed
version 2's clear-text password, which protected nothing against a host on the segment). What
protects VRRP is the firewall: each member admits VRRP only from its group's other members.
Version 2 with a password is kept for sites whose other VRRP speakers need it.
"""

from __future__ import annotations

import re

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._address import netaddr
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._errors import PortModelError

__all__ = ["KEEPALIVED_OPTIONS", "pool_targets", "render_keepalived"]

CONFIG_PATH = "/etc/keepalived/keepalived.conf"
POOL_CHECK_PATH = "/etc/keepalived/lync-reverse-proxy-pools.sh"

_STEP = 50  # the preferred member's lead; a failed check costs more than that
# keepalived takes priorities 1-254 from a member that does not own the addresses, and keeps the
# effective priority of a member whose checks fail at 1 at least: the others (the preferred
# member's priority minus _STEP) need 2 to stay above a preferred member with a failed check.
_LOWEST = _STEP + 2

# option -> (default, check, meaning)
KEEPALIVED_OPTIONS = {
    "virtual_router_id": (51, lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 255,
                          "a VRRP router id (1-255), the same on every member and unique on the segment"),
    "advert_interval": (0.5, lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0.01 <= v <= 40,
                        "seconds between advertisements (0.01-40; whole seconds, 1-255, with VRRP version 2)"),
    "vrrp_version": (3, lambda v: v in (2, 3), "2 or 3"),
    "auth_pass": ("", lambda v: isinstance(v, str) and len(v) <= 8 and re.fullmatch(r"[!-~]*", v or "") is not None,
                  "at most 8 printable characters without spaces (VRRP version 2 only)"),
    "preempt": (True, lambda v: isinstance(v, bool), "true or false"),
    "priority": (150, lambda v: isinstance(v, int) and not isinstance(v, bool) and _LOWEST <= v <= 254,
                 "the preferred member's priority (%d-254); the others get it minus %d" % (_LOWEST, _STEP)),
    "check_interval": (1, lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 60,
                       "seconds between the track scripts' runs (1-60)"),
    "pool_check": (True, lambda v: isinstance(v, bool), "true or false"),
}
# Seconds the pools must answer again before a member counts as healthy: the proxy's own health
# checks take that long to use the servers again (HAProxy checks every 5 s and needs 2 successes;
# nginx retries a failed server after 10 s). A member that took the addresses back sooner would
# answer 503 for the names whose servers it still counts as down.
_POOL_RECOVERY_S = 12


def _options(options: dict) -> dict:
    unknown = sorted(set(options) - set(KEEPALIVED_OPTIONS))
    if unknown:
        raise PortModelError("unknown keepalived option(s) %s; valid: %s" % (
            ", ".join(unknown), ", ".join(sorted(KEEPALIVED_OPTIONS))))
    values = {}
    for name, (default, check, meaning) in KEEPALIVED_OPTIONS.items():
        value = options.get(name)
        value = default if value is None else value
        if not check(value):
            raise PortModelError("keepalived option %s must be %s, got %r" % (name, meaning, value))
        values[name] = value
    if values["vrrp_version"] == 2:
        if values["advert_interval"] != int(values["advert_interval"]) or not 1 <= values["advert_interval"] <= 255:
            raise PortModelError("keepalived option advert_interval must be whole seconds (1-255) with vrrp_version 2, "
                                 "got %r" % (values["advert_interval"],))
    elif values["auth_pass"]:
        raise PortModelError("keepalived option auth_pass needs vrrp_version 2: VRRP version 3 has no authentication "
                             "(the firewall admits VRRP only from the group's members)")
    return values


def _family(address: str) -> int:
    return netaddr.IPAddress(address.split("/", 1)[0]).version


def _of_family(addresses: list, family: int) -> list:
    """A member's external addresses of ``family``, without prefix: VRRP goes from the first."""
    return [a.split("/", 1)[0] for a in addresses if _family(a) == family]


def pool_targets(model: dict) -> list:
    """(address, port) of every Front End and Director server the proxy publishes on the pools'
    port (4443), in the model's order, each once: the pool check's targets."""
    seen, targets = set(), []
    for route in model.get("routes", []):
        if route.get("backend_port") != 4443:
            continue
        for address in route.get("backend_addresses", []):
            target = (address.split("/", 1)[0], 4443)
            if target not in seen:
                seen.add(target)
                targets.append(target)
    return targets


def _pool_script(targets: list) -> str:
    lines = [
        "#!/bin/sh",
        "# Exits 0 when any pool server accepts a TCP connection on its port within a second: a",
        "# reverse proxy that reaches none of them cannot publish anything and gives the shared",
        "# listener addresses up. All servers are tried at once: the answer comes within a second",
        "# however many of them drop the attempt, well within the vrrp_script's timeout.",
        "pids=",
        "for target in %s; do" % " ".join("%s,%d" % target for target in targets),
        "    address=${target%,*}; port=${target#*,}",
        "    timeout 1 bash -c 'exec 3<>\"/dev/tcp/$0/$1\"' \"$address\" \"$port\" 2>/dev/null &",
        "    pids=\"$pids $!\"",
        "done",
        "for pid in $pids; do",
        "    if wait \"$pid\"; then",
        "        kill $pids 2>/dev/null",
        "        exit 0",
        "    fi",
        "done",
        "exit 1",
    ]
    return "\n".join(lines) + "\n"


def render_keepalived(group: dict, reverse_proxy: str, interfaces: dict, service: str, targets: list,
                      options: dict | None = None, header: str = "") -> dict:
    """keepalived's configuration for ``reverse_proxy``, a member of ``group`` (the model's entry),
    with ``interfaces`` (address family 4/6 -> the interface of its external address of that
    family), the proxy software's systemd ``service`` and the pool check's ``targets``.
    Returns ``{"config": text, "files": {path: text}}`` (the track script's file)."""
    values = _options(dict(options or {}))
    members = group["members"]
    if reverse_proxy not in members:
        raise PortModelError("reverse proxy %s is not a member of group %s (members: %s)" % (
            reverse_proxy, group["name"], ", ".join(members)))
    own = group["member_addresses"][reverse_proxy]
    priority = values["priority"] if reverse_proxy == group["preferred"] else values["priority"] - _STEP
    # A member with one failed check falls below a healthy peer. Without preemption keepalived's
    # backups never take over from a holder that still advertises, whatever its priority: a failed
    # check puts the instance in fault instead (no weight), which gives the addresses up.
    weight = ["    weight -%d" % (_STEP + 10)] if values["preempt"] else []
    check = values["check_interval"]
    pool_check = values["pool_check"] and bool(targets)

    lines = [header] if header else []
    lines += [
        "global_defs {",
        "    router_id %s" % reverse_proxy,
        "    # the track scripts run as root and only from root-owned files",
        "    enable_script_security",
        "    script_user root",
        "    vrrp_version %d" % values["vrrp_version"],
        "}",
        "",
        "# The proxy software is running.",
        "vrrp_script lync_proxy_software {",
        '    script "/usr/bin/systemctl is-active --quiet %s"' % service,
        "    interval %d" % check,
        "    timeout %d" % (check + 1),
        "    fall 1",
        "    rise 2",
    ] + weight + [
        "    init_fail",
        "}",
    ]
    if pool_check:
        lines += [
            "",
            "# At least one pool server answers on the pools' port.",
            "vrrp_script lync_pools {",
            '    script "%s"' % POOL_CHECK_PATH,
            "    interval %d" % check,
            "    timeout %d" % (check + 2),
            "    fall 1",
            "    rise %d" % -(-_POOL_RECOVERY_S // check),
        ] + weight + [
            "    init_fail",
            "}",
        ]
    for family in (4, 6):
        addresses = [a for a in group["virtual_addresses"] if _family(a) == family]
        if not addresses:
            continue
        source = _of_family(own, family)
        if not source:
            raise PortModelError("group %s has IPv%d virtual addresses but reverse proxy %s has no IPv%d external "
                                 "address to send VRRP from" % (group["name"], family, reverse_proxy, family))
        if not interfaces.get(family):
            raise PortModelError("no interface of reverse proxy %s carries its external address %s (group %s)" % (
                reverse_proxy, source[0], group["name"]))
        # each other member once, at the address it sends from (its first of the family)
        peers = [address for member in members if member != reverse_proxy
                 for address in _of_family(group["member_addresses"][member], family)[:1]]
        if not peers:
            raise PortModelError("group %s: no other member has an IPv%d external address to exchange VRRP with" % (
                group["name"], family))
        name = "lync_%s_ipv%d" % (re.sub(r"[^A-Za-z0-9_]", "_", group["name"]), family)
        lines += [
            "",
            "# Group %s: %s share %s." % (group["name"], ", ".join(members), ", ".join(addresses)),
            "vrrp_instance %s {" % name,
            "    # every member starts as a backup; priority decides",
            "    state BACKUP",
            "    interface %s" % interfaces[family],
            "    virtual_router_id %d" % values["virtual_router_id"],
            "    priority %d" % priority,
            "    advert_int %s" % ("%g" % values["advert_interval"]),
        ]
        if not values["preempt"]:
            lines.append("    nopreempt")
        if values["auth_pass"] and family == 6:
            # keepalived runs IPv6 instances as VRRP version 3, which has no authentication
            lines.append("    # VRRP over IPv6 is version 3: no password")
        elif values["auth_pass"]:
            lines += ["    authentication {", "        auth_type PASS", "        auth_pass %s" % values["auth_pass"],
                      "    }"]
        lines += ["    unicast_src_ip %s" % source[0], "    unicast_peer {"]
        lines += ["        %s" % peer for peer in peers]
        lines += ["    }", "    virtual_ipaddress {"]
        lines += ["        %s/%d dev %s" % (a.split("/", 1)[0], 32 if family == 4 else 128, interfaces[family])
                  for a in addresses]
        lines += ["    }", "    track_script {", "        lync_proxy_software"]
        if pool_check:
            lines.append("        lync_pools")
        lines += ["    }", "}"]
    files = {POOL_CHECK_PATH: _pool_script(targets)} if pool_check else {}
    return {"config": "\n".join(lines) + "\n", "files": files, "priority": priority}
