#!/usr/bin/python
# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: show_text
short_description: Show text on the terminal as it is written - a table, a report
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Prints O(text) on the controller's terminal line by line, as written, instead of as an escaped
    JSON string the way M(ansible.builtin.debug) shows it - for the port summary's Markdown table
    and the verification's summary.
  - Runs on the controller only (an action); changes nothing. The lines go to the terminal
    whatever the output callback is, so a run whose output is parsed as JSON (a JSON callback,
    AWX) gets text that is not JSON.
deprecated:
  removed_in: 3.0.0
  why: >-
    It writes around the output callback, so that machine-readable callbacks (AWX's included) get
    output that is not theirs. The collection's playbooks show their lines with
    M(ansible.builtin.debug) instead.
  alternative: >-
    M(ansible.builtin.debug) with O(ansible.builtin.debug#module:msg) as a list of lines (one line
    per line with the default callback), and files for machines.
options:
  text:
    description: The text, or a list of lines.
    type: raw
    required: true
  title:
    description: A heading printed above the text, underlined.
    type: str
    default: ""
attributes:
  action:
    support: full
    description: Runs on the controller as an action plugin.
  check_mode:
    support: full
    description: Prints the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes.
  idempotent:
    support: full
    description: Printing changes nothing.
seealso:
  - module: ansible.builtin.debug
"""

EXAMPLES = r"""
- name: The port summary, as a person reads it
  lync.reverse_proxy.show_text:
    title: Reverse proxy ports
    text: "{{ lync_topology | lync.reverse_proxy.port_table }}"
"""

RETURN = r"""
lines:
  description: How many lines were printed.
  returned: always
  type: int
"""
