# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: topology_from_xml
short_description: A lync_topology from Lync's own topology document
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Reads a Lync Server 2013 / Skype for Business topology document and returns the
    C(lync_topology) it describes, as lync.reverse_proxy.port_model accepts it.
  - "Both forms are read: the file Topology Builder saves (C(.tbxml), root C(TopologyBuilder)) and
    the published topology (C(Get-CsTopology -AsXml), also inside C(Export-CsConfiguration)'s
    archive, root C(Topology))."
  - The C(InternalDomain) names are the SIP domains. A cluster with the C(WebServices) service is
    a Front End pool, or a Director pool when its C(Registrar) service has C(IsDirector="true");
    its C(WebService/ExternalSettings/@Host) is the external web services FQDN. A C(WacService)'s
    C(DiscoveryUrl) host is the Office Web Apps farm. Edge, Mediation, SQL, file stores and every
    other role are ignored. Names compare case-insensitively.
  - The document's IP addresses are not used; O(addresses) says what each FQDN resolves to on
    the inside. A pool's servers are its machines' addresses, each kept with the machine's FQDN
    (the C({address, fqdn}) server form). Its VIP is the single address of its external web
    services FQDN (when O(addresses) has that name) or else of its pool FQDN, when that address
    is none of its servers; a pool FQDN that resolves to the servers (DNS load balancing) gives
    no VIP.
  - Names of pools are derived from their FQDNs (C(pool01.corp.contoso.com) is C(pool01)) and
    stay unique.
  - The document is untrusted input. A document type declaration or entity is refused before
    parsing, and malformed XML, or XML that is not a Lync topology, is a clear error.
positional: _input
options:
  _input:
    description:
      - The document, as text, or as the result of M(ansible.builtin.slurp) (which keeps the
        file's bytes, so a UTF-16 file saved by PowerShell is read right).
    type: raw
    required: true
  addresses:
    description:
      - FQDN to list of addresses (or one address) inside, as internal DNS or the proxy's hosts
        file answers. Every machine FQDN, pool FQDN and Office Web Apps host must be there; the
        names missing are listed together in one error. External web services FQDNs are optional.
      - M(lync.reverse_proxy.topology_import) (and the lync.reverse_proxy.import_topology playbook)
        fills in what this lacks from DNS.
    type: dict
    default: {}
  simple_urls:
    description:
      - The simple URLs (C(meet), C(dialin)), as in C(lync_topology). Taken from the Topology
        Builder file's C(SimpleUrlConfiguration) (the active URLs; C(Admin) is internal and left
        out) when not given; required with a published topology, which has none.
    type: dict
  reverse_proxies:
    description: The C(reverse_proxies) of the topology (Lync's topology does not list them).
    type: list
    elements: dict
  options:
    description: The C(options) of the topology.
    type: dict
  site:
    description: Keep the pools of this central site only (by its name); an unknown name is an error that lists the sites.
    type: str
requirements:
  - defusedxml (Python library, on the controller)
  - netaddr (Python library, on the controller)
seealso:
  - module: lync.reverse_proxy.topology_import
  - plugin: lync.reverse_proxy.topology_xml_names
    plugin_type: filter
  - plugin: lync.reverse_proxy.port_model
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Read the topology Topology Builder saved
  ansible.builtin.slurp:
    src: /srv/lync/topology.tbxml
  register: __document
  delegate_to: localhost

- name: Its lync_topology
  ansible.builtin.set_fact:
    lync_topology: >-
      {{ __document | lync.reverse_proxy.topology_from_xml(
           addresses=lookup('ansible.builtin.file', 'addresses.yml') | from_yaml,
           reverse_proxies=[{'name': 'rp01', 'external_addresses': ['198.51.100.10'],
                             'internal_addresses': ['10.0.1.5']}]) }}

- name: From Get-CsTopology -AsXml, with the simple URLs given
  ansible.builtin.set_fact:
    lync_topology: >-
      {{ lookup('ansible.builtin.file', 'published.xml') | lync.reverse_proxy.topology_from_xml(
           addresses=lync_addresses, site='Seoul',
           simple_urls={'meet': ['https://lync.contoso.com/Meet'], 'dialin': ['https://lync.contoso.com/Dialin']}) }}
"""

RETURN = r"""
_value:
  description: The topology (C(sip_domains), C(front_end_pools), C(directors), C(office_web_apps), C(simple_urls), and what was passed).
  type: dict
  sample:
    sip_domains: [contoso.com]
    front_end_pools:
      - name: pool01
        external_web_fqdn: webext.contoso.com
        vip: 10.0.10.10
        servers: [{address: 10.0.10.11, fqdn: fe01.corp.contoso.com}]
    simple_urls: {meet: ["https://lync.contoso.com/Meet"], dialin: ["https://lync.contoso.com/Dialin"]}
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def topology_from_xml(document, addresses=None, simple_urls=None, reverse_proxies=None, options=None, site=None):
    """The lync_topology a Lync topology document describes."""
    return _model.topology_from_xml(document, addresses=addresses, simple_urls=simple_urls, reverse_proxies=reverse_proxies,
                                    options=options, site=site)


class FilterModule:
    """The topology_from_xml filter."""

    def filters(self):
        return {"topology_from_xml": topology_from_xml}
