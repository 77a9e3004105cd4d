# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: aerleon_policy
short_description: The reverse proxy's firewall rules as aerleon definitions and policies
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Returns the model's rules in the object form aerleon reads from its C(def/*.yaml) and
    C(policies/*.yaml), so that aerleon (the maintained successor of capirca) generates them for
    the network team's own firewalls - Cisco, Juniper, Palo Alto, Arista, Fortinet, nftables,
    iptables, cloud firewalls and more.
  - One policy per interface of the source (C(lync-external) - the external firewall in front of
    the listener - and C(lync-internal) - the internal firewall between the proxy and the pools),
    one term per model rule, named after its id, with the source's row and the reason in its
    comment. A final C(default-deny) term ends each policy, except when a target is one whose
    output has no deny rules (C(k8s), C(gce), C(gcp_hf), C(cloudarmor), C(openconfig)).
  - "Networks are named from the model: C(LYNC_ANY) or C(LYNC_EXTERNAL_SOURCES),
    C(LYNC_LISTENER_<proxy>), C(LYNC_PROXY_INTERNAL_<proxy>), C(LYNC_FE_VIP_<pool>),
    C(LYNC_FE_SERVERS_<pool>), C(LYNC_DIR_VIP_<director>), C(LYNC_DIR_SERVERS_<director>),
    C(LYNC_OWA_<farm>); services C(LYNC_HTTP) (80), C(LYNC_HTTPS) (443), C(LYNC_HTTPS_4443),
    C(LYNC_HTTP_8080), those the rules use."
  - "IPv4 and IPv6: for C(cisco), C(cisconx), C(ciscoxr), C(arista), C(juniper), C(junipersrx),
    C(paloalto) and C(nftables), a header without an address family gets the one the rules need
    (C(mixed) when they have both, C(inet6) or the IPv4 word otherwise); a header whose family
    would drop addresses the rules have is an error. Other generators get the header as given."
  - The reverse proxies must be in the topology (its C(reverse_proxies) key, see O(_input)); a firewall needs the
    listener and the internal interface as addresses.
positional: _input, targets
options:
  _input:
    description: A topology (C(lync_topology)) or a model computed already.
    type: raw
    required: true
  targets:
    description:
      - "aerleon generator names mapped to their header options, for example
        C({cisco: 'lync-ext extended', juniper: 'lync-ext inet', paloalto: 'from-zone untrust to-zone dmz'})."
      - "With both policies, give each interface its own mapping (filter names and zones differ):
        C({external: {...}, internal: {...}}); a flat mapping needs O(interface)."
    type: dict
    required: true
  reverse_proxy:
    description: Only this reverse proxy's addresses (its listener, its internal interface).
    type: str
  interface:
    description: Only the policy of this interface.
    type: str
    choices: [external, internal]
  names:
    description:
      - "This collection's network names mapped to the names the network team's definitions
        already use, e.g. C({LYNC_FE_VIP_POOL01: FE_POOL_VIP})."
    type: dict
    default: {}
requirements:
  - netaddr (Python library, on the controller)
  - aerleon (Python library) to generate the configurations; the filter itself does not need it
notes:
  - The lync.reverse_proxy.network_policy playbook writes the result as aerleon files and, with
    aerleon installed, generates the configurations.
seealso:
  - plugin: lync.reverse_proxy.port_table
    plugin_type: filter
  - name: aerleon
    description: Aerleon, firewall configuration generation from one policy.
    link: https://github.com/aerleon/aerleon
"""

EXAMPLES = r"""
- name: Both firewalls of the source for the network team
  ansible.builtin.set_fact:
    lync_network_policy: >-
      {{ lync_topology | lync.reverse_proxy.aerleon_policy({
           'external': {'cisco': 'lync-ext', 'paloalto': 'from-zone untrust to-zone dmz'},
           'internal': {'cisco': 'lync-int', 'paloalto': 'from-zone dmz to-zone trust'}}) }}

- name: The external firewall only, as a Junos filter, with the team's own name for the listener
  ansible.builtin.copy:
    content: "{{ (lync_topology | lync.reverse_proxy.aerleon_policy({'juniper': 'lync-ext'}, interface='external',
                  names={'LYNC_LISTENER_RP01': 'DMZ_LYNC_RP'})).policies[0] | to_nice_yaml }}"
    dest: policies/lync-external.yaml
    mode: "0644"
"""

RETURN = r"""
_value:
  description: aerleon's objects.
  type: dict
  contains:
    definitions:
      description: C(networks) and C(services), as in aerleon's C(def/*.yaml).
      type: dict
    policies:
      description: One policy per interface (C(filename), C(filters) with C(header) and C(terms)), as in aerleon's C(policies/*.yaml).
      type: list
      elements: dict
  sample:
    definitions:
      networks:
        LYNC_ANY: {values: [{address: 0.0.0.0/0, comment: Any}, {address: "::/0"}]}
        LYNC_LISTENER_RP01: {values: [{address: 198.51.100.10/32, comment: the reverse proxy listener rp01}]}
      services:
        LYNC_HTTPS: [{port: 443, protocol: tcp}]
    policies:
      - filename: lync-external
        filters:
          - header: {targets: {cisco: lync-ext extended}, comment: "..."}
            terms:
              - {name: external-https, source-address: LYNC_ANY, destination-address: LYNC_LISTENER_RP01,
                 destination-port: LYNC_HTTPS, protocol: tcp, action: accept, comment: "..."}
              - {name: default-deny, action: deny, comment: "..."}
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def aerleon_policy(data, targets, reverse_proxy=None, interface=None, names=None):
    """The model's rules as aerleon definitions and policies."""
    return _model.aerleon_policy(data, targets, reverse_proxy=reverse_proxy, interface=interface, names=names)


class FilterModule:
    """The aerleon_policy filter."""

    def filters(self):
        return {"aerleon_policy": aerleon_policy}
