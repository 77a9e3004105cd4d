# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: proxy_host_changes
short_description: What differs between a proxy host as read and as it must be
version_added: 1.1.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Deprecated (removal in 3.0.0) - it carried the 1.x proxy roles' read between their tasks and
    serves only the deprecated role P(lync.reverse_proxy.rp_proxy_host#role);
    P(lync.reverse_proxy.rp_proxy#role) decides in its action M(lync.reverse_proxy.proxy_converge).
  - Compares the read of a proxy host (the C(proxy) part of M(lync.reverse_proxy.host_info), or
    M(lync.reverse_proxy.proxy_info)) with what the host must have, and says what differs, one
    key per step of P(lync.reverse_proxy.rp_proxy_host#role)'s change - the decision the role
    and the proxy roles take on the controller before anything runs on the host.
  - Files compare by type, mode, owner, group and SHA-256 of the content; certificate files are
    written with one line end after their content, the configuration as it is.
options:
  _input:
    description: The read (C(packages), C(service), C(files)).
    type: dict
    required: true
  host:
    description:
      - What the host must have, as P(lync.reverse_proxy.rp_proxy_host#role)'s variables without
        their prefix.
      - C(packages) (list of names), C(tls_dir) (C(path), C(owner), C(group), C(mode)), C(files)
        (list of C(path), C(content), C(owner), C(group), C(mode)), C(config) (C(path), C(content)).
      - A file may give C(sha256) (of the file as written) in place of C(content), as
        P(lync.reverse_proxy.proxy_host_expected#filter) returns it.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Say what a proxy host lacks
  ansible.builtin.debug:
    msg: >-
      {{ read.proxy | lync.reverse_proxy.proxy_host_changes({'packages': ['haproxy'],
         'tls_dir': {'path': '/etc/haproxy/lync', 'owner': 'root', 'group': 'haproxy', 'mode': '0750'},
         'files': [], 'config': {'path': '/etc/haproxy/haproxy.cfg', 'content': config}}) }}
"""

RETURN = r"""
_value:
  description: What differs; all empty or false when the host is as it must be.
  type: dict
  contains:
    packages:
      description: Packages the read found missing.
      type: list
      elements: str
    tls_dir:
      description: Whether the TLS directory is missing or has another mode, owner or group.
      type: bool
    files:
      description: Paths of the certificate files whose content, mode, owner or group differ (or that are missing).
      type: list
      elements: str
    config:
      description: Whether the configuration file differs.
      type: bool
    service:
      description: Whether the service is not both enabled and active.
      type: bool
    stale:
      description: Files the read found (our patterns) that the host must no longer have.
      type: list
      elements: str
"""

from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._proxy_host import proxy_host_changes


class FilterModule:
    """The proxy_host_changes filter."""

    def filters(self):
        return {"proxy_host_changes": proxy_host_changes}
