# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a reverse proxy of a group must have for keepalived: the decisions of the
keepalived_converge action, as plain functions. PRIVATE to the lync.reverse_proxy collection."""

from __future__ import annotations

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model

__all__ = ["ARGUMENT_SPEC", "SERVICES", "SYSCTL_PATH", "group_of", "host_files"]

ARGUMENT_SPEC = {
    "topology": {"type": "raw", "required": True},
    "reverse_proxy": {"type": "str"},
    "software": {"type": "str", "default": "haproxy", "choices": ["haproxy", "nginx"]},
    "interface": {"type": "str", "default": ""},
    "options": {"type": "dict", "default": {}},
}
# the systemd service of each proxy software the track script watches
SERVICES = {"haproxy": "haproxy.service", "nginx": "nginx.service"}
# The proxy software binds the shared addresses on every member, also where keepalived has not
# put them (yet): the kernel must let it.
SYSCTL_PATH = "/etc/sysctl.d/60-lync-reverse-proxy-nonlocal-bind.conf"
SYSCTL = "net.ipv4.ip_nonlocal_bind = 1\nnet.ipv6.ip_nonlocal_bind = 1\n"


def group_of(model: dict, reverse_proxy: str):
    """The model's group ``reverse_proxy`` is a member of, or None."""
    for group in model.get("reverse_proxy_groups") or []:
        if reverse_proxy in group["members"]:
            return group
    return None


def interfaces(group: dict, reverse_proxy: str, links, interface: str = "") -> dict:
    """Address family -> the interface that carries the proxy's own external address of it
    (``interface`` when given, which must be one of the host's), from ``links`` (``ip -j addr show``)."""
    if interface:
        # keepalived refuses an interface the host lacks, but only once the other files are written
        names = [link.get("ifname") for link in links if isinstance(link, dict) and link.get("ifname")]
        if interface not in names:
            raise _model.PortModelError("interface: %r is not an interface of this host (it has %s)"
                                        % (interface, ", ".join(names) or "none"))
    found = {}
    for address in group["member_addresses"][reverse_proxy]:
        family = 6 if ":" in address else 4
        if family in found:
            continue
        names = [interface] if interface else _model.interfaces_for(links, [address])
        if names:
            found[family] = names[0]
    return found


def host_files(config: dict, header: str) -> list:
    """The files keepalived's host needs, in the order they are written: the kernel setting, the
    track script, the configuration (validated by keepalived before it replaces the live one)."""
    files = [{"path": SYSCTL_PATH, "content": header + "\n" + SYSCTL, "mode": "0644"}]
    files += [{"path": path, "content": text, "mode": "0755"} for path, text in sorted(config["files"].items())]
    files.append({"path": "/etc/keepalived/keepalived.conf", "content": config["config"], "mode": "0640",
                  "validate": "/usr/sbin/keepalived --config-test --use-file %s"})
    return files
