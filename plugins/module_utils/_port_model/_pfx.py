# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a listener PFX carries, read on the controller. PRIVATE to the lync.reverse_proxy collection.

A PFX exported with its chain holds the listener certificate (the one whose public key matches
the private key) and CA certificates; Windows imports them all into the store it is given. IIS
must be bound to the listener certificate, and the chain belongs in the Root (self-signed) and CA
(intermediate) stores, never in My.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._errors import (
    MissingLibraryError,
    PortModelError,
)

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
except ImportError:  # pragma: no cover - exercised through the missing-library tests
    pkcs12 = None

__all__ = ["pfx_certificates"]


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
        entry = _describe(other)
        entry["store"] = "Root" if entry["self_signed"] else "CA"
        chain.append(entry)
    wanted = sorted(set(names or []))
    carried = set(listener["dns_names"])
    wildcards = {name[2:] for name in carried if name.startswith("*.")}
    missing = [name for name in wanted if name not in carried and name.split(".", 1)[-1] not in wildcards]
    return {"listener": listener, "chain": chain, "missing_names": missing}
