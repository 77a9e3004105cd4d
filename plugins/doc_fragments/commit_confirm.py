# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """The options every firewall backend module shares (nft_table, iptables_chains, firewalld_config),
    and (ACTION_GROUP) the action group they form with firewall_rollback."""

    DOCUMENTATION = r"""
options:
  rollback_timeout:
    description:
      - Commit-confirm. When greater than 0 and the firewall changes, what it was (the live rules
        and the module's files) is restored by a transient systemd timer after this many seconds,
        unless a later task confirms with O(state=confirmed) - from a fresh connection, which
        proves the new rules kept management access. A host that cannot be reached again rolls
        back by itself.
      - Needs C(systemd-run) on the host; without it the module fails before applying.
    type: int
    default: 0
  management_sources:
    description:
      - Networks (CIDRs) from which management access must survive. When given, the address of
        the SSH connection running this module must be in one of them, or nothing is applied.
    type: list
    elements: str
    default: []
"""

    # The action group of the commit-confirm modules (meta/runtime.yml): the three backends and
    # firewall_rollback, which takes the same two options.
    ACTION_GROUP = r"""
attributes:
  action_group:
    description: >-
      Use C(group/lync.reverse_proxy.commit_confirm) in C(module_defaults) to set O(rollback_timeout) and
      O(management_sources) once for every commit-confirm module.
    support: full
    membership:
      - lync.reverse_proxy.commit_confirm
"""
