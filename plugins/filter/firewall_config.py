# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: firewall_config
short_description: Everything one host's firewall needs from the port model, in one pass
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Computes the port model once and returns, for one reverse proxy (O(placement=host)) or one
    gateway firewall (O(placement=gateway)), the number of rules, the external and internal
    interfaces (given, or found from the host's C(ip -j addr show) output), the merged management
    sources (with the controller's address from C(SSH_CONNECTION)), and the backend's rendering -
    the same text or data as P(lync.reverse_proxy.nftables_ruleset#filter),
    P(lync.reverse_proxy.iptables_ruleset#filter) (for V(v4) and V(v6)),
    P(lync.reverse_proxy.firewalld_files#filter) or P(lync.reverse_proxy.ufw_rules#filter).
  - The firewall role uses it instead of chaining those filters, so that the topology passes
    through the template engine once per host however many source networks it has.
options:
  _input:
    description: The topology (C(lync_topology)) or a model computed from it.
    type: dict
    required: true
  backend:
    description: The firewall backend to render for.
    type: str
    default: nftables
    choices: [nftables, iptables, firewalld, ufw]
  placement:
    description: V(host) for the reverse proxy itself, V(gateway) for a Linux firewall between zones.
    type: str
    default: host
    choices: [host, gateway]
  reverse_proxy:
    description: The proxy's name in the topology's C(reverse_proxies) (required with O(placement=host)).
    type: str
  side:
    description: With O(placement=gateway), which firewall this is.
    type: str
    choices: [external, internal]
  links:
    description:
      - The output of C(ip -j addr show) on the host, as text or parsed; used to find the
        interfaces that carry the proxy's listener (external) and internal addresses when
        O(external_interfaces) / O(internal_interfaces) are empty.
    type: raw
  connection:
    description: The value of C(SSH_CONNECTION) on the host; its first field is the controller's address.
    type: str
  management_sources:
    description: Networks that keep SSH access.
    type: list
    elements: str
    default: []
  keep_connection_source:
    description: Add the controller's address from O(connection) to the management sources.
    type: bool
    default: true
  management_port:
    description: The SSH port.
    type: int
    default: 22
  external_interfaces:
    description: The external (outside) interfaces; found from O(links) when empty.
    type: list
    elements: str
    default: []
  internal_interfaces:
    description: The internal (inside) interfaces; found from O(links) when empty.
    type: list
    elements: str
    default: []
  egress_filtering:
    description: Filter what leaves the internal interfaces (O(placement=host)).
    type: bool
    default: false
  source_connections:
    description:
      - Per source (an IPv4 address, an IPv6 /64) - the connections it may have open to the
        listener's ports (the external rules' ports, on a proxy and on the external side's gateway);
        a new one over it is dropped. V(0) - no limit. Left out with a warning (RV(_value.warnings)) where the backend cannot (firewalld, ufw).
    type: int
    default: 0
    version_added: 1.1.0
  source_rate:
    description:
      - Per source - the new connections a second it may open to the listener's ports (bursts of
        O(source_burst) pass); more are dropped. V(0) - no limit. Left out with a warning (RV(_value.warnings)) where the backend cannot (firewalld, ufw).
    type: int
    default: 0
    version_added: 1.1.0
  source_burst:
    description: >-
      Per source - how many new connections pass at once before O(source_rate) holds (V(0) - twice the
      rate; at most 10000); rp_firewall sets V(1000) with a rate of 100 behind nginx (HAProxy's budget).
      Left out with O(source_rate) where the backend cannot.
    type: int
    default: 0
    version_added: 1.1.0
  table:
    description: The nftables table name.
    type: str
    default: lync_reverse_proxy
  chain_prefix:
    description: The prefix of our iptables chains.
    type: str
    default: LYNC-RP
  firewalld_prefix:
    description: The prefix of our firewalld zones and policy.
    type: str
    default: lync
  ufw_comment_prefix:
    description: The prefix of our ufw rule comments.
    type: str
    default: "lync-rp:"
  host:
    description:
      - What M(lync.reverse_proxy.firewall_info) read, with O(ruleset_path) as its C(table_file) and
        among its C(paths), O(boot_dropin) among its C(paths) and V(nftables) among its C(services).
        With it, the result's
        C(in_place) says whether the host already has exactly the nftables table, its file and its
        boot drop-in, so that M(lync.reverse_proxy.nft_table) need not run.
    type: dict
    version_added: 1.1.0
  ruleset_path:
    description: Where M(lync.reverse_proxy.nft_table) keeps the table (its O(lync.reverse_proxy.nft_table#module:path)).
    type: path
    version_added: 1.1.0
  boot_dropin:
    description: The boot drop-in M(lync.reverse_proxy.nft_table) keeps (its O(lync.reverse_proxy.nft_table#module:boot_dropin)), if any.
    type: path
    version_added: 1.1.0
seealso:
  - plugin: lync.reverse_proxy.firewall_rules
    plugin_type: filter
  - plugin: lync.reverse_proxy.nftables_ruleset
    plugin_type: filter
  - plugin: lync.reverse_proxy.host_interfaces
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Read the host's interfaces
  ansible.builtin.command: ip -j addr show
  register: ip_addr
  changed_when: false

- name: The firewall of rp01, rendered for nftables
  ansible.builtin.set_fact:
    rp01_firewall: >-
      {{ lync_topology | lync.reverse_proxy.firewall_config(reverse_proxy='rp01', links=ip_addr.stdout,
           management_sources=['10.250.0.0/24'], connection=ansible_env.SSH_CONNECTION | default('')) }}

- name: Its table
  ansible.builtin.copy:
    content: "{{ rp01_firewall.content }}"
    dest: /etc/nftables.d/lync_reverse_proxy.nft
    mode: "0600"
"""

RETURN = r"""
_value:
  description: What the host's firewall needs.
  type: dict
  contains:
    rules:
      description: How many model rules the host applies.
      type: int
    external_interfaces:
      description: The external interfaces (given or found).
      type: list
      elements: str
    internal_interfaces:
      description: The internal interfaces (given or found).
      type: list
      elements: str
    management_sources:
      description: The management sources, merged into the fewest CIDRs.
      type: list
      elements: str
    content:
      description:
        - The backend's rendering - nftables table text; for iptables a dict with V(v4) and V(v6),
          each with C(chains) and C(content); firewalld files by path; ufw rules.
      type: raw
    ufw_before_rules:
      description:
        - With the ufw backend only - what ufw's command line cannot allow (VRRP between the reverse proxies of a
          group), as lines for C(/etc/ufw/before.rules) (V(v4)) and C(before6.rules) (V(v6)); empty lists without any.
      type: dict
      version_added: 1.1.0
    in_place:
      description: With O(host) and the nftables backend, whether the host already has exactly this; else false.
      type: bool
      version_added: 1.1.0
    source_limits:
      description:
        - The per-source limits the rendering applies - C(connections), C(rate), C(burst) and the
          C(ports) they cover; empty when none do.
      type: dict
      version_added: 1.1.0
    warnings:
      description: What the backend cannot do of what was asked (per-source limits with firewalld or ufw).
      type: list
      elements: str
      version_added: 1.1.0
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def firewall_config(data, **options):
    """Rules, interfaces, management sources and the backend's rendering for one host.

    The options are those documented above; the model package checks them by name."""
    return _model.firewall_config(data, **options)


class FilterModule:
    """The firewall_config filter."""

    def filters(self):
        return {"firewall_config": firewall_config}
