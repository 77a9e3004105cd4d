# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: haproxy_config
short_description: The haproxy.cfg of one reverse proxy, from the topology
version_added: 1.1.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Renders the configuration R(lync.reverse_proxy.rp_haproxy,ansible_collections.lync.reverse_proxy.rp_haproxy_role)
    writes (without its C(ansible_managed) line) - every published route of the port model.
  - Port 443 terminates TLS with the listener certificate and picks the backend by the Host
    header; port 80 redirects to https (or passes on, for the names published on 80). Every
    backend re-encrypts to the pool's 4443 or Office Web Apps' 443, sends the backend's name as
    SNI and, with O(backend_verify), verifies its certificate and name.
  - The frontends bind to the proxy's listener addresses in the topology (every address when it
    gives none).
  - Options are checked before anything is written; a bad one is named in the error.
positional: _input
options:
  _input:
    description: The topology (as in the topology doc fragment) or a model from P(lync.reverse_proxy.port_model#filter).
    type: raw
    required: true
  reverse_proxy:
    description: The proxy's name in the topology's C(reverse_proxies).
    type: str
    required: true
  tls:
    description:
      - The TLS settings - a profile name (V(modern), V(intermediate), V(old)) or what
        P(lync.reverse_proxy.tls_profile#filter) returns (for V(custom)).
    type: raw
    default: intermediate
  pem_path:
    description: Where the listener certificate chain and key (one PEM file) are on the host.
    type: path
    required: true
  ca_path:
    description: Where the backends' CA (PEM) is on the host; required with O(backend_verify).
    type: path
  backend_verify:
    description: Verify the backends' certificates and names.
    type: bool
    default: true
  maxconn:
    description:
      - HAProxy's C(maxconn), or V(auto) - sized from O(memory_mb) and O(open_files) (8 per MiB, at
        most half the open files less 1,000, at least 256; the configuration says how).
    type: raw
    default: 4096
  memory_mb:
    description:
      - The host's memory in MiB, for O(maxconn=auto) (M(lync.reverse_proxy.host_info) reads it
        with O(lync.reverse_proxy.host_info#module:capacity)).
    type: int
    version_added: 1.1.0
  open_files:
    description: The open files a service may have on the host, for O(maxconn=auto).
    type: int
    default: 524288
    version_added: 1.1.0
  timeout_handshake:
    description:
      - The TLS handshake's time-out - C(timeout client-hs) from HAProxy 2.8 on; before 2.8 the HTTPS
        frontend's C(timeout client) (a C(.if version_before(2.8)) block), HAProxy's only bound on a
        handshake there.
    type: str
    default: 10s
    version_added: 1.1.0
  source_connections:
    description: Connections one source (an IPv4 address, an IPv6 /64) may have open on 443 and 80 together; refused at accept when over. V(0) - no limit.
    type: int
    default: 500
    version_added: 1.1.0
  source_rate:
    description: New connections one source may open a second (averaged over 10 s); refused at accept when over. V(0) - no limit.
    type: int
    default: 100
    version_added: 1.1.0
  log_requests:
    description: V(errors) (failed, timed-out, 5xx, refused requests), V(all) or V(none).
    type: str
    default: errors
    choices: [errors, all, none]
  timeout_connect:
    description: C(timeout connect), an HAProxy time.
    type: str
    default: 5s
  timeout_client:
    description: C(timeout client); not counted while the server prepares an answer (the long poll's wait is O(timeout_server)'s).
    type: str
    default: 960s
  timeout_server:
    description: C(timeout server).
    type: str
    default: 960s
  timeout_http_request:
    description: C(timeout http-request), the time for a whole request head.
    type: str
    default: 10s
  timeout_http_keep_alive:
    description: C(timeout http-keep-alive).
    type: str
    default: 30s
  health_checks:
    description: Check the backends over HTTP (any status below 500 means alive).
    type: bool
    default: true
  health_check_path:
    description: The path the health check requests.
    type: str
    default: /
  health_check_interval:
    description: The interval of the health checks, an HAProxy time.
    type: str
    default: 5s
  acme_challenge_port:
    description:
      - A loopback port where an ACME client answers the HTTP-01 challenge; the port 80 frontend sends
        C(/.well-known/acme-challenge/) there before any redirect (rp_proxy's certificate source V(acme)).
      - V(0) - none.
    type: int
    default: 0
    version_added: 1.1.0
seealso:
  - plugin: lync.reverse_proxy.publishing_rules
    plugin_type: filter
  - plugin: lync.reverse_proxy.nginx_config
    plugin_type: filter
"""

EXAMPLES = r"""
- name: The configuration of rp01, as rp_proxy writes it for HAProxy
  ansible.builtin.copy:
    content: >-
      {{ lync_topology | lync.reverse_proxy.haproxy_config(reverse_proxy='rp01',
         pem_path='/etc/haproxy/lync/listener.pem', ca_path='/etc/haproxy/lync/backend-ca.pem') }}
    dest: /tmp/haproxy.cfg
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The configuration text.
  type: str
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def haproxy_config(data, reverse_proxy=None, tls=None, **options):
    """The haproxy.cfg of one reverse proxy."""
    return _model.proxy_config(data, "haproxy", reverse_proxy=reverse_proxy, tls=tls, **options)


class FilterModule:
    """The haproxy_config filter."""

    def filters(self):
        return {"haproxy_config": haproxy_config}
