# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reachability probes: TCP, TLS with SNI, one HTTP request. PRIVATE to the lync.reverse_proxy collection.

Only the standard library, so it runs on any managed host. Each probe is bounded by its timeout;
probes run concurrently in a bounded thread pool.
"""

from __future__ import annotations

import concurrent.futures
import http.client
import os
import socket
import ssl
import tempfile
import time

__all__ = ["ENDPOINT_OPTIONS", "probe", "probe_all"]

# The options of one endpoint (port_probe's endpoints; host_info's probe is validated against them).
ENDPOINT_OPTIONS = {
    "name": {"type": "str"},
    "address": {"type": "str", "required": True},
    "port": {"type": "int", "required": True},
    "expect": {"type": "str", "choices": ["open", "closed"], "default": "open"},
    "tls": {"type": "bool", "default": False},
    "certificate": {"type": "bool", "default": False},
    "server_name": {"type": "str"},
    "ca_path": {"type": "path"},
    "relax_strict_x509_ca": {"type": "path"},
    "http": {
        "type": "dict",
        "options": {
            "method": {"type": "str", "default": "GET"},
            "path": {"type": "str", "default": "/"},
            "host": {"type": "str"},
            "expect_status": {"type": "list", "elements": "int", "default": []},
            "expect_location": {"type": "str"},
        },
    },
}


# The names are read by the standard library's own certificate decoder (the one behind
# getpeercert(), reached through a PEM file); only where a Python lacks it, cryptography reads them
# (imported then: on these hosts it costs more than the whole probe).
_X509 = []


def _cryptography_x509():
    if not _X509:
        try:
            from cryptography import x509  # pylint: disable=import-outside-toplevel
        except ImportError:  # pragma: no cover - depends on the host
            x509 = None
        _X509.append(x509)
    return _X509[0]


def _names_from_der(der: bytes, decoder=None) -> list:
    """DNS names (subjectAltName, else the subject CN) of a certificate, without verifying it.

    ``decoder``: the standard library's by default; False reads with cryptography."""
    if decoder is None:
        decoder = getattr(ssl._ssl, "_test_decode_cert", None)  # pylint: disable=protected-access
    if decoder:
        with tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False) as handle:
            handle.write(ssl.DER_cert_to_PEM_cert(der))
        try:
            return _names_from_dict(decoder(handle.name))
        finally:
            os.unlink(handle.name)
    _x509 = _cryptography_x509()
    if _x509 is None:  # pragma: no cover - depends on the host
        return []
    cert = _x509.load_der_x509_certificate(der)
    try:
        return sorted(cert.extensions.get_extension_for_class(_x509.SubjectAlternativeName)
                      .value.get_values_for_type(_x509.DNSName))
    except _x509.ExtensionNotFound:
        return [attr.value for attr in cert.subject.get_attributes_for_oid(_x509.NameOID.COMMON_NAME)]


def _names_from_dict(decoded: dict) -> list:
    names = sorted(value for kind, value in decoded.get("subjectAltName", ()) if kind == "DNS")
    if names:
        return names
    return [value for rdn in decoded.get("subject", ()) for key, value in rdn if key == "commonName"]


