# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The proxy_converge action (see plugins/modules/proxy_converge.py).

On the controller: the arguments checked, the certificate material read, the configuration
rendered through the port model, the read (the play's, or one host_info call of its own)
compared with what the host must have (plugin_utils/_proxy_converge.py decides). On the host,
only what differs: the packages, the TLS directory, the certificate files, the configuration
(validated by the proxy before it replaces the live one), the service, a reload, the removal of
our files the configuration no longer names, and the listener checked. A host that is as it
must be costs the read, or nothing when the play's read is given.
"""

from __future__ import annotations

from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _acme
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _acme_account
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _inventory
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._action_steps import ActionSteps, managed_comment
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _proxy_converge as _converge
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _user_path

display = Display()


class ActionModule(ActionSteps, ActionBase):
    """Makes a proxy host have what the port model says, changing only what differs."""

    # no remote temporary directory up front: a host as it must be costs at most the read
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_diff = True

    def _material(self, args) -> dict:
        """The certificate, its key and the backends' CA as text (from the argument or its file)."""
        material = {}
        acme = args["certificate_source"] == "acme"
        for part, name in (("certificate", "certificate"), ("key", "certificate_key"), ("ca", "backend_ca"),
                           ("acme_ca", "acme_ca")):
            text = args[name]
            if not text and args[name + "_src"]:
                path = _user_path.check(args[name + "_src"], exists="file", name=name + "_src")
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
            material[part] = (text or "").strip()
        missing = []
        for part, name, what in (("certificate", "certificate", "the listener certificate"),
                                 ("key", "certificate_key", "the listener certificate's key"),
                                 ("ca", "backend_ca", "the backends' CA")):
            if material[part] or (part == "ca" and not args["backend_verify"]) or (acme and part != "ca"):
                continue
            missing.append("%s is missing: give rp_proxy_%s or rp_proxy_%s_src (the action's %s or %s_src)%s" % (
                what, name, name, name, name, ", or rp_proxy_backend_verify false" if part == "ca" else ""))
        if missing:
            raise _converge.ProxyConvergeError("; ".join(missing))
        material["acme_account_key"] = ""
        if acme and args["acme_account_key_content"] and args["acme_account_key_src"]:
            raise _converge.ProxyConvergeError("give the ACME account key once: rp_proxy_acme_account_key_content or "
                                               "rp_proxy_acme_account_key_src, not both")
        if acme and args["acme_account_key_src"]:
            path = _user_path.check(args["acme_account_key_src"], exists="file", name="acme_account_key_src")
            with open(path, encoding="utf-8") as handle:
                material["acme_account_key"] = handle.read()
        elif acme:
            material["acme_account_key"] = args["acme_account_key_content"] or ""
        return material

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=_converge.ARGUMENT_SPEC)
        # an argument left at its default leaves room for a 1.x variable (rp_haproxy_*, rp_nginx_*)
        given = {key for key, value in self._task.args.items()
                 if value is not None and value != _converge.ARGUMENT_SPEC.get(key, {}).get("default")}
        try:
            renderer = _converge.software_of(args["software"])
            legacy, legacy_options, used = _converge.legacy_arguments(
                task_vars, renderer.name, {key: args[key] for key in given}, resolve=self._templar.template)
            if used:
                display.deprecated(
                    "The variables %s are rp_%s's (1.x); rp_proxy takes rp_proxy_<name> (and rp_proxy_%s for the "
                    "proxy's options)" % (", ".join(used), renderer.name, renderer.name),
                    version="3.0.0", collection_name="lync.reverse_proxy")
            args.update(self._validate_legacy(legacy))
            options = dict(legacy_options, **(args["options"] or {}))
            reverse_proxy = args["reverse_proxy"] or task_vars.get("inventory_hostname")
            model = _model.ensure_model(_inventory.with_inventory_proxies(args["topology"], task_vars,
                                                                          resolve=self._templar.template))
            material = self._material(args)
            acme = account = eab = None
            if args["certificate_source"] == "acme":
                acme = _acme.check_settings(args["acme_directory"], args["acme_contact"], args["acme_challenge_port"],
                                            material["acme_ca"])
                _acme.refusal(model)
                eab = _acme_account.binding(args["acme_eab_kid"], args["acme_eab_hmac_key"],
                                            bool(material["acme_account_key"]))
                if material["acme_account_key"]:
                    account = _acme_account.account(material["acme_account_key"], acme["directory"])
            host, paths = _converge.host_of(renderer, material, args["backend_verify"], args["tls_dir"],
                                            args["config_path"], acme=acme, account=account)
            managed = managed_comment(task_vars.get("ansible_managed") or C.DEFAULT_MANAGED_STR)
            host["files"] += _converge.acme_files(renderer, host, managed)
            tls = _model.tls_profile(args["tls_profile"], protocols=args["tls_protocols"] or None,
                                     ciphers=args["tls_ciphers"] or None, ciphersuites=args["tls_ciphersuites"] or None)
            endpoints = _converge.listeners(model, reverse_proxy) if args["probe"] else []
        except _model.MissingLibraryError as exc:
            raise AnsibleActionFail(missing_required_lib(exc.library)) from None
        except (_converge.ProxyConvergeError, _acme.AcmeError, _user_path.UserPathError, _model.PortModelError) as exc:
            raise AnsibleActionFail(str(exc)) from None
        except OSError as exc:
            raise AnsibleActionFail("cannot read %s: %s" % (exc.filename, exc.strerror)) from None
        request = _converge.request_of(host)
        result.update(changed=False, request=request, listeners=endpoints, software=renderer.name,
                      config_path=host["config"]["path"],
                      other_services=_converge.other_services(renderer) if args["exclusive"] else [])
        if args["request_only"]:
            return result
        for warning in tls["warnings"]:
            display.warning("%s: %s" % (task_vars.get("inventory_hostname"), warning))

        # The read: the play's when it read exactly this, else one call of our own.
        read = args["read"] or {}
        found = read.get("proxy") if (read.get("proxy") or {}).get("request") == request else None
        capacity = args["capacity"] or read.get("capacity") or {}
        sized = renderer.sized_option and str(options.get(renderer.sized_option, "auto")) == "auto"
        others = result["other_services"]
        if found is None or (sized and not capacity.get("memory_mb")):
            answer = self._check("reading the host", self._module("lync.reverse_proxy.host_info", {
                "proxy": request, "services": others, "probe": endpoints if args["probe"] else None,
                "capacity": bool(sized)}, task_vars))
            read = answer
            found = answer["proxy"]
            capacity = answer.get("capacity") or capacity
        if sized:
            options[renderer.sized_option] = "auto"
        try:
            config = _converge.render(renderer, model, reverse_proxy, tls, options, paths, args["backend_verify"],
                                      capacity, managed)
        except _model.PortModelError as exc:
            raise AnsibleActionFail(str(exc)) from None
        host["config"]["content"] = config
        plan = _converge.actions(found, host, {name: (read.get("services") or {}).get(name) for name in others},
                                 read.get("probe") if args["probe"] else [], names=model["certificate_names"])
        plan["stop"] = _converge.others_running(renderer, read.get("services") or {}) if args["exclusive"] else []
        result["plan"] = {key: value for key, value in plan.items() if key != "files"}
        result["plan"]["files"] = list(plan["files"])
        if plan["acme"] is not None:
            result["acme"] = dict(plan["acme"], lineage=_acme.LINEAGE, directory=host["acme"]["settings"]["directory"],
                                  names=list(model["certificate_names"]))
        if _converge.nothing_to_do(plan):
            return result
        try:
            return self._apply(result, plan, host, endpoints, args, task_vars, model["certificate_names"], account,
                               eab)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)

    def _validate_legacy(self, legacy: dict) -> dict:
        """1.x values checked against the action's own argument types."""
        if not legacy:
            return {}
        spec = {key: _converge.ARGUMENT_SPEC[key] for key in legacy}
        from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
        validated = ArgumentSpecValidator(spec).validate(legacy)
        if validated.error_messages:
            raise _converge.ProxyConvergeError("; ".join(validated.error_messages))
        return validated.validated_parameters

    def _apply(self, result: dict, plan: dict, host: dict, endpoints: list, args: dict, task_vars,
               names: list, account: dict | None = None, eab: dict | None = None) -> dict:
        changed = []
        check = self._task.check_mode
        for service in plan["stop"]:
            self._check("stopping %s" % service, self._module("ansible.legacy.systemd_service", {
                "name": service, "state": "stopped", "enabled": False}, task_vars))
            changed.append("stopped " + service)
        if plan["packages"]:
            answer = self._check("installing %s" % ", ".join(host["packages"]), self._run_action(
                "ansible.legacy.package", {"name": host["packages"], "state": "present"}, task_vars))
            if answer.get("changed"):
                changed.append("packages")
        if plan["tls_dir"]:
            tls_dir = host["tls_dir"]
            answer = self._check("creating %s" % tls_dir["path"], self._module("ansible.legacy.file", dict(
                path=tls_dir["path"], state="directory", owner=tls_dir["owner"], group=tls_dir["group"],
                mode=tls_dir["mode"]), task_vars))
            if answer.get("changed"):
                changed.append(tls_dir["path"])
        for item in host["files"]:
            if item["path"] not in plan["files"]:
                continue
            parent = item["path"].rsplit("/", 1)[0]
            if parent != host["tls_dir"]["path"].rstrip("/"):
                # ours beside another package's files (certbot's hooks and accounts, a unit's drop-ins)
                self._check("creating %s" % parent, self._module("ansible.legacy.file", dict(
                    path=parent, state="directory", **({"mode": item["dir_mode"]} if item.get("dir_mode") else {})),
                    task_vars))
            if self._write(item, task_vars, secret=item.get("secret", False)).get("changed"):
                changed.append(item["path"])
        acme = host.get("acme")
        if acme and _acme.DROP_IN in changed and not check:
            self._check("reloading systemd's units", self._module("ansible.legacy.systemd_service", {
                "daemon_reload": True}, task_vars))
        registration = (plan["acme"] or {}).get("account") or {}
        if registration.get("register"):
            changed.append("ACME account %s registered at %s (%s)" % (
                registration["id"], acme["settings"]["directory"], registration["reason"]))
            if not check:
                self._register(acme, account, eab, task_vars)
        if plan["placeholder"] and not check:
            # the proxy must run, and answer port 80, before the CA can validate a name
            self._check("making a self-signed certificate to start with", self._module("ansible.legacy.command", {
                "_raw_params": _acme.placeholder(acme["installed"], names[0]), "_uses_shell": True}, task_vars),
                secret=True)
        if plan["placeholder"]:
            changed.append("self-signed certificate until the CA's is there")
        if plan["install"]:
            changed.append("certbot's certificate installed")
            if not check:
                self._install(names, task_vars)
        config = host["config"]
        if plan["config"]:
            answer = self._check("writing %s" % config["path"], self._run_action("ansible.legacy.copy", dict(
                content=config["content"], dest=config["path"], owner="root", group="root", mode="0644",
                validate=config["validate"]), task_vars))
            if answer.get("changed"):
                changed.append(config["path"])
                if answer.get("diff"):
                    result["diff"] = answer["diff"]
        started = False
        if plan["service"]:
            answer = self._check("starting %s" % host["service"], self._module("ansible.legacy.systemd_service", {
                "name": host["service"], "enabled": True, "state": "started"}, task_vars))
            started = answer.get("state") == "started" and (answer.get("status") or {}).get("ActiveState") != "active"
            if answer.get("changed"):
                changed.append("started " + host["service"])
        if config["path"] in changed and not check and not started:
            # a running proxy takes a changed configuration up without dropping connections (one
            # that was started just now read it at its start)
            self._check("reloading %s" % host["service"], self._module("ansible.legacy.systemd_service", {
                "name": host["service"], "state": "reloaded"}, task_vars))
        if plan["acme"] and plan["acme"]["issue"]:
            changed.append("certificate from %s (%s)" % (acme["settings"]["directory"], plan["acme"]["reason"]))
            if not check:
                self._issue(acme, names, task_vars)
        if plan["acme"] and (plan["acme"]["timer"] or (plan["acme"]["issue"] and not check)):
            answer = self._check("starting certbot's timer", self._module("ansible.legacy.systemd_service", {
                "name": "certbot.timer", "enabled": True, "state": "started"}, task_vars))
            if answer.get("changed"):
                changed.append("certbot.timer")
        # only after the proxy loaded the configuration that no longer names them
        for path in plan["stale"]:
            answer = self._check("removing %s" % path, self._module("ansible.legacy.file", {
                "path": path, "state": "absent"}, task_vars))
            if answer.get("changed"):
                changed.append("removed " + path)
        if endpoints and not check and (changed or plan["probe_failed"]):
            self._check("checking that the listener answers", self._module("lync.reverse_proxy.port_probe", {
                "endpoints": endpoints, "timeout": 10}, task_vars))
        result.update(changed=bool(changed), changes=changed)
        return result

    def _issue(self, acme: dict, names: list, task_vars) -> None:
        """certbot issues the lineage (answering HTTP-01 through the proxy's port 80), then its deploy
        hook installs it where the proxy reads it and reloads the proxy. A refusal fails the task
        with what the CA said (its last ACME problem, from the end of certbot's log: certbot does not
        always say it); the proxy keeps the certificate it serves."""
        settings = acme["settings"]
        answer = self._module("ansible.legacy.command", {"argv": _acme.command(names, settings)}, task_vars)
        if answer.get("failed") or answer.get("rc"):
            log = self._module("ansible.legacy.command", {"argv": _acme.log_read()}, task_vars)
            answered = _acme.problem(log.get("stdout") or "") if not log.get("failed") and not log.get("rc") else None
            raise AnsibleActionFail(_acme.failure(answer, names, settings, answered))
        self._install(names, task_vars)

    def _register(self, acme: dict, account: dict, eab: dict | None, task_vars) -> None:
        """The given account key registered with the CA (community.crypto's acme_account on the host,
        which verifies the ACME server with the CA bundle given; with the external account binding
        ``eab`` when given), then certbot's regr.json and
        meta.json of that account: certbot then uses it (--account) and registers none of its own."""
        settings = acme["settings"]
        environment = {"SSL_CERT_FILE": _acme.CA_BUNDLE} if settings["ca"] else {}
        answer = self._module_in("community.crypto.acme_account", _acme_account.module_args(account, settings, eab),
                                 task_vars, environment)
        if answer.get("failed"):
            raise AnsibleActionFail("the ACME CA at %s did not register the account key of %s: %s" % (
                settings["directory"], _acme_account.VARIABLES, answer.get("msg") or "no message"))
        for item in _acme_account.registration_files(account, answer.get("account_uri"),
                                                     task_vars.get("inventory_hostname") or "localhost"):
            self._write(item, task_vars)

    def _write(self, item: dict, task_vars, secret: bool = False) -> dict:
        """One of our files (``path``, ``content``, ``owner``, ``group``, ``mode``) written where it differs."""
        return self._check("writing %s" % item["path"], self._run_action("ansible.legacy.copy", dict(
            content=item["content"] + "\n", dest=item["path"], owner=item["owner"], group=item["group"],
            mode=item["mode"]), task_vars, secret=secret), secret=secret)

    def _module_in(self, name: str, args: dict, task_vars, environment: dict) -> dict:
        """A module run with ``environment`` added to the task's."""
        if not environment:
            return self._module(name, args, task_vars)
        saved = self._task.environment
        self._task.environment = (list(saved) if isinstance(saved, list) else [saved] if saved else []) + [environment]
        try:
            return self._module(name, args, task_vars)
        finally:
            self._task.environment = saved

    def _install(self, names: list, task_vars) -> None:
        """certbot's deploy hook, in the environment certbot gives it when it renews."""
        self._check("installing the certificate (certbot's deploy hook)", self._module("ansible.legacy.command", {
            "argv": ["env", "RENEWED_LINEAGE=" + _acme.LIVE, "RENEWED_DOMAINS=" + " ".join(names), _acme.HOOK]},
            task_vars))
