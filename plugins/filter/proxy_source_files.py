# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: proxy_source_files
short_description: The files on the controller that each reverse proxy's role reads, checked
version_added: 1.1.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - For each reverse proxy host, the C(*_src) variables of P(lync.reverse_proxy.rp_proxy#role) that
    it reads (C(rp_proxy_certificate_src), C(rp_proxy_certificate_key_src), C(rp_proxy_backend_ca_src))
    - a variable whose text variable (C(rp_proxy_certificate), ...) is set is not read; where the
    C(rp_proxy_) pair is empty, the 1.x variables of the software C(lync_proxy_software) chooses
    (C(rp_haproxy_certificate_src), ... or the same of C(rp_nginx)), as the role takes them - as
    absolute paths, resolved as P(lync.reverse_proxy.user_path#filter) resolves them.
  - Every file missing, on every host, is named in one error, with the host, the variable, the path
    as typed and the absolute path tried. C(lync.reverse_proxy.site) checks this before any host is
    touched, so a missing file of the second proxy does not stop a rolling change half-way.
options:
  _input:
    description: The reverse proxy hosts (inventory names).
    type: list
    elements: str
    required: true
  hostvars:
    description: The hosts' variables (C(hostvars)).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Check the files the proxies read on this controller
  ansible.builtin.debug:
    msg: "{{ groups['lync_reverse_proxies'] | lync.reverse_proxy.proxy_source_files(hostvars) }}"
"""

RETURN = r"""
_value:
  description: Per host, per variable, the absolute path of the file (hosts that read no file are left out).
  type: dict
  sample: {rp01: {rp_haproxy_certificate_src: /home/ops/lync/files/listener.crt}}
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _user_path

# The proxy roles' files on the controller: (text variable, file variable) without the role prefix.
PARTS = (("certificate", "certificate_src"), ("certificate_key", "certificate_key_src"),
         ("backend_ca", "backend_ca_src"))
SOFTWARE = ("haproxy", "nginx")


def _templated_once(host_vars):
    """A getter of the host's variables that templates each one once (each templating costs)."""
    templated = {}

    def variable(name):
        if name not in templated:
            templated[name] = host_vars.get(name)
        return templated[name]
    return variable


def proxy_source_files(hosts, hostvars):
    """Per host and variable, the absolute path of each file the proxy role reads; all missing ones in one error."""
    if not isinstance(hosts, (list, tuple)):
        raise AnsibleFilterError("proxy_source_files takes a list of hosts, got %r" % (hosts,))
    found, problems = {}, []
    for host in hosts:
        variable = _templated_once(hostvars[host])
        software = variable("lync_proxy_software") or "haproxy"
        if software not in SOFTWARE:
            continue  # site.yml names a bad choice on its own
        for text, source in PARTS:
            if variable("rp_proxy_" + text) or variable("rp_proxy_" + source):
                text, source = "rp_proxy_" + text, "rp_proxy_" + source
            else:
                text, source = "rp_%s_%s" % (software, text), "rp_%s_%s" % (software, source)
            path = variable(source)
            if variable(text) or not path:
                continue
            try:
                found.setdefault(host, {})[source] = _user_path.check(path, exists="file", name=source)
            except _user_path.UserPathError as exc:
                problems.append("%s: %s" % (host, exc))
    if problems:
        raise AnsibleFilterError("%d file%s the reverse proxies read on this controller cannot be used:\n  - %s" % (
            len(problems), "" if len(problems) == 1 else "s", "\n  - ".join(problems)))
    return found


class FilterModule:
    """The proxy_source_files filter."""

    def filters(self):
        return {"proxy_source_files": proxy_source_files}
