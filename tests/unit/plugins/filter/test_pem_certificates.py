# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import datetime

import pytest
from ansible.errors import AnsibleFilterError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.lync.reverse_proxy.plugins.filter.pem_certificates import pem_certificates


def _self_signed(name):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))


def test_a_bundle_is_every_certificate():
    first, second = _self_signed("Contoso Root A"), _self_signed("Contoso Root B")
    text = "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in (first, second))
    found = pem_certificates(text, store="Root", source="files/internal-ca.pem")
    assert [entry["subject"] for entry in found] == ["CN=Contoso Root A", "CN=Contoso Root B"]


def test_errors_name_the_file():
    with pytest.raises(AnsibleFilterError, match="pem_certificates: files/internal-ca.pem holds no PEM certificate"):
        pem_certificates("", source="files/internal-ca.pem")
