#!/usr/bin/python
# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: host_info
short_description: Read what the firewall and the proxy roles decide on, in one call
version_added: 1.1.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - One remote call for a reverse proxy host where the firewall and the proxy roles run in one
    play (as in C(site.yml)) - what M(lync.reverse_proxy.firewall_info) reads (O(firewall)), what
    M(lync.reverse_proxy.proxy_info) reads (O(proxy)), and the state of further systemd services
    (O(services), e.g. the proxy software the host no longer uses).
  - The roles take the result through C(rp_firewall_host_info) and C(rp_proxy_host_info) and use
    it only when its C(request) is what they would have read themselves; otherwise they read.
  - Changes nothing. Fails like the modules it combines when the host lacks what a part needs.
options:
  firewall:
    description: Read the firewall part; the options of M(lync.reverse_proxy.firewall_info).
    type: dict
    suboptions:
      table:
        description: The name of the collection's nftables table.
        type: str
        default: lync_reverse_proxy
      table_file:
        description: The file the table is kept in, compared with the live table (see M(lync.reverse_proxy.firewall_info)).
        type: path
      chain_prefix:
        description: The prefix of the collection's iptables chains.
        type: str
        default: LYNC-RP
      paths:
        description: Files to describe as well.
        type: list
        elements: path
        default: []
      services:
        description: systemd services whose state is reported as well.
        type: list
        elements: str
        default: []
  proxy:
    description: Read the proxy part; the options of M(lync.reverse_proxy.proxy_info).
    type: dict
    suboptions:
      packages:
        description: Packages whose installation is reported.
        type: list
        elements: str
        default: []
      service:
        description: The systemd service whose state is reported.
        type: str
      paths:
        description: Files and directories to describe; shell patterns are expanded.
        type: list
        elements: path
        default: []
      acme:
        description: A certbot certificate name (lineage) whose certificate, renewal settings and timer are read;
          see M(lync.reverse_proxy.proxy_info).
        type: str
  services:
    description: Further systemd services whose state is reported (all false without systemd).
    type: list
    elements: str
    default: []
  probe:
    description:
      - Endpoints to probe from the host as part of the read, each as an item of
        M(lync.reverse_proxy.port_probe)'s O(lync.reverse_proxy.port_probe#module:endpoints) (TCP,
        optionally TLS and one HTTP request), e.g. whether the proxy answers on its listener now.
      - Unlike M(lync.reverse_proxy.port_probe), an endpoint that does not meet its expectation
        does not fail the read - RV(probe) says so.
    type: list
    elements: dict
  probe_timeout:
    description: Seconds each probe of O(probe) may take.
    type: float
    default: 5.0
  capacity:
    description:
      - Read what a proxy's connection budget is sized from (RV(capacity)) - the memory and the
        open files a service may have.
    type: bool
    default: false
extends_documentation_fragment:
  - lync.reverse_proxy.read_only
seealso:
  - module: lync.reverse_proxy.firewall_info
  - module: lync.reverse_proxy.proxy_info
"""

EXAMPLES = r"""
- name: Read the host once for both roles
  lync.reverse_proxy.host_info:
    firewall: {}
    proxy:
      packages: [haproxy]
      service: haproxy
      paths: [/etc/haproxy/haproxy.cfg, /etc/haproxy/lync, /etc/haproxy/lync/*.pem]
    services: [nginx]
  register: host

- name: The firewall role takes its part
  ansible.builtin.include_role:
    name: lync.reverse_proxy.rp_firewall
  vars:
    rp_firewall_host_info: "{{ host.firewall }}"
"""

RETURN = r"""
firewall:
  description: What M(lync.reverse_proxy.firewall_info) returns, and C(request) (O(firewall) as read); null without O(firewall).
  returned: always
  type: dict
proxy:
  description: What M(lync.reverse_proxy.proxy_info) returns, and C(request) (O(proxy) as read); null without O(proxy).
  returned: always
  type: dict
probe:
  description:
    - One row per endpoint of O(probe), as M(lync.reverse_proxy.port_probe) returns them (C(ok) says
      whether its expectation holds); null without O(probe).
  returned: always
  type: list
  elements: dict
capacity:
  description:
    - With O(capacity), C(memory_mb) (the host's memory, MiB) and C(open_files) (the lower of the
      service manager's own hard limit and systemd's C(DefaultLimitNOFILE)); either is null when it
      cannot be read. Null without O(capacity).
  returned: always
  type: dict
  sample: {memory_mb: 3923, open_files: 524288}
services:
  description: Service name -> C(name), C(enabled), C(active).
  returned: always
  type: dict
  sample: {nginx: {name: nginx, enabled: false, active: false}}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.lync.reverse_proxy.plugins.module_utils._host_info import (
    FIREWALL_OPTIONS,
    PROXY_OPTIONS,
    capacity_state,
    firewall_state,
    proxy_state,
    services_state,
)


def probe(module, endpoints: list, timeout: float) -> list:
    """The endpoints checked against port_probe's options, then probed (imported only when asked:
    a read without probes does not load TLS and HTTP)."""
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._probe_on_host import ENDPOINT_OPTIONS, probe_all
    checked = ArgumentSpecValidator({"probe": {"type": "list", "elements": "dict", "options": ENDPOINT_OPTIONS}}).validate(
        {"probe": endpoints})
    if checked.error_messages:
        module.fail_json(msg="probe: %s" % "; ".join(checked.error_messages))
    return probe_all(checked.validated_parameters["probe"], timeout)


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "firewall": {"type": "dict", "options": FIREWALL_OPTIONS},
            "proxy": {"type": "dict", "options": PROXY_OPTIONS},
            "services": {"type": "list", "elements": "str", "default": []},
            "probe": {"type": "list", "elements": "dict"},
            "probe_timeout": {"type": "float", "default": 5.0},
            "capacity": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    params = module.params
    # Every service any part asks about, read at once.
    wanted = list(params["services"]) + list((params["firewall"] or {}).get("services") or [])
    if params["firewall"] is not None:
        wanted.append("firewalld")  # whether it runs, for the firewall part
    if (params["proxy"] or {}).get("service"):
        wanted.append(params["proxy"]["service"])
    known = services_state(module, list(dict.fromkeys(wanted)))
    result = {"firewall": None, "proxy": None, "services": services_state(module, params["services"], known)}
    if params["firewall"] is not None:
        request = params["firewall"]
        state = firewall_state(module, request["table"], request["chain_prefix"], paths=request["paths"],
                               table_file=request["table_file"],
                               services=request["services"], known_services=known)
        for warning in state.pop("warnings"):
            module.warn(warning)
        result["firewall"] = dict(state, request=request)
    if params["proxy"] is not None:
        request = params["proxy"]
        result["proxy"] = dict(proxy_state(module, request["packages"], request["service"], request["paths"],
                                           known_services=known, acme=request["acme"]), request=request)
    result["probe"] = None if params["probe"] is None else probe(module, params["probe"], params["probe_timeout"])
    result["capacity"] = capacity_state(module) if params["capacity"] else None
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
