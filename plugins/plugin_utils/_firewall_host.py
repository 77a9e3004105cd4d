# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A host's firewall as read against what it must have: what the firewall_converge action runs.
PRIVATE to the lync.reverse_proxy collection.

Plain functions of (the action's arguments, a firewall_info read) on the controller:
:func:`request` says what to read, :func:`given_read` whether the play's read is that read,
:func:`decide` checks the read (the backend, other firewall managers), computes the rules and the
backend's configuration (the model's ``firewall_config``) and returns the plan - the module calls,
in order, for only what differs. Errors are :class:`FirewallHostError`, whose text names the host,
the backend and the bad value and says that nothing was changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.module_utils._rollback import unit_name

__all__ = ["ACTIONS", "ARGUMENT_SPEC", "BACKEND_CHOICES", "COMMANDS", "DROPIN", "FirewallHostError", "IPTABLES_UNIT", "PACKAGES",
           "ROLE_ONLY", "decide", "given_read", "iptables_unit_text", "request"]

BACKEND_CHOICES = ["detect", "nftables", "iptables", "firewalld", "ufw"]
PACKAGES = {"nftables": ["nftables"], "iptables": ["iptables"], "firewalld": ["firewalld"], "ufw": ["ufw"]}
COMMANDS = {"nftables": "nft", "iptables": "iptables-restore", "firewalld": "firewall-cmd", "ufw": "ufw"}
DROPIN = "/etc/systemd/system/nftables.service.d/lync-reverse-proxy.conf"
IPTABLES_UNIT = "/etc/systemd/system/lync-iptables.service"
IPTABLES_SERVICE = "lync-iptables"
# Steps that are actions (they run on the controller and send what they need), not modules.
ACTIONS = frozenset(("ansible.legacy.copy", "ansible.legacy.package"))
# Firewall managers that filter the host on their own: one of them running beside another backend
# is refused.
MANAGERS = ("firewalld", "ufw")

# The action's options: rp_firewall's variables without the prefix (lync_topology is topology,
# rp_firewall_host_info is host_info), checked against the role's argument spec by a unit test.
ARGUMENT_SPEC = {
    "topology": {"type": "dict", "required": True},
    "backend": {"type": "str", "default": "detect", "choices": BACKEND_CHOICES},
    "install_packages": {"type": "bool", "default": True},
    "placement": {"type": "str", "default": "host", "choices": ["host", "gateway"]},
    "gateway_side": {"type": "str", "default": "", "choices": ["", "external", "internal"]},
    "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    "management_sources": {"type": "list", "elements": "str", "default": []},
    "management_port": {"type": "int", "default": 22},
    "keep_connection_source": {"type": "bool", "default": True},
    "reverse_proxy": {"type": "str"},
    "external_interfaces": {"type": "list", "elements": "str", "default": []},
    "internal_interfaces": {"type": "list", "elements": "str", "default": []},
    "egress_filtering": {"type": "bool", "default": False},
    "source_limits": {"type": "bool", "default": True},
    "source_connections": {"type": "int", "default": 1000},
    "source_rate": {"type": "int", "default": 200},
    "source_burst": {"type": "int", "default": 0},
    "iptables_chain_prefix": {"type": "str", "default": "LYNC-RP"},
    "iptables_path": {"type": "path", "default": "/etc/lync-reverse-proxy/iptables"},
    "firewalld_prefix": {"type": "str", "default": "lync"},
    "ufw_comment_prefix": {"type": "str", "default": "lync-rp:"},
    "table": {"type": "str", "default": "lync_reverse_proxy"},
    "host_info": {"type": "dict", "default": {}},
    "read_also": {"type": "dict", "default": {}},
    "ruleset_path": {"type": "path", "default": "/etc/nftables.d/lync_reverse_proxy.nft"},
    "confirm_timeout": {"type": "int", "default": 60},
    "persist": {"type": "bool", "default": True},
    "request_only": {"type": "bool", "default": False},
}
# The role's variables the action does not take (the ufw task file uses it).
ROLE_ONLY = ("rp_firewall_ufw_seconds_per_rule",)


class FirewallHostError(Exception):
    """A check of the arguments or the read failed; nothing was changed."""


