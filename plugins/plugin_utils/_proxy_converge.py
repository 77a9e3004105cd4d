# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a proxy host must have, and what differs from a read of it: the decisions of the
proxy_converge action, as plain functions of its arguments and a read. PRIVATE to the
lync.reverse_proxy collection.

Everything a proxy software brings of its own (packages, service, TLS file layout, the command
that validates a configuration, which files are ours) is data of its ``ProxyRenderer``
(``_port_model.renderers._renderer.ProxyHost``): nothing here names HAProxy or nginx.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _acme
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _acme_account
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._proxy_host import proxy_host_changes

__all__ = ["ARGUMENT_SPEC", "LEGACY", "ProxyConvergeError", "acme_files", "actions", "host_of", "legacy_arguments", "listeners",
           "nothing_to_do", "render", "request_of", "software_of"]

# The action's arguments (the module stub documents them; rp_proxy's argument spec is the role's
# side of the same names with the prefix rp_proxy_).
ARGUMENT_SPEC = {
    "software": {"type": "str", "default": "haproxy"},
    "topology": {"type": "raw", "required": True},
    "reverse_proxy": {"type": "str"},
    "certificate": {"type": "str", "default": "", "no_log": False},
    "certificate_src": {"type": "str", "default": ""},
    "certificate_key": {"type": "str", "default": "", "no_log": True},
    "certificate_key_src": {"type": "str", "default": "", "no_log": False},
    "backend_verify": {"type": "bool", "default": True},
    "backend_ca": {"type": "str", "default": ""},
    "backend_ca_src": {"type": "str", "default": ""},
    "tls_profile": {"type": "str", "default": "intermediate"},
    "tls_protocols": {"type": "list", "elements": "str", "default": []},
    "tls_ciphers": {"type": "str", "default": ""},
    "tls_ciphersuites": {"type": "str", "default": ""},
    "tls_dir": {"type": "str", "default": ""},
    "config_path": {"type": "str", "default": ""},
    "options": {"type": "dict", "default": {}},
    "capacity": {"type": "dict", "default": {}},
    "read": {"type": "dict", "default": {}},
    "probe": {"type": "bool", "default": True},
    "exclusive": {"type": "bool", "default": True},
    "request_only": {"type": "bool", "default": False},
    "certificate_source": {"type": "str", "default": "files", "choices": ["files", "acme"]},
    "acme_directory": {"type": "str", "default": ""},
    "acme_contact": {"type": "str", "default": ""},
    "acme_ca": {"type": "str", "default": ""},
    "acme_ca_src": {"type": "str", "default": ""},
    "acme_challenge_port": {"type": "int", "default": 8402},
    "acme_account_key_content": {"type": "str", "default": "", "no_log": True},
    "acme_account_key_src": {"type": "str", "default": "", "no_log": False},
    "acme_eab_kid": {"type": "str", "default": ""},
    "acme_eab_hmac_key": {"type": "str", "default": "", "no_log": True},
}

# 1.x variables of rp_haproxy and rp_nginx (rp_<software>_<name>) the action still takes when the
# argument is not given: the arguments they were, then the renderer's options by their own name.
LEGACY = {name: name for name in (
    "reverse_proxy", "certificate", "certificate_src", "certificate_key", "certificate_key_src", "backend_verify",
    "backend_ca", "backend_ca_src", "tls_profile", "tls_protocols", "tls_ciphers", "tls_ciphersuites", "tls_dir",
    "config_path")}
LEGACY["host_capacity"] = "capacity"
# options the role computes itself (the paths of the files it writes)
COMPUTED = ("pem_path", "certificate_path", "key_path", "ca_path", "backend_verify", "acme_challenge_port")


class ProxyConvergeError(ValueError):
    """A bad argument or value; the message names it."""


def software_of(name) -> _model.ProxyRenderer:
    """The proxy software's renderer (with its host data), or an error naming the choices."""
    renderer = _model.PROXIES.get(name)
    if renderer is None or renderer.host is None:
        raise ProxyConvergeError("software must be one of %s, got %r" % (
            ", ".join(sorted(key for key, value in _model.PROXIES.items() if value.host)), name))
    return renderer


