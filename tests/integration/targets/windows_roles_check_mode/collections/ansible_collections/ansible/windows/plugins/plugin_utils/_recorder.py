# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Recorders for the Windows modules the collection's Windows roles use, so that the real roles run
through ansible-playbook without a Windows host: each action plugin of these stand-in collections
(ansible.windows, community.windows, microsoft.iis) checks its arguments against the documentation
of the real module (from the installed collections), answers from a Windows host kept as JSON
(LYNC_WINDOWS_HOST), changes it only outside check mode, and records the call (LYNC_WINDOWS_LOG).

The host follows what the real modules do where check mode and reruns hinge on it: win_copy copies
nothing in check mode; win_certificate_store fails when its file is missing (in check mode too) and
loads the PFX with PersistKeySet (a key file in MachineKeys per load); microsoft.iis modules and the
scripts that read IIS's configuration fail while IIS, URL Rewrite and ARR are not installed;
win_powershell skips a script without SupportsShouldProcess in check mode and reports it changed.
The roles' scripts are stood in for by models of what each one changes (``SCRIPTS``); a script the
recorder does not know fails the task.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import os
import pathlib
import re
import sysconfig

import yaml
from ansible.plugins.action import ActionBase

# The real collections (the PyPI package ansible), whose documentation the arguments are checked against.
REAL = pathlib.Path(sysconfig.get_paths()["purelib"]) / "ansible_collections"
ROLE_FILES = pathlib.Path(os.environ.get("LYNC_ROLE_FILES", ""))
IIS_FEATURES = {"Web-Server", "Web-Mgmt-Console", "Web-Scripting-Tools"}
IIS_RULES = ("IIS-WebServerRole-HTTP-In-TCP", "IIS-WebServerRole-HTTPS-In-TCP")


class HostError(Exception):
    """The task fails, with this message (as the real module or script would)."""


def _documented(collection: str, module: str) -> dict:
    folder = REAL.joinpath(*collection.split("."), "plugins", "modules")
    path = folder / (module + ".py")
    if path.exists():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        text = next(node.value.value for node in tree.body if isinstance(node, ast.Assign)
                    and getattr(node.targets[0], "id", None) == "DOCUMENTATION")
        return yaml.safe_load(text)["options"]
    return yaml.safe_load((folder / (module + ".yml")).read_text(encoding="utf-8"))["DOCUMENTATION"]["options"]


def _check_arguments(collection: str, module: str, args: dict) -> None:
    options = _documented(collection, module)
    names = {alias: name for name, option in options.items() for alias in [name] + option.get("aliases", [])}
    for key, value in args.items():
        if key not in names:
            raise HostError("Unsupported parameters for (%s.%s) module: %s" % (collection, module, key))
        choices = options[names[key]].get("choices")
        values = value if options[names[key]].get("type") == "list" and isinstance(value, list) else [value]
        for item in values if choices else []:
            if str(item) not in [str(choice) for choice in choices]:
                raise HostError("value of %s must be one of: %s, got: %s" % (key, ", ".join(map(str, choices)), item))


def _fresh() -> dict:
    return {"files": {}, "features": [], "packages": [], "stores": {"My": {}, "Root": {}, "CA": {}},
            "machine_keys": 0, "firewall_rules": {}, "profiles": {}, "hosts": [], "iis": None}


def _load(path: str) -> dict:
    if not os.path.exists(path):
        return _fresh()
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _save(path: str, host: dict) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(host, handle, indent=2, sort_keys=True)


def _iis(host: dict) -> dict:
    """IIS as the WebAdministration module sees it; IIS-less hosts fail as Import-Module would."""
    if host["iis"] is None:
        raise HostError("Import-Module : The specified module 'WebAdministration' was not loaded because no valid "
                        "module file was found in any module directory.")
    return host["iis"]


def _arr_installed(host: dict) -> dict:
    iis = _iis(host)
    if len(host["packages"]) < 2:
        raise HostError("Filename: \\\\?\\C:\\Windows\\system32\\inetsrv\\config\\applicationHost.config Error: "
                        "Unrecognized configuration path 'MACHINE/WEBROOT/APPHOST/webFarms'")
    return iis