def request(args: Mapping) -> dict:
    """What firewall_info (or host_info's firewall part) reads for these arguments: our nftables
    table compared with its file, our iptables chains, the files the backends keep (the table's
    file and boot drop-in, the iptables chains' files and their boot unit) and the services."""
    return {
        "table": args["table"],
        "table_file": args["ruleset_path"],
        "chain_prefix": args["iptables_chain_prefix"],
        "paths": [args["ruleset_path"], DROPIN, args["iptables_path"] + ".v4", args["iptables_path"] + ".v6",
                  IPTABLES_UNIT],
        "services": ["nftables", "firewalld", IPTABLES_SERVICE],
    }


# What the firewall's read may carry for the other roles of the play (host_info's other parts).
READ_ALSO = ("proxy", "services", "probe", "capacity")


def read_also(args: Mapping) -> dict:
    """host_info's arguments for one read of the host that serves the firewall and the other
    roles of the play (``read_also``); empty when nothing else is asked for. A key host_info does
    not take is an error naming it."""
    extra = dict(args.get("read_also") or {})
    if not extra:
        return {}
    unknown = sorted(set(extra) - set(READ_ALSO))
    if unknown:
        raise FirewallHostError("read_also: %s is not a part of host_info's read (one of: %s)"
                                % (", ".join(map(str, unknown)), ", ".join(READ_ALSO)))
    # an empty part (no listener to probe, capacity false) is not read
    parts = {name: value for name, value in extra.items() if value}
    return dict(parts, firewall=request(args)) if parts else {}


def given_read(args: Mapping) -> dict | None:
    """The play's read (``host_info``) when it is what :func:`request` asks, else None."""
    found = args.get("host_info") or {}
    if isinstance(found, Mapping) and found.get("request") == request(args):
        return dict(found)
    return None


def iptables_unit_text(iptables_path: str, managed: str = "Ansible managed") -> str:
    """The systemd unit that loads our chains at boot (after the distribution's own service)."""
    return "\n".join([
        "#", "# " + managed, "#",
        "# Loads the chains of lync.reverse_proxy (with --noflush: other chains stay as loaded) after the",
        "# distribution's own iptables service.",
        "[Unit]",
        "Description=Load the lync.reverse_proxy iptables chains",
        "After=netfilter-persistent.service iptables.service ip6tables.service",
        "Before=network-pre.target",
        "Wants=network-pre.target",
        "DefaultDependencies=no",
        "",
        "[Service]",
        "Type=oneshot",
        "RemainAfterExit=yes",
        "ExecStart=/bin/sh -c '[ ! -e {p}.v4 ] || iptables-restore -w --noflush < {p}.v4'".format(p=iptables_path),
        "ExecStart=/bin/sh -c '[ ! -e {p}.v6 ] || ip6tables-restore -w --noflush < {p}.v6'".format(p=iptables_path),
        "",
        "[Install]",
        "WantedBy=multi-user.target",
    ]) + "\n"


def _names(read: Mapping, key: str) -> list:
    return [name for name, state in (read.get("backends") or {}).items() if (state or {}).get(key)]


def _backend(args: Mapping, read: Mapping) -> str:
    """The chosen backend; with detect firewalld when it runs, else ufw when enabled, else nftables
    when nft is installed, else iptables (nftables on a host with neither)."""
    if args["backend"] != "detect":
        return args["backend"]
    backends = read.get("backends") or {}
    for name, key in (("firewalld", "running"), ("ufw", "running"), ("nftables", "installed"), ("iptables", "installed")):
        if (backends.get(name) or {}).get(key):
            return name
    return "nftables"


def _check_read(read) -> None:
    if not isinstance(read, Mapping) or not isinstance(read.get("backends"), Mapping):
        raise FirewallHostError("the read of the host must be what lync.reverse_proxy.firewall_info returns "
                                "(a dict with backends), got %r" % (type(read).__name__,))


def _file(read: Mapping, path: str) -> dict:
    return (read.get("files") or {}).get(path) or {}


def _service(read: Mapping, name: str) -> dict:
    return (read.get("services") or {}).get(name) or {}


