# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: verify_report
short_description: The verification results of many hosts as one report
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Collects the results that C(playbooks/verify.yml) registers on each host (probe results of
    M(lync.reverse_proxy.port_probe), certificate checks) into rows with the host, the check,
    whether it passed and a readable detail, or renders those rows as a Markdown table for a
    change ticket.
options:
  _input:
    description: The hostvars entries of the hosts that ran checks, or with O(format=markdown) the rows.
    type: list
    elements: dict
    required: true
  format:
    description: V(rows) or V(markdown).
    type: str
    default: rows
    choices: [rows, markdown]
  results:
    description:
      - The names of the host variables that hold the registered results, each with a C(results)
        list of checks as M(lync.reverse_proxy.port_probe) returns them. The default names are the
        ones C(playbooks/verify.yml) registers.
    type: list
    elements: str
    default: [__lync_verify_probe, __lync_verify_certificate, __lync_verify_holders]
"""

EXAMPLES = r"""
- name: One line per check
  ansible.builtin.debug:
    msg: "{{ groups['all'] | map('extract', hostvars) | list | lync.reverse_proxy.verify_report | map(attribute='line') }}"
"""

RETURN = r"""
_value:
  description: Rows (host, check, ok, detail, line), or the Markdown text.
  type: raw
"""

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._verify_report import (
    report_markdown,
    report_rows,
)
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._filters import model_filter

# What playbooks/verify.yml registers its checks as.
RESULTS = ("__lync_verify_probe", "__lync_verify_certificate", "__lync_verify_holders")


@model_filter
def verify_report(data, format="rows", results=None):  # pylint: disable=redefined-builtin
    """Rows of the verification, or their Markdown."""
    if results is None:
        results = RESULTS
    if not isinstance(results, (list, tuple)) or not all(isinstance(name, str) for name in results):
        raise _model.PortModelError("results must be a list of variable names, got %r" % (results,))
    if format == "rows":
        return report_rows(list(data), results)
    if format == "markdown":
        rows = list(data)
        if rows and "line" not in rows[0]:
            rows = report_rows(rows, results)
        return report_markdown(rows)
    raise _model.PortModelError("format must be rows or markdown, got %r" % (format,))


class FilterModule:
    """The verify_report filter."""

    def filters(self):
        return {"verify_report": verify_report}
