#!/usr/bin/python
# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: firewall_info
short_description: Read a host's firewall managers, the collection's rules in them, the connection and the interfaces
version_added: 1.1.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Reads in one call what the firewall role decides on - which firewall backends are installed
    (nftables, iptables, firewalld, ufw), which firewall managers run (firewalld active, ufw
    enabled), in which backends the collection's rules exist (the nftables table O(table), iptables
    chains starting with O(chain_prefix)), the SSH connection the module runs over, and the
    interfaces with their addresses (C(ip -j addr show)).
  - Changes nothing. Works without systemd (firewalld is then asked with C(firewall-cmd --state));
    without C(ip) the interfaces are empty and a warning says why.
  - Named C(lync.reverse_proxy.firewall_facts) before 1.1.0 (it returns data, not C(ansible_facts));
    the old name still works, with a deprecation warning, until 3.0.0.
options:
  table:
    description: The name of the collection's nftables table (family C(inet)).
    type: str
    default: lync_reverse_proxy
  table_file:
    description:
      - The file the table is kept in (M(lync.reverse_proxy.nft_table)'s O(lync.reverse_proxy.nft_table#module:path)).
        When it exists and so does the table, the read loads it into a private network namespace
        (C(unshare --net); the host's ruleset is not touched) and says in RV(nftables) whether the
        live table is what the file loads, compared as C(nft -j) lists both.
      - What the file loads is remembered as a digest under C(/run/lync-reverse-proxy/nft) (by this read
        and by M(lync.reverse_proxy.nft_table)), for that exact file content, C(nft) binary and kernel
        release; a later read of the same file compares the live table with it and loads nothing.
        C(/run) is emptied at boot.
    type: path
  chain_prefix:
    description: The prefix of the collection's iptables chains.
    type: str
    default: LYNC-RP
  paths:
    description: Files to describe as well (the nftables ruleset file, the boot drop-in); shell patterns are expanded.
    type: list
    elements: path
    default: []
  services:
    description: systemd services whose state is reported as well (for example V(nftables)).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - lync.reverse_proxy.read_only
seealso:
  - plugin: lync.reverse_proxy.firewall_config
    plugin_type: filter
  - module: lync.reverse_proxy.proxy_info
"""

EXAMPLES = r"""
- name: Read the host's firewalls
  lync.reverse_proxy.firewall_info:
  register: firewall

- name: The interfaces that carry the listener
  ansible.builtin.debug:
    msg: "{{ firewall.interfaces | lync.reverse_proxy.host_interfaces(['198.51.100.10']) }}"

- name: Refuse to run beside ufw
  ansible.builtin.assert:
    that: not firewall.backends.ufw.running
"""

RETURN = r"""
backends:
  description: Per backend (V(nftables), V(iptables), V(firewalld), V(ufw)) whether it is installed,
    running (firewalld active, ufw enabled; always false for nftables and iptables, which are no
    service of their own) and holds the collection's rules (C(ours); nftables and iptables only).
  returned: always
  type: dict
  sample: {nftables: {installed: true, running: false, ours: true}, ufw: {installed: false, running: false, ours: false}}
service_manager:
  description: V(systemd) when systemd manages services here, else null.
  returned: always
  type: str
connection:
  description: The value of C(SSH_CONNECTION) (empty without SSH).
  returned: always
  type: str
connection_source:
  description: The address the connection comes from (its first field).
  returned: always
  type: str
  sample: 10.250.0.1
interfaces:
  description: The output of C(ip -j addr show), parsed (empty without C(ip)).
  returned: always
  type: list
  elements: dict
nftables:
  description:
    - C(path) of C(nft) (null when not installed) and C(table) (O(table)).
    - C(live), the table's objects as C(nft -j list table inet) lists them, without the table object,
      handles, and what counters and quotas have counted (null when the table does not exist).
    - C(file) (O(table_file)) and C(file_matches) - whether the live table is what that file loads
      (null without O(table_file), without the file or the table, or when no private network
      namespace could be made, which a warning then says).
  returned: always
  type: dict
  sample: {path: /usr/sbin/nft, table: lync_reverse_proxy, live: [{chain: {family: inet, name: input, type: filter,
           hook: input, prio: 0, policy: drop}}], file: /etc/nftables.d/lync_reverse_proxy.nft, file_matches: true}
files:
  description: Path -> C(type), C(mode), C(owner), C(group) and, for a file, C(sha256), of the O(paths) that exist.
  returned: always
  type: dict
services:
  description: Service name -> C(name), C(enabled), C(active), of O(services) (all false without systemd).
  returned: always
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.lync.reverse_proxy.plugins.module_utils._host_info import FIREWALL_OPTIONS, firewall_state


def main() -> None:
    module = AnsibleModule(
        argument_spec=dict(FIREWALL_OPTIONS),
        supports_check_mode=True,
    )
    params = module.params
    state = firewall_state(module, params["table"], params["chain_prefix"], paths=params["paths"], table_file=params["table_file"],
                           services=params["services"])
    for warning in state.pop("warnings"):
        module.warn(warning)
    module.exit_json(changed=False, **state)


if __name__ == "__main__":
    main()
