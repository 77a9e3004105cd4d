# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The listener certificate from an ACME CA: what the proxy_converge action decides for the
certificate source ``acme``, as plain functions. PRIVATE to the lync.reverse_proxy collection.

The client is Debian's certbot with its own timer (renewal without the controller). One lineage,
:data:`LINEAGE`, carries every name of the model (``certificate_names``). certbot answers the
CA's HTTP-01 challenge on the loopback only (``--standalone --http-01-address 127.0.0.1``) while it
runs; the proxy sends ``/.well-known/acme-challenge/`` on external port 80 there (the renderers'
``acme_challenge_port``), so nothing but the port model's ports is ever open and no challenge costs
a reload. A deploy hook (:func:`hook`) installs a new certificate where the proxy reads it (the
renderer's TLS file layout, names with ``acme`` in place of the digest), checks the proxy's
configuration with it, and reloads; a certificate the check refuses is taken back out, so the one
before keeps serving. The private key is made by certbot on the proxy and never leaves it: no
function here reads or returns key material.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping

__all__ = ["AcmeError", "CA_BUNDLE", "DROP_IN", "HOOK", "LINEAGE", "LIVE", "LOG", "PACKAGES", "check_settings", "command",
           "decide", "failure", "files", "hook", "installed", "log_read", "placeholder", "problem", "refusal"]

LINEAGE = "lync-reverse-proxy"
LIVE = "/etc/letsencrypt/live/" + LINEAGE
# Our files beside certbot's: the CA bundle that verifies the ACME server, the deploy hook, and the
# drop-in that gives certbot.service (the timer's renewals) that bundle.
CA_BUNDLE = "/etc/letsencrypt/lync-reverse-proxy-acme-ca.pem"
HOOK = "/etc/letsencrypt/renewal-hooks/deploy/lync-reverse-proxy"
DROP_IN = "/etc/systemd/system/certbot.service.d/lync-reverse-proxy.conf"
PACKAGES = ("certbot",)
# certbot's log (its default --logs-dir; :func:`command` sets none), and how much of its end is read
# after a refusal: a run that fails writes some 15 kB there. Debian's /etc/letsencrypt/cli.ini sets
# max-log-backups = 0 (logrotate's turn), so each run appends to it: :func:`problem` keeps the last run.
LOG = "/var/log/letsencrypt/letsencrypt.log"
LOG_TAIL = 65536
# What stands for the digest in the names of the installed files (listener-acme.pem ...): the
# content changes on the host, so the name cannot follow it.
INSTALLED = "acme"
_PARTS = {"certificate": "fullchain.pem", "key": "privkey.pem"}
_URL = re.compile(r"https://[^\s/'\"]+(/[^\s'\"]*)?")
_CONTACT = re.compile(r"[^\s@,'\"]+@[^\s@,'\"]+")


class AcmeError(ValueError):
    """A bad ACME setting or a topology ACME cannot serve; the message names the variable."""


def check_settings(directory: str, contact: str, challenge_port: int, ca: str) -> dict:
    """The ACME settings checked: the directory URL (https), the contact (an e-mail address or
    empty), the loopback port of the challenge answers, the CA bundle (PEM text or empty: the
    host's trust store)."""
    problems = []
    if not directory:
        problems.append("rp_proxy_acme_directory is missing: the ACME CA's directory URL "
                        "(e.g. https://acme-v02.api.letsencrypt.org/directory)")
    elif not _URL.fullmatch(directory):
        problems.append("rp_proxy_acme_directory must be an https URL, got %r" % (directory,))
    if contact and not _CONTACT.fullmatch(contact):
        problems.append("rp_proxy_acme_contact must be one e-mail address (or empty), got %r" % (contact,))
    if isinstance(challenge_port, bool) or not isinstance(challenge_port, int) or not 1024 <= challenge_port <= 65535 \
            or challenge_port in (4443, 8080):
        problems.append("rp_proxy_acme_challenge_port must be a port from 1024 to 65535 the proxy does not use "
                        "(not 4443 or 8080), got %r" % (challenge_port,))
    if ca and "-----BEGIN CERTIFICATE-----" not in ca:
        problems.append("rp_proxy_acme_ca (or the file of rp_proxy_acme_ca_src) holds no PEM certificate")
    if problems:
        raise AcmeError("; ".join(problems))
    return {"directory": directory, "contact": contact, "challenge_port": challenge_port, "ca": ca.strip()}


def refusal(model: Mapping) -> None:
    """An error when the topology closes external port 80, which the HTTP-01 challenge needs."""
    if not any(route["frontend_port"] == 80 for route in model["routes"]):
        raise AcmeError(
            "rp_proxy_certificate_source acme answers the ACME CA's HTTP-01 challenge on external port 80, which this "
            "topology closes: set lync_topology.options.http_redirect true (port 80 then redirects to https, and "
            "only the challenge path goes to the ACME client), or give the certificate as files "
            "(rp_proxy_certificate_source files)")


def installed(data, tls_dir: str) -> list:
    """The files the hook installs where the proxy reads them (``data``: the renderer's ProxyHost):
    each TLS file of the listener certificate, by the renderer option that names it."""
    tls_dir = tls_dir.rstrip("/") or "/"
    return [{"option": item.option, "path": "%s/%s" % (tls_dir, item.name.format(digest=INSTALLED)),
             "parts": list(item.parts), "mode": item.mode, "group": data.tls_group}
            for item in data.files if not item.backend_ca]


def command(names: list, settings: Mapping) -> list:
    """certbot's command line (argv) that issues the lineage for ``names`` now, answering HTTP-01
    on the loopback; with a CA bundle, certbot verifies the ACME server with it."""
    argv = ["env", "REQUESTS_CA_BUNDLE=" + CA_BUNDLE] if settings["ca"] else []
    argv += ["certbot", "certonly", "--non-interactive", "--agree-tos", "--no-eff-email", "--cert-name", LINEAGE,
             "--server", settings["directory"], "--standalone", "--preferred-challenges", "http",
             "--http-01-address", "127.0.0.1", "--http-01-port", str(settings["challenge_port"]),
             # called only when the certificate must change (decide): now, not when due
             "--force-renewal"]
    if settings.get("account"):
        # the given key's account (certbot's account files written for it): certbot registers none of its own
        argv += ["--account", settings["account"]]
    argv += ["--email", settings["contact"]] if settings["contact"] else ["--register-unsafely-without-email"]
    for name in names:
        argv += ["-d", name]
    return argv


def decide(found, names: list, settings: Mapping) -> dict:
    """Whether the lineage must be issued now, from the host's read (``proxy_info``'s ``acme``):
    when there is no certificate, a name of the model is missing from it, or its renewal settings
    name another directory, or another account than the given key's (``settings["account"]``, the
    account id). A name the model no longer has does not cost a certificate."""
    found = found or {}
    certificate = found.get("certificate")
    timer = found.get("timer")
    result = {"issue": False, "reason": "", "missing": [], "timer": bool(timer) and not (
        timer.get("enabled") and timer.get("active"))}
    if not certificate or certificate.get("error"):
        result.update(issue=True, missing=list(names), reason="there is no certificate %s on the host yet" % LINEAGE
                      if not certificate else "the certificate cannot be read: %s" % certificate["error"])
        return result
    have = set(certificate.get("names") or [])
    missing = [name for name in names if name not in have]
    if missing:
        result.update(issue=True, missing=missing, reason="the certificate lacks %s" % ", ".join(missing))
    elif found.get("server") != settings["directory"]:
        result.update(issue=True, reason="the certificate's renewal settings name the directory %s, not %s" % (
            found.get("server"), settings["directory"]))
    elif settings.get("account") and found.get("account") != settings["account"]:
        result.update(issue=True, reason="the certificate's renewal settings name the ACME account %s, not %s (the "
                                         "given account key's)" % (found.get("account"), settings["account"]))
    return result


def files(settings: Mapping, hook_text: str, managed: str) -> list:
    """Our files beside certbot's, as the action writes them (no key among them)."""
    result = []
    if settings["ca"]:
        result.append({"path": CA_BUNDLE, "content": settings["ca"], "owner": "root", "group": "root",
                       "mode": "0644"})
        result.append({"path": DROP_IN, "owner": "root", "group": "root", "mode": "0644", "content": "\n".join([
            managed, "# certbot's timer renews the listener certificate of lync.reverse_proxy: it verifies the ACME",
            "# server with this CA bundle.", "[Service]", "Environment=REQUESTS_CA_BUNDLE=" + CA_BUNDLE])})
    result.append({"path": HOOK, "content": hook_text, "owner": "root", "group": "root", "mode": "0755"})
    return result


def _assemble(item: Mapping, sources: Mapping, target: str) -> list:
    return ["cat %s > %s" % (" ".join(sources[part] for part in item["parts"]), target),
            "chown root:%s %s" % (item["group"], target), "chmod %s %s" % (item["mode"], target)]


def hook(data, items: list, config_path: str, managed: str) -> str:
    """certbot's deploy hook for the lineage (``data``: the renderer's ProxyHost; ``items``:
    :func:`installed`): the new chain and key where the proxy reads them, the configuration checked
    with them, a reload without dropping connections; when the check fails, the files before are
    put back and the hook fails (certbot and the journal say so)."""
    validate = data.validate % shlex.quote(config_path)
    tls_dir = items[0]["path"].rsplit("/", 1)[0]
    sources = {part: '"$RENEWED_LINEAGE/%s"' % name for part, name in _PARTS.items()}
    lines = ["#!/bin/sh", managed,
             "# certbot runs this after it renewed a certificate: the lineage %s goes where %s reads" % (
                 LINEAGE, data.service),
             "# it, checked with its configuration, then a reload (no connection dropped). A certificate the",
             "# check refuses is taken back out: the one before keeps serving, and this hook fails.",
             "set -eu", 'case "${RENEWED_LINEAGE:-}" in', "  */%s) ;;" % LINEAGE, "  *) exit 0 ;;", "esac",
             "umask 077", "new=$(mktemp -d %s/.acme.XXXXXX)" % shlex.quote(tls_dir), "trap 'rm -rf \"$new\"' EXIT"]
    for index, item in enumerate(items):
        lines += _assemble(item, sources, '"$new/%d"' % index)
        lines.append('if [ -f %s ]; then cp -p %s "$new/%d.before"; fi' % ((shlex.quote(item["path"]),) * 2 + (index,)))
    lines += ['mv -f "$new/%d" %s' % (index, shlex.quote(item["path"])) for index, item in enumerate(items)]
    restore = ["  if [ -f \"$new/%d.before\" ]; then mv -f \"$new/%d.before\" %s; fi" % (
        index, index, shlex.quote(item["path"])) for index, item in enumerate(items)]
    # said on standard error (certbot's log) and to the journal
    lines += ["say() { echo \"%s: $1\" >&2; logger -t %s \"$1\" 2>/dev/null || true; }" % (LINEAGE, LINEAGE)]
    lines += ['if ! %s > "$new/check" 2>&1; then' % validate] + restore + [
        '  say "%s refused the renewed certificate ($(tr \'\\n\' \' \' < "$new/check")); the certificate before '
        'keeps serving"' % data.service,
        "  exit 1", "fi",
        "if systemctl is-active --quiet %s; then systemctl reload %s; fi" % (data.service, data.service),
        'say "installed the certificate of ${RENEWED_DOMAINS:-%s} for %s"' % (LINEAGE, data.service)]
    return "\n".join(lines)


def placeholder(items: list, name: str) -> str:
    """A shell script that makes a self-signed certificate (key made on the host) where the proxy
    reads the ACME one, when there is none yet: the proxy must run (and answer port 80) before the
    CA can validate anything."""
    sources = {"certificate": '"$tmp/crt"', "key": '"$tmp/key"'}
    lines = ["set -eu", "umask 077", "tmp=$(mktemp -d)", "trap 'rm -rf \"$tmp\"' EXIT",
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 7 -subj %s -addext %s "
             "-keyout \"$tmp/key\" -out \"$tmp/crt\" 2>/dev/null" % (
                 shlex.quote("/CN=" + name), shlex.quote("subjectAltName=DNS:" + name))]
    for item in items:
        lines += ["if [ ! -e %s ]; then" % shlex.quote(item["path"])]
        lines += ["  " + line for line in _assemble(item, sources, shlex.quote(item["path"]))] + ["fi"]
    return "\n".join(lines)


def log_read() -> list:
    """The command (argv) that reads the end of certbot's log on the host, after certbot failed."""
    return ["tail", "-c", str(LOG_TAIL), LOG]


# a record of certbot's log (certbot/_internal/log.py FILE_FMT "%(asctime)s:%(levelname)s:%(name)s:%(message)s"),
# its message running on to the next record
_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}:[A-Z]+:[\w.]+:", re.M)
# an ACME problem's type (RFC 8555, 6.7; ACME v1's prefix before it)
_PROBLEM = re.compile(r"(?:urn:ietf:params:acme:error:|urn:acme:error:)(\w{1,64})")
_DETAIL = 300