def legacy_arguments(task_vars: Mapping, software: str, given: Mapping, resolve=lambda value: value
                     ) -> tuple[dict, dict, list]:
    """Arguments and options from 1.x variables (rp_haproxy_*, rp_nginx_*) in ``task_vars``, for
    those not ``given``: (arguments, options, names used). ``resolve`` templates a variable's value."""
    renderer = software_of(software)
    prefix = "rp_%s_" % software
    arguments, options, used = {}, {}, []
    for suffix, name in LEGACY.items():
        if name not in given and prefix + suffix in task_vars:
            arguments[name] = resolve(task_vars[prefix + suffix])
            used.append(prefix + suffix)
    for name in renderer.options:
        if name not in COMPUTED and name not in (given.get("options") or {}) and prefix + name in task_vars:
            options[name] = resolve(task_vars[prefix + name])
            used.append(prefix + name)
    return arguments, options, used


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def host_of(renderer: _model.ProxyRenderer, material: Mapping, backend_verify: bool, tls_dir: str = "",
            config_path: str = "", acme: Mapping | None = None, account: Mapping | None = None) -> tuple[dict, dict]:
    """What the host must have but the configuration (``host["config"]`` has no content yet), and
    the renderer options naming its files. ``material``: the certificate, key and CA as text.

    With ``acme`` (the checked settings, :func:`_acme.check_settings`) the listener certificate and
    key are not the controller's: certbot makes them on the host and its deploy hook installs them
    (``host["acme"]``: the files it installs, the packages, our files beside certbot's). With
    ``account`` (:func:`_acme_account.account`, a given account key) certbot's private_key.json of
    that account is a host file, and ``host["acme"]["account"]`` says which account (no key)."""
    data = renderer.host
    tls_dir = (tls_dir or data.tls_dir).rstrip("/") or "/"
    config_path = config_path or data.config_path
    files, paths = [], {}
    for item in data.files:
        if (item.backend_ca and not backend_verify) or (acme is not None and not item.backend_ca):
            continue
        digest = _digest("".join(material[part] + item.digest_end for part in item.digest_of or item.parts))
        path = "%s/%s" % (tls_dir, item.name.format(digest=digest))
        paths[item.option] = path
        entry = {"path": path, "content": "\n".join(material[part] for part in item.parts), "owner": "root",
                 "group": data.tls_group, "mode": item.mode}
        if item.secret:
            entry["secret"] = True
        files.append(entry)
    if not backend_verify:
        paths.update({item.option: "" for item in data.files if item.backend_ca})
    packages = list(data.packages)
    extra = None
    if acme is not None:
        items = _acme.installed(data, tls_dir)
        paths.update({item["option"]: item["path"] for item in items})
        paths["acme_challenge_port"] = acme["challenge_port"]
        packages += [name for name in _acme.PACKAGES if name not in packages]
        extra = {"installed": items, "settings": dict(acme), "lineage": _acme.LINEAGE, "account": None}
        if account is not None:
            files.append(_acme_account.key_file(account))
            extra["account"] = {key: account[key] for key in ("id", "dir", "type")}
            extra["settings"]["account"] = account["id"]
    host = {"packages": packages, "service": data.service,
            "tls_dir": {"path": tls_dir, "owner": "root", "group": data.tls_group, "mode": data.tls_dir_mode},
            "files": files, "ours": [item.pattern for item in data.files],
            "config": {"path": config_path, "validate": data.validate}, "acme": extra}
    return host, paths


def acme_files(renderer: _model.ProxyRenderer, host: Mapping, managed: str) -> list:
    """Our ACME files (the CA bundle, certbot.service's drop-in, the deploy hook) as host files;
    added to ``host["files"]`` by the action (none without ACME)."""
    if not host.get("acme"):
        return []
    hook = _acme.hook(renderer.host, host["acme"]["installed"], host["config"]["path"], managed)
    return _acme.files(host["acme"]["settings"], hook, managed)


def request_of(host: Mapping) -> dict:
    """What reading the host means (proxy_info's and host_info's proxy options)."""
    tls_dir = host["tls_dir"]["path"]
    acme = host.get("acme")
    extra = [item["path"] for item in host["files"] if not item["path"].startswith(tls_dir.rstrip("/") + "/")]
    if acme:
        extra += [path for path in (_acme.CA_BUNDLE, _acme.DROP_IN, _acme.HOOK) if path not in extra]
        if acme.get("account"):
            extra += _acme_account.registration_paths(acme["account"])
    return {"packages": list(host["packages"]), "service": host["service"],
            "paths": [tls_dir, host["config"]["path"]] + ["%s/%s" % (tls_dir.rstrip("/"), pattern)
                                                          for pattern in host["ours"]] + extra,
            "acme": acme["lineage"] if acme else None}


