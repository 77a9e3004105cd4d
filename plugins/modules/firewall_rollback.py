#!/usr/bin/python
# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: firewall_rollback
short_description: Commit-confirm for any firewall kept in files
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - V(armed) saves O(paths) as they are now and starts a transient systemd timer that, after
    O(timeout) seconds, puts them back (removing those that did not exist) and runs
    O(restore_command) (reload the firewall from them). Arm it before changing the firewall.
  - V(restarted) restarts the countdown of the pending rollback from now with O(timeout), keeping
    the files saved when it was armed. For a change made in several steps, arm before the first,
    restart after the last, and the confirmation gets the whole O(timeout) whatever the steps took.
  - V(confirmed) stops a pending timer - run it from a fresh connection after the change
    (O(reconnect=true)), which proves the new rules kept management access. A host that cannot be reached again rolls back
    by itself. It fails when the rollback has already run (the change took longer than the
    timeout) - the previous rules are back, and the run must not go on as if the new ones were.
  - V(confirmed) runs as one C(/bin/sh) command over the connection (the module's action plugin),
    without sending a Python module, since the change and the rollback timer both wait for it.
  - The roles use it for ufw (its rules live in C(/etc/ufw/user*.rules)); the nftables, iptables and
    firewalld modules of the collection have it built in (their C(rollback_timeout) option).
options:
  name:
    description: The rollback's name (the unit is C(lync-rollback-<name>)).
    type: str
    required: true
  state:
    description: V(armed), V(restarted) or V(confirmed).
    type: str
    default: armed
    choices: [armed, restarted, confirmed]
  paths:
    description: Files to put back. Required with O(state=armed).
    type: list
    elements: path
    default: []
  restore_command:
    description: Shell command run (by C(/bin/sh)) after the files are back. Required with O(state=armed).
    type: str
  timeout:
    description:
      - Seconds until the rollback runs (with V(armed) and V(restarted)).
      - When not given, O(rollback_timeout) if above 0, else 60.
    type: int
  rollback_timeout:
    description:
      - The seconds of O(timeout) when O(timeout) is not given - the option of the backend modules
        (M(lync.reverse_proxy.nft_table), M(lync.reverse_proxy.iptables_chains),
        M(lync.reverse_proxy.firewalld_config)), so that C(module_defaults) for the action group
        C(group/lync.reverse_proxy.commit_confirm) sets the countdown of all four at once.
      - V(0) leaves O(timeout) at 60.
    type: int
    default: 0
    version_added: 1.1.0
  management_sources:
    description:
      - Networks (CIDRs) from which management access must survive, as the backend modules take
        them. With V(armed) or V(restarted), the address of the SSH connection running this module
        must be in one of them, or the module fails before it arms (so the change that would follow
        does not run). V(confirmed) ignores them.
    type: list
    elements: str
    default: []
    version_added: 1.1.0
  reconnect:
    description:
      - With O(state=confirmed), drop the task's connection first (as C(meta) V(reset_connection)
        does) and confirm over a fresh one - a new session through the new rules, the proof that
        they kept management access. The action plugin does it; other states ignore it.
    type: bool
    default: false
    version_added: 1.1.0
extends_documentation_fragment:
  - lync.reverse_proxy.commit_confirm.action_group
attributes:
  action:
    support: full
    description: V(confirmed) runs on the controller's side as one shell command on the target.
  check_mode:
    support: full
    description: Changes nothing; reports what it would do.
  diff_mode:
    support: none
    description: Nothing to show - the module saves and restores files, it does not change them.
  idempotent:
    support: none
    description: >-
      Arming always re-arms (a fresh snapshot), restarting always restarts the countdown; confirming
      changes only with a pending rollback.
requirements:
  - systemd (systemd-run, systemctl) on the target
"""

EXAMPLES = r"""
- name: Arm the rollback of ufw
  lync.reverse_proxy.firewall_rollback:
    name: ufw
    paths: [/etc/ufw/user.rules, /etc/ufw/user6.rules, /etc/ufw/ufw.conf]
    restore_command: ufw reload
    timeout: 60

- name: Restart the countdown after the last step of the change
  lync.reverse_proxy.firewall_rollback:
    name: ufw
    state: restarted
    timeout: 60

- name: Confirm from a fresh connection
  lync.reverse_proxy.firewall_rollback:
    name: ufw
    state: confirmed
    reconnect: true

# The commit-confirm options once for every firewall module of the collection (the action group).
- name: A play whose firewall changes roll back after 120 s unless confirmed
  hosts: lync_reverse_proxies
  module_defaults:
    group/lync.reverse_proxy.commit_confirm:
      rollback_timeout: 120
      management_sources: [10.250.0.0/24]
  tasks:
    - name: Keep the table (rolled back after 120 s unless confirmed)
      lync.reverse_proxy.nft_table:
        name: lync_reverse_proxy
        content: "{{ lookup('ansible.builtin.file', 'lync_reverse_proxy.nft') }}"
        path: /etc/nftables.d/lync_reverse_proxy.nft
      register: table

    - name: Confirm from a fresh connection
      lync.reverse_proxy.firewall_rollback:
        name: inet-lync_reverse_proxy
        state: confirmed
        reconnect: true
      when: table.rollback_armed
"""

RETURN = r"""
unit:
  description: The systemd unit of the rollback timer.
  returned: always
  type: str
timeout:
  description: The seconds of the countdown (O(timeout), or what stands for it); with V(armed) and V(restarted).
  returned: success
  type: int
  sample: 60
  version_added: 1.1.0
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.lync.reverse_proxy.plugins.module_utils import _rollback


def main() -> None:
    module = AnsibleModule(
        argument_spec=_rollback.ROLLBACK_SPEC,
        required_if=_rollback.ROLLBACK_REQUIRED_IF,
        supports_check_mode=True,
    )
    try:
        unit = _rollback.unit_name(module.params["name"])
    except ValueError as exc:
        module.fail_json(msg="name: %s" % exc)
    timeout = _rollback.rollback_seconds(module.params)
    if timeout < 1:
        module.fail_json(msg="timeout must be at least 1 second, got %d" % timeout)
    state = module.params["state"]
    # Before arming: a connection from outside the management sources arms nothing.
    _rollback.refuse_outside_management(module, module.params["management_sources"], state != "confirmed")
    if module.check_mode:
        module.exit_json(changed=state != "confirmed", unit=unit, **({} if state == "confirmed" else {"timeout": timeout}))
    if state == "confirmed":
        module.exit_json(changed=_rollback.confirm(module, unit), unit=unit)
    if state == "restarted":
        _rollback.restart(module, unit, timeout)
        module.exit_json(changed=True, unit=unit, timeout=timeout)
    _rollback.arm(module, unit, timeout, module.params["paths"], module.params["restore_command"])
    module.exit_json(changed=True, unit=unit, timeout=timeout)


if __name__ == "__main__":
    main()
