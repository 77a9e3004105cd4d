# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: port_model
short_description: Compute the Lync Server 2013 reverse-proxy port model from a topology
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Validates a C(lync_topology) and computes the reverse-proxy port model of Microsoft's
    I(Port summary - Reverse proxy in Lync Server 2013) - the firewall rules of the external and
    internal interface, the publishing rules (routes) a reverse proxy needs, the names the
    listener certificate must carry, and warnings for the operator.
  - Every other filter, module and role of the collection renders this model; none derives a
    port, a source or a destination on its own.
  - The same model holds for Skype for Business Server 2015 and 2019.
extends_documentation_fragment:
  - lync.reverse_proxy.topology
requirements:
  - netaddr (Python library, on the controller)
seealso:
  - plugin: lync.reverse_proxy.firewall_rules
    plugin_type: filter
  - plugin: lync.reverse_proxy.publishing_rules
    plugin_type: filter
  - plugin: lync.reverse_proxy.certificate_names
    plugin_type: filter
  - plugin: lync.reverse_proxy.port_table
    plugin_type: filter
  - module: lync.reverse_proxy.port_model_info
"""

EXAMPLES = r"""
- name: Compute the model once and keep it
  ansible.builtin.set_fact:
    lync_model: "{{ lync_topology | lync.reverse_proxy.port_model }}"

- name: Show what the operator should know
  ansible.builtin.debug:
    msg: "{{ lync_model.warnings }}"

- name: Ports the internal firewall must open towards the pools
  ansible.builtin.debug:
    msg: "{{ lync_model.rules | selectattr('interface', 'equalto', 'internal') | map(attribute='port') | list }}"
