# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The listener PFX: the certificate with the private key is bound (chosen by its key, not by its
place in the file, so a CA certificate the PFX carries is never bound); the chain goes to Root /
CA; missing names are named. PEM files of CA certificates: every certificate of a bundle, one by
one (Windows PowerShell's certificate import reads only the first of a PEM file)."""

from __future__ import annotations

import base64
import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    PortModelError,
    pem_certificates,
    pfx_certificates,
)


def _certificate(subject, issuer, key, signing_key, names=(), ca=False):
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=397))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


@pytest.fixture(name="chain", scope="module")
def fixture_chain():
    root_key, intermediate_key, listener_key = (ec.generate_private_key(ec.SECP256R1()) for dummy in range(3))
    root = _certificate("Contoso Root", "Contoso Root", root_key, root_key, ca=True)
    intermediate = _certificate("Contoso Issuing", "Contoso Root", intermediate_key, root_key, ca=True)
    listener = _certificate("webext.contoso.com", "Contoso Issuing", listener_key, intermediate_key,
                            names=["webext.contoso.com", "*.contoso.com", "lyncdiscover.contoso.com"])
    return {"key": listener_key, "root": root, "intermediate": intermediate, "listener": listener}


def _pfx(chain, order, password=b"secret"):
    """A PFX with the listener and its key, and the CA certificates of ``order`` beside them."""
    return pkcs12.serialize_key_and_certificates(
        b"listener", chain["key"], chain["listener"], [chain[name] for name in order],
        serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption())


def _thumbprint(certificate):
    return certificate.fingerprint(hashes.SHA1()).hex().upper()  # nosec - Windows' thumbprint


@pytest.mark.parametrize("order", [["intermediate", "root"], ["root", "intermediate"]])
def test_the_certificate_with_the_key_is_the_listener(chain, order):
    slurped = {"content": base64.b64encode(_pfx(chain, order)).decode(), "encoding": "base64"}
    found = pfx_certificates(slurped, password="secret")
    assert found["listener"]["thumbprint"] == _thumbprint(chain["listener"])
    stores = {entry["thumbprint"]: entry["store"] for entry in found["chain"]}
    assert stores == {_thumbprint(chain["root"]): "Root", _thumbprint(chain["intermediate"]): "CA"}
    # each chain certificate carries itself, for the store to add: the DER is the certificate
    for entry in found["chain"]:
        assert _thumbprint(x509.load_der_x509_certificate(base64.b64decode(entry["der"]))) == entry["thumbprint"]


def test_missing_names_and_wildcards(chain):
    found = pfx_certificates(_pfx(chain, ["root"]), password="secret",
                             names=["webext.contoso.com", "meet.contoso.com", "lyncdiscover.fabrikam.com"])
    assert found["missing_names"] == ["lyncdiscover.fabrikam.com"]  # meet.contoso.com is under *.contoso.com


@pytest.mark.parametrize("kwargs, words", [
    ({"password": "wrong"}, "wrong password, or not a PKCS#12 file"),
    ({"data": "not base64!"}, "neither bytes nor base64"),
    ({"data": 5}, "expected the PFX as bytes"),
])
def test_bad_input_is_named(chain, kwargs, words):
    data = kwargs.pop("data", _pfx(chain, []))
    with pytest.raises(PortModelError, match=words):
        pfx_certificates(data, **{"password": "secret", **kwargs})


def test_a_pfx_without_a_key_is_refused(chain):
    data = pkcs12.serialize_key_and_certificates(b"x", None, None, [chain["listener"]], serialization.NoEncryption())
    with pytest.raises(PortModelError, match="carries no private key"):
        pfx_certificates(data)


def test_the_listener_is_found_by_its_key_not_its_place(chain, monkeypatch):
    """Windows lists the imported thumbprints in file order; a reader that took the first one would
    bind the root here. The choice goes by the key."""
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.documents import _pfx as module  # pylint: disable=import-outside-toplevel

    load = pkcs12.load_key_and_certificates

    def first_is_root(data, password):
        key, listener, dummy = load(data, password)
        return key, chain["root"], [chain["intermediate"], listener]

    monkeypatch.setattr(module.pkcs12, "load_key_and_certificates", first_is_root)
    found = pfx_certificates(_pfx(chain, ["intermediate", "root"]), password="secret")
    assert found["listener"]["thumbprint"] == _thumbprint(chain["listener"])
    assert {entry["store"] for entry in found["chain"]} == {"Root", "CA"}


def _pem(*certificates):
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certificates)


def test_every_certificate_of_a_pem_bundle_in_file_order(chain):
    text = "issuing and root\n" + _pem(chain["intermediate"], chain["root"]) + "\n"
    found = pem_certificates(text, store="CA")
    assert [entry["thumbprint"] for entry in found] == [_thumbprint(chain["intermediate"]), _thumbprint(chain["root"])]
    assert {entry["store"] for entry in found} == {"CA"}
    assert [entry["self_signed"] for entry in found] == [False, True]
    for entry, certificate in zip(found, (chain["intermediate"], chain["root"])):
        assert base64.b64decode(entry["der"]) == certificate.public_bytes(serialization.Encoding.DER)
    assert len(pem_certificates(_pem(chain["root"], chain["root"]))) == 1  # the same certificate twice is one
    assert pem_certificates(_pem(chain["root"]))[0]["store"] == "Root"


@pytest.mark.parametrize("text, words", [
    ("no certificate here", "internal-ca.pem holds no PEM certificate"),
    ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "internal-ca.pem holds PRIVATE KEY besides"),
    ("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n", "certificate 1 of 1 cannot be read"),
    (b"binary", "expected PEM text, got bytes"),
])
def test_bad_pem_files_are_named(text, words):
    with pytest.raises(PortModelError, match=words):
        pem_certificates(text, source="internal-ca.pem")


def test_the_store_is_root_or_ca(chain):
    with pytest.raises(PortModelError, match="store must be one of Root, CA, got 'My'"):
        pem_certificates(_pem(chain["root"]), store="My")
