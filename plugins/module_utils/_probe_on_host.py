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
import socket
import ssl
import time

__all__ = ["ENDPOINT_OPTIONS", "certificate_names", "probe", "probe_all"]

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
    "ca_data": {"type": "str"},
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


# Certificate names are read with public interfaces only: SSLSocket.getpeercert() decodes the
# certificate of a verified connection; the certificate of a connection that was not verified
# (getpeercert() then returns an empty dict) is read from its DER bytes by the small reader below
# (standard library only: it runs on any managed host, and importing cryptography there costs more
# than the whole probe).

# DER tags of what the reader needs.
_SEQUENCE, _SET, _OID, _OCTET_STRING, _BOOLEAN = 0x30, 0x31, 0x06, 0x04, 0x01
_EXPLICIT_0, _EXPLICIT_3, _DNS_NAME = 0xA0, 0xA3, 0x82
_OID_COMMON_NAME = bytes((0x55, 0x04, 0x03))           # 2.5.4.3
_OID_SUBJECT_ALT_NAME = bytes((0x55, 0x1D, 0x11))      # 2.5.29.17
# The string types a commonName comes in, and how each is encoded.
_STRINGS = {0x0C: "utf-8", 0x13: "ascii", 0x16: "ascii", 0x14: "latin-1", 0x1E: "utf-16-be", 0x1C: "utf-32-be"}


def _tlv(data: bytes, offset: int) -> tuple:
    """(tag, start of the content, end of the content) of the DER element at ``offset``."""
    if offset + 2 > len(data):
        raise ValueError("truncated DER element at %d" % offset)
    tag, length = data[offset], data[offset + 1]
    if tag & 0x1F == 0x1F:
        raise ValueError("multi-byte DER tag at %d" % offset)
    start = offset + 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or start + count > len(data):
            raise ValueError("bad DER length at %d" % offset)
        length = int.from_bytes(data[start:start + count], "big")
        start += count
    if start + length > len(data):
        raise ValueError("DER element at %d runs past its container" % offset)
    return tag, start, start + length


def _children(data: bytes, start: int, end: int) -> list:
    """The elements inside a constructed element's content, as (tag, start, end)."""
    found = []
    while start < end:
        element = _tlv(data, start)
        if element[2] > end:
            raise ValueError("DER element at %d runs past its container" % start)
        found.append(element)
        start = element[2]
    return found


def _expect(element: tuple, tag: int, what: str) -> tuple:
    if element[0] != tag:
        raise ValueError("%s: DER tag 0x%02x, expected 0x%02x" % (what, element[0], tag))
    return element


def certificate_names(der: bytes) -> list:
    """The DNS names a certificate (DER) carries - its subjectAltName DNS entries, sorted, else
    its subject's commonName(s) - read without verifying it, as getpeercert() reports them for a
    verified connection. ValueError when the DER is not an X.509 certificate."""
    try:
        return _read_names(bytes(der))
    except IndexError:  # a constructed element without the parts it must have
        raise ValueError("not an X.509 certificate: an element lacks its parts") from None


def _read_names(data: bytes) -> list:
    certificate = _expect(_tlv(data, 0), _SEQUENCE, "certificate")
    tbs = _expect(_children(data, certificate[1], certificate[2])[0], _SEQUENCE, "tbsCertificate")
    fields = _children(data, tbs[1], tbs[2])
    if fields and fields[0][0] == _EXPLICIT_0:  # version
        fields = fields[1:]
    # serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, then optional fields
    if len(fields) < 6:
        raise ValueError("tbsCertificate has %d fields, expected at least 6" % len(fields))
    subject = _expect(fields[4], _SEQUENCE, "subject")
    dns = []
    for field in fields[6:]:
        if field[0] != _EXPLICIT_3:
            continue
        extensions = _expect(_children(data, field[1], field[2])[0], _SEQUENCE, "extensions")
        for extension in _children(data, extensions[1], extensions[2]):
            parts = _children(data, extension[1], extension[2])
            oid = _expect(parts[0], _OID, "extension id")
            if data[oid[1]:oid[2]] != _OID_SUBJECT_ALT_NAME:
                continue
            value = _expect(parts[-1], _OCTET_STRING, "extension value")
            names = _expect(_tlv(data, value[1]), _SEQUENCE, "subjectAltName")
            dns.extend(data[start:end].decode("ascii") for tag, start, end in _children(data, names[1], names[2])
                       if tag == _DNS_NAME)
    if dns:
        return sorted(dns)
    common = []
    for rdn in _children(data, subject[1], subject[2]):
        for attribute in _children(data, *_expect(rdn, _SET, "relative distinguished name")[1:]):
            oid, value = _children(data, *_expect(attribute, _SEQUENCE, "attribute")[1:])[:2]
            if oid[0] == _OID and data[oid[1]:oid[2]] == _OID_COMMON_NAME and value[0] in _STRINGS:
                common.append(data[value[1]:value[2]].decode(_STRINGS[value[0]]))
    return common


def _names_from_der(der: bytes) -> list:
    """certificate_names, or none when the certificate cannot be read (the probe goes on)."""
    try:
        return certificate_names(der)
    except ValueError:  # UnicodeDecodeError included
        return []


def _names_of(tls) -> list:
    """The names of the peer's certificate: decoded by the ssl module when the connection was
    verified, else read from the certificate's DER bytes."""
    decoded = tls.getpeercert()
    if decoded:
        return _names_from_dict(decoded)
    return _names_from_der(tls.getpeercert(binary_form=True))


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
    context = ssl.create_default_context(cafile=endpoint.get("ca_path") or None, cadata=endpoint.get("ca_data") or None)
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
                return _names_of(tls)
    except (OSError, ValueError):
        return []


def _tls(sock, endpoint: dict, row: dict, timeout: float = 5.0):
    server_name = endpoint.get("server_name") or None
    if endpoint.get("ca_path") or endpoint.get("ca_data"):
        # Relaxed only for the CA file named to be relaxed, never by default.
        relaxed = bool(endpoint.get("relax_strict_x509_ca")) and endpoint.get("relax_strict_x509_ca") == endpoint.get("ca_path")
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
                "reissue it, or set relax_strict_x509_ca to %s to accept it" % (
                    reason, endpoint.get("ca_path") or "the CA file given as ca_path"))
        raise
    row["tls_version"] = tls.version()
    row["tls_verified"] = verified
    row["certificate_names"] = _names_of(tls)
    if endpoint.get("certificate"):
        row["certificate"] = ssl.DER_cert_to_PEM_cert(tls.getpeercert(binary_form=True))
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