def _config(args: Mapping, backend: str, read: Mapping) -> dict:
    limits = args["source_limits"]
    return _model.firewall_config(
        args["topology"], backend=backend, placement=args["placement"],
        reverse_proxy=args["reverse_proxy"] if args["placement"] == "host" else None,
        side=args["gateway_side"] or None,
        links=read.get("interfaces") or [],
        connection=read.get("connection") or "",
        management_sources=list(args["management_sources"]),
        keep_connection_source=args["keep_connection_source"],
        management_port=args["management_port"],
        external_interfaces=list(args["external_interfaces"]),
        internal_interfaces=list(args["internal_interfaces"]),
        egress_filtering=args["egress_filtering"],
        source_connections=args["source_connections"] if limits else 0,
        source_rate=args["source_rate"] if limits else 0,
        source_burst=args["source_burst"] if limits else 0,
        table=args["table"], chain_prefix=args["iptables_chain_prefix"],
        firewalld_prefix=args["firewalld_prefix"], ufw_comment_prefix=args["ufw_comment_prefix"],
        host=read, ruleset_path=args["ruleset_path"], boot_dropin=DROPIN if args["persist"] else None)


def _step(module: str, label: str, unit: str = "", **module_args) -> dict:
    """One module call of the plan; ``unit``: the rollback it may arm, named as the module names it."""
    try:
        unit = unit_name(unit) if unit else ""
    except ValueError as exc:
        raise FirewallHostError("%s: its rollback unit: %s. Nothing was changed." % (label, exc)) from None
    return {"module": module, "label": label, "args": module_args, "unit": unit}


def _nft_step(args: Mapping, present: bool, management_sources=(), content=None, boot_dropin: bool = True) -> dict:
    module_args = {"name": args["table"], "path": args["ruleset_path"], "state": "present" if present else "absent"}
    if present:
        module_args.update(content=content, management_sources=list(management_sources),
                           rollback_timeout=args["confirm_timeout"])
    if boot_dropin and args["persist"]:
        module_args["boot_dropin"] = DROPIN
    return _step("lync.reverse_proxy.nft_table", "nftables table %s" % args["table"],
                 unit="inet-" + args["table"], **module_args)


def _iptables_steps(args: Mapping, config: dict | None, rollback: bool = True) -> list:
    """Our chains for IPv4 and IPv6: as ``config`` renders them, or removed (``config`` None; with
    ``rollback``, armed as well - the backend's own removal, not the cleanup of another backend)."""
    steps = []
    for family in (4, 6):
        module_args = {"family": family, "prefix": args["iptables_chain_prefix"],
                       "path": "%s.v%d" % (args["iptables_path"], family),
                       "state": "present" if config else "absent"}
        if config:
            part = config["content"]["v%d" % family]
            module_args.update(content=part["content"], chains=part["chains"],
                               management_sources=list(config["management_sources"]),
                               rollback_timeout=args["confirm_timeout"])
        elif rollback:
            module_args["rollback_timeout"] = args["confirm_timeout"]
        steps.append(_step("lync.reverse_proxy.iptables_chains", "iptables chains (IPv%d)" % family,
                           unit="iptables-v%d" % family, **module_args))
    return steps


def _iptables_unit(args: Mapping, read: Mapping, present: bool, managed: str) -> list:
    """Install and enable, or disable and remove, the unit that loads our chains at boot."""
    found = _file(read, IPTABLES_UNIT)
    if present and args["persist"]:
        text = iptables_unit_text(args["iptables_path"], managed)
        steps = []
        written = found == {"type": "file", "mode": "0644", "owner": "root", "group": "root",
                            "sha256": _sha256(text)}
        if not written:
            steps.append(_step("ansible.legacy.copy", "the boot unit of our iptables chains", dest=IPTABLES_UNIT, content=text,
                               owner="root", group="root", mode="0644"))
        if not written or not _service(read, IPTABLES_SERVICE).get("enabled"):
            # Enabled for boot, not started: the chains are live already.
            steps.append(_step("ansible.legacy.systemd_service", "enable the boot unit of our iptables chains",
                               name=IPTABLES_SERVICE, enabled=True, daemon_reload=True))
        return steps
    if not present and found:
        return [_step("ansible.legacy.systemd_service", "disable the boot unit of our iptables chains",
                      name=IPTABLES_SERVICE, enabled=False),
                _step("ansible.legacy.file", "remove the boot unit of our iptables chains", path=IPTABLES_UNIT,
                      state="absent"),
                _step("ansible.legacy.systemd_service", "reload systemd", daemon_reload=True)]
    return []


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _absent_needed(args: Mapping, backend: str, read: Mapping) -> bool:
    """Whether anything of ours can be left in ``backend`` (state absent)."""
    backends = read.get("backends") or {}
    if not (backends.get(backend) or {}).get("installed"):
        return False
    if backend == "nftables":
        return bool(backends["nftables"].get("ours") or _file(read, args["ruleset_path"]) or _file(read, DROPIN))
    if backend == "iptables":
        return bool(backends["iptables"].get("ours") or _file(read, args["iptables_path"] + ".v4")
                    or _file(read, args["iptables_path"] + ".v6"))
    if backend == "firewalld":
        return bool(backends["firewalld"].get("running"))
    return True


