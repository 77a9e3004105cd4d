# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: user_path
short_description: A path given on the controller, as the absolute path it means
version_added: 1.1.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - How every playbook and role of the collection reads a path on the controller that a user
    gave (a topology file, an output directory, a certificate, key, CA or PFX file). C(~) is the
    user's home, and a relative path is relative to the directory C(ansible-playbook) was started
    in - the controller process's working directory, as Ansible reads C(-i inventory.yml) and
    C(ansible_ssh_private_key_file).
  - Never the playbook's directory (a collection playbook's directory is inside the installed
    collection) nor a role's. Paths set in the inventory follow the same rule; for a path relative
    to the inventory's own directory write C({{ inventory_dir }}/files/listener.crt).
  - With O(exists), a path that does not name what is expected is an error that gives the path as
    typed and the absolute path tried.
options:
  _input:
    description: The path as the user gave it.
    type: str
    required: true
  exists:
    description:
      - What the path must name. V(file) a readable file, V(directory) a directory, V(any) either.
      - Not set, nothing is checked (an output that the task writing it creates).
    type: str
    choices: [file, directory, any]
  name:
    description: The variable the path comes from, named in errors.
    type: str
"""

EXAMPLES = r"""
- name: Read the topology file the user named (relative to where ansible-playbook was started)
  ansible.builtin.include_vars:
    file: "{{ lync_topology_file | lync.reverse_proxy.user_path(exists='file', name='lync_topology_file') }}"

- name: Write into the directory the user named
  ansible.builtin.copy:
    content: "{{ report }}"
    dest: "{{ lync_port_table_dir | lync.reverse_proxy.user_path }}/report.md"
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The absolute, normalised path.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _user_path


def user_path(path, exists=None, name=None):
    """The absolute path ``path`` means on the controller; with ``exists``, checked."""
    try:
        return _user_path.check(path, exists=exists, name=name)
    except _user_path.UserPathError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    """The user_path filter."""

    def filters(self):
        return {"user_path": user_path}
