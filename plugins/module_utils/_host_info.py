# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a managed host has, read once, returned as data. PRIVATE to the lync.reverse_proxy collection.

Used by the modules firewall_info, proxy_info and host_info (and so by the roles, which decide on this data
instead of on shell output). Only the standard library and AnsibleModule's helpers: it runs on any
managed host. Reading changes nothing.
"""

from __future__ import annotations

import glob
import grp
import hashlib
import json
import os
import pwd
import stat

from ansible_collections.lync.reverse_proxy.plugins.module_utils._names import IPTABLES_CHAIN_PREFIX, NFT_TABLE
from ansible_collections.lync.reverse_proxy.plugins.module_utils import _nft

__all__ = ["BACKENDS", "FIREWALL_OPTIONS", "PROXY_OPTIONS", "acme_state", "capacity_state", "certificate_names", "files_state", "firewall_state", "proxy_state",
           "services_state"]

# backend -> the command that shows it is installed
# The options of the firewall read and of the proxy read: firewall_info and proxy_info take them
# as their own, host_info as the suboptions of its firewall and proxy parts.
FIREWALL_OPTIONS = {
    "table": {"type": "str", "default": NFT_TABLE},
    "table_file": {"type": "path"},
    "chain_prefix": {"type": "str", "default": IPTABLES_CHAIN_PREFIX},
    "paths": {"type": "list", "elements": "path", "default": []},
    "services": {"type": "list", "elements": "str", "default": []},
}
PROXY_OPTIONS = {
    "packages": {"type": "list", "elements": "str", "default": []},
    "service": {"type": "str"},
    "paths": {"type": "list", "elements": "path", "default": []},
    "acme": {"type": "str"},
}
# Where certbot keeps a lineage (its certificate and its renewal settings), and its timer.
CERTBOT_LIVE = "/etc/letsencrypt/live/%s/cert.pem"
CERTBOT_RENEWAL = "/etc/letsencrypt/renewal/%s.conf"
CERTBOT_TIMER = "certbot.timer"

BACKENDS = {"nftables": "nft", "iptables": "iptables-restore", "firewalld": "firewall-cmd", "ufw": "ufw"}


def _run(module, args: list, data=None) -> tuple:
    rc, out, err = module.run_command(args, data=data)
    return rc, out or "", err or ""


def _ufw_enabled(path: str = "/etc/ufw/ufw.conf") -> bool:
    try:
        with open(path, encoding="utf-8") as handle:
            return any(line.strip() == "ENABLED=yes" for line in handle)
    except OSError:
        return False


def _systemd(module) -> str | None:
    """systemctl, when systemd is the service manager here."""
    systemctl = module.get_bin_path("systemctl")
    return systemctl if systemctl and os.path.isdir("/run/systemd/system") else None


def _file_matches(module, nft: str, table: str, table_file: str, live: list, warnings: list) -> bool | None:
    """Whether the live table is what ``table_file`` loads: as remembered for that exact file, else
    the file loaded in a private network namespace, as nft_table compares (and then remembered);
    None (and a warning) where no private namespace can be made."""
    try:
        with open(table_file, encoding="utf-8") as handle:
            content = handle.read()
    except (OSError, ValueError) as exc:
        warnings.append("cannot compare the nftables table with %s: %s" % (table_file, exc))
        return None
    remembered = _nft.loads_as(nft, "inet", table, content)
    if remembered is not None:
        return remembered == _nft.objects_digest(live)
    loaded, problem = _nft.load_privately(lambda args: _run(module, args), module.get_bin_path("unshare"), nft,
                                          table_file, "inet", table, ip=module.get_bin_path("ip"), content=content)
    if problem and problem[0] == "unavailable":
        warnings.append("cannot compare the nftables table with %s: %s" % (table_file, problem[1]))
        return None
    if problem is None:
        _nft.remember_load(nft, "inet", table, content, loaded)
    return loaded == live


def firewall_state(module, table: str, chain_prefix: str, connection: str | None = None,
                   paths=(), services=(), known_services: dict | None = None, table_file: str | None = None) -> dict:
    """Installed and running firewall managers, ours in each backend, the connection, the
    interfaces; our nftables table as nft -j lists it and, with ``table_file``, whether it is what
    that file loads; ``paths`` described and ``services``' state."""
    commands = {backend: module.get_bin_path(command) for backend, command in BACKENDS.items()}
    systemctl = _systemd(module)
    backends = {}
    for backend, command in commands.items():
        backends[backend] = {"installed": bool(command), "running": False, "ours": False}
    if commands["firewalld"]:
        if systemctl and "firewalld" in (known_services or {}):
            # read with the other services (host_info asks systemd about all of them at once)
            backends["firewalld"]["running"] = bool(known_services["firewalld"]["active"])
        else:
            if systemctl:
                rc, dummy, dummy2 = _run(module, [systemctl, "is-active", "--quiet", "firewalld"])
            else:
                rc, dummy, dummy2 = _run(module, [commands["firewalld"], "--state"])
            backends["firewalld"]["running"] = rc == 0
    backends["ufw"]["running"] = bool(commands["ufw"]) and _ufw_enabled()
    warnings = []
    nftables = {"path": commands["nftables"], "table": table, "live": None, "file": table_file, "file_matches": None}
    if commands["nftables"]:
        rc, out, dummy2 = _run(module, [commands["nftables"], "-j", "list", "table", "inet", table])
        backends["nftables"]["ours"] = rc == 0
        nftables["live"] = _nft.table_objects(out) if rc == 0 else None
        if nftables["live"] is not None and table_file and os.path.isfile(table_file):
            nftables["file_matches"] = _file_matches(module, commands["nftables"], table, table_file,
                                                     nftables["live"], warnings)
    for save in ("iptables-save", "ip6tables-save"):
        path = module.get_bin_path(save)
        if path:
            rc, out, dummy = _run(module, [path, "-t", "filter"])
            if rc == 0 and any(line.startswith(":%s-" % chain_prefix) for line in out.splitlines()):
                backends["iptables"]["ours"] = True
    connection = connection if connection is not None else (
        os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_CLIENT") or "")
    interfaces = []
    ip = module.get_bin_path("ip")
    if ip:
        rc, out, err = _run(module, [ip, "-j", "addr", "show"])
        try:
            interfaces = json.loads(out) if rc == 0 else []
        except ValueError:
            interfaces = []
        if rc != 0 or not isinstance(interfaces, list):
            warnings.append("ip -j addr show failed (%s): interfaces unknown" % (err.strip() or rc))
            interfaces = []
    else:
        warnings.append("the ip command (iproute2) is not installed: interfaces unknown")
    return {"backends": backends, "service_manager": "systemd" if systemctl else None,
            "connection": connection, "connection_source": connection.split()[0] if connection.split() else "",
            "interfaces": interfaces, "nftables": nftables, "files": files_state(paths),
            "services": services_state(module, list(services), known_services), "warnings": warnings}


def _package_manager(module) -> tuple:
    for name, command in (("dpkg", "dpkg-query"), ("rpm", "rpm")):
        path = module.get_bin_path(command)
        if path:
            return name, path
    return None, None


def _installed(module, manager: str, path: str, package: str) -> bool:
    if manager == "dpkg":
        rc, out, dummy = _run(module, [path, "-W", "-f=${db:Status-Status}", package])
        return rc == 0 and out.strip() == "installed"
    rc, dummy, dummy2 = _run(module, [path, "-q", "--quiet", package])
    return rc == 0


def _name(getter, number: int) -> str:
    try:
        return getter(number)[0]
    except KeyError:
        return str(number)


def file_state(path: str) -> dict | None:
    """Type, mode, owner, group and (for a file) the SHA-256 of its content; None when absent."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    kind = "directory" if stat.S_ISDIR(info.st_mode) else "file" if stat.S_ISREG(info.st_mode) else "other"
    result = {"type": kind, "mode": "%04o" % stat.S_IMODE(info.st_mode),
              "owner": _name(lambda n: (pwd.getpwuid(n).pw_name,), info.st_uid),
              "group": _name(lambda n: (grp.getgrgid(n).gr_name,), info.st_gid)}
    if kind == "file":
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(65536), b""):
                digest.update(block)
        result["sha256"] = digest.hexdigest()
    return result


# The unit file states and active states systemctl is-enabled / is-active answer 0 for.
_ENABLED = frozenset(("enabled", "enabled-runtime", "alias", "static", "indirect", "generated", "transient"))
_ACTIVE = frozenset(("active", "reloading", "refreshing"))


def _service(module, systemctl: str, name: str) -> dict:
    enabled = _run(module, [systemctl, "is-enabled", "--quiet", name])[0] == 0
    active = _run(module, [systemctl, "is-active", "--quiet", name])[0] == 0
    return {"name": name, "enabled": enabled, "active": active}


def _services(module, systemctl: str, names: list) -> dict:
    """Every service's state from one systemctl show (one block per unit, in the order asked);
    one is-enabled and one is-active call per service where that cannot be read."""
    if not names:
        return {}
    rc, out, dummy = _run(module, [systemctl, "show", "--property=ActiveState,UnitFileState", "--"] + list(names))
    blocks = [dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
              for block in out.strip("\n").split("\n\n")] if rc == 0 else []
    if len(blocks) != len(names) or not all("ActiveState" in block for block in blocks):
        return {name: _service(module, systemctl, name) for name in names}
    return {name: {"name": name, "enabled": block.get("UnitFileState", "") in _ENABLED,
                   "active": block["ActiveState"] in _ACTIVE} for name, block in zip(names, blocks)}


def services_state(module, names: list, known: dict | None = None) -> dict:
    """Name -> enabled and active, of systemd services (all false where systemd does not run);
    ``known``: states already read (host_info reads all its parts' services at once)."""
    known = known or {}
    systemctl = _systemd(module)
    missing = [name for name in dict.fromkeys(names) if name not in known]
    if systemctl:
        found = dict(known, **_services(module, systemctl, missing))
    else:
        found = dict(known, **{name: {"name": name, "enabled": False, "active": False} for name in missing})
    return {name: found[name] for name in names}


def certificate_names(text: str) -> list:
    """The DNS names of ``openssl x509 -noout -ext subjectAltName`` output."""
    return sorted({part.strip()[4:].lower() for line in text.splitlines() for part in line.split(",")
                   if part.strip().startswith("DNS:")})


def acme_state(module, lineage: str) -> dict:
    """An ACME lineage of certbot: its certificate's names and end (None without one), the directory
    and the account its renewal settings name, and whether certbot's timer is enabled and active."""
    result = {"lineage": lineage, "certificate": None, "server": None, "account": None, "timer": None}
    path = CERTBOT_LIVE % lineage
    if os.path.exists(path):
        rc, out, err = _run(module, ["openssl", "x509", "-noout", "-ext", "subjectAltName", "-enddate", "-in", path])
        if rc != 0:
            result["certificate"] = {"error": (err or out).strip()}
        else:
            end = [line.split("=", 1)[1].strip() for line in out.splitlines() if line.startswith("notAfter=")]
            result["certificate"] = {"names": certificate_names(out), "not_after": end[0] if end else None}
    try:
        with open(CERTBOT_RENEWAL % lineage, encoding="utf-8") as handle:
            for line in handle:
                key, dummy, value = line.partition("=")
                if key.strip() in ("server", "account"):
                    result[key.strip()] = value.strip()
    except OSError:
        pass
    if _systemd(module):
        result["timer"] = services_state(module, [CERTBOT_TIMER])[CERTBOT_TIMER]
    return result


def proxy_state(module, packages: list, service: str | None, paths: list,
                known_services: dict | None = None, acme: str | None = None) -> dict:
    """Which packages are installed, the service's state, and our files (paths may be globs); with
    ``acme``, that certbot lineage (acme_state)."""
    result = {"packages": {}, "package_manager": None, "service": None, "service_manager": None, "files": {}}
    if packages:
        manager, path = _package_manager(module)
        if manager is None:
            module.fail_json(msg="neither dpkg-query nor rpm is on this host: cannot tell whether %s %s installed "
                                 "(the roles support Debian-family and RPM-based hosts)"
                                 % (", ".join(packages), "is" if len(packages) == 1 else "are"))
        result["package_manager"] = manager
        result["packages"] = {package: _installed(module, manager, path, package) for package in packages}
    if service:
        systemctl = _systemd(module)
        if systemctl is None:
            module.fail_json(msg="systemd is not the service manager on this host (no systemctl, or /run/systemd/system "
                                 "is missing): the roles keep %s running with systemd" % service)
        result["service_manager"] = "systemd"
        result["service"] = services_state(module, [service], known_services)[service]
    result["files"] = files_state(paths)
    if acme:
        result["acme"] = acme_state(module, acme)
    return result


def files_state(paths) -> dict:
    """Path -> file_state of every path that exists (shell patterns expanded)."""
    found = {}
    for pattern in paths:
        matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        for path in matches:
            state = file_state(path)
            if state is not None:
                found[path] = state
    return found


def _meminfo_mb(path: str = "/proc/meminfo") -> int | None:
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _hard_open_files(path: str = "/proc/1/limits") -> int | None:
    """The hard limit of open files of PID 1 (the service manager): no service gets more."""
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("Max open files"):
                    value = line[len("Max open files"):].split()[1]
                    return None if value == "unlimited" else int(value)
    except (OSError, ValueError, IndexError):
        return None
    return None


def capacity_state(module, meminfo: str = "/proc/meminfo", limits: str = "/proc/1/limits") -> dict:
    """The memory (MiB) and the open files a service may have: the lower of the service manager's
    own hard limit and systemd's default for services (DefaultLimitNOFILE); None where unknown."""
    candidates = [_hard_open_files(limits)]
    systemctl = _systemd(module)
    if systemctl:
        rc, out, dummy = _run(module, [systemctl, "show", "--property=DefaultLimitNOFILE"])
        value = out.strip().partition("=")[2] if rc == 0 else ""
        candidates.append(int(value) if value.isdigit() else None)
    known = [value for value in candidates if value is not None]
    return {"memory_mb": _meminfo_mb(meminfo), "open_files": min(known) if known else None}
