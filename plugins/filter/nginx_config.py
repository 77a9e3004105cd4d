# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: nginx_config
short_description: The nginx.conf of one reverse proxy, from the topology
version_added: 1.1.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Renders the configuration R(lync.reverse_proxy.rp_nginx,ansible_collections.lync.reverse_proxy.rp_nginx_role)
    writes (without its C(ansible_managed) line) - every published route of the port model.
  - On 443 a stream server reads the SNI. The names of the pools (O(passthrough=pools)) or all
    names (O(passthrough=all)) pass through to the backend as they are - Windows authentication
    binds a server connection to one client, which open-source nginx does not keep in HTTP mode.
    The other names are terminated with the listener certificate and re-encrypted. Port 80
    redirects to https or passes on.
  - nginx listens on the proxy's listener addresses in the topology (every address when it gives
    none). Options are checked before anything is written; a bad one is named in the error.
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
      - The TLS settings of the names nginx terminates - a profile name (V(modern),
        V(intermediate), V(old)) or what P(lync.reverse_proxy.tls_profile#filter) returns.
    type: raw
    default: intermediate
  certificate_path:
    description: Where the listener certificate chain (PEM) is on the host.
    type: path
    required: true
  key_path:
    description: Where the listener key (PEM) is on the host.
    type: path
    required: true
  ca_path:
    description: Where the backends' CA (PEM) is on the host; required with O(backend_verify).
    type: path
  backend_verify:
    description: Verify the certificates of the backends of terminated names.
    type: bool
    default: true
  passthrough:
    description: Which 443 names pass through by SNI.
    type: str
    default: pools
    choices: [pools, all]
  upstream_keepalive:
    description: Keep-alive connections to each backend of the terminated names.
    type: int
    default: 32
  timeout:
    description: Read, send and stream timeout, an nginx time (960 s per Microsoft's guidance).
    type: str
    default: 960s
  worker_connections:
    description:
      - nginx's C(worker_connections) (C(worker_rlimit_nofile) is 1,024 above it), or V(auto) - sized
        from O(memory_mb) and O(open_files) (32 per MiB, at most the open files less 1,024, at least
        1,024; the configuration says how).
    type: raw
    default: 4096
  memory_mb:
    description:
      - The host's memory in MiB, for O(worker_connections=auto) (M(lync.reverse_proxy.host_info)
        reads it with O(lync.reverse_proxy.host_info#module:capacity)).
    type: int
    version_added: 1.1.0
  open_files:
    description: The open files a service may have on the host, for O(worker_connections=auto).
    type: int
    default: 524288
    version_added: 1.1.0
  timeout_handshake:
    description: The stream server's C(preread_timeout) on 443 - the TLS ClientHello (the SNI) must arrive within it.
    type: str
    default: 10s
    version_added: 1.1.0
  timeout_header:
    description:
      - C(client_header_timeout) - a request head must arrive within it (on 80 and the names nginx
        terminates; before nginx 1.25.3 it also bounds the rest of their TLS handshake).
    type: str
    default: 10s
    version_added: 1.1.0
  source_connections:
    description:
      - Connections one source address may have open on 443 (the stream's C(limit_conn), before
        anything is read), and requests in progress on 80. V(0) - no limit.
    type: int
    default: 500
    version_added: 1.1.0
  socket_dir:
    description: The directory of the local sockets between the stream and the HTTP servers.
    type: path
    default: /run
  acme_challenge_port:
    description:
      - A loopback port where an ACME client answers the HTTP-01 challenge; the port 80 servers send
        C(/.well-known/acme-challenge/) there before any redirect (rp_proxy's certificate source V(acme)).
      - V(0) - none.
    type: int
    default: 0
    version_added: 1.1.0
seealso:
  - plugin: lync.reverse_proxy.publishing_rules
    plugin_type: filter
  - plugin: lync.reverse_proxy.haproxy_config
    plugin_type: filter
"""

EXAMPLES = r"""
- name: The configuration of rp01, as rp_proxy writes it for nginx
  ansible.builtin.copy:
    content: >-
      {{ lync_topology | lync.reverse_proxy.nginx_config(reverse_proxy='rp01',
         certificate_path='/etc/nginx/lync/listener.crt', key_path='/etc/nginx/lync/listener.key',
         ca_path='/etc/nginx/lync/backend-ca.pem') }}
    dest: /tmp/nginx.conf
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
def nginx_config(data, reverse_proxy=None, tls=None, **options):
    """The nginx.conf of one reverse proxy."""
    return _model.proxy_config(data, "nginx", reverse_proxy=reverse_proxy, tls=tls, **options)


class FilterModule:
    """The nginx_config filter."""

    def filters(self):
        return {"nginx_config": nginx_config}
