#!/usr/bin/python
# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: firewall_converge
short_description: Keep one host's firewall equal to the port model's rules, applying only what differs
version_added: 1.1.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - What the role lync.reverse_proxy.rp_firewall does, as one task - its options are the role's
    variables without the C(rp_firewall_) prefix (C(lync_topology) is O(topology), C(rp_firewall_host_info)
    is O(host_info)).
  - Reads the host with M(lync.reverse_proxy.firewall_info) (or takes O(host_info), the play's read,
    when its C(request) is what it would read), then decides on the controller - the backend, that it
    is installed or may be installed, that no other firewall manager runs beside it, the rules and the
    backend's configuration (as P(lync.reverse_proxy.firewall_config#filter)) - and fails before any
    change when a check fails, naming the value.
  - Runs only the module calls something differs for - the package, M(lync.reverse_proxy.nft_table),
    M(lync.reverse_proxy.iptables_chains) with the boot unit of the chains, or
    M(lync.reverse_proxy.firewalld_config) - each armed with a rollback (commit-confirm); then it
    reconnects and confirms over the fresh connection, then removes our rules from the backends no
    longer used. An nftables host that already has exactly the table, its file and its boot drop-in
    costs the read, or nothing when the read is given. iptables and firewalld compare their live
    state themselves, so their module always runs.
  - With the ufw backend it checks, computes and installs ufw; the rules themselves are the role's ufw
    tasks (one M(community.general.ufw) call per rule), fed by RV(config), which confirm them and then
    remove our rules from the backends RV(remove_after) names.
  - "Runs as an action: the decisions on the controller, the module calls on the host."
