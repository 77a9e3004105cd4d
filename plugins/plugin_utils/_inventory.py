# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The topology as the inventory completes it. PRIVATE to the lync.reverse_proxy collection.

A topology without ``reverse_proxies`` takes them from the inventory: each host of the proxies'
group (``lync_reverse_proxies_group``, default ``lync_reverse_proxies``) says its own as
``lync_reverse_proxy: {name, external_addresses, internal_addresses}``. The roles' actions call
this with their task variables, so that a playbook needs no loop to fill the topology in.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["GROUP", "with_inventory_proxies"]

GROUP = "lync_reverse_proxies"


def with_inventory_proxies(topology, task_vars: Mapping, resolve=lambda value: value):
    """``topology`` with the inventory's reverse proxies when it lists none itself (and is not a
    model already); unchanged when the group has no host that says its own."""
    if not isinstance(topology, Mapping) or "reverse_proxies" in topology or "kind" in topology \
            or "rules" in topology:
        return topology
    group = resolve(task_vars.get("lync_reverse_proxies_group")) or GROUP
    hostvars = task_vars.get("hostvars") or {}
    proxies = []
    for host in (task_vars.get("groups") or {}).get(group, []):
        variables = hostvars.get(host) if hasattr(hostvars, "get") else None
        if variables is not None and "lync_reverse_proxy" in variables:
            proxies.append(resolve(variables["lync_reverse_proxy"]))
    if not proxies:
        return topology
    return dict(topology, reverse_proxies=proxies)
