# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The probe logic against real sockets on this host's loopback: open, refused, timeout, TLS
trusted or not, right or wrong certificate name, HTTP status and redirects."""

from __future__ import annotations

import datetime
import http.server
import socket
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.lync.reverse_proxy.plugins.module_utils._probe_on_host import probe, probe_all


def _certificate(tmp_path, name, issuer_key=None, issuer_name=None, ca=False, strict=True):
    """A certificate; ``strict`` gives it what strict X.509 verification requires (key identifiers,
    key usage), as a well-kept CA issues them."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name or subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if strict:
        signer = (issuer_key or key).public_key()
        builder = (builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer), critical=False)
                   .add_extension(x509.KeyUsage(digital_signature=not ca, content_commitment=False, key_encipherment=False,
                                                data_encipherment=False, key_agreement=False, key_cert_sign=ca,
                                                crl_sign=ca, encipher_only=False, decipher_only=False), critical=True))
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
    cert = builder.sign(issuer_key or key, hashes.SHA256())
    cert_path, key_path = tmp_path / (name + ".crt"), tmp_path / (name + ".key")
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return key, subject, cert_path, key_path


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):  # pylint: disable=invalid-name
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "https://%s/moved" % self.headers["Host"])
        else:
            self.send_response(200 if self.headers["Host"] == "webext.contoso.com" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pki")
    ca_key, ca_name, ca_path, dummy = _certificate(tmp, "Test CA", ca=True)
    other_key, other_name, other_ca, dummy = _certificate(tmp, "Other CA", ca=True)
    dummy, dummy, cert, key = _certificate(tmp, "webext.contoso.com", ca_key, ca_name)
    # A private CA of the old kind: no key identifiers, no key usage. Only strict rules reject it.
    lax = tmp_path_factory.mktemp("lax-pki")
    lax_key, lax_name, lax_ca, dummy = _certificate(lax, "Lax CA", ca=True, strict=False)
    dummy, dummy, lax_cert, lax_cert_key = _certificate(lax, "webext.contoso.com", lax_key, lax_name, strict=False)
    started = []

    def serve(tls, chain=(cert, key)):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*chain)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return server.server_address[1]

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections, never answers: a TLS handshake times out
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()  # nothing listens there: refused
    yield {"https": serve(True), "http": serve(False), "silent": silent.getsockname()[1], "closed": closed_port,
           "ca": str(ca_path), "other_ca": str(other_ca), "lax": serve(True, (lax_cert, lax_cert_key)),
           "lax_ca": str(lax_ca)}
    for server in started:
        server.shutdown()
    silent.close()


def _endpoint(servers, kind, **extra):
    return dict({"address": "127.0.0.1", "port": servers[kind]}, **extra)


def test_https_with_trusted_certificate_and_status(servers):
    row = probe(_endpoint(servers, "https", tls=True, server_name="webext.contoso.com", ca_path=servers["ca"],
                          http={"path": "/", "expect_status": [200]}))
    assert row["ok"] is True, row
    assert row["reachable"] and row["connect_ms"] >= 0
    assert row["tls_verified"] is True and row["tls_version"] in ("TLSv1.2", "TLSv1.3")
    assert row["certificate_names"] == ["webext.contoso.com"]
    assert row["http_status"] == 200


def test_a_ca_given_as_text_verifies_as_the_file_does(servers):
    with open(servers["ca"], encoding="ascii") as handle:
        pem = handle.read()
    row = probe(_endpoint(servers, "https", tls=True, server_name="webext.contoso.com", ca_data=pem,
                          http={"path": "/", "expect_status": [200]}))
    assert row["ok"] is True, row
    assert row["tls_verified"] is True and row["tls_strict"] is True
    with open(servers["other_ca"], encoding="ascii") as handle:
        other = handle.read()
    row = probe(_endpoint(servers, "https", tls=True, server_name="webext.contoso.com", ca_data=other))
    assert row["ok"] is False and "certificate not trusted or wrong name" in row["error"], row


def test_a_strict_rejection_of_a_ca_given_as_text_says_how_to_relax(servers):
    with open(servers["lax_ca"], encoding="ascii") as handle:
        pem = handle.read()
    row = probe(_endpoint(servers, "lax", tls=True, server_name="webext.contoso.com", ca_data=pem,
                          relax_strict_x509_ca=servers["lax_ca"]))
    assert row["ok"] is False and row["tls_strict_rejected"] is True, row
    assert "set relax_strict_x509_ca to the CA file given as ca_path to accept it" in row["error"]