options:
  topology:
    description:
      - The deployment (C(lync_topology)) or its port model; see P(lync.reverse_proxy.port_model#filter).
      - A topology without C(reverse_proxies) takes them from the inventory - the C(lync_reverse_proxy)
        of each host of the group C(lync_reverse_proxies_group) names (default C(lync_reverse_proxies)),
        in the group's order - as P(lync.reverse_proxy.inventory_topology#lookup) does. One that lists
        them is used as it is.
    type: dict
    required: true
  backend:
    description:
      - The firewall to render for. V(detect) - firewalld when it runs, else ufw when enabled,
        else nftables when C(nft) is installed, else iptables.
    type: str
    default: detect
    choices: [detect, nftables, iptables, firewalld, ufw]
  install_packages:
    description: Install the backend's package when its command is missing; when false, a missing backend is an error.
    type: bool
    default: true
  placement:
    description: V(host) - the rules on the reverse proxy itself; V(gateway) - forwarding rules on a Linux firewall between zones.
    type: str
    default: host
    choices: [host, gateway]
  gateway_side:
    description: With O(placement=gateway) - V(external) or V(internal).
    type: str
    default: ""
    choices: ["", external, internal]
  state:
    description: V(present) keeps our rules; V(absent) removes ours from the backend.
    type: str
    default: present
    choices: [present, absent]
  management_sources:
    description: Networks (CIDRs) that keep SSH access, at least one with O(placement=host).
    type: list
    elements: str
    default: []
  management_port:
    description: The SSH port.
    type: int
    default: 22
  keep_connection_source:
    description: Also keep SSH open from the address the connection comes from.
    type: bool
    default: true
  reverse_proxy:
    description: This host's name in C(reverse_proxies) of the topology (required with O(placement=host)).
    type: str
  external_interfaces:
    description: The external (outside) interfaces; with O(placement=host), empty means those carrying the listener addresses.
    type: list
    elements: str
    default: []
  internal_interfaces:
    description: The internal (inside) interfaces; with O(placement=host), empty means those carrying the internal addresses.
    type: list
    elements: str
    default: []
  egress_filtering:
    description: Let the internal interfaces send exactly the model's internal rules, drop the rest.
    type: bool
    default: false
  source_limits:
    description: Limit connections per source on the listener's ports (nftables and iptables; firewalld and ufw warn).
    type: bool
    default: true
  source_connections:
    description: Connections one source may have open to the listener's ports. V(0) - no limit.
    type: int
    default: 1000
  source_rate:
    description: New connections one source may open a second. V(0) - no limit.
    type: int
    default: 200
  source_burst:
    description: New connections one source may open at once before O(source_rate) applies. V(0) - twice O(source_rate).
    type: int
    default: 0
  iptables_chain_prefix:
    description: iptables - the prefix of our chains.
    type: str
    default: LYNC-RP
  iptables_path:
    description: iptables - where our chains are kept (C(.v4) and C(.v6) appended), loaded at boot by C(lync-iptables.service).
    type: path
    default: /etc/lync-reverse-proxy/iptables
  firewalld_prefix:
    description: firewalld - the prefix of our zones and policies.
    type: str
    default: lync
  ufw_comment_prefix:
    description: ufw - the start of our rules' comments.
    type: str
    default: "lync-rp:"
  table:
    description: nftables - the name of the table of our own.
    type: str
    default: lync_reverse_proxy
  ruleset_path:
    description: nftables - where the table's ruleset file is kept.
    type: path
    default: /etc/nftables.d/lync_reverse_proxy.nft
  host_info:
    description:
      - The C(firewall) part of a M(lync.reverse_proxy.host_info) read made earlier in the play; used
        instead of reading when its C(request) is RV(request) for these options.
    type: dict
    default: {}
  read_also:
    description:
      - What the other roles of the play need read on this host, in the same remote call as the
        firewall - the parts of M(lync.reverse_proxy.host_info) other than C(firewall) (C(proxy),
        C(services), C(probe), C(capacity)). The host is then read with M(lync.reverse_proxy.host_info)
        instead of M(lync.reverse_proxy.firewall_info), and the whole answer comes back as RV(host_read)
        (C(site.yml) passes the proxy's request and gives RV(host_read) to P(lync.reverse_proxy.rp_proxy#role)).
      - Not used when O(host_info) is a read of this role's request (nothing is read then).
    type: dict
    default: {}
  confirm_timeout:
    description:
      - Commit-confirm - a changed ruleset is restored by a timer on the host after this many seconds
        unless the confirmation, over a fresh connection, comes first. V(0) turns it off.
    type: int
    default: 60
  persist:
    description: Load the rules at boot (nftables - a drop-in for C(nftables.service); iptables - C(lync-iptables.service)).
    type: bool
    default: true
  request_only:
    description: Return RV(request), what the host read for these options is, and do nothing else (no remote call).
    type: bool
    default: false
attributes:
  action:
    support: full
    description: Decides on the controller; the read and the module calls run on the host.
  check_mode:
    support: full
    description: The modules run in check mode; nothing is armed, written or confirmed.
  diff_mode:
    support: full
    description: The diffs of the module calls that would change something.
  idempotent:
    support: full
    description: A host that has the rules changes nothing.
seealso:
  - module: lync.reverse_proxy.firewall_info
  - module: lync.reverse_proxy.nft_table
  - module: lync.reverse_proxy.iptables_chains
  - module: lync.reverse_proxy.firewalld_config
  - plugin: lync.reverse_proxy.firewall_config
    plugin_type: filter
"""

EXAMPLES = r"""
- name: This proxy's firewall, nftables, SSH from the admin network
  lync.reverse_proxy.firewall_converge:
    topology: "{{ lync_topology }}"
    reverse_proxy: rp01
    backend: nftables
    management_sources: [10.250.0.0/24]
  register: firewall

- name: An external firewall as a Linux router
  lync.reverse_proxy.firewall_converge:
    topology: "{{ lync_topology }}"
    placement: gateway
    gateway_side: external
    external_interfaces: [eth0]
    internal_interfaces: [eth1]
    management_sources: [10.250.0.0/24]
"""

RETURN = r"""
backend:
  description: The backend used (the chosen one, or the detected one).
  returned: unless O(request_only)
  type: str
  sample: nftables
config:
  description:
    - What P(lync.reverse_proxy.firewall_config#filter) returns for this host - the rule count, the
      interfaces, the management sources, the backend's rendering (C(content)), C(in_place),
      C(source_limits) and C(warnings). Empty with O(state=absent).
  returned: unless O(request_only)
  type: dict
applied:
  description: What was changed (or would be, in check mode), in the order applied.
  returned: unless O(request_only)
  type: list
  elements: str
  sample: [nftables table lync_reverse_proxy]
confirmed:
  description: The rollback units confirmed over a fresh connection.
  returned: unless O(request_only)
  type: list
  elements: str
  sample: [lync-rollback-inet-lync_reverse_proxy]
ran:
  description: Every module call made after the read, changed or not (empty when nothing differs).
  returned: unless O(request_only)
  type: list
  elements: str
removed:
  description: What of ours was removed from backends no longer used.
  returned: unless O(request_only)
  type: list
  elements: str
remove_after:
  description:
    - With the ufw backend, the backends (V(nftables), V(iptables)) whose rules of ours are to be
      removed once the ufw rules are applied and confirmed (the role's ufw tasks do); else empty.
  returned: unless O(request_only)
  type: list
  elements: str
host_read:
  description:
    - The M(lync.reverse_proxy.host_info) answer of the read made with O(read_also) - the firewall part
      and the parts asked for; for the other roles of the play (P(lync.reverse_proxy.rp_proxy#role)'s
      C(rp_proxy_read)).
  returned: when the host was read with O(read_also)
  type: dict
request:
  description: What the host is read for (the options of M(lync.reverse_proxy.firewall_info)); for the play that reads once for several roles.
  returned: with O(request_only)
  type: dict
"""
