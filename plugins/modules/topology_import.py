#!/usr/bin/python
# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: topology_import
short_description: Write the lync_topology of a Lync topology document to a file
version_added: 1.1.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Reads a Lync Server 2013 / Skype for Business topology document on the controller - the file
    Topology Builder saves (C(.tbxml)) or the published topology (C(Get-CsTopology -AsXml)) - and
    writes the C(lync_topology) it describes to O(dest), as the lync.reverse_proxy.import_topology
    playbook does.
  - The document is read as P(lync.reverse_proxy.topology_from_xml#filter) reads it (both forms,
    the encodings Windows writes, the same errors). O(addresses) says what each FQDN resolves to
    inside; with O(dns), the names it lacks are asked of the controller's resolver (the hosts
    file, then DNS) in one batch, and the addresses given win.
  - The topology is validated and its port model computed before anything is written; an error
    writes nothing. The file is replaced only when its text changes.
  - "Runs on the controller only (an action): the document, the addresses file and O(dest) are
    controller paths, a relative path being relative to the directory ansible-playbook was
    started in. The document and the topology stay inside the task, so that a document of
    thousands of pools costs about what the import itself costs."
options:
  document:
    description: The Topology Builder file or the published topology document.
    type: path
    required: true
  dest:
    description: The topology file to write (its directory is created when missing).
    type: path
    required: true
  addresses:
    description:
      - FQDN to list of addresses (or one address) inside, as internal DNS or the proxy's hosts
        file answers - the path of a YAML file of that mapping (it may be encrypted with Ansible
        Vault), or the mapping itself.
      - Every machine FQDN, pool FQDN and Office Web Apps host needs addresses, from here or,
        with O(dns), from the resolver; the names missing are listed together in one error.
    type: raw
  dns:
    description:
      - Ask the controller's resolver (getaddrinfo - the hosts file, then DNS) for the names
        O(addresses) has no key for, all in one step. With V(false), every name must be in
        O(addresses).
    type: bool
    default: true
  site:
    description: Keep the pools of this central site only (by its name in any case, or its SiteId).
    type: str
  simple_urls:
    description:
      - The simple URLs (C(meet), C(dialin)), as in C(lync_topology). Taken from the Topology
        Builder file when not given; required with a published topology, which has none.
    type: dict
  reverse_proxies:
    description: The C(reverse_proxies) written into the topology (Lync's topology does not list them).
    type: list
    elements: dict
  options:
    description: The C(options) written into the topology.
    type: dict
  comment:
    description:
      - The comment at the top of the file, one line or several. By default it names the
        document (and the site).
    type: str
requirements:
  - defusedxml (Python library, on the controller)
  - netaddr (Python library, on the controller)
  - PyYAML (Python library, on the controller; it comes with ansible-core)
attributes:
  action:
    support: full
    description: Runs on the controller as an action plugin.
  check_mode:
    support: full
    description: Reads, imports and compares; writes nothing.
  diff_mode:
    support: full
    description: The file's text before and after.
  idempotent:
    support: full
    description: The same document and addresses give the same text, and an unchanged file is not written.
seealso:
  - plugin: lync.reverse_proxy.topology_from_xml
    plugin_type: filter
  - plugin: lync.reverse_proxy.topology_xml_names
    plugin_type: filter
"""

EXAMPLES = r"""
- name: The topology Topology Builder saved, into the file the playbooks read
  lync.reverse_proxy.topology_import:
    document: topology.tbxml
    addresses: addresses.yml
    dest: group_vars/all/lync_topology.yml
    reverse_proxies:
      - name: rp01
        external_addresses: [198.51.100.10]
        internal_addresses: [10.0.1.5]
  register: imported

- name: A published topology, one site, every name in the addresses file
  lync.reverse_proxy.topology_import:
    document: published.xml
    addresses: addresses.yml
    dns: false
    site: Seoul
    simple_urls:
      meet: [https://lync.contoso.com/Meet]
      dialin: [https://lync.contoso.com/Dialin]
    dest: topology.yml
"""

RETURN = r"""
dest:
  description: The absolute path of the topology file.
  returned: always
  type: str
asked:
  description: How many names were asked of the resolver (none with O(dns=false)).
  returned: always
  type: int
sip_domains:
  description: The SIP domains imported.
  returned: always
  type: list
  elements: str
front_end_pools:
  description: The names of the Front End pools imported.
  returned: always
  type: list
  elements: str
  sample: [pool01, pool02]
directors:
  description: The names of the Director pools imported.
  returned: always
  type: list
  elements: str
office_web_apps:
  description: The FQDNs of the Office Web Apps farms imported.
  returned: always
  type: list
  elements: str
certificate_names:
  description: The names the reverse proxy's listener certificate must carry for this topology.
  returned: always
  type: list
  elements: str
model_warnings:
  description: The port model's warnings for this topology, as sentences.
  returned: always
  type: list
  elements: str
"""
