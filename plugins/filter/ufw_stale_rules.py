# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: ufw_stale_rules
short_description: The ufw rules of ours that the model no longer has
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Reads ufw's user rules (the text of C(/etc/ufw/user.rules) and C(/etc/ufw/user6.rules)) and
    returns the rules whose comment starts with O(comment_prefix) but which O(desired) (the output
    of P(lync.reverse_proxy.ufw_rules#filter)) does not have, as M(community.general.ufw)
    parameters - add C(delete=true) to remove them. Rules of others are never returned.
options:
  _input:
    description: The text of ufw's user rules files.
    type: str
    required: true
  desired:
    description: The rules that stay (P(lync.reverse_proxy.ufw_rules#filter)).
    type: list
    elements: dict
    required: true
  comment_prefix:
    description: Start of the comments of our rules.
    type: str
    default: "lync-rp:"
seealso:
  - plugin: lync.reverse_proxy.ufw_rules
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Delete our stale rules
  community.general.ufw: "{{ item | combine({'delete': true}) }}"
  loop: "{{ user_rules.stdout | lync.reverse_proxy.ufw_stale_rules(desired) }}"
"""

RETURN = r"""
_value:
  description: The stale rules, M(community.general.ufw) parameters each.
  type: list
  elements: dict
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter


@model_filter
def ufw_stale_rules(user_rules, desired, comment_prefix="lync-rp:"):
    """Our rules that the model no longer has."""
    return _model.ufw_stale(user_rules, desired, comment_prefix=comment_prefix)


class FilterModule:
    """The ufw_stale_rules filter."""

    def filters(self):
        return {"ufw_stale_rules": ufw_stale_rules}