# -- the modules ---------------------------------------------------------------------------------
def win_stat(host, args, check):
    return {"changed": False, "stat": {"exists": args["path"] in host["files"]}}


def win_feature(host, args, check):
    names = [args["name"]] if isinstance(args["name"], str) else list(args["name"])
    missing = [name for name in names if name not in host["features"]]
    if missing and not check:
        host["features"].extend(missing)
        if "Web-Server" in missing:  # IIS comes with its site, its pool and its open firewall rules
            host["iis"] = {"bindings": [{"protocol": "http", "information": "*:80:", "hash": ""}],
                           "app_pools": {"DefaultAppPool": {"processModel.idleTimeout": "00:20:00",
                                                            "recycling.periodicRestart.time": "1.05:00:00",
                                                            "state": "Started"}},
                           "arr": None, "proxy": None}
            host["firewall_rules"].update({name: {"group": "World Wide Web Services", "enabled": True, "iis": True}
                                           for name in IIS_RULES})
    return {"changed": bool(missing), "feature_result": [{"id": name} for name in missing]}


def win_package(host, args, check):
    if args["path"] not in host["files"]:
        raise HostError("the file at the path '%s' cannot be reached" % args["path"])
    installed = args["path"] in host["packages"]
    if not installed and not check:
        host["packages"].append(args["path"])
    return {"changed": not installed}


def win_file(host, args, check):
    path, state = args["path"], args.get("state", "file")
    if state == "directory":
        changed = host["files"].get(path) != "directory"
        if changed and not check:
            host["files"][path] = "directory"
        return {"changed": changed}
    if state == "absent":
        changed = path in host["files"]
        if changed and not check:
            del host["files"][path]
        return {"changed": changed}
    raise HostError("state %s is not modelled" % state)


def win_copy(host, args, check):
    source = args["src"]
    if not os.path.isfile(source):
        raise HostError("could not find src=%s" % source)  # the controller-side lookup, without a search
    with open(source, "rb") as handle:
        digest = hashlib.sha1(handle.read()).hexdigest()  # nosec - a file's identity here
    wanted = {"src": source, "sha1": digest}
    changed = host["files"].get(args["dest"]) != wanted
    if changed and not check:  # the real module copies nothing in check mode
        host["files"][args["dest"]] = wanted
    return {"changed": changed}


def _pfx(path: str, password: str) -> list:
    from cryptography.hazmat.primitives import hashes, serialization  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.serialization import pkcs12  # pylint: disable=import-outside-toplevel

    with open(path, "rb") as handle:
        key, certificate, extra = pkcs12.load_key_and_certificates(handle.read(), password.encode() or None)
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    found = []
    for cert in [certificate] + list(extra):
        mine = cert.public_key().public_bytes(serialization.Encoding.DER,
                                              serialization.PublicFormat.SubjectPublicKeyInfo) == public
        found.append((cert.fingerprint(hashes.SHA1()).hex().upper(), mine))  # nosec - Windows' thumbprint
    return found


def win_certificate_store(host, args, check):
    path = args["path"]
    entry = host["files"].get(path)
    if not isinstance(entry, dict):
        raise HostError("File at '%s' either does not exist or is not a file" % path)
    if args.get("file_type") != "pkcs12" or args.get("store_name") != "My" or args.get("state") != "present":
        raise HostError("only the PKCS12 import into My is modelled")
    certificates = _pfx(entry["src"], args.get("password") or "")
    host["machine_keys"] += 1  # X509Certificate2Collection.Import with PersistKeySet: a key file per load
    store = host["stores"]["My"]
    missing = [(thumbprint, key) for thumbprint, key in certificates if thumbprint not in store]
    if missing and not check:
        store.update({thumbprint: {"key": key} for thumbprint, key in missing})
    return {"changed": bool(missing), "thumbprints": [thumbprint for thumbprint, dummy in certificates]}