def decide(args: Mapping, read: Mapping, host: str = "", managed: str = "Ansible managed") -> dict:
    """The plan for one host: ``backend``, ``config`` (the model's firewall_config result, empty
    with state absent), ``warnings``, ``steps`` (module calls in order, each with ``module``,
    ``label``, ``args`` and the rollback ``unit`` it may arm), ``others`` (the removal of ours from other backends,
    run after the confirmation) and ``elsewhere`` (those backends' names). With backend ufw the steps are left to the role's ufw tasks."""
    _check_read(read)
    backend = _backend(args, read)
    installed, running, ours = _names(read, "installed"), _names(read, "running"), _names(read, "ours")
    present = args["state"] == "present"
    where = "rp_firewall on %s (backend %s)" % (host or "this host", backend)
    plan = {"backend": backend, "config": {}, "warnings": [], "steps": [], "others": [], "elsewhere": []}
    if not present:
        if backend == "nftables" and _absent_needed(args, backend, read):
            plan["steps"].append(_nft_step(args, present=False))
        elif backend == "iptables":
            if _absent_needed(args, backend, read):
                plan["steps"].extend(_iptables_steps(args, None))
            plan["steps"].extend(_iptables_unit(args, read, False, managed))
        elif backend == "firewalld" and _absent_needed(args, backend, read):
            plan["steps"].append(_step("lync.reverse_proxy.firewalld_config", "firewalld zones and policies",
                                       files={}, prefix=args["firewalld_prefix"], state="absent",
                                       rollback_timeout=args["confirm_timeout"]))
        return plan
    install = args["install_packages"]
    if backend not in installed and not install:
        raise FirewallHostError("%s: %s is not installed (package %s); install it or set rp_firewall_install_packages: "
                                "true. Nothing was changed." % (where, COMMANDS[backend], " ".join(PACKAGES[backend])))
    other = [name for name in running if name in MANAGERS and name != backend]
    if other:
        raise FirewallHostError("%s: %s is running and filters this host as well; stop it, or set "
                                "rp_firewall_backend: %s. Nothing was changed." % (where, other[0], other[0]))
    try:
        config = _config(args, backend, read)
    except _model.MissingLibraryError:
        raise  # the action gives Ansible's install hint
    except _model.PortModelError as exc:
        raise FirewallHostError("%s: %s. Nothing was changed." % (where, str(exc).rstrip("."))) from None
    plan["config"] = config
    plan["warnings"] = list(config.get("warnings") or [])
    steps = plan["steps"]
    if backend not in installed:
        steps.append(_step("ansible.legacy.package", "install %s" % " ".join(PACKAGES[backend]),
                           name=PACKAGES[backend], state="present"))
    if backend == "nftables":
        if not config["in_place"]:
            steps.append(_nft_step(args, True, config["management_sources"], config["content"]))
    elif backend == "iptables":
        steps.extend(_iptables_steps(args, config))
        steps.extend(_iptables_unit(args, read, True, managed))
    elif backend == "firewalld":
        service = _service(read, "firewalld")
        if not (service.get("active") and service.get("enabled")):
            steps.append(_step("ansible.legacy.systemd_service", "start firewalld (enabled at boot)",
                               name="firewalld", state="started", enabled=True))
        steps.append(_step("lync.reverse_proxy.firewalld_config", "firewalld zones and policies",
                           unit="firewalld-" + args["firewalld_prefix"],
                           files=config["content"], prefix=args["firewalld_prefix"], state="present",
                           rollback_timeout=args["confirm_timeout"]))
    # ufw: the role's task file applies config["content"] (one community.general.ufw call per rule),
    # confirms, and then removes ours from the backends named in "elsewhere".
    for name in ours:
        if name == backend or name not in ("nftables", "iptables"):
            continue
        plan["elsewhere"].append(name)
        if name == "nftables":
            plan["others"].append(_nft_step(args, present=False, boot_dropin=False))
        elif name == "iptables":
            plan["others"].extend(_iptables_steps(args, None, rollback=False))
    return plan
