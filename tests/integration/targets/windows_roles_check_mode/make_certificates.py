# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Writes the certificate files a Windows reverse proxy play needs into DIR: files/listener.pfx (the
listener certificate for every name the topology publishes, its key, and its chain: an issuing CA and
a root; password SECRET) and files/internal-ca.pem (a bundle of two CA certificates, the back ends'
root and issuing CA). Usage: make_certificates.py TOPOLOGY.yml DIR SECRET"""

from __future__ import annotations

import datetime
import os
import sys

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


def _certificate(subject, issuer, key, signing_key, names=(), ca=False):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=90))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def _names(topology_file):
    for path in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep):
        if os.path.isdir(os.path.join(path, "ansible_collections", "lync", "reverse_proxy")):
            sys.path.insert(0, path)
            break
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import compute_model

    with open(topology_file, encoding="utf-8") as handle:
        return compute_model(yaml.safe_load(handle)["lync_topology"])["certificate_names"]


def main(topology_file, directory, secret):
    keys = [ec.generate_private_key(ec.SECP256R1()) for dummy in range(5)]
    root = _certificate("Contoso Public Root", "Contoso Public Root", keys[0], keys[0], ca=True)
    issuing = _certificate("Contoso Public Issuing", "Contoso Public Root", keys[1], keys[0], ca=True)
    names = _names(topology_file)
    listener = _certificate(names[0], "Contoso Public Issuing", keys[2], keys[1], names=names)
    backend_root = _certificate("Contoso Internal Root", "Contoso Internal Root", keys[3], keys[3], ca=True)
    backend_issuing = _certificate("Contoso Internal Issuing", "Contoso Internal Root", keys[4], keys[3], ca=True)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "listener.pfx"), "wb") as handle:
        handle.write(pkcs12.serialize_key_and_certificates(b"listener", keys[2], listener, [issuing, root],
                                                           serialization.BestAvailableEncryption(secret.encode())))
    with open(os.path.join(directory, "internal-ca.pem"), "wb") as handle:
        handle.write(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (backend_issuing, backend_root)))


if __name__ == "__main__":
    main(*sys.argv[1:])