def win_certificate_info(host, args, check):
    store = host["stores"][args["store_name"]]
    thumbprint = args.get("thumbprint")
    return {"changed": False, "exists": thumbprint in store,
            "certificates": [{"thumbprint": t, "has_private_key": c["key"]} for t, c in store.items()
                             if thumbprint in (None, t)]}


def win_firewall_rule(host, args, check):
    name = args["name"]
    if args.get("state", "present") == "absent":
        changed = name in host["firewall_rules"]
        if changed and not check:
            del host["firewall_rules"][name]
        return {"changed": changed}
    wanted = {key: value for key, value in args.items() if key not in ("name", "state")}
    changed = host["firewall_rules"].get(name) != wanted
    if changed and not check:
        host["firewall_rules"][name] = wanted
    return {"changed": changed}


def win_firewall(host, args, check):
    wanted = {profile: args.get("outbound_action") for profile in args["profiles"]}
    changed = any(host["profiles"].get(profile) != action for profile, action in wanted.items())
    if changed and not check:
        host["profiles"].update(wanted)
    return {"changed": changed}


def _timespan(value: str) -> str:
    parts = [float(part) for part in re.split(r"[.:]", str(value))] if value else [0]
    return "%.0f" % sum(part * scale for part, scale in zip(reversed(parts), (1, 60, 3600, 86400)))


def web_app_pool(host, args, check):
    pools = _iis(host)["app_pools"]
    pool = pools.get(args["name"])
    if pool is None:
        raise HostError("the application pool %s is not modelled" % args["name"])
    changed = [key for key, value in (args.get("attributes") or {}).items()
               if _timespan(pool.get(key, "")) != _timespan(value)]
    if args.get("state") == "started" and pool["state"] != "Started":
        changed.append("state")
    if changed and not check:
        pool.update(dict((args.get("attributes") or {}).items()))
        pool["state"] = "Started"
    return {"changed": bool(changed)}


# -- the scripts (models of what each changes, by the script's file name) --------------------------
def _hosts_script(host, params, whatif):
    suffix = " # " + params.get("Marker", "lync.reverse_proxy")
    ours = [line for line in host["hosts"] if line.endswith(suffix)]
    wanted = [entry + suffix for entry in params.get("Entries", [])]
    changed = ours != wanted
    if changed and not whatif:
        host["hosts"] = [line for line in host["hosts"] if not line.endswith(suffix)] + wanted
    return changed, {"entries": wanted, "unmarked_lines_for_these_names": []}


def _firewall_script(host, params, whatif):
    stale = [name for name, rule in host["firewall_rules"].items()
             if rule.get("group") == params["Group"] and name.startswith(params["Prefix"]) and name not in params["Keep"]]
    open_rules = [name for name in IIS_RULES if params.get("DisableIisRules")
                  and host["firewall_rules"].get(name, {}).get("enabled")]
    if not whatif:
        for name in stale:
            del host["firewall_rules"][name]
        for name in open_rules:
            host["firewall_rules"][name]["enabled"] = False
    return bool(stale or open_rules), {"removed": stale, "disabled": open_rules}


def _certificate_script(host, params, whatif):
    added, removed = [], []
    for wanted in json.loads(params.get("Certificates", "[]")):
        if wanted["thumbprint"] in host["stores"][wanted["store"]]:
            continue
        base64.b64decode(wanted["der"], validate=True)
        added.append(wanted["thumbprint"])
        if not whatif:
            host["stores"][wanted["store"]][wanted["thumbprint"]] = {"key": False}
    for thumbprint in params.get("Chain", []):
        found = host["stores"]["My"].get(thumbprint)
        if thumbprint == params["Listener"] or found is None or found["key"]:
            continue
        removed.append(thumbprint)
        if not whatif:
            del host["stores"]["My"][thumbprint]
    listener = host["stores"]["My"].get(params["Listener"])
    if not (listener and listener["key"]) and not whatif:
        raise HostError("the listener certificate %s is not in LocalMachine\\My with its private key: the PFX import "
                        "did not put it there" % params["Listener"])
    return bool(added or removed), {"thumbprint": params["Listener"], "added": added, "removed_from_my": removed}


