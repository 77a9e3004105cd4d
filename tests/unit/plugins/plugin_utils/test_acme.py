# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The certificate source acme: when certbot is asked, the command it is asked with, the refusal
of a topology that closes port 80, the proxies' challenge path, and no key material anywhere the
action shows or writes from the controller.

certbot's refusal below was recorded from certbot 2.1 against Pebble 2.4 (Debian 12's packages); its
shape (Domain / Type / Detail lines under "The Certificate Authority reported these problems", then a
Hint) is the one published certbot outputs show."""

from __future__ import annotations

import copy
import json
import os
import pathlib
import re
import shutil
import subprocess

import pytest
import yaml

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _port_model as _model
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _acme
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _proxy_converge as converge
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.plugin_utils.test_proxy_converge import (
    CA, TOPOLOGY, as_read)

HERE = pathlib.Path(__file__).parent
PEBBLE_ROOT = "-----BEGIN CERTIFICATE-----\nMIIBpebble\n-----END CERTIFICATE-----"
DIRECTORY = "https://acme.contoso.test:14000/dir"
SETTINGS = _acme.check_settings(DIRECTORY, "pki@contoso.com", 8402, PEBBLE_ROOT)
MODEL = _model.ensure_model(TOPOLOGY)
NAMES = MODEL["certificate_names"]
KEY_MARK = re.compile("PRIVATE KEY|privkey", re.I)


def acme_host(software="haproxy", settings=None):
    renderer = converge.software_of(software)
    host, paths = converge.host_of(renderer, {"certificate": "", "key": "", "ca": CA}, True, acme=settings or SETTINGS)
    host["files"] += converge.acme_files(renderer, host, "#\n# Ansible managed\n#")
    host["config"]["content"] = "global\n"
    return renderer, host, paths


def read_with(host, certificate=None, server=DIRECTORY, timer=True, installed=True):
    read = as_read(host)
    if installed:
        for item in host["acme"]["installed"]:
            read["files"][item["path"]] = {"type": "file", "mode": item["mode"], "owner": "root",
                                           "group": item["group"], "sha256": "0" * 64}
    read["acme"] = {"lineage": _acme.LINEAGE, "certificate": certificate, "server": server,
                    "timer": {"name": "certbot.timer", "enabled": timer, "active": timer}}
    return read


def test_haproxy_reads_the_installed_pem_and_certbot_comes_along():
    renderer, host, paths = acme_host()
    assert paths["pem_path"] == "/etc/haproxy/lync/listener-acme.pem"
    assert paths["acme_challenge_port"] == 8402
    assert host["packages"] == ["haproxy", "certbot"]
    # the controller writes the backends' CA and our files beside certbot's, never the listener's key
    assert [item["path"] for item in host["files"]] == [
        host["files"][0]["path"], _acme.CA_BUNDLE, _acme.DROP_IN, _acme.HOOK]
    assert host["files"][0]["path"].startswith("/etc/haproxy/lync/backend-ca-")
    assert not any(item.get("secret") for item in host["files"])
    request = converge.request_of(host)
    assert request["acme"] == _acme.LINEAGE
    assert request["paths"][-3:] == [_acme.CA_BUNDLE, _acme.DROP_IN, _acme.HOOK]


def test_nginx_reads_the_chain_and_key_the_hook_installs_apart():
    renderer, host, paths = acme_host("nginx")
    assert (paths["certificate_path"], paths["key_path"]) == ("/etc/nginx/lync/listener-acme.crt",
                                                              "/etc/nginx/lync/listener-acme.key")
    hook = host["files"][-1]["content"]
    assert 'cat "$RENEWED_LINEAGE/fullchain.pem" > "$new/0"' in hook
    assert 'cat "$RENEWED_LINEAGE/privkey.pem" > "$new/1"' in hook
    assert "nginx -t -q -c /etc/nginx/nginx.conf" in hook


def test_the_hook_installs_checks_reloads_and_puts_back_what_the_check_refuses():
    renderer, host, dummy = acme_host()
    hook = host["files"][-1]["content"]
    lines = hook.splitlines()
    assert lines[0] == "#!/bin/sh"
    assert "  */lync-reverse-proxy) ;;" in lines  # other lineages are not ours
    install = lines.index('mv -f "$new/0" /etc/haproxy/lync/listener-acme.pem')
    check = lines.index('if ! haproxy -c -f /etc/haproxy/haproxy.cfg > "$new/check" 2>&1; then')
    reload = lines.index("if systemctl is-active --quiet haproxy; then systemctl reload haproxy; fi")
    assert install < check < reload
    assert lines[check + 1] == '  if [ -f "$new/0.before" ]; then mv -f "$new/0.before" /etc/haproxy/lync/listener-acme.pem; fi'
    assert "  exit 1" in lines[check:reload]
    assert "chmod 0600 \"$new/0\"" in lines and "chown root:haproxy \"$new/0\"" in lines


def test_no_certificate_yet_is_issued():
    renderer, host, dummy = acme_host()
    plan = converge.actions(read_with(host, certificate=None, installed=False), host, {}, [{"ok": True}], names=NAMES)
    assert plan["acme"]["issue"] and plan["acme"]["missing"] == NAMES
    assert plan["placeholder"]  # the proxy needs a certificate to start with
    assert not converge.nothing_to_do(dict(plan, placeholder=False)) and not converge.nothing_to_do(plan)


def test_a_certificate_with_every_name_is_left_alone():
    renderer, host, dummy = acme_host()
    found = {"names": sorted(NAMES), "not_after": "Mar  1 12:00:00 2027 GMT"}
    plan = converge.actions(read_with(host, certificate=found), host, {}, [{"ok": True}], names=NAMES)
    assert plan["acme"]["issue"] is False and plan["placeholder"] is False
    assert plan["stale"] == []  # the installed files are certbot's, not stale
    assert converge.nothing_to_do(plan)


def test_a_name_the_model_added_is_issued_and_one_it_dropped_is_not():
    renderer, host, dummy = acme_host()
    topology = copy.deepcopy(TOPOLOGY)
    topology["sip_domains"] = list(topology["sip_domains"]) + ["adatum.com"]
    names = _model.ensure_model(topology)["certificate_names"]
    assert "lyncdiscover.adatum.com" in names and "lyncdiscover.adatum.com" not in NAMES
    found = {"names": sorted(NAMES) + ["old.contoso.com"], "not_after": "x"}
    plan = converge.actions(read_with(host, certificate=found), host, {}, [{"ok": True}], names=names)
    assert plan["acme"]["issue"] and plan["acme"]["missing"] == ["lyncdiscover.adatum.com"]
    # the old name alone costs no certificate
    assert not converge.actions(read_with(host, certificate=found), host, {}, [{"ok": True}],
                                names=NAMES)["acme"]["issue"]


def test_another_directory_is_issued_and_a_stopped_timer_started():
    renderer, host, dummy = acme_host()
    found = {"names": sorted(NAMES), "not_after": "x"}
    plan = converge.actions(read_with(host, certificate=found, server="https://old.example/dir"), host, {}, [],
                            names=NAMES)
    assert plan["acme"]["issue"] and "https://old.example/dir" in plan["acme"]["reason"]
    plan = converge.actions(read_with(host, certificate=found, timer=False), host, {}, [{"ok": True}], names=NAMES)
    assert not plan["acme"]["issue"] and plan["acme"]["timer"]
    assert not converge.nothing_to_do(plan)


def test_the_certbot_command():
    argv = _acme.command(["a.contoso.com", "b.contoso.com"], SETTINGS)
    assert argv[:2] == ["env", "REQUESTS_CA_BUNDLE=" + _acme.CA_BUNDLE]
    assert argv[2:4] == ["certbot", "certonly"]
    assert "--non-interactive" in argv and "--standalone" in argv
    pairs = {argv[i]: argv[i + 1] for i in range(len(argv) - 1)}
    assert pairs["--cert-name"] == "lync-reverse-proxy"
    assert pairs["--server"] == DIRECTORY
    assert pairs["--http-01-address"] == "127.0.0.1"  # only the proxy answers outside
    assert pairs["--http-01-port"] == "8402"
    assert pairs["--email"] == "pki@contoso.com"
    assert [argv[i + 1] for i, word in enumerate(argv) if word == "-d"] == ["a.contoso.com", "b.contoso.com"]
    public = _acme.command(["a.contoso.com"], _acme.check_settings(DIRECTORY, "", 9000, ""))
    assert public[0] == "certbot" and "--register-unsafely-without-email" in public and "9000" in public


@pytest.mark.parametrize("directory, contact, port, ca, message", [
    ("", "", 8402, "", "rp_proxy_acme_directory is missing"),
    ("http://acme.example/dir", "", 8402, "", "rp_proxy_acme_directory must be an https URL"),
    (DIRECTORY, "not an address", 8402, "", "rp_proxy_acme_contact must be one e-mail address"),
    (DIRECTORY, "", 80, "", "rp_proxy_acme_challenge_port must be a port from 1024"),
    (DIRECTORY, "", 8080, "", "rp_proxy_acme_challenge_port"),
    (DIRECTORY, "", 8402, "not a certificate", "rp_proxy_acme_ca .* holds no PEM certificate"),
])
def test_bad_settings_are_named(directory, contact, port, ca, message):
    with pytest.raises(_acme.AcmeError, match=message):
        _acme.check_settings(directory, contact, port, ca)


def test_a_topology_that_closes_port_80_is_refused_naming_the_option():
    topology = copy.deepcopy(TOPOLOGY)
    topology["options"] = dict(topology.get("options") or {}, http_redirect=False, mobile_autodiscover_over_http=False)
    with pytest.raises(_acme.AcmeError, match=r"external port 80.*options\.http_redirect true"):
        _acme.refusal(_model.ensure_model(topology))
    topology["options"]["http_redirect"] = True
    _acme.refusal(_model.ensure_model(topology))


def test_haproxy_sends_the_challenge_path_to_certbot_before_any_redirect():
    renderer, host, paths = acme_host()
    text = converge.render(renderer, MODEL, "rp01", _model.tls_profile(), {"maxconn": 1000}, paths, True, {}, "")
    http = text[text.index("frontend lync_http\n"):]
    http = http[:http.index("\n\n")]
    lines = http.splitlines()
    acl = lines.index("    acl lync_acme_challenge path_beg /.well-known/acme-challenge/")
    challenge = lines.index("    use_backend lync_acme if lync_acme_challenge")
    redirects = [index for index, line in enumerate(lines) if "http-request redirect" in line]
    assert redirects and all(lines[index].endswith(" !lync_acme_challenge") for index in redirects)
    # the acl before its use; the challenge before any other backend; no http-request rule after a use_backend
    assert acl < min(redirects) and max(redirects) < challenge
    assert challenge == min(index for index, line in enumerate(lines) if "use_backend" in line)
    assert "backend lync_acme\n    server acme 127.0.0.1:8402\n" in text
    # without ACME the port 80 frontend is as before
    files_host, files_paths = converge.host_of(renderer, {"certificate": "c", "key": "k", "ca": CA}, True)
    plain = converge.render(renderer, MODEL, "rp01", _model.tls_profile(), {"maxconn": 1000}, files_paths, True, {}, "")
    assert "acme" not in plain


def test_nginx_sends_the_challenge_path_to_certbot_in_every_port_80_server():
    renderer, host, paths = acme_host("nginx")
    text = converge.render(renderer, MODEL, "rp01", _model.tls_profile(), {"worker_connections": 1024}, paths,
                           True, {}, "")
    port_80 = text[text.index("# Port 80"):]
    servers = port_80.count("    server {")
    assert servers >= 2
    assert port_80.count("        location ^~ /.well-known/acme-challenge/ {\n"
                         "            proxy_pass http://127.0.0.1:8402;\n        }") == servers
    # a server-level return would answer before the challenge's location
    assert not re.search(r"^        return ", port_80, re.M)


def test_no_key_material_in_what_the_controller_writes_or_shows():
    for software in ("haproxy", "nginx"):
        renderer, host, dummy = acme_host(software)
        shown = yaml.safe_dump(host) + "\n".join(_acme.command(NAMES, SETTINGS))
        assert not re.search("BEGIN [A-Z ]*PRIVATE KEY", shown)
        for item in host["files"]:
            if item["path"] != _acme.HOOK:  # the hook names certbot's key file, it holds none
                assert not KEY_MARK.search(item["content"]), item["path"]
    # the placeholder's key is made on the host, by openssl there
    script = _acme.placeholder(host["acme"]["installed"], NAMES[0])
    assert "openssl req -x509" in script and "BEGIN" not in script


def test_a_refusal_says_which_ca_and_names_and_what_it_said():
    """certbot 2.1's output (Debian 12) when Pebble 2.4 could not reach one name on port 80, recorded
    (data/certbot-refusal.json: the command of _acme.command against Pebble and HAProxy on the loopback)."""
    answer = json.loads((HERE / "data" / "certbot-refusal.json").read_text())
    settings = _acme.check_settings("https://127.0.0.1:14000/dir", "", 8402, "")
    message = _acme.failure(answer, ["a.test", "bad.test"], settings)
    assert message.startswith("the ACME CA at https://127.0.0.1:14000/dir did not issue the listener certificate "
                              "for a.test, bad.test: ")
    assert "; Domain: bad.test; Type: connection; Detail: Get \"http://bad.test:80/" in message
    assert "dial tcp 127.0.0.2:80: connect: connection refused" in message
    assert "keeps serving the certificate it had" in message
    assert "Saving debug log" not in message and "Hint" not in message


def test_a_ca_that_refuses_every_nonce_is_named_and_said_to_refuse_as_bad_nonce():
    """certbot 2.1's output (Debian 12) when Pebble 2.4 rejects every good nonce
    (PEBBLE_WFE_NONCEREJECT=100), recorded (data/certbot-bad-nonce.json: the command of _acme.command
    against it on the loopback). certbot has no account at that CA yet and registers one first; the
    CA refuses it, and the retry with a fresh nonce, as badNonce, and certbot says only the detail
    (Pebble's and Boulder's wording, "JWS has an invalid anti-replay nonce"); ansible's command
    module adds its msg."""
    answer = dict(json.loads((HERE / "data" / "certbot-bad-nonce.json").read_text()), msg="non-zero return code")
    settings = _acme.check_settings("https://127.0.0.1:14700/dir", "", 8402, "")
    message = _acme.failure(answer, ["a.test", "b.test"], settings)
    assert message.startswith("the ACME CA at https://127.0.0.1:14700/dir did not issue the listener certificate "
                              "for a.test, b.test (it refused certbot's requests as badNonce: ")
    assert ": Unable to register an account with ACME server. Error returned by the ACME server: JWS has an invalid " \
           "anti-replay nonce: " in message
    assert "keeps serving the certificate it had" in message
    assert "non-zero return code" not in message and "Saving debug log" not in message and "Ask for help" not in message
    # a refusal of another kind is not called badNonce
    other = json.loads((HERE / "data" / "certbot-refusal.json").read_text())
    assert "badNonce" not in _acme.failure(other, ["a.test"], settings)


def test_an_error_certbot_did_not_expect_is_said_with_what_it_was():
    """certbot prints "An unexpected error occurred:" and what on the next line (certbot 2.1, Debian 12,
    when the CA no longer knows the account: its josepy error while it reports the ACME error)."""
    answer = {"rc": 1, "msg": "non-zero return code", "stdout": "Requesting a certificate for a.test\n",
              "stderr": "Saving debug log to /var/log/letsencrypt/letsencrypt.log\nAn unexpected error occurred:\n"
                        "AttributeError: can't set attribute\nAsk for help or search for solutions at "
                        "https://community.letsencrypt.org. See the logfile /var/log/letsencrypt/letsencrypt.log or "
                        "re-run Certbot with -v for more details.\n"}
    message = _acme.failure(answer, ["a.test"], SETTINGS)
    assert ": An unexpected error occurred: AttributeError: can't set attribute. The proxy keeps serving" in message
    assert "badNonce" not in message


def test_certbot_s_certificate_is_installed_where_a_new_proxy_reads_it():
    """Another proxy software before (or its files removed): the lineage's certificate is installed,
    no self-signed one, and no new certificate when it has every name."""
    renderer, host, dummy = acme_host("nginx")
    found = {"names": sorted(NAMES), "not_after": "x"}
    plan = converge.actions(read_with(host, certificate=found, installed=False), host, {}, [{"ok": True}], names=NAMES)
    assert plan["install"] and not plan["placeholder"] and not plan["acme"]["issue"]
    assert not converge.nothing_to_do(plan)


@pytest.mark.skipif(not (shutil.which("haproxy") and shutil.which("openssl") and hasattr(os, "geteuid")
                         and os.geteuid() == 0), reason="needs haproxy and openssl, as root (the hook sets the group)")
def test_the_hook_with_haproxy_installs_a_good_certificate_and_puts_back_a_bad_one(tmp_path):
    """The hook as written, run by sh against a real haproxy -c: a lineage's chain and key go where the
    configuration reads them; a lineage haproxy refuses is taken back out, the file before stays; another
    lineage is not ours."""
    renderer = converge.software_of("haproxy")
    tls, config = tmp_path / "tls", tmp_path / "haproxy.cfg"
    tls.mkdir()
    host, dummy = converge.host_of(renderer, {"certificate": "", "key": "", "ca": ""}, False, tls_dir=str(tls),
                                   config_path=str(config), acme=SETTINGS)
    hook = tmp_path / "hook"
    hook.write_text(_acme.hook(renderer.host, host["acme"]["installed"], str(config), "# managed"))
    pem = tls / "listener-acme.pem"
    config.write_text("defaults\n    mode http\n    timeout connect 5s\n    timeout client 5s\n    timeout server 5s\n"
                      "frontend lync_https\n    bind 127.0.0.1:18443 ssl crt %s\n    http-request return status 200\n" % pem)

    def lineage(name, good=True):
        path = tmp_path / name / _acme.LINEAGE
        path.mkdir(parents=True)
        if good:
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                            "-days", "2", "-subj", "/CN=" + name, "-keyout", str(path / "privkey.pem"),
                            "-out", str(path / "fullchain.pem")], check=True, capture_output=True)
        else:
            (path / "fullchain.pem").write_text("not a certificate\n")
            (path / "privkey.pem").write_text("not a key\n")
        return path

    def run(path):
        return subprocess.run(["sh", str(hook)], env=dict(os.environ, RENEWED_LINEAGE=str(path)), capture_output=True,
                              text=True, check=False)

    first = lineage("first.test")
    assert run(first).returncode == 0
    assert pem.read_text() == (first / "fullchain.pem").read_text() + (first / "privkey.pem").read_text()
    assert oct(pem.stat().st_mode & 0o777) == "0o600"
    before = pem.read_bytes()
    refused = run(lineage("bad.test", good=False))
    assert refused.returncode == 1 and "haproxy refused the renewed certificate" in refused.stderr
    assert pem.read_bytes() == before
    other = tmp_path / "other" / "someone-else"
    other.mkdir(parents=True)
    assert run(other).returncode == 0 and pem.read_bytes() == before
    assert sorted(path.name for path in tls.iterdir()) == ["listener-acme.pem"]  # no leftovers