@pytest.mark.parametrize(
    "extra, words",
    [
        ({"ca_path": "other_ca", "server_name": "webext.contoso.com"}, "certificate not trusted or wrong name"),
        ({"ca_path": "ca", "server_name": "meet.contoso.com"},
         "certificate does not carry meet.contoso.com (it carries webext.contoso.com)"),
        ({"server_name": "meet.contoso.com"}, "certificate does not carry meet.contoso.com"),
    ],
)
def test_tls_failures(servers, extra, words):
    if "ca_path" in extra:
        extra = dict(extra, ca_path=servers[extra["ca_path"]])
    row = probe(_endpoint(servers, "https", tls=True, **extra))
    assert row["ok"] is False
    assert words in row["error"], row


def test_the_certificate_is_returned_when_asked(servers):
    from cryptography import x509 as _x509  # pylint: disable=import-outside-toplevel

    row = probe(_endpoint(servers, "https", tls=True, server_name="webext.contoso.com", ca_path=servers["ca"],
                          certificate=True))
    assert row["ok"] is True, row
    served = _x509.load_pem_x509_certificate(row["certificate"].encode())
    names = served.extensions.get_extension_for_class(_x509.SubjectAlternativeName).value.get_values_for_type(_x509.DNSName)
    assert names == ["webext.contoso.com"]
    assert "certificate" not in probe(_endpoint(servers, "https", tls=True, server_name="webext.contoso.com",
                                                ca_path=servers["ca"]))


def test_wrong_status_and_redirect_target(servers):
    row = probe(_endpoint(servers, "http", http={"host": "unknown.invalid", "expect_status": [200]}))
    assert (row["ok"], row["http_status"], row["error"]) == (False, 404, "HTTP 404, expected 200")
    row = probe(_endpoint(servers, "http", http={"host": "webext.contoso.com", "path": "/moved",
                                                 "expect_status": [301], "expect_location": "https://webext.contoso.com/"}))
    assert row["ok"] is True and row["http_location"] == "https://webext.contoso.com/moved"
    row = probe(_endpoint(servers, "http", http={"host": "webext.contoso.com", "path": "/moved",
                                                 "expect_location": "https://meet.contoso.com/"}))
    assert row["ok"] is False and row["error"].startswith("redirect to 'https://webext.contoso.com/moved'")


def test_refused_and_closed(servers):
    assert probe(_endpoint(servers, "closed", expect="closed"))["ok"] is True
    row = probe(_endpoint(servers, "closed"))
    assert (row["ok"], row["reachable"], row["error"]) == (False, False, "refused")
    row = probe(_endpoint(servers, "http", expect="closed"))
    assert (row["ok"], row["error"]) == (False, "open, expected closed")


def test_timeout_is_bounded(servers):
    row = probe(_endpoint(servers, "silent", tls=True), timeout=0.5)
    assert (row["ok"], row["reachable"], row["error"]) == (False, True, "timeout")


def test_probe_all_keeps_order_and_runs_concurrently(servers):
    endpoints = [_endpoint(servers, "silent", tls=True, name="slow %d" % i) for i in range(4)]
    endpoints.append(_endpoint(servers, "closed", expect="closed", name="closed"))
    rows = probe_all(endpoints, timeout=0.5, concurrency=8)
    assert [row["name"] for row in rows] == ["slow 0", "slow 1", "slow 2", "slow 3", "closed"]
    assert probe_all([]) == []


def test_a_certificate_only_strict_rules_reject_is_said_so(servers):
    """The same on Python 3.11 and 3.13: strict X.509 verification everywhere."""
    row = probe(_endpoint(servers, "lax", tls=True, server_name="webext.contoso.com", ca_path=servers["lax_ca"]))
    assert row["ok"] is False and row["tls_strict_rejected"] is True, row
    assert row["error"].startswith("certificate rejected by strict X.509 verification")
    assert "relax_strict_x509_ca to %s" % servers["lax_ca"] in row["error"]


def test_strictness_is_relaxed_for_the_named_ca_only(servers):
    relaxed = probe(_endpoint(servers, "lax", tls=True, server_name="webext.contoso.com", ca_path=servers["lax_ca"],
                              relax_strict_x509_ca=servers["lax_ca"]))
    assert relaxed["ok"] is True and relaxed["tls_strict"] is False, relaxed
    other = probe(_endpoint(servers, "lax", tls=True, server_name="webext.contoso.com", ca_path=servers["lax_ca"],
                            relax_strict_x509_ca=servers["ca"]))
    assert other["ok"] is False and other["tls_strict"] is True, other


def test_an_untrusted_certificate_is_not_called_a_strictness_problem(servers):
    row = probe(_endpoint(servers, "lax", tls=True, server_name="webext.contoso.com", ca_path=servers["ca"]))
    assert row["ok"] is False and "tls_strict_rejected" not in row, row
    assert row["error"].startswith("certificate not trusted or wrong name")
