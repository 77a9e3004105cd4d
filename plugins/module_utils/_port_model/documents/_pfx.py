# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a listener PFX and a PEM file of CA certificates carry, read on the controller. PRIVATE to
the lync.reverse_proxy collection.

A PFX exported with its chain holds the listener certificate (the one whose public key matches
the private key) and CA certificates; Windows imports them all into the store it is given. IIS
must be bound to the listener certificate, and the chain belongs in the Root (self-signed) and CA
(intermediate) stores, never in My.

A PEM file may hold several certificates (a bundle), but X509Certificate2Collection.Import on the
.NET Framework that Windows PowerShell 5.1 runs on reads only the first one of a PEM file, so an
import through it (ansible.windows.win_certificate_store with file_type pem) silently drops the
others. The certificates are split here, one by one, and the role adds each by itself.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._errors import (
    MissingLibraryError,
    PortModelError,
)

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
except ImportError:  # pragma: no cover - exercised through the missing-library tests
    pkcs12 = None

__all__ = ["pem_certificates", "pfx_certificates"]

_STORES = ("Root", "CA")
_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----\s*(.*?)\s*-----END \1-----", re.S)


def _public(key) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _describe(certificate) -> dict:
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
            x509.DNSName)
    except x509.ExtensionNotFound:
        names = []
    return {
        "thumbprint": certificate.fingerprint(hashes.SHA1()).hex().upper(),  # nosec - Windows names certificates so
        "subject": certificate.subject.rfc4514_string(),
        "issuer": certificate.issuer.rfc4514_string(),
        "self_signed": certificate.subject == certificate.issuer,
        "dns_names": sorted(names),
        "not_after": certificate.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _public_part(certificate) -> dict:
    """The description, and the certificate itself (DER, base64) for a store to add."""
    entry = _describe(certificate)
    entry["der"] = base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()
    return entry


def pfx_certificates(data, password: str = "", names=None) -> dict:
    """``{listener: {...}, chain: [{..., store}], missing_names: [...]}`` of a PFX (bytes, base64
    text, or ansible.builtin.slurp's result); ``names`` are those the listener must carry."""
    if pkcs12 is None:
        raise MissingLibraryError("cryptography", "to read the listener PFX")
    if isinstance(data, Mapping) and "content" in data:
        data = data["content"]
    if isinstance(data, str):
        try:
            data = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise PortModelError("the PFX is neither bytes nor base64 text") from None
    if not isinstance(data, bytes):
        raise PortModelError("expected the PFX as bytes, base64 text or a slurp result, got %s" % type(data).__name__)
    try:
        key, certificate, extra = pkcs12.load_key_and_certificates(data, (password or "").encode() or None)
    except ValueError:
        raise PortModelError("the PFX cannot be read: wrong password, or not a PKCS#12 file") from None
    certificates = ([certificate] if certificate is not None else []) + list(extra or [])
    if key is None:
        raise PortModelError("the PFX carries no private key: IIS needs the listener certificate with its key")
    matching = [c for c in certificates if _public(c.public_key()) == _public(key.public_key())]
    if len(matching) != 1:
        raise PortModelError("the PFX has %d certificates matching its private key; it needs exactly one" % len(matching))
    listener = _describe(matching[0])
    chain = []
    for other in certificates:
        if other is matching[0]:
            continue
        entry = _public_part(other)
        entry["store"] = "Root" if entry["self_signed"] else "CA"
        chain.append(entry)
    wanted = sorted(set(names or []))
    carried = set(listener["dns_names"])
    wildcards = {name[2:] for name in carried if name.startswith("*.")}
    missing = [name for name in wanted if name not in carried and name.split(".", 1)[-1] not in wildcards]
    return {"listener": listener, "chain": chain, "missing_names": missing}


def pem_certificates(text, store: str = "Root", source: str = "the PEM file") -> list:
    """Every certificate of a PEM file (one or a bundle), in file order, each with ``store`` (the
    LocalMachine store it goes to: Root or CA) and its DER as base64. ``source`` names the file
    in errors. Anything in it but certificates (a private key, say) is refused: a CA file has none."""
    if pkcs12 is None:
        raise MissingLibraryError("cryptography", "to read the CA certificates")
    if store not in _STORES:
        raise PortModelError("store must be one of %s, got %r" % (", ".join(_STORES), store))
    if not isinstance(text, str):
        raise PortModelError("%s: expected PEM text, got %s" % (source, type(text).__name__))
    blocks = _PEM_BLOCK.findall(text)
    others = sorted({label for label, dummy in blocks if label != "CERTIFICATE"})
    if others:
        raise PortModelError("%s holds %s besides certificates: give the CA certificates only (PEM)"
                             % (source, ", ".join(others)))
    if not blocks:
        raise PortModelError("%s holds no PEM certificate (-----BEGIN CERTIFICATE-----); give the CA "
                             "certificates as PEM" % source)
    found, seen = [], set()
    for number, (dummy, body) in enumerate(blocks, 1):
        try:
            certificate = x509.load_der_x509_certificate(base64.b64decode("".join(body.split()), validate=True))
        except (binascii.Error, ValueError):
            raise PortModelError("%s: certificate %d of %d cannot be read" % (source, number, len(blocks))) from None
        entry = _public_part(certificate)
        if entry["thumbprint"] in seen:
            continue
        seen.add(entry["thumbprint"])
        entry["store"] = store
        found.append(entry)
    return found