def _classify(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timeout"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "certificate not trusted or wrong name: %s" % (exc.verify_message or exc.reason or exc)
    if isinstance(exc, ssl.SSLError):
        return "TLS: %s" % (exc.reason or exc)
    if isinstance(exc, socket.gaierror):
        return "name resolution: %s" % exc
    return "%s: %s" % (type(exc).__name__, exc)


def probe(endpoint: dict, timeout: float = 5.0) -> dict:
    """Probe one endpoint and say whether its expectation holds."""
    row = {
        "name": endpoint.get("name") or "%s:%s" % (endpoint["address"], endpoint["port"]),
        "address": endpoint["address"],
        "port": int(endpoint["port"]),
        "expect": endpoint.get("expect") or "open",
        "reachable": False,
        "connect_ms": None,
        "tls_version": None,
        "tls_verified": None,
        "certificate_names": None,
        "http_status": None,
        "http_location": None,
        "error": None,
    }
    start = time.monotonic()
    try:
        sock = socket.create_connection((endpoint["address"], row["port"]), timeout=timeout)
    except (OSError, ValueError) as exc:
        row["error"] = _classify(exc)
        row["ok"] = row["expect"] == "closed"
        return row
    row["reachable"] = True
    row["connect_ms"] = round((time.monotonic() - start) * 1000.0, 2)
    if row["expect"] == "closed":
        sock.close()
        row["error"] = "open, expected closed"
        row["ok"] = False
        return row
    try:
        if endpoint.get("tls"):
            sock = _tls(sock, endpoint, row, timeout)
        if endpoint.get("http"):
            _http(sock, endpoint, row, timeout)
    except (OSError, ValueError, http.client.HTTPException) as exc:
        row["error"] = row["error"] or _classify(exc)
    finally:
        sock.close()
    row["ok"] = row["error"] is None
    return row


# Strict X.509 verification (RFC 5280 rules OpenSSL otherwise lets pass: Authority and Subject Key
# Identifiers, a critical basicConstraints on CAs, ...): Python 3.13 turns it on by default; the
# probe turns it on everywhere, so that it behaves the same on every Python.
_STRICT = getattr(ssl, "VERIFY_X509_STRICT", 0)


def _context(endpoint: dict, strict: bool):
    context = ssl.create_default_context(cafile=endpoint["ca_path"])
    context.check_hostname = bool(endpoint.get("server_name"))
    if strict:
        context.verify_flags |= _STRICT
    else:
        context.verify_flags &= ~_STRICT
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _verifies_without_strict(endpoint: dict, timeout: float) -> bool:
    """A second connection, verified without the strict rules: was strictness the only objection?"""
    try:
        with socket.create_connection((endpoint["address"], int(endpoint["port"])), timeout=timeout) as sock:
            with _context(endpoint, strict=False).wrap_socket(sock, server_hostname=endpoint.get("server_name") or None):
                return True
    except (OSError, ValueError):
        return False


# OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH: the chain is trusted, the name is not on the certificate.
_HOSTNAME_MISMATCH = 62


def _names_unverified(endpoint: dict, timeout: float) -> list:
    """The DNS names of the certificate presented for the endpoint's SNI, read without verifying."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((endpoint["address"], int(endpoint["port"])), timeout=timeout) as sock:
            with context.wrap_socket(sock, server_hostname=endpoint.get("server_name") or None) as tls:
                return _names_from_der(tls.getpeercert(binary_form=True))
    except (OSError, ValueError):
        return []


def _tls(sock, endpoint: dict, row: dict, timeout: float = 5.0):
    server_name = endpoint.get("server_name") or None
    if endpoint.get("ca_path"):
        # Relaxed only for the CA named to be relaxed, never by default.
        relaxed = bool(endpoint.get("relax_strict_x509_ca")) and endpoint.get("relax_strict_x509_ca") == endpoint["ca_path"]
        context = _context(endpoint, strict=not relaxed)
        row["tls_strict"] = not relaxed
        verified = True
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        verified = False
    try:
        tls = context.wrap_socket(sock, server_hostname=server_name)
    except ssl.SSLCertVerificationError as exc:
        if getattr(exc, "verify_code", None) == _HOSTNAME_MISMATCH and server_name:
            carried = _names_unverified(endpoint, timeout)
            row["certificate_names"] = carried
            row["error"] = "certificate does not carry %s (it carries %s)" % (
                server_name, " ".join(carried) if carried else "no DNS name")
        if verified and row.get("tls_strict") and _STRICT and _verifies_without_strict(endpoint, timeout):
            row["tls_strict_rejected"] = True
            reason = exc.verify_message or exc.reason or exc
            row["error"] = (
                "certificate rejected by strict X.509 verification (%s); it verifies without the strict rules: the "
                "CA or the certificate lacks what RFC 5280 requires (e.g. Authority and Subject Key Identifiers); "
                "reissue it, or set relax_strict_x509_ca to %s to accept it" % (reason, endpoint["ca_path"]))
        raise
    row["tls_version"] = tls.version()
    row["tls_verified"] = verified
    der = tls.getpeercert(binary_form=True)
    row["certificate_names"] = _names_from_der(der)
    if endpoint.get("certificate"):
        row["certificate"] = ssl.DER_cert_to_PEM_cert(der)
    if server_name and not verified and not any(_matches(server_name, n) for n in row["certificate_names"]):
        row["error"] = "certificate does not carry %s" % server_name
    return tls


def _matches(name: str, pattern: str) -> bool:
    name, pattern = name.lower(), pattern.lower()
    if pattern.startswith("*."):
        return "." in name and name.split(".", 1)[1] == pattern[2:]
    return name == pattern


def _http(sock, endpoint: dict, row: dict, timeout: float) -> None:
    request = endpoint["http"]
    host = request.get("host") or endpoint.get("server_name") or endpoint["address"]
    connection = http.client.HTTPConnection(host, row["port"], timeout=timeout)
    connection.sock = sock
    connection.request(request.get("method") or "GET", request.get("path") or "/", headers={"Host": host})
    response = connection.getresponse()
    response.read(65536)
    row["http_status"] = response.status
    row["http_location"] = response.getheader("Location")
    expected = request.get("expect_status") or []
    if expected and response.status not in expected:
        row["error"] = "HTTP %d, expected %s" % (response.status, ", ".join(str(s) for s in expected))
    location = request.get("expect_location")
    if location and not (row["http_location"] or "").startswith(location):
        row["error"] = row["error"] or "redirect to %r, expected %r" % (row["http_location"], location)


def probe_all(endpoints: list, timeout: float = 5.0, concurrency: int = 16) -> list:
    """Probe every endpoint, at most ``concurrency`` at once; rows in the order given."""
    if not endpoints:
        return []
    workers = max(1, min(int(concurrency), len(endpoints), 64))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda endpoint: probe(endpoint, timeout), endpoints))
