# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """The options every firewall renderer shares (nftables, iptables, firewalld, ufw)."""

    DOCUMENTATION = r"""
options:
  _input:
    description:
      - The rules, the output of P(lync.reverse_proxy.firewall_rules#filter) - for a reverse proxy
        with O(lync.reverse_proxy.firewall_rules#filter:reverse_proxy), for a gateway all of them.
    type: list
    elements: dict
    required: true
  management_sources:
    description:
      - Networks that keep SSH access to the host (at least one with O(placement=host)).
    type: list
    elements: str
    default: []
  management_port:
    description: The SSH port.
    type: int
    default: 22
  external_interfaces:
    description:
      - O(placement=host) - the interfaces of the listener, where everything the rules do not allow
        is dropped.
      - O(placement=gateway) - the outside interfaces (toward the Internet for the external
        firewall, toward the DMZ for the internal firewall).
    type: list
    elements: str
    default: []
  internal_interfaces:
    description:
      - O(placement=host) - the internal interfaces (filtered with O(egress_filtering)).
      - O(placement=gateway) - the inside interfaces (toward the DMZ for the external firewall,
        toward the internal network for the internal firewall).
    type: list
    elements: str
    default: []
  egress_filtering:
    description: O(placement=host) - limit what leaves the internal interfaces to the internal rules.
    type: bool
    default: false
  source_connections:
    description:
      - Per source (an IPv4 address, an IPv6 /64) - the connections it may have open to the
        listener's ports (the external rules' ports, on a proxy and on the external side's gateway);
        a new one over it is dropped. V(0) - no limit. nftables and iptables only.
    type: int
    default: 0
    version_added: 1.1.0
  source_rate:
    description:
      - Per source - the new connections a second it may open to the listener's ports (bursts of
        O(source_burst) pass); more are dropped. V(0) - no limit. nftables and iptables only.
    type: int
    default: 0
    version_added: 1.1.0
  source_burst:
    description:
      - Per source - the new connections it may open at once before O(source_rate) applies (a token
        bucket of that size, refilled at the rate). V(0) - twice O(source_rate). From O(source_rate)
        to 10000 (iptables' hashlimit takes no more).
      - V(1000) with O(source_rate=100) is HAProxy's per-source budget (100 a second averaged over
        10 s) where the proxy cannot limit the rate itself (nginx).
    type: int
    default: 0
    version_added: 1.1.0
  placement:
    description:
      - V(host) - the rules on the reverse proxy itself.
      - V(gateway) - forwarding rules on a Linux router between zones; nothing else is forwarded
        between the outside and inside interfaces (replies to allowed traffic pass).
    type: str
    default: host
    choices: [host, gateway]
  side:
    description:
      - With O(placement=gateway) - V(external) (the external firewall, Internet -> listeners,
        the model's external rules) or V(internal) (the internal firewall, proxy internal
        addresses -> pools and Office Web Apps, the model's internal rules).
    type: str
    choices: [external, internal]
"""
