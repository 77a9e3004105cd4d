#!/usr/bin/python
# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: proxy_converge
short_description: Make a reverse proxy host have what the port model says (HAProxy or nginx)
version_added: 1.1.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - The action of the role lync.reverse_proxy.rp_proxy. On the controller it checks the
    arguments, reads the listener certificate, its key and the backends' CA (the text, or a file
    on the controller), renders the proxy's configuration from the port model (the same text as
    P(lync.reverse_proxy.haproxy_config#filter) and P(lync.reverse_proxy.nginx_config#filter), under
    the C(ansible_managed) comment) and compares it, with the packages, the service, the TLS
    directory and the certificate files, with a read of the host.
  - The read is the play's (O(read), a M(lync.reverse_proxy.host_info) result whose C(proxy)
    part read exactly what this action reads, RV(request)), or one M(lync.reverse_proxy.host_info)
    call of its own. A host that is as it must be is not touched again.
  - Where something differs, only that is done, in this order - the other proxy software stopped
    (O(exclusive)), the packages installed, the TLS directory, the certificate files (named by
    their content, so that a new certificate never overwrites the one being served; a key is never
    logged or shown in a diff), the configuration (validated by the proxy before it replaces the
    live one), the service enabled and started, a reload (not a restart) when the configuration
    changed, the removal of our certificate files the configuration no longer names, and the
    listener checked (O(probe)).
  - What a proxy software brings of its own (packages, service, file layout, validation command)
    is data of its renderer in the port model; O(options) are that renderer's options.
