#!/usr/bin/python
# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: keepalived_converge
short_description: Make a reverse proxy of a group hold the group's shared listener addresses with keepalived (VRRP)
version_added: 1.1.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - The action of the role lync.reverse_proxy.rp_keepalived. On the controller it completes the
    topology from the inventory, computes the port model and finds the group of
    C(reverse_proxy_groups) this proxy is a member of; a proxy in no group is skipped without a
    remote call.
  - On the host it reads the addresses (C(ip -j addr show)) to find the interface of the proxy's
    external address, then, only where something differs - keepalived installed; the kernel
    allowed to bind addresses the host does not hold (C(net.ipv4.ip_nonlocal_bind),
    C(net.ipv6.ip_nonlocal_bind)), so that the proxy software listens on the shared addresses on
    every member; the pool check script; the configuration, validated by
    C(keepalived --config-test) before it replaces the live one; the service enabled and started;
    a reload when the configuration changed.
  - One VRRP instance per address family of the group's C(virtual_addresses), unicast to the
    other members, state BACKUP everywhere and the preferred member with the higher priority. Two
    track scripts (starting failed, so that a proxy just booted takes the addresses only when it
    is healthy) lower a member's priority below a healthy peer's - the proxy software's service
    not running, and no Front End or Director server answering on 4443. Without preemption a
    failed check puts the member's instances in fault instead (a backup does not preempt a
    holder that still advertises, however low its priority).
options:
  topology:
    description: The deployment (or its port model); see P(lync.reverse_proxy.port_model#filter).
    type: raw
    required: true
  reverse_proxy:
    description: This host's name in the topology's C(reverse_proxies).
    type: str
    default: the inventory hostname
  software:
    description: The proxy software whose systemd service the track script watches.
    type: str
    choices: [haproxy, nginx]
    default: haproxy
  interface:
    description: The interface VRRP runs on (empty - the one that carries the proxy's external address).
    type: str
    default: ""
  options:
    description:
      - C(virtual_router_id) (1-255, default 51), C(vrrp_version) (2 or 3, default 3),
        C(advert_interval) (seconds, default 0.5; whole seconds with version 2), C(auth_pass)
        (version 2 only, at most 8 characters; IPv6 instances run version 3 and carry none),
        C(preempt) (default true), C(priority) (the preferred member's, 52-254, default 150; the
        others 50 less), C(check_interval) (seconds, default 1),
        C(pool_check) (default true).
    type: dict
    default: {}
notes:
  - VRRP version 3 has no authentication; the firewall (M(lync.reverse_proxy.firewall_converge))
    admits VRRP on a member only from the other members of its group.
attributes:
  action:
    support: full
    description: Decides on the controller, runs modules on the host.
  check_mode:
    support: full
    description: The modules it runs run in check mode; no reload.
  diff_mode:
    support: full
    description: The files before and after (not the configuration when O(options) sets C(auth_pass)).
  idempotent:
    support: full
    description: A second run changes nothing.
seealso:
  - module: lync.reverse_proxy.proxy_converge
  - module: lync.reverse_proxy.firewall_converge
"""

EXAMPLES = r"""
- name: Hold the group's shared listener addresses
  lync.reverse_proxy.keepalived_converge:
    topology: "{{ lync_topology }}"
    software: haproxy
    options:
      virtual_router_id: 51
"""

RETURN = r"""
group:
  description: The group's name (null when the proxy is in no group and the task was skipped).
  returned: always
  type: str
interfaces:
  description: Address family (4, 6) -> the interface VRRP runs on.
  returned: when the proxy is in a group
  type: dict
priority:
  description: This member's VRRP priority while its checks pass.
  returned: when the proxy is in a group
  type: int
virtual_addresses:
  description: The group's shared addresses.
  returned: when the proxy is in a group
  type: list
  elements: str
changes:
  description: What was changed (paths written, packages, the service started).
  returned: when the proxy is in a group
  type: list
  elements: str
"""
