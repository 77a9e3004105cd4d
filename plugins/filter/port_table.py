# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: port_table
short_description: The reverse-proxy port summary as Markdown, CSV or HTML, in English or Korean
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Renders the firewall rules of the port model the way Microsoft's I(Port summary - Reverse
    proxy in Lync Server 2013) lays them out - one table per interface (external, then
    internal), the columns protocol/TCP or UDP/port, source, destination and notes, one row per
    rule in the source's order.
  - Sources and destinations are named by role as the source names them (in Korean with
    V(ko), as the Korean edition does) and, when the topology has them, the real addresses
    beside the roles.
  - The notes state the source's facts for each row; C((Optional)) marks a rule the options
    do not make required.
extends_documentation_fragment:
  - lync.reverse_proxy.topology
options:
  format:
    description:
      - The output format. V(csv) gives one table with an interface column.
      - V(html) is a self-contained handout (no external assets; it works offline and as an
        e-mail attachment) styled for screen and print - the deployment's summary (product, SIP
        domains, pools, Directors and Office Web Apps with their published names, reverse
        proxies, options, certificate names), the warnings, a diagram of the flows, and the two
        tables, each starting a new page when printed.
      - V(svg) is that diagram alone (the port_table playbook writes it as C(port-diagram.svg)) -
        the sources, the external firewall, each reverse proxy, the internal firewall, each pool,
        Director pool and Office Web Apps farm, every arrow labelled with its protocol and port
        (C(HTTPS 443 -> 4443) where the proxy translates), with a text alternative.
    type: str
    choices: [markdown, csv, html, svg]
    default: markdown
  lang:
    description: The language of headings, role names and notes.
    type: str
    choices: [en, ko]
    default: en
  interface:
    description: Only the table of this interface.
    type: str
    choices: [external, internal]
  addresses:
    description: Show the addresses beside the roles when the topology gives them.
    type: bool
    default: true
  generated:
    description: The date the V(html) handout says it was generated on; today when not given.
    type: str
  limits:
    description:
      - The per-source limits and time-outs that apply on the listener, said in the notes of the
        external rules - C(firewall) (C(connections), C(rate), C(burst); rp_firewall's per-source limits) and
        C(proxy) (C(software) V(haproxy) or V(nginx), C(connections), C(rate), C(handshake),
        C(request_head); the proxy role's), each optional. Nothing is said without them.
    type: dict
    version_added: 1.1.0
requirements:
  - netaddr (Python library, on the controller)
seealso:
  - plugin: lync.reverse_proxy.port_model
    plugin_type: filter
"""

EXAMPLES = r"""
- name: The port summary in Korean, as Markdown
  ansible.builtin.debug:
    msg: "{{ lync_topology | lync.reverse_proxy.port_table(lang='ko') }}"

- name: The port summary, with the limits the roles' defaults apply on the listener
  ansible.builtin.debug:
    msg: >-
      {{ lync_topology | lync.reverse_proxy.port_table(limits={
           'firewall': {'connections': 1000, 'rate': 200, 'burst': 400},
           'proxy': {'software': 'haproxy', 'connections': 500, 'rate': 100, 'handshake': '10s', 'request_head': '10s'}}) }}

- name: The port summary for a change ticket
  ansible.builtin.copy:
    content: "{{ lync_topology | lync.reverse_proxy.port_table(format='html') }}"
    dest: /tmp/port-summary.html
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The rendered tables.
  type: str
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._collection import collection_version
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def port_table(data, format="markdown", lang="en", interface=None, addresses=True,  # pylint: disable=redefined-builtin
               generated=None, limits=None):
    """The port summary tables of the model."""
    return _model.render_port_table(_model.ensure_model(data), fmt=format, lang=lang, interface=interface, addresses=addresses,
                                    generated=generated, limits=limits,
                                    version=collection_version() if format == "html" else "unknown")


class FilterModule:
    """The port_table filter."""

    def filters(self):
        return {"port_table": port_table}
