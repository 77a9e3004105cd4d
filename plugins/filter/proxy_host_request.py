# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: proxy_host_request
short_description: What rp_proxy_host reads on a proxy host
version_added: 1.1.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Deprecated (removal in 3.0.0) - it carried the 1.x proxy roles' read between their tasks and
    serves only the deprecated role P(lync.reverse_proxy.rp_proxy_host#role);
    P(lync.reverse_proxy.rp_proxy#role) decides in its action M(lync.reverse_proxy.proxy_converge).
  - The read of a proxy host that P(lync.reverse_proxy.rp_proxy_host#role) decides on - the
    options of M(lync.reverse_proxy.proxy_info), and the C(proxy) part of
    M(lync.reverse_proxy.host_info) - for the packages, service, TLS directory, configuration
    and certificate files of a proxy.
  - The role and the proxy roles that read the host for it ahead (C(site.yml)) compute it with
    this one filter, so that the role recognizes that read as its own (C(rp_proxy_host_info)).
options:
  _input:
    description: The proxy's packages.
    type: list
    elements: str
    required: true
  service:
    description: The proxy's systemd service.
    type: str
    required: true
  tls_dir:
    description: The directory of the certificate files.
    type: str
    required: true
  config_path:
    description: The configuration file.
    type: str
    required: true
  ours:
    description: Shell patterns of the collection's certificate files in O(tls_dir).
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Read an HAProxy host as rp_proxy_host would (with the firewall, in one call)
  lync.reverse_proxy.host_info:
    proxy: >-
      {{ ['haproxy'] | lync.reverse_proxy.proxy_host_request(service='haproxy', tls_dir='/etc/haproxy/lync',
         config_path='/etc/haproxy/haproxy.cfg', ours=['listener-*.pem']) }}
  register: host
"""

RETURN = r"""
_value:
  description: C(packages), C(service) and C(paths) (the TLS directory, the configuration, then the patterns in the TLS directory).
  type: dict
"""

from ansible.errors import AnsibleFilterError


def proxy_host_request(packages, service, tls_dir, config_path, ours=()):
    """The packages, the service, and the paths: TLS directory, configuration, our files' patterns."""
    for name, value in (("service", service), ("tls_dir", tls_dir), ("config_path", config_path)):
        if not isinstance(value, str) or not value:
            raise AnsibleFilterError("proxy_host_request: %s must be a non-empty string, got %r" % (name, value))
    if not isinstance(packages, (list, tuple)) or not all(isinstance(item, str) for item in packages):
        raise AnsibleFilterError("proxy_host_request: the input must be a list of package names, got %r" % (packages,))
    if not isinstance(ours, (list, tuple)) or not all(isinstance(item, str) for item in ours):
        raise AnsibleFilterError("proxy_host_request: ours must be a list of shell patterns, got %r" % (ours,))
    return {"packages": list(packages), "service": service,
            "paths": [tls_dir, config_path] + ["%s/%s" % (tls_dir.rstrip("/"), pattern) for pattern in ours]}


class FilterModule:
    """The proxy_host_request filter."""

    def filters(self):
        return {"proxy_host_request": proxy_host_request}