def listeners(model: Mapping, reverse_proxy: str) -> list:
    """The proxy's listener endpoints for port_probe: TLS on 443 of each listener address, where an
    unknown name gets the proxy's 404 (empty when the topology gives the proxy no addresses). Not
    its group's virtual addresses: only the member that holds them answers there, and none may yet."""
    group = _model.proxy_group(model, reverse_proxy)
    shared = set(group["virtual_addresses"]) if group else set()
    return [{"address": address, "port": 443, "tls": True,
             "http": {"host": "unknown-name.invalid", "expect_status": [404]}}
            for address in _model.listener_addresses(model, reverse_proxy) if address not in shared]


def render(renderer: _model.ProxyRenderer, model: Mapping, reverse_proxy: str, tls: Mapping, options: Mapping,
           paths: Mapping, backend_verify: bool, capacity: Mapping, managed: str) -> str:
    """The configuration file's text: ``managed`` (comment lines) and the renderer's output."""
    given = dict(options, **paths)
    given["backend_verify"] = backend_verify
    body = _model.render_proxy(renderer.name, model["routes"], _model.listener_addresses(model, reverse_proxy), tls,
                               memory_mb=capacity.get("memory_mb"), open_files=capacity.get("open_files"), **given)
    return "%s\n%s" % (managed, body) if managed else body


def others_running(renderer: _model.ProxyRenderer, services: Mapping) -> list:
    """The other proxy software's services the read shows active (they hold the same ports)."""
    return [other.host.service for other in _model.PROXIES.values()
            if other.host and other.name != renderer.name
            and (services.get(other.host.service) or {}).get("active")]


def other_services(renderer: _model.ProxyRenderer) -> list:
    return [other.host.service for other in _model.PROXIES.values() if other.host and other.name != renderer.name]


def actions(found: Mapping, host: Mapping, services: Mapping, probe, names: list | None = None) -> dict:
    """What the host needs, from the read: the parts of ``host`` that differ (proxy_host_changes),
    the other proxy services to stop, and whether the listener must be checked after the run
    (it did not answer in the read, or the read did not probe it). With ACME (``names``: the
    model's certificate names): whether certbot's certificate must be installed where the proxy
    reads it (``install``), or, without one, a placeholder to start with (``placeholder``), and
    whether certbot must issue (``acme``, :func:`_acme.decide`) and, with a given account key,
    whether its account must be registered (``acme["account"]``, :func:`_acme_account.decide`); the
    files the deploy hook installed and the account's files of the registration are not stale."""
    changes = proxy_host_changes(found, host)
    acme = host.get("acme")
    placeholder, install, decision = False, False, None
    if acme:
        installed = [item["path"] for item in acme["installed"]]
        present = found.get("files") or {}
        # certbot's account files written at the registration are not ours to compare, nor stale
        registered = _acme_account.registration_paths(acme["account"]) if acme.get("account") else []
        changes["stale"] = [path for path in changes["stale"] if path not in installed and path not in registered]
        missing = any(path not in present for path in installed)
        certificate = (found.get("acme") or {}).get("certificate")
        # certbot's certificate where the proxy reads it (another proxy software before, say), else one
        # of our own until the CA's is there
        install = missing and bool(certificate) and not certificate.get("error")
        placeholder = missing and not install
        decision = _acme.decide(found.get("acme"), list(names or []), acme["settings"])
        decision["account"] = _acme_account.decide(present, acme["account"]) if acme.get("account") else None
    return dict(changes, stop=list(services), probe_failed=probe is None or any(not row.get("ok") for row in probe),
                placeholder=placeholder, install=install, acme=decision)


def nothing_to_do(plan: Mapping) -> bool:
    """Whether the host is as it must be (nothing to change, nothing to stop, the listener answered,
    no certificate to issue)."""
    return not any(plan[key] for key in ("packages", "tls_dir", "files", "config", "service", "stale", "stop",
                                         "probe_failed", "placeholder", "install")) and not (
        plan.get("acme") and (plan["acme"]["issue"] or plan["acme"]["timer"]
                              or (plan["acme"].get("account") or {}).get("register")))
