# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: probe_list
short_description: The endpoints that check a Lync reverse proxy deployment, from one vantage point
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Turns the port model into the O(lync.reverse_proxy.port_probe#module:endpoints) of
    M(lync.reverse_proxy.port_probe) for a vantage point.
  - V(outside) (an Internet-side host) - every published name over HTTPS on each listener
    address (SNI and Host set to the name, certificate checked against O(ca_path) when given),
    port 80 redirecting to HTTPS or answering as the model says, an unknown name getting 404, and
    O(closed_ports) closed.
  - V(reverse_proxy) (the proxy itself) - every destination of the model's internal rules open on
    its port, with TLS to the backend's published name where the rule is HTTPS.
  - V(front_end) (a Front End or Director) - the reverse path closed - O(reverse_ports) on the
    proxies' internal addresses.
  - V(certificates) (the Internet side) - TLS to each listener with each certificate name as SNI,
    returning the certificate served (O(lync.reverse_proxy.port_probe#module:endpoints[].certificate)),
    so that its names and expiry can be checked, all names at once.
extends_documentation_fragment:
  - lync.reverse_proxy.topology
options:
  vantage:
    description: Where the probes run from.
    type: str
    required: true
    choices: [outside, reverse_proxy, front_end, certificates]
  reverse_proxy:
    description: Only this reverse proxy's addresses (a name in O(_input.reverse_proxies)).
    type: str
  ca_path:
    description: A CA file, on the probing host, that the certificates must chain to.
    type: str
  ca_data:
    description:
      - The CA certificate(s) the certificates must chain to, as PEM text (for a CA file on the
        controller, read with C(lookup('ansible.builtin.file', ...))); beside O(ca_path) when both
        are given.
    type: str
    version_added: 1.1.0
  closed_ports:
    description: Ports that must be closed on the listener from outside.
    type: list
    elements: int
    default: [4443, 8080, 22]
  reverse_ports:
    description: Ports that must be closed on the proxies' internal addresses from a Front End.
    type: list
    elements: int
    default: [80, 443, 4443, 8080]
seealso:
  - module: lync.reverse_proxy.port_probe
"""

EXAMPLES = r"""
- name: Check from the Internet side
  lync.reverse_proxy.port_probe:
    endpoints: "{{ lync_topology | lync.reverse_proxy.probe_list('outside', ca_path='/etc/ssl/certs/ca-certificates.crt') }}"
"""

RETURN = r"""
_value:
  description: Endpoints for M(lync.reverse_proxy.port_probe).
  type: list
  elements: dict
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def probe_list(data, vantage, reverse_proxy=None, ca_path=None, closed_ports=(4443, 8080, 22),
               reverse_ports=(80, 443, 4443, 8080), ca_data=None):
    """Probe endpoints of the model for a vantage point."""
    return _model.probe_endpoints(_model.ensure_model(data), vantage, reverse_proxy=reverse_proxy, ca_path=ca_path or None,
                                  closed_ports=closed_ports, reverse_ports=reverse_ports, ca_data=ca_data or None)


class FilterModule:
    """The probe_list filter."""

    def filters(self):
        return {"probe_list": probe_list}