def _problem_in(document):
    """The first ACME problem document in a response's JSON: the response itself, or one it carries
    (a challenge's ``error`` in an authorization)."""
    if isinstance(document, dict):
        kind = document.get("type")
        found = _PROBLEM.fullmatch(kind) if isinstance(kind, str) else None
        if found:
            return found.group(1), document.get("detail")
        document = list(document.values())
    if isinstance(document, list):
        for item in document:
            found = _problem_in(item)
            if found:
                return found
    return None


def problem(log: str) -> dict | None:
    """The last ACME problem the CA answered certbot's last run with, from the end of certbot's log
    (:func:`log_read`): ``name`` (the type after ``urn:ietf:params:acme:error:``) and ``detail``, or
    None. Only the CA's responses are read (acme.client's "Received response:" records, their JSON
    after the headers); certbot's requests (JWS payloads, signatures) are never looked at. certbot
    appends each run to the log: the last run's records begin at its "certbot version:"; a last run
    whose arguments (the verb not among them) do not name the lineage (the timer's ``renew`` since) is
    not ours."""
    starts = [match.start() for match in _RECORD.finditer(log)]
    records = [log[start:end] for start, end in zip(starts, starts[1:] + [len(log)])]
    runs = [index for index, record in enumerate(records) if ":certbot._internal.main:certbot version: " in record]
    records = records[runs[-1]:] if runs else records
    ours = "'--cert-name', '%s'" % LINEAGE
    if any(":certbot._internal.main:Arguments: " in record and ours not in record for record in records):
        return None
    found = None
    for record in records:
        message = record[_RECORD.match(record).end():]
        if not message.startswith("Received response:\nHTTP "):
            continue
        try:
            said = _problem_in(json.loads(message.partition("\n\n")[2]))
        except ValueError:  # not JSON (a certificate, base64)
            continue
        if said:
            detail = " ".join(str(said[1] or "").split())
            found = {"name": said[0], "detail": detail if len(detail) <= _DETAIL else detail[:_DETAIL - 3] + "..."}
    return found


