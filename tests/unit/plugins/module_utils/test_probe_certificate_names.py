# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The names of a certificate as the probes read them: the DER reader of _probe_on_host against
what cryptography reads from the same certificates (made here with cryptography), and against
what the ssl module's getpeercert() reports for a verified connection that served them."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _probe_on_host
from ansible_collections.lync.reverse_proxy.plugins.module_utils._probe_on_host import certificate_names, probe

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = datetime.datetime.now(datetime.timezone.utc)
CA_KEY = ec.generate_private_key(ec.SECP256R1())
CA_NAME = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Names Test CA")])
CA = (x509.CertificateBuilder().subject_name(CA_NAME).issuer_name(CA_NAME).public_key(CA_KEY.public_key())
      .serial_number(x509.random_serial_number()).not_valid_before(NOW - datetime.timedelta(minutes=5))
      .not_valid_after(NOW + datetime.timedelta(days=1))
      .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
      .add_extension(x509.SubjectKeyIdentifier.from_public_key(CA_KEY.public_key()), critical=False)
      .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                   data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                   encipher_only=False, decipher_only=False), critical=True)
      .sign(CA_KEY, hashes.SHA256()))


def _issue(subject, alt_names=None, key=None):
    """A certificate of the test CA (what strict verification asks for included)."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(CA_NAME).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(NOW - datetime.timedelta(minutes=5))
               .not_valid_after(NOW + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(CA_KEY.public_key()), critical=False))
    if alt_names is not None:
        builder = builder.add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
    return builder.sign(CA_KEY, hashes.SHA256()), key


def _cn(*values, kind=None):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, value, **({"_type": kind} if kind else {}))
                      for value in values])


def _by_cryptography(cert) -> list:
    """The names as cryptography reads them, with getpeercert()'s rule: DNS alt names, else the CNs."""
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        names = []
    return sorted(names) or [attribute.value for attribute in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]


def _der(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


# Each case: subject, alt names (None: no extension), key, the names expected.
CASES = {
    "several names, a wildcard": (_cn("webext.contoso.com"), [x509.DNSName(n) for n in
                                  ("webext.contoso.com", "dialin.contoso.com", "*.contoso.com")], None,
                                  ["*.contoso.com", "dialin.contoso.com", "webext.contoso.com"]),
    "no subjectAltName: the CN": (_cn("sip.contoso.com"), None, None, ["sip.contoso.com"]),
    "only an IP alt name: the CN": (_cn("rp01.contoso.com"), [x509.IPAddress(ipaddress.ip_address("198.51.100.10"))],
                                    None, ["rp01.contoso.com"]),
    "DNS beside IP and e-mail": (_cn("x"), [x509.IPAddress(ipaddress.ip_address("2001:db8::1")),
                                            x509.DNSName("meet.contoso.com"), x509.RFC822Name("a@contoso.com")],
                                 None, ["meet.contoso.com"]),
    "an RSA key": (_cn("webext.contoso.com"), [x509.DNSName("webext.contoso.com")],
                   rsa.generate_private_key(public_exponent=65537, key_size=2048), ["webext.contoso.com"]),
    "a UTF-8 CN": (_cn("zürich.contoso.com"), None, None, ["zürich.contoso.com"]),
    "a PrintableString CN": (_cn("lync.contoso.com", kind=x509.name._ASN1Type.PrintableString), None, None,
                             ["lync.contoso.com"]),
    "two CNs": (_cn("a.contoso.com", "b.contoso.com"), None, None, ["a.contoso.com", "b.contoso.com"]),
    "300 names (long DER lengths)": (_cn("x"), [x509.DNSName("host%03d.lyncdiscover.contoso.com" % i) for i in range(300)],
                                     None, sorted("host%03d.lyncdiscover.contoso.com" % i for i in range(300))),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_der_reader_reads_what_cryptography_reads(case):
    subject, alt_names, key, expected = CASES[case]
    cert, dummy = _issue(subject, alt_names, key)
    assert certificate_names(_der(cert)) == expected
    assert _by_cryptography(cert) == expected


@pytest.fixture(scope="module", name="served")
def fixture_served(tmp_path_factory):
    """Every case's certificate served over TLS on the loopback (each its own port)."""
    tmp = tmp_path_factory.mktemp("names")
    ca_path = tmp / "ca.crt"
    ca_path.write_bytes(CA.public_bytes(serialization.Encoding.PEM))
    servers, ports = [], {}
    for case, (subject, alt_names, key, dummy) in CASES.items():
        cert, key = _issue(subject, alt_names, key)
        chain = tmp / ("%d.pem" % len(ports))
        chain.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        servers.append(listener)
        ports[case] = listener.getsockname()[1]
        threading.Thread(target=_serve, args=(listener, context), daemon=True).start()
    yield {"ca": str(ca_path), "ports": ports}
    for listener in servers:
        listener.close()


def _serve(listener, context):
    while True:
        try:
            connection, dummy = listener.accept()
        except OSError:
            return
        try:
            with context.wrap_socket(connection, server_side=True) as tls:
                tls.recv(1)
        except (OSError, ssl.SSLError):
            pass
        finally:
            connection.close()


@pytest.mark.parametrize("case", sorted(CASES))
def test_verified_and_unverified_connections_report_the_same_names(served, case):
    """Verified: getpeercert()'s own decoding; not verified: the DER reader. Both as expected."""
    endpoint = {"address": "127.0.0.1", "port": served["ports"][case], "tls": True}
    verified = probe(dict(endpoint, ca_path=served["ca"]), timeout=5)
    unverified = probe(endpoint, timeout=5)
    assert verified["tls_verified"] is True and verified["ok"], verified
    assert unverified["tls_verified"] is False and unverified["ok"], unverified
    assert verified["certificate_names"] == unverified["certificate_names"] == CASES[case][3]


DNS_LABEL = st.from_regex(r"\A[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?\Z")
DNS_NAMES = st.lists(st.builds(".".join, st.lists(DNS_LABEL, min_size=1, max_size=4)), min_size=1, max_size=40)


@SETTINGS
@given(DNS_NAMES)
def test_any_dns_names_are_read_back(names):
    cert, dummy = _issue(_cn("x"), [x509.DNSName(name) for name in names])
    assert certificate_names(_der(cert)) == sorted(names)


GOOD = _der(_issue(_cn("webext.contoso.com"), [x509.DNSName("webext.contoso.com")])[0])


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.binary(max_size=200),
                 st.integers(0, len(GOOD) - 1).map(lambda cut: GOOD[:cut]),
                 st.tuples(st.integers(0, len(GOOD) - 1), st.integers(0, 255)).map(
                     lambda change: GOOD[:change[0]] + bytes((change[1],)) + GOOD[change[0] + 1:])))
def test_what_is_not_a_certificate_gives_no_names_and_no_exception(data):
    """Garbage, truncated or altered DER: certificate_names raises ValueError (or reads names that
    are still there); the probe's reader returns a list, never raises."""
    try:
        names = certificate_names(data)
    except ValueError:
        names = None
    assert names is None or isinstance(names, list)
    assert isinstance(_probe_on_host._names_from_der(data), list)  # pylint: disable=protected-access
