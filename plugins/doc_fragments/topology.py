# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """The lync_topology format, shared by the filters that take a topology."""

    # Used by the filters: their input is a topology, or a model port_model computed already.
    DOCUMENTATION = r"""
options:
  _input:
    description:
      - A Lync deployment described once (conventionally the variable C(lync_topology)), or a
        model that P(lync.reverse_proxy.port_model#filter) computed from one already.
      - A model is told from a topology by its marker, C(kind=lync.reverse_proxy/port-model) and
        C(model_version=1), and used as it is. A model of another kind or model_version, or a dict
        with some of a model's keys (C(rules), C(routes), C(certificate_names), C(warnings)) but
        without the marker, is an error naming what was found. A model that version 1.0.0 of the
        collection computed (it has every key of a model but no marker) is still taken as a model.
      - Keys not listed here are rejected with the list of valid keys; every invalid value is
        reported with its path, for example C(front_end_pools[1].servers[0]).
      - Addresses are IPv4 or IPv6 addresses (or CIDRs where noted); names are DNS names, stored
        lower-case without a trailing dot.
    type: dict
    required: true
    suboptions:
      product:
        description:
          - The Lync or Skype for Business Server release. All three share the same
            reverse-proxy port model.
        type: str
        choices: [lync2013, sfb2015, sfb2019]
        default: lync2013
      sip_domains:
        description:
          - The SIP domains. Each gives an Autodiscover name C(lyncdiscover.<domain>).
        type: list
        elements: str
        required: true
      front_end_pools:
        description:
          - The Front End pools (at least one).
        type: list
        elements: dict
        required: true
        suboptions:
          name:
            description: Unique name across pools, Directors and Office Web Apps, C([a-z0-9_-]+).
            type: str
            required: true
          external_web_fqdn:
            description: The pool's external web services FQDN, published on the listener.
            type: str
            required: true
          vip:
            description:
              - The hardware load balancer VIP of the pool's external web site. The proxy
                addresses the VIP when it is given, else the servers.
              - Unspecified, broadcast, loopback, multicast and link-local addresses are refused
                here, in O(_input.front_end_pools[].servers) and in O(_input.reverse_proxies).
            type: str
          servers:
            description:
              - The pool's servers. At least one of O(_input.front_end_pools[].vip) and this.
              - Each is an address, or C({address, fqdn}) with the server's FQDN (what a back-end
                certificate names; lync.reverse_proxy.topology_from_xml fills it in).
            type: list
            elements: raw
      directors:
        description:
          - The Director pools, same keys as O(_input.front_end_pools). When there is one, simple
            URLs and Autodiscover are routed to the first Director pool.
        type: list
        elements: dict
        default: []
      office_web_apps:
        description:
          - Office Web Apps (Office Online) server farms used for conferencing.
          - Each has C(name), C(fqdn) (the published name), and C(vip) and/or C(servers).
        type: list
        elements: dict
        default: []
      simple_urls:
        description:
          - The simple URLs, routed to the first Director pool if any, else the first Front End
            pool. Each is a host name (naming option 1, C(meet.contoso.com)) or an C(https://)
            URL with an optional path, in any case (options 2 and 3,
            C(https://lync.contoso.com/Meet)). A host shared by several URLs is published once.
          - The same URL twice, a host that a pool or Office Web Apps also publishes, and a URL
            that is not https or has a port, a query or credentials are errors.
          - The Admin simple URL is internal only and never published; an C(admin) key is refused.
        type: dict
        suboptions:
          meet:
            description: Meeting simple URLs; one per SIP domain is expected (its host in the domain).
            type: list
            elements: str
            default: []
          dialin:
            description: Dial-in conferencing simple URLs.
            type: list
            elements: str
            default: []
      reverse_proxies:
        description:
          - The reverse proxies. The playbooks fill this from the inventory group; without it
            the rules name the listener and internal interface by role only.
        type: list
        elements: dict
        default: []
        suboptions:
          name:
            description: Unique reverse proxy name.
            type: str
            required: true
          external_addresses:
            description: The listener addresses (external interface); at least one.
            type: list
            elements: str
            required: true
          internal_addresses:
            description: The internal interface addresses, the source of the internal rules; at least one.
            type: list
            elements: str
            required: true
      options:
        description: The switches of the port model.
        type: dict
        suboptions:
          http_redirect:
            description:
              - Open external TCP 80 and answer plain HTTP with a redirect to HTTPS. The rule
                is optional in the source, so it is marked C(required=false) unless mobile
                Autodiscover over HTTP needs port 80 anyway.
            type: bool
            default: true
          mobile_autodiscover_over_http:
            description:
              - The listener certificate does not carry the C(lyncdiscover.<sip domain>) names,
                so mobile clients find Autodiscover over plain HTTP. External TCP 80 and internal
                TCP 8080 become required; port 80 is bridged to the pools' 8080.
            type: bool
            default: false
          external_sources:
            description:
              - Who may reach the listener. V(any) (the source's "Any") is C(0.0.0.0/0) and
                C(::/0); or list CIDRs to restrict.
            type: list
            elements: str
            default: [any]
"""