# certbot's lines that say what the CA said: its report of the challenges (Domain / Type / Detail), an
# account the CA would not register, an error certbot did not expect (what, on the line after)
_SAID = re.compile(r"\s*(Domain|Type|Detail|Error|An unexpected error|Certbot failed|Challenge failed|"
                   r"Unable to register)\b")
# an ACME problem (RFC 8555, 6.7) certbot shows by its detail only: the CA accepted none of the
# anti-replay nonces of certbot's requests (certbot asks once more with a fresh one, then gives up)
_BAD_NONCE = re.compile(r"\banti-replay nonce\b|\berror:badNonce\b")


def failure(answer: Mapping, names: list, settings: Mapping, answered: Mapping | None = None) -> str:
    """certbot's refusal as one sentence: the CA, the names, the CA's last ACME problem from certbot's
    log (``answered``: :func:`problem`), how the CA refused when certbot shows it by a detail only
    (badNonce), what certbot said of it (its lines)."""
    lines = "\n".join(str(answer.get(key) or "") for key in ("stderr", "stdout")).splitlines()
    detail = []
    for index, line in enumerate(lines):
        if not _SAID.match(line):
            continue
        said = " ".join(line.split())
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if said.endswith(":") and following and not _SAID.match(following):
            said += " " + " ".join(following.split())
        detail.append(said.rstrip(":"))
    said = "; ".join(dict.fromkeys(detail)) or (answer.get("msg") or "\n".join(lines).strip()[-500:] or "no output")
    how = (" (it refused certbot's requests as badNonce: it accepted no anti-replay nonce of theirs, nor the fresh "
           "one of certbot's retry)") if _BAD_NONCE.search(said) or (answered or {}).get("name") == "badNonce" else ""
    if answered:
        # the detail once: certbot's lines often repeat it
        own = answered["detail"].rstrip(".") if answered["detail"] and answered["detail"] not in said else ""
        said = "the CA answered %s%s; certbot said: %s" % (answered["name"], ": " + own if own else "", said)
    return ("the ACME CA at %s did not issue the listener certificate for %s%s: %s. The proxy keeps serving the "
            "certificate it had (certbot's log: %s)" % (settings["directory"], ", ".join(names), how, said, LOG))