def _bindings_script(host, params, whatif):
    iis = _iis(host)
    wanted = [{"protocol": b["protocol"], "information": "%s:%s:" % (b["ip"], b["port"]),
               "hash": params["Thumbprint"] if b["protocol"] == "https" else ""} for b in json.loads(params["Bindings"])]

    def key(binding):
        return (binding["protocol"], binding["information"], binding["hash"])

    changed = sorted(map(key, iis["bindings"])) != sorted(map(key, wanted))
    if changed and not whatif:
        if any(b["hash"] and b["hash"] not in host["stores"]["My"] for b in wanted):
            raise HostError("A specified logon session does not exist. (the certificate is not in LocalMachine\\My)")
        iis["bindings"] = wanted
    return changed, {}


def _arr_script(host, params, whatif):
    iis = _arr_installed(host)
    wanted = json.loads(params["Configuration"])
    wanted = {"farms": wanted["farms"], "rules": wanted["rules"]}
    changed = iis["arr"] != wanted or iis["proxy"] != "preserveHostHeader"
    if changed and not whatif:
        iis["arr"], iis["proxy"] = wanted, "preserveHostHeader"
    return changed, {}


def _read_group_script(host, params, whatif):
    return False, [name for name, rule in host["firewall_rules"].items() if rule.get("group") == params["Group"]]


SCRIPTS = {"hosts.ps1": _hosts_script, "firewall.ps1": _firewall_script, "certificate.ps1": _certificate_script,
           "bindings.ps1": _bindings_script, "arr.ps1": _arr_script}
INLINE = {"Get-NetFirewallRule -Group $Group": _read_group_script}


def win_powershell(host, args, check):
    script = args["script"]
    known = {path.name: path.read_text(encoding="utf-8") for path in ROLE_FILES.glob("*.ps1")}
    name = next((name for name, text in known.items() if text.rstrip("\n") == script.rstrip("\n")), None)
    model = SCRIPTS.get(name) if name else next((m for marker, m in INLINE.items() if marker in script), None)
    if model is None:
        raise HostError("a script the recorder does not know (add a model of it to the recorder): %s" % script[:200])
    if check and not re.search(r"\[CmdletBinding\([^)]*SupportsShouldProcess", script):
        return {"changed": True, "msg": "skipped, running in check mode", "output": [], "result": {}}
    changed, result = model(host, args.get("parameters") or {}, check)
    if isinstance(result, list):
        return {"changed": changed, "output": [result], "result": {}}
    return {"changed": changed, "output": [], "result": result, "script": name}


MODULES = {"win_stat": win_stat, "win_feature": win_feature, "win_package": win_package, "win_file": win_file,
           "win_copy": win_copy, "win_certificate_store": win_certificate_store,
           "win_certificate_info": win_certificate_info, "win_firewall_rule": win_firewall_rule,
           "win_firewall": win_firewall, "web_app_pool": web_app_pool, "win_powershell": win_powershell}


class RecorderAction(ActionBase):
    """The action plugin of one recorded module (``COLLECTION``, ``MODULE``)."""

    COLLECTION = ""
    MODULE = ""
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        path = os.environ["LYNC_WINDOWS_HOST"] % {"host": task_vars["inventory_hostname"]}
        check = bool(self._task.check_mode)
        args = dict(self._task.args)
        host = _load(path)
        try:
            _check_arguments(self.COLLECTION, self.MODULE, args)
            result.update(MODULES[self.MODULE](host, args, check))
        except HostError as error:
            result.update(failed=True, msg=str(error))
        else:
            _save(path, host)
        with open(os.environ["LYNC_WINDOWS_LOG"], "a", encoding="utf-8") as log:
            log.write(json.dumps({"host": task_vars["inventory_hostname"], "task": self._task.get_name(),
                                  "module": "%s.%s" % (self.COLLECTION, self.MODULE), "check_mode": check,
                                  "changed": bool(result.get("changed")), "failed": bool(result.get("failed")),
                                  "become": bool(self._task.become)}) + "\n")
        return result
