# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: proxy_host_expected
short_description: What a proxy host's read must show, without the files' content
version_added: 1.1.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Deprecated (removal in 3.0.0) - it carried the 1.x proxy roles' read between their tasks and
    serves only the deprecated role P(lync.reverse_proxy.rp_proxy_host#role);
    P(lync.reverse_proxy.rp_proxy#role) decides in its action M(lync.reverse_proxy.proxy_converge).
  - What the host must have (as for P(lync.reverse_proxy.proxy_host_changes#filter)) with each
    file's content replaced by the SHA-256 of the file as written - safe to keep as a fact (no
    private key in it), and enough for P(lync.reverse_proxy.proxy_host_changes#filter).
  - The proxy roles' plan keeps it as C(rp_proxy_host_plan.expected), so that C(site.yml) decides from
    its read alone whether the proxy role has anything to do.
options:
  _input:
    description: What the host must have - C(packages), C(tls_dir), C(files) (with C(content)), C(config) (with C(content)).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Keep what the host must show, without the key material
  ansible.builtin.set_fact:
    expected: "{{ wanted | lync.reverse_proxy.proxy_host_expected }}"
"""

RETURN = r"""
_value:
  description: C(packages), C(tls_dir), C(files) and C(config) with C(sha256) in place of C(content).
  type: dict
"""

from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._proxy_host import proxy_host_expected


class FilterModule:
    """The proxy_host_expected filter."""

    def filters(self):
        return {"proxy_host_expected": proxy_host_expected}