"""

RETURN = r"""
_value:
  description: The port model.
  type: dict
  contains:
    kind:
      description:
        - What the dict is - always V(lync.reverse_proxy/port-model). The filters that take a
          topology or a model use a model that carries it as it is.
      type: str
      sample: lync.reverse_proxy/port-model
      version_added: 1.1.0
    model_version:
      description:
        - The version of the model's keys and their meaning - V(1). It rises only when a key
          changes meaning or goes away, never for a key added; a model of a version the collection
          does not read is an error that says so.
      type: int
      sample: 1
      version_added: 1.1.0
    product:
      description: The product of the topology.
      type: str
      sample: lync2013
    options:
      description: The effective switches, defaults filled in; C(external_sources) as merged CIDRs.
      type: dict
    rules:
      description:
        - Firewall rules, in the order of the source's tables (external interface first). A rule
          is present only when the topology and options call for it.
      type: list
      elements: dict
      contains:
        id:
          description: >-
            Stable identifier: V(external-http), V(external-https), V(internal-http-pools),
            V(internal-https-pools), V(internal-https-office-web-apps); V(external-vrrp) when
            the topology has C(reverse_proxy_groups) (an addition beyond the source).
          type: str
        interface:
          description: V(external) or V(internal).
          type: str
        protocol:
          description: V(tcp); V(vrrp) for V(external-vrrp).
          type: str
        port:
          description: The destination port; null for a protocol without ports (V(external-vrrp)).
          type: int
        ip_protocol:
          description: For a protocol without ports only, its IP protocol number (V(112) for VRRP).
          type: int
          version_added: 1.1.0
        addition:
          description: >-
            Only on a rule beyond the source's tables (V(external-vrrp): keepalived's VRRP between the
            reverse proxies of a group), and then true.
          type: bool
          version_added: 1.1.0
        application:
          description: V(http), V(https), or V(vrrp).
          type: str
        sources:
          description: Source CIDRs, merged and sorted (IPv4 first). "Any" is C(0.0.0.0/0) and C(::/0).
          type: list
          elements: str
        destinations:
          description: Destination CIDRs, merged and sorted.
          type: list
          elements: str
        roles:
          description: >-
            What the destinations are: V(reverse_proxy_listener), V(front_end_server),
            V(front_end_pool), V(director), V(director_pool), V(office_web_apps).
          type: list
          elements: str
        source_roles:
          description: What the sources are (V(any), V(external_sources), V(reverse_proxy_internal_interface)).
          type: list
          elements: str
        source_groups:
          description: The sources by role and name, each with its own addresses.
          type: list
          elements: dict
        destination_groups:
          description:
            - The destinations by role and name (pool, Director, proxy), each with its own addresses.
            - The virtual addresses of a reverse proxy group are a V(reverse_proxy_listener) group named after
              the group, with its C(members).
          type: list
          elements: dict
        required:
          description: Whether the source makes the rule required under the given options.
          type: bool
        source_ref:
          description: Where in the source document the rule comes from.
          type: str
          sample: internal interface table, row HTTPS/TCP/4443
        facts:
          description: Keys of the facts the rule rests on; port_table renders them as notes.
          type: list
          elements: str
        reason:
          description: Why the rule exists, in English.
          type: str
        translated_from:
          description: For the internal pool rules, the external port the traffic arrived on.
          type: dict
          sample: {interface: external, port: 443}
    routes:
      description: Publishing rules for the proxy roles. No host name is in two routes of one frontend port.
      type: list
      elements: dict
      contains:
        name:
          description: Route name, for example V(https-fe-pool01), V(https-lyncdiscover), V(http-redirect).
          type: str
        frontend_port:
          description: V(443) or V(80).
          type: int
        host_names:
          description: The published host names this route answers, sorted.
          type: list
          elements: str
        backend:
          description: Name of the pool, Director pool or Office Web Apps farm; null for a redirect.
          type: str
        backend_kind:
          description: V(front_end_pool), V(director_pool) or V(office_web_apps); null for a redirect.
          type: str
        backend_fqdn:
          description: >-
            The backend's own published name (the pool's external web services FQDN, the Office
            Web Apps FQDN), the name its certificate carries; null for a redirect.
          type: str
        backend_port:
          description: V(4443), V(8080) or V(443); null for a redirect.
          type: int
        backend_tls:
          description: Whether the proxy speaks TLS to the backend (TLS bridging, never offloading).
          type: bool
        backend_addresses:
          description: The VIP if the topology gives one, else the servers.
          type: list
          elements: str
        redirect_to_https:
          description: True for the port 80 route that only redirects to HTTPS.
          type: bool
    reverse_proxy_groups:
      description:
        - The reverse proxy groups of the topology (empty without any) - C(name), C(members),
          C(preferred), C(virtual_addresses) and C(member_addresses) (each member's external addresses).
      type: list
      elements: dict
      version_added: 1.1.0
      sample:
        - name: rpg1
          members: [rp1, rp2]
          preferred: rp1
          virtual_addresses: [198.51.100.20, "2001:db8:100::20"]
          member_addresses: {rp1: [198.51.100.10], rp2: [198.51.100.11]}
    certificate_names:
      description: Sorted, de-duplicated names the listener certificate must carry.
      type: list
      elements: str
    simple_urls:
      description:
        - The simple URLs as published, in the order given (meet, then dialin). Several may share
          one host (naming options 2 and 3); the routes publish each host once.
      type: list
      elements: dict
      contains:
        component:
          description: V(meet) or V(dialin).
          type: str
        url:
          description: The URL, host lower-cased, path as given without a trailing slash.
          type: str
        host:
          description: The host name published on the listener.
          type: str
        path:
          description: The path, V(/) for a bare host.
          type: str
        backend:
          description: The pool the URL reaches (the first Director pool, else the first Front End pool).
          type: str
    warnings:
      description: Sentences for the operator (the 4443 / CMS replication warning among them).
      type: list
      elements: str
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def port_model(topology):
    """Compute the port model from a lync_topology."""
    return _model.compute_model(topology)


class FilterModule:
    """The port_model filter."""

    def filters(self):
        return {"port_model": port_model}
