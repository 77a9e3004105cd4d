#!/usr/bin/python
# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: proxy_info
short_description: Read a reverse proxy host's packages, service and files in one call
version_added: 1.1.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Reads in one call what the proxy roles decide on - whether the proxy's packages are installed
    (C(dpkg-query) or C(rpm)), whether its service is enabled and active (systemd), and type,
    mode, owner, group and SHA-256 of the configuration and certificate files. A rerun then skips
    the package manager, the service and files that are as they should be.
  - Changes nothing. A host without C(dpkg-query) and C(rpm) (with O(packages)) or without systemd
    (with O(service)) fails with a sentence naming what is missing.
  - Named C(lync.reverse_proxy.proxy_facts) before 1.1.0 (it returns data, not C(ansible_facts));
    the old name still works, with a deprecation warning, until 3.0.0.
options:
  packages:
    description: Packages whose installation is reported.
    type: list
    elements: str
    default: []
  service:
    description: The systemd service whose state is reported.
    type: str
  paths:
    description: Files and directories to describe; shell patterns (C(*), C(?), C([...])) are expanded.
    type: list
    elements: path
    default: []
  acme:
    description:
      - A certbot certificate name (lineage, C(--cert-name)) to read - the DNS names and end of its certificate
        (C(/etc/letsencrypt/live/NAME/cert.pem), read with C(openssl x509)), the ACME directory its renewal settings
        name (C(/etc/letsencrypt/renewal/NAME.conf)) and the state of C(certbot.timer) (RV(acme)).
      - Nothing of the key is read.
    type: str
extends_documentation_fragment:
  - lync.reverse_proxy.read_only
seealso:
  - module: lync.reverse_proxy.firewall_info
"""

EXAMPLES = r"""
- name: Read what HAProxy's role decides on
  lync.reverse_proxy.proxy_info:
    packages: [haproxy]
    service: haproxy
    paths: [/etc/haproxy/haproxy.cfg, /etc/haproxy/lync, /etc/haproxy/lync/*.pem]
  register: proxy

- name: Install HAProxy only when it is missing
  ansible.builtin.package:
    name: haproxy
  when: not proxy.packages.haproxy
"""

RETURN = r"""
packages:
  description: Package name -> installed (true or false).
  returned: always
  type: dict
  sample: {haproxy: true}
package_manager:
  description: V(dpkg) or V(rpm) (null without O(packages)).
  returned: always
  type: str
service:
  description: C(name), C(enabled) and C(active) of O(service) (null without it).
  returned: always
  type: dict
  sample: {name: haproxy, enabled: true, active: true}
service_manager:
  description: V(systemd) (null without O(service)).
  returned: always
  type: str
files:
  description:
    - Path -> C(type) (V(file), V(directory) or V(other)), C(mode) (four octal digits), C(owner),
      C(group) and, for a file, C(sha256). Absent paths are left out.
  returned: always
  type: dict
  sample: {/etc/haproxy/lync: {type: directory, mode: "0750", owner: root, group: haproxy}}
acme:
  description:
    - With O(acme) - C(lineage), C(certificate) (C(names), its DNS names, and C(not_after); null when there is none;
      C(error) when openssl cannot read it), C(server) and C(account) (the ACME directory and certbot's account id
      of its renewal settings, null without them) and C(timer) (C(enabled) and C(active) of C(certbot.timer); null
      without systemd).
  returned: with O(acme)
  type: dict
  sample:
    lineage: lync-reverse-proxy
    certificate: {names: [webext.contoso.com], not_after: "Mar  1 12:00:00 2027 GMT"}
    server: https://acme.example.net/directory
    account: 3c1a4d7e0f9b2a6c5d8e7f6a5b4c3d2e
    timer: {name: certbot.timer, enabled: true, active: true}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.lync.reverse_proxy.plugins.module_utils._host_info import PROXY_OPTIONS, proxy_state


def main() -> None:
    module = AnsibleModule(
        argument_spec=dict(PROXY_OPTIONS),
        supports_check_mode=True,
    )
    params = module.params
    state = proxy_state(module, params["packages"], params["service"], params["paths"], acme=params["acme"])
    module.exit_json(changed=False, **state)


if __name__ == "__main__":
    main()
