# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A given ACME account key for certbot: what the proxy_converge action decides when
``rp_proxy_acme_account_key_content`` or ``rp_proxy_acme_account_key_src`` is set, as plain
functions. PRIVATE to the lync.reverse_proxy collection.

certbot has no option that takes an account key: it keeps each account in
``/etc/letsencrypt/accounts/<server path>/<account id>/`` (certbot/_internal/account.py,
``AccountFileStorage``) with three files, and uses the one ``--account <id>`` names (the renewal
settings of a lineage keep that id). So the key is registered with the CA (community.crypto's
``acme_account`` on the proxy), and those files are written as certbot writes them:

- the account id: the MD5 of the public key as PEM (SubjectPublicKeyInfo), ``Account.__init__``;
- the server path: the directory URL's host[:port] and path (``NamespaceConfig.server_path``);
- ``private_key.json``: the key as a JWK (josepy's ``JWKRSA``/``JWKEC``), mode 0400;
- ``regr.json``: ``{"body": {}, "uri": <the account's URL at the CA>}`` (``_update_regr``);
- ``meta.json``: ``{"creation_dt": <RFC 3339, UTC, seconds>, "creation_host": <host>}``.

certbot signs with an RSA key (RS256) or an EC key on P-256, P-384 or P-521 (ES256/384/512,
``client.acme_from_config_key``, certbot 2.1 and 4.0 alike); any other key is refused before the
host is touched. The key text goes only into the secret file and the secret module argument;
nothing returned here for showing carries it.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from collections.abc import Mapping
from urllib.parse import urlparse

from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._acme import AcmeError

__all__ = ["ACCOUNTS", "VARIABLES", "account", "binding", "decide", "key_file", "module_args", "registration_files",
           "registration_paths", "server_path"]

ACCOUNTS = "/etc/letsencrypt/accounts"
VARIABLES = "rp_proxy_acme_account_key_content (or the file of rp_proxy_acme_account_key_src)"
# the curves certbot has a signing algorithm for, by cryptography's name: the JWK name and its length
_CURVES = {"secp256r1": ("P-256", 32), "secp384r1": ("P-384", 48), "secp521r1": ("P-521", 66)}
_RSA_MIN_BITS = 2048
_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _b64(number: int, length: int | None = None) -> str:
    """A JWK number: base64url without padding of its big-endian bytes (the shortest, or ``length``)."""
    size = length if length is not None else max(1, (number.bit_length() + 7) // 8)
    return base64.urlsafe_b64encode(number.to_bytes(size, "big")).decode("ascii").rstrip("=")


def _load(text: str):
    try:
        from cryptography.exceptions import UnsupportedAlgorithm
        from cryptography.hazmat.primitives import serialization
    except ImportError:  # pragma: no cover - ansible-core needs cryptography on the controller
        raise AcmeError("%s: reading the account key needs the Python library cryptography on the controller"
                        % VARIABLES) from None
    if "-----BEGIN" not in text or "PRIVATE KEY-----" not in text:
        raise AcmeError("%s holds no PEM private key" % VARIABLES)
    try:
        return serialization.load_pem_private_key(text.encode("utf-8"), password=None)
    except TypeError:
        raise AcmeError("%s is encrypted: give the key without a passphrase (keep it in Ansible Vault instead)"
                        % VARIABLES) from None
    except (ValueError, UnsupportedAlgorithm) as exc:  # "Could not deserialize key data ..." and such
        raise AcmeError("%s is not a private key certbot can read: %s" % (
            VARIABLES, str(exc).split("\n", maxsplit=1)[0][:200] or type(exc).__name__)) from None


def _jwk(key) -> tuple[dict, str]:
    """The key as certbot keeps it (private_key.json) and its type, or an error naming the variable."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < _RSA_MIN_BITS:
            raise AcmeError("%s is an RSA key of %d bits: an ACME account key must have at least %d" % (
                VARIABLES, key.key_size, _RSA_MIN_BITS))
        private = key.private_numbers()
        public = private.public_numbers
        return {"n": _b64(public.n), "e": _b64(public.e), "d": _b64(private.d), "p": _b64(private.p),
                "q": _b64(private.q), "dp": _b64(private.dmp1), "dq": _b64(private.dmq1), "qi": _b64(private.iqmp),
                "kty": "RSA"}, "RSA %d" % key.key_size
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name in _CURVES:
        crv, length = _CURVES[key.curve.name]
        private = key.private_numbers()
        public = private.public_numbers
        return {"d": _b64(private.private_value, length), "x": _b64(public.x, length), "y": _b64(public.y, length),
                "crv": crv, "kty": "EC"}, "EC %s" % crv
    what = "an EC key on %s" % key.curve.name if isinstance(key, ec.EllipticCurvePrivateKey) else \
        "a %s key" % type(key).__name__.lstrip("_").replace("PrivateKey", "")
    raise AcmeError("%s is %s: certbot signs with an RSA key (at least %d bits) or an EC key on P-256, P-384 or "
                    "P-521 only" % (VARIABLES, what, _RSA_MIN_BITS))


def server_path(directory: str) -> str:
    """certbot's directory of accounts for the ACME server ``directory`` (its host[:port] and path)."""
    parsed = urlparse(directory)
    return parsed.netloc + parsed.path


def account(text: str, directory: str) -> dict:
    """The account of the key ``text`` (PEM) at the CA ``directory``: ``id`` (certbot's account id),
    ``dir`` (certbot's account directory), ``type``; and ``jwk`` and ``pem`` (secret: only for the
    secret file and the secret module argument)."""
    from cryptography.hazmat.primitives import serialization
    key = _load(text)
    jwk, kind = _jwk(key)
    public = key.public_key().public_bytes(encoding=serialization.Encoding.PEM,
                                           format=serialization.PublicFormat.SubjectPublicKeyInfo)
    identifier = hashlib.md5(public, usedforsecurity=False).hexdigest()
    return {"id": identifier, "dir": "%s/%s/%s" % (ACCOUNTS, server_path(directory), identifier), "type": kind,
            "jwk": jwk, "pem": text.strip() + "\n"}


def binding(kid: str, hmac_key: str, account_given: bool) -> dict | None:
    """The CA's external account binding (the key id and the MAC key, base64url) for the
    registration, or None; an error naming the variables when one is missing, the MAC key is not
    base64url, or no account key is given (certbot's own registration would need the MAC key on its
    command line: the binding goes with the given key's registration, through acme_account)."""
    if not kid and not hmac_key:
        return None
    if not kid or not hmac_key:
        raise AcmeError("rp_proxy_acme_eab_kid and rp_proxy_acme_eab_hmac_key go together (the CA gives both), got "
                        "only %s" % ("rp_proxy_acme_eab_kid" if kid else "rp_proxy_acme_eab_hmac_key"))
    if not account_given:
        raise AcmeError("rp_proxy_acme_eab_kid and rp_proxy_acme_eab_hmac_key need an account key of your own (%s): "
                        "the binding is sent when that key is registered" % VARIABLES)
    try:
        decoded = base64.urlsafe_b64decode(hmac_key + "=" * (-len(hmac_key) % 4))
    except ValueError:
        decoded = b""
    if not decoded or any(char not in _B64URL for char in hmac_key.rstrip("=")):
        raise AcmeError("rp_proxy_acme_eab_hmac_key must be the MAC key as the CA gives it (base64url), it is not")
    return {"kid": kid, "alg": "HS256", "key": hmac_key}


def key_file(found: Mapping) -> dict:
    """certbot's private_key.json of the account (a secret host file, root only, as certbot makes it)."""
    return {"path": found["dir"] + "/private_key.json", "content": json.dumps(found["jwk"]), "owner": "root",
            "group": "root", "mode": "0400", "secret": True, "dir_mode": "0700"}


def registration_paths(found: Mapping) -> list:
    """The files certbot's account has once the CA knows it (written after the registration)."""
    return [found["dir"] + "/regr.json", found["dir"] + "/meta.json"]


def registration_files(found: Mapping, uri: str, host: str, now: datetime.datetime | None = None) -> list:
    """regr.json and meta.json of the account registered at ``uri``, as certbot writes them."""
    if not isinstance(uri, str) or not uri.startswith("https://"):
        raise AcmeError("the ACME CA gave no account URL for the key of %s (got %r)" % (VARIABLES, uri))
    now = (now or datetime.datetime.now(datetime.timezone.utc)).astimezone(datetime.timezone.utc)
    regr, meta = registration_paths(found)
    return [{"path": regr, "content": json.dumps({"body": {}, "uri": uri}), "owner": "root", "group": "root",
             "mode": "0644"},
            {"path": meta, "content": json.dumps({"creation_dt": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                                  "creation_host": host}),
             "owner": "root", "group": "root", "mode": "0644"}]


def decide(files: Mapping, found: Mapping) -> dict:
    """Whether the account must be registered with the CA (and regr.json and meta.json written): when
    either is missing from the read ``files`` (path -> state). ``id`` and ``dir`` for showing."""
    missing = [path for path in registration_paths(found) if (files.get(path) or {}).get("type") != "file"]
    return {"id": found["id"], "dir": found["dir"], "type": found["type"], "register": bool(missing),
            "reason": "certbot has no account %s for the given key yet (%s missing)" % (
                found["id"], ", ".join(path.rsplit("/", 1)[1] for path in missing)) if missing else ""}


def module_args(found: Mapping, settings: Mapping, eab: Mapping | None = None) -> dict:
    """community.crypto.acme_account's arguments that register the key, with the external account
    binding ``eab`` when given (the module keeps ``account_key_content`` and the MAC key out of its
    output)."""
    args = {"account_key_content": found["pem"], "acme_directory": settings["directory"], "acme_version": 2,
            "state": "present", "allow_creation": True, "terms_agreed": True, "validate_certs": True,
            "contact": ["mailto:" + settings["contact"]] if settings["contact"] else []}
    if eab:
        args["external_account_binding"] = dict(eab)
    return args
