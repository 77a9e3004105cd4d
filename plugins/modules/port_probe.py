#!/usr/bin/python
# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: port_probe
short_description: Check that endpoints are open or closed, with TLS and HTTP, from where the task runs
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Probes a list of endpoints from the host the task runs on, concurrently, each bounded by
    O(timeout) - a TCP connect, then optionally a TLS handshake with SNI and an HTTP request with
    a Host header.
  - Returns one row per endpoint - reachable or not, TCP connect time, TLS version, whether the
    certificate was verified, the DNS names the certificate carries, HTTP status and redirect
    target, error text - and whether its expectation (V(open) or V(closed)) holds.
  - Fails, with the whole table in RV(results), when any expectation is not met.
  - P(lync.reverse_proxy.probe_list#filter) builds the endpoints from the port model for a vantage
    point (outside, the reverse proxy, a Front End).
options:
  endpoints:
    description: The endpoints to probe.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: A label for the row.
        type: str
      address:
        description: Where to connect (an address, or a name this host resolves).
        type: str
        required: true
      port:
        description: The TCP port.
        type: int
        required: true
      expect:
        description: V(open) - connect (and TLS and HTTP when asked) must succeed; V(closed) - the connection must fail.
        type: str
        choices: [open, closed]
        default: open
      tls:
        description: Do a TLS handshake after connecting.
        type: bool
        default: false
      server_name:
        description: The SNI name, the name the certificate must carry, and the default Host header.
        type: str
      ca_path:
        description:
          - A CA file to verify the certificate against (chain and O(endpoints[].server_name)).
            Without it the certificate is read, not verified, and only its names are compared.
          - Verification is strict X.509 (RFC 5280 - Authority and Subject Key Identifiers, a
            critical basicConstraints on CAs), as Python 3.13 verifies by default, on every
            Python. A certificate only the strict rules reject is reported as such
            (RV(results[].tls_strict_rejected)).
        type: path
      ca_data:
        description:
          - The CA certificate(s) to verify the certificate against, as PEM text - for a CA file on
            the controller, read there (C(lookup('ansible.builtin.file', ...))). Trusted beside
            O(endpoints[].ca_path) when both are given; verified the same way.
        type: str
        version_added: 1.1.0
      relax_strict_x509_ca:
        description:
          - Verify without the strict X.509 rules, for this CA file only (it must equal
            O(endpoints[].ca_path)); for a private CA that cannot be reissued yet. Off by default.
        type: path
      certificate:
        description: Return the certificate the server presented, as PEM (RV(results[].certificate)).
        type: bool
        default: false
      http:
        description: Send one HTTP request after connecting.
        type: dict
        suboptions:
          method:
            description: The method.
            type: str
            default: GET
          path:
            description: The path.
            type: str
            default: /
          host:
            description: The Host header (default O(endpoints[].server_name), else the address).
            type: str
          expect_status:
            description: Statuses that meet the expectation; empty accepts any.
            type: list
            elements: int
            default: []
          expect_location:
            description: The Location header must start with this (a redirect's target).
            type: str
  timeout:
    description: Seconds each connect, handshake and request may take.
    type: float
    default: 5
  concurrency:
    description: How many endpoints are probed at once (at most 64).
    type: int
    default: 16
attributes:
  check_mode:
    support: full
    description: The module changes nothing, so it probes in check mode too.
  diff_mode:
    support: none
    description: Nothing changes.
  idempotent:
    support: full
    description: It only reads.
seealso:
  - plugin: lync.reverse_proxy.probe_list
    plugin_type: filter
"""

EXAMPLES = r"""
- name: From outside, the listener answers on 443 with the right certificate, and 4443 is closed
  lync.reverse_proxy.port_probe:
    endpoints:
      - {address: 198.51.100.10, port: 443, tls: true, server_name: webext.contoso.com,
         ca_path: /etc/ssl/certs/ca-certificates.crt, http: {path: /, expect_status: [200, 401, 403]}}
      - {address: 198.51.100.10, port: 4443, expect: closed}

- name: The endpoints of the port model for this vantage point
  lync.reverse_proxy.port_probe:
    endpoints: "{{ lync_topology | lync.reverse_proxy.probe_list('outside') }}"
    timeout: 3
  register: probes
"""

RETURN = r"""
results:
  description: One row per endpoint, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The row's label.
      type: str
    address:
      description: Where it connected.
      type: str
    port:
      description: The port.
      type: int
    expect:
      description: V(open) or V(closed).
      type: str
    ok:
      description: Whether the expectation holds.
      type: bool
    reachable:
      description: Whether the TCP connect succeeded.
      type: bool
    connect_ms:
      description: TCP connect time in milliseconds.
      type: float
    tls_version:
      description: The negotiated TLS version.
      type: str
    tls_verified:
      description: Whether the chain and name were verified against the CA file.
      type: bool
    tls_strict:
      description: Whether the verification used the strict X.509 rules.
      type: bool
    tls_strict_rejected:
      description: True when only the strict X.509 rules rejected the certificate (it verifies without them).
      type: bool
    certificate_names:
      description: DNS names on the presented certificate.
      type: list
      elements: str
    certificate:
      description: The presented certificate as PEM, with O(endpoints[].certificate).
      type: str
    http_status:
      description: The HTTP status.
      type: int
    http_location:
      description: The Location header, if any.
      type: str
    error:
      description: What went wrong, if anything - refused, timeout, TLS, HTTP.
      type: str
failed_count:
  description: How many rows did not meet their expectation.
  returned: always
  type: int
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.lync.reverse_proxy.plugins.module_utils._probe_on_host import ENDPOINT_OPTIONS, probe_all


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "endpoints": {"type": "list", "elements": "dict", "required": True, "options": ENDPOINT_OPTIONS},
            "timeout": {"type": "float", "default": 5.0},
            "concurrency": {"type": "int", "default": 16},
        },
        supports_check_mode=True,
    )
    results = probe_all(module.params["endpoints"], module.params["timeout"], module.params["concurrency"])
    failed = [row for row in results if not row["ok"]]
    result = {"changed": False, "results": results, "failed_count": len(failed)}
    if failed:
        module.fail_json(
            msg="%d of %d endpoints did not meet their expectation: %s" % (
                len(failed), len(results), "; ".join("%s (%s)" % (row["name"], row["error"]) for row in failed)),
            **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