options:
  software:
    description: The proxy software.
    type: str
    choices: [haproxy, nginx]
    default: haproxy
  topology:
    description:
      - The deployment (or its port model); see P(lync.reverse_proxy.port_model#filter).
      - A topology without C(reverse_proxies) takes them from the inventory - the C(lync_reverse_proxy)
        of each host of the group C(lync_reverse_proxies_group) names (default C(lync_reverse_proxies)),
        in the group's order - as P(lync.reverse_proxy.inventory_topology#lookup) does. One that lists
        them is used as it is.
    type: raw
    required: true
  reverse_proxy:
    description: This host's name in the topology's C(reverse_proxies); the listener binds its external addresses.
    type: str
    default: the inventory hostname
  certificate:
    description: The listener certificate chain (PEM text). This or O(certificate_src).
    type: str
    default: ""
  certificate_src:
    description:
      - A file on the controller with the listener certificate chain.
      - A relative path is relative to the directory ansible-playbook was started in (P(lync.reverse_proxy.user_path#filter)).
    type: str
    default: ""
  certificate_key:
    description: The listener certificate's private key (PEM text; never logged). This or O(certificate_key_src).
    type: str
    default: ""
  certificate_key_src:
    description: A file on the controller with the private key (relative as O(certificate_src)).
    type: str
    default: ""
  backend_verify:
    description: Verify the backends' certificates (their published FQDN) against O(backend_ca).
    type: bool
    default: true
  backend_ca:
    description: The CA certificate(s) the backends' certificates chain to (PEM text).
    type: str
    default: ""
  backend_ca_src:
    description: A file on the controller with the backends' CA (relative as O(certificate_src)).
    type: str
    default: ""
  tls_profile:
    description: The listener's TLS profile; see P(lync.reverse_proxy.tls_profile#filter).
    type: str
    default: intermediate
  tls_protocols:
    description: With O(tls_profile=custom), the protocols.
    type: list
    elements: str
    default: []
  tls_ciphers:
    description: With O(tls_profile=custom), the ciphers of TLS 1.2 and below (OpenSSL syntax).
    type: str
    default: ""
  tls_ciphersuites:
    description: With O(tls_profile=custom), the TLS 1.3 suites.
    type: str
    default: ""
  tls_dir:
    description: The directory of the certificate files (empty - the software's, C(/etc/haproxy/lync) or C(/etc/nginx/lync)).
    type: str
    default: ""
  config_path:
    description: The configuration file (empty - the software's, C(/etc/haproxy/haproxy.cfg) or C(/etc/nginx/nginx.conf)).
    type: str
    default: ""
  options:
    description:
      - The renderer's options for O(software) (see the role lync.reverse_proxy.rp_proxy's
        C(rp_proxy_haproxy) and C(rp_proxy_nginx)); the sized option (HAProxy C(maxconn), nginx
        C(worker_connections)) is C(auto) unless given - sized from the host's memory and open-file limit.
      - An unknown option or a value that does not fit is an error that names it.
    type: dict
    default: {}
  capacity:
    description: The host's C(memory_mb) and C(open_files), as M(lync.reverse_proxy.host_info) reads them (read when needed and not given).
    type: dict
    default: {}
  read:
    description: The play's M(lync.reverse_proxy.host_info) result for this host (used when its C(proxy) part read RV(request)).
    type: dict
    default: {}
  probe:
    description: After a change, or when the read found the listener not answering, check that it answers (HTTPS on 443 of each listener address).
    type: bool
    default: true
  exclusive:
    description: Stop and disable the other proxy software when it runs (it holds the same ports).
    type: bool
    default: true
  certificate_source:
    description:
      - Where the listener certificate comes from - V(files) (O(certificate), O(certificate_key)) or V(acme).
      - V(acme) - Debian's C(certbot) on the host gets one certificate (lineage C(lync-reverse-proxy)) for every name
        of the model from the ACME CA at O(acme_directory), answering HTTP-01 on the loopback (O(acme_challenge_port))
        where the proxy passes C(/.well-known/acme-challenge/) from external port 80; a deploy hook installs it where
        the proxy reads it (checked with the configuration) and reloads; C(certbot.timer) renews it on the host. A
        self-signed certificate made on the host serves until the first one is there. The key is made on the host
        and never leaves it. The topology must open external port 80 (C(options.http_redirect)); one that closes it
        is refused.
      - The action asks certbot only when there is no certificate, a name of the model is missing from it, or its
        renewal settings name another directory or another account than O(acme_account_key_content)'s (RV(acme)); a
        refusal fails the task with what the CA said, and the
        proxy keeps serving the certificate it had.
    type: str
    choices: [files, acme]
    default: files
  acme_directory:
    description: The ACME CA's directory URL (https); required with O(certificate_source=acme).
    type: str
    default: ""
  acme_contact:
    description: The e-mail address of the ACME account (empty - none).
    type: str
    default: ""
  acme_ca:
    description: The CA certificate(s) that verify the ACME server (PEM text; empty - the host's trust store). This or O(acme_ca_src).
    type: str
    default: ""
  acme_ca_src:
    description: A file on the controller with the CA certificate(s) that verify the ACME server.
    type: str
    default: ""
  acme_challenge_port:
    description: The loopback port where certbot answers the HTTP-01 challenge.
    type: int
    default: 8402
  acme_account_key_content:
    description:
      - An ACME account key of your own (PEM, unencrypted; RSA of 2048 bits or more, or EC on P-256, P-384 or P-521),
        with O(certificate_source=acme); empty (and no O(acme_account_key_src)) - certbot makes its own on the host.
      - Given, M(community.crypto.acme_account) registers it with the CA on the host (once; C(account) of RV(acme)), and
        certbot's account files are written for it (C(/etc/letsencrypt/accounts/<server>/<account id>/), root only);
        certbot issues with C(--account) (no account of its own), and a certificate of another account is issued
        again. Another key type is refused before the host is touched. Never logged or shown in a diff.
    type: str
    default: ""
  acme_account_key_src:
    description: A file on the controller with the ACME account key (PEM). This or O(acme_account_key_content).
    type: str
    default: ""
  acme_eab_kid:
    description:
      - The key identifier of the CA's external account binding, with O(acme_eab_hmac_key); sent (HS256) when the given
        account key (O(acme_account_key_content), O(acme_account_key_src)) is registered, which they need.
    type: str
    default: ""
  acme_eab_hmac_key:
    description: The MAC key of the external account binding (base64url, as the CA gives it).
    type: str
    default: ""
  request_only:
    description: Only check the arguments and return RV(request) and RV(listeners) (no connection to the host).
    type: bool
    default: false
notes:
  - Variables of the 1.x roles (C(rp_haproxy_*), C(rp_nginx_*)) are still taken for an argument
    or option that is not given, with a deprecation warning (removal in 3.0.0).
attributes:
  action:
    support: full
    description: Decides on the controller, runs modules on the host only for what differs.
  check_mode:
    support: full
    description: Reads and compares; the modules it would run run in check mode; no reload, no probe.
  diff_mode:
    support: full
    description: The configuration file before and after (never a key).
  idempotent:
    support: full
    description: A second run finds nothing that differs and changes nothing.
seealso:
  - module: lync.reverse_proxy.host_info
  - plugin: lync.reverse_proxy.haproxy_config
    plugin_type: filter
  - plugin: lync.reverse_proxy.nginx_config
    plugin_type: filter
"""

EXAMPLES = r"""
- name: HAProxy from the port model, the certificate from a private ACME CA
  lync.reverse_proxy.proxy_converge:
    software: haproxy
    topology: "{{ lync_topology }}"
    certificate_source: acme
    acme_directory: https://acme.contoso.com/directory
    acme_contact: pki@contoso.com
    acme_ca_src: files/contoso-root.crt
    backend_ca_src: files/lync-ca.crt

- name: HAProxy from the port model, the certificate from files on the controller
  lync.reverse_proxy.proxy_converge:
    software: haproxy
    topology: "{{ lync_topology }}"
    certificate_src: files/listener.crt
    certificate_key_src: files/listener.key
    backend_ca_src: files/lync-ca.crt
    options:
      timeout_server: 960s
"""

RETURN = r"""
request:
  description: What reading the host means (M(lync.reverse_proxy.host_info)'s O(lync.reverse_proxy.host_info#module:proxy)).
  returned: always
  type: dict
listeners:
  description: The listener endpoints the probe checks (M(lync.reverse_proxy.port_probe)'s endpoints).
  returned: always
  type: list
  elements: dict
software:
  description: The proxy software.
  returned: always
  type: str
config_path:
  description: The configuration file.
  returned: always
  type: str
plan:
  description: What differed from the read (packages, tls_dir, files, config, service, stale, stop, probe_failed).
  returned: unless O(request_only)
  type: dict
acme:
  description:
    - With O(certificate_source=acme) - C(issue) (whether certbot is asked now), C(reason), C(missing) (the model's names
      the certificate lacks), C(timer) (whether C(certbot.timer) must be started), C(lineage), C(directory) and
      C(names) (every name the certificate carries); with a given account key C(account) - C(id) (certbot's account
      id), C(dir), C(type), C(register) (whether it is registered now) and C(reason). Never a key.
  returned: with O(certificate_source=acme), unless O(request_only)
  type: dict
changes:
  description: What was changed (paths written or removed, services started or stopped, packages).
  returned: when something differed
  type: list
  elements: str
"""
