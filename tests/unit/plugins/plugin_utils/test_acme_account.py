# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A given ACME account key: certbot's account files for it, which keys are refused, when the
account is registered, certbot asked with --account, and the key nowhere the action shows.

The shapes of certbot's account files were read in certbot's own source as Debian ships it
(certbot 2.1.0 on Debian 12 and 4.0.0 on Debian 13, ``certbot/_internal/account.py``:
``Account.__init__`` for the id, ``AccountFileStorage._create``/``_update_regr``/``_update_meta``
for ``private_key.json``, ``regr.json`` and ``meta.json``; ``certbot/configuration.py``
``server_path``; ``certbot/_internal/client.py`` ``acme_from_config_key`` for the key types;
josepy's ``jwk.py`` for the JWK). Where Debian's certbot is installed on the machine running the
tests, certbot itself loads the files written here (AccountFileStorage), so a file it cannot read
fails the test. The keys are made by openssl at test time; the expected account id is computed
by openssl and md5sum, not by the code under test.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import shutil
import subprocess

import pytest
import yaml

from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _acme
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _acme_account
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _proxy_converge as converge
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.plugin_utils.test_acme import (
    DIRECTORY, NAMES, SETTINGS, acme_host, read_with)

pytestmark = pytest.mark.skipif(not shutil.which("openssl"), reason="the keys are made with openssl")
SYSTEM_PYTHON = "/usr/bin/python3"
URI = "https://acme.contoso.test:14000/my-account/1"


def openssl_key(tmp_path, *algorithm) -> str:
    """A new private key from ``openssl genpkey`` (PKCS#8 PEM)."""
    path = tmp_path / ("key-%s.pem" % "-".join(algorithm).replace(":", "_"))
    subprocess.run(["openssl", "genpkey", "-out", str(path)] + list(algorithm), check=True, capture_output=True)
    return path.read_text()


def openssl_id(text: str) -> str:
    """certbot's account id by another road: md5 of the public key as ``openssl pkey -pubout`` writes it."""
    public = subprocess.run(["openssl", "pkey", "-pubout"], input=text.encode(), check=True,
                            capture_output=True).stdout
    return hashlib.md5(public, usedforsecurity=False).hexdigest()


@pytest.fixture(scope="module")
def rsa_key(tmp_path_factory):
    return openssl_key(tmp_path_factory.mktemp("keys"), "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048")


@pytest.fixture(scope="module")
def ec_key(tmp_path_factory):
    return openssl_key(tmp_path_factory.mktemp("keys"), "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384")


def unb64(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")


def test_the_account_id_and_directory_are_certbot_s(rsa_key):
    found = _acme_account.account(rsa_key, DIRECTORY)
    assert found["id"] == openssl_id(rsa_key)
    # the directory URL's host:port and path under certbot's accounts
    assert found["dir"] == "/etc/letsencrypt/accounts/acme.contoso.test:14000/dir/" + openssl_id(rsa_key)
    assert found["type"] == "RSA 2048"
    assert _acme_account.account(rsa_key, "https://acme-v02.api.letsencrypt.org/directory")["dir"] == \
        "/etc/letsencrypt/accounts/acme-v02.api.letsencrypt.org/directory/" + openssl_id(rsa_key)


def test_the_rsa_jwk_holds_the_key_s_numbers(rsa_key):
    """Each number against ``openssl rsa -text``'s, decoded independently."""
    jwk = _acme_account.account(rsa_key, DIRECTORY)["jwk"]
    text = subprocess.run(["openssl", "rsa", "-noout", "-text"], input=rsa_key.encode(), check=True,
                          capture_output=True).stdout.decode()
    numbers, name = {}, None
    for line in text.splitlines():
        if line.startswith("publicExponent:"):
            numbers["e"] = int(line.split()[1])
        elif not line.startswith(" ") and line.endswith(":"):
            name = line[:-1]
            numbers[name] = ""
        elif line.startswith(" ") and name:
            numbers[name] += line.strip().replace(":", "")
    expect = {"n": "modulus", "d": "privateExponent", "p": "prime1", "q": "prime2", "dp": "exponent1",
              "dq": "exponent2", "qi": "coefficient"}
    assert jwk["kty"] == "RSA" and unb64(jwk["e"]) == numbers["e"]
    for field, openssl_name in expect.items():
        assert unb64(jwk[field]) == int(numbers[openssl_name], 16), field
    assert not any("=" in value for value in jwk.values())  # base64url without padding


def test_the_ec_jwk_has_fixed_length_coordinates(ec_key):
    jwk = _acme_account.account(ec_key, DIRECTORY)["jwk"]
    assert (jwk["kty"], jwk["crv"]) == ("EC", "P-384")
    for field in ("d", "x", "y"):
        assert len(base64.urlsafe_b64decode(jwk[field] + "==")) == 48, field
    text = subprocess.run(["openssl", "pkey", "-noout", "-text"], input=ec_key.encode(), check=True,
                          capture_output=True).stdout.decode()
    private = "".join(line.strip().replace(":", "") for line in text.split("priv:")[1].split("pub:")[0].splitlines())
    assert unb64(jwk["d"]) == int(private, 16)


@pytest.mark.parametrize("algorithm, said", [
    (("-algorithm", "ED25519"), "is a Ed25519 key: certbot signs with an RSA key"),
    (("-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"), "is an RSA key of 1024 bits"),
    (("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"), "is an EC key on secp256k1"),
])
def test_a_key_certbot_cannot_sign_with_is_refused_naming_the_variable(tmp_path, algorithm, said):
    with pytest.raises(_acme.AcmeError) as caught:
        _acme_account.account(openssl_key(tmp_path, *algorithm), DIRECTORY)
    assert str(caught.value).startswith("rp_proxy_acme_account_key_content (or the file of "
                                        "rp_proxy_acme_account_key_src) ")
    assert said in str(caught.value)


def test_an_encrypted_key_or_no_key_is_refused(tmp_path, rsa_key):
    encrypted = subprocess.run(["openssl", "pkey", "-aes256", "-passout", "pass:secret"], input=rsa_key.encode(),
                               check=True, capture_output=True).stdout.decode()
    with pytest.raises(_acme.AcmeError, match="rp_proxy_acme_account_key_content .* is encrypted"):
        _acme_account.account(encrypted, DIRECTORY)
    with pytest.raises(_acme.AcmeError, match="holds no PEM private key"):
        _acme_account.account("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", DIRECTORY)
    broken = rsa_key.replace(rsa_key.splitlines()[3], "AAAA" * 16)
    with pytest.raises(_acme.AcmeError, match="is not a private key certbot can read") as caught:
        _acme_account.account(broken, DIRECTORY)
    assert "AAAA" not in str(caught.value)  # the key's text is not repeated


def test_the_key_file_is_secret_and_root_only(rsa_key):
    found = _acme_account.account(rsa_key, DIRECTORY)
    item = _acme_account.key_file(found)
    assert item["path"] == found["dir"] + "/private_key.json"
    assert (item["owner"], item["mode"], item["secret"], item["dir_mode"]) == ("root", "0400", True, "0700")


def test_the_registration_files_are_as_certbot_writes_them(rsa_key):
    found = _acme_account.account(rsa_key, DIRECTORY)
    when = datetime.datetime(2026, 12, 6, 5, 30, 12, 345678, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    regr, meta = _acme_account.registration_files(found, URI, "rp1", when)
    assert regr["path"].endswith("/regr.json") and meta["path"].endswith("/meta.json")
    assert json.loads(regr["content"]) == {"body": {}, "uri": URI}
    # UTC, seconds, Z (pyrfc3339's form)
    assert json.loads(meta["content"]) == {"creation_dt": "2026-12-06T03:30:12Z", "creation_host": "rp1"}
    with pytest.raises(_acme.AcmeError, match="gave no account URL"):
        _acme_account.registration_files(found, None, "rp1")


@pytest.mark.skipif(not os.path.exists(SYSTEM_PYTHON), reason="no system Python")
def test_certbot_loads_the_account_as_written(tmp_path, rsa_key, ec_key):
    """certbot's own AccountFileStorage reads the files written here (skipped without Debian's certbot)."""
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import certbot._internal.account"], capture_output=True, check=False)
    if probe.returncode:
        pytest.skip("Debian's certbot is not installed here")
    for key in (rsa_key, ec_key):
        found = _acme_account.account(key, DIRECTORY)
        items = [_acme_account.key_file(found)] + _acme_account.registration_files(found, URI, "rp1")
        for item in items:
            path = tmp_path / item["path"].lstrip("/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(item["content"] + "\n")  # as the action's copy writes it
        script = "\n".join([
            "import json, sys",
            "from certbot import configuration",
            "from certbot._internal import account, cli",
            "from certbot._internal.plugins import disco",
            "namespace = cli.prepare_and_parse_args(disco.PluginsRegistry.find_all(), ['certonly', '--config-dir', sys.argv[1], '--work-dir',"
            " sys.argv[1], '--logs-dir', sys.argv[1], '--server', sys.argv[2]])",
            "storage = account.AccountFileStorage(configuration.NamespaceConfig(namespace))",
            "found = storage.find_all()",
            "print(json.dumps([{'id': a.id, 'uri': a.regr.uri, 'kty': a.key.typ, 'host': a.meta.creation_host}"
            " for a in found]))"])
        answer = subprocess.run([SYSTEM_PYTHON, "-c", script, str(tmp_path / "etc" / "letsencrypt"), DIRECTORY],
                                capture_output=True, text=True, check=False)
        assert answer.returncode == 0, answer.stderr[-2000:]
        accounts = {row["id"]: row for row in json.loads(answer.stdout.splitlines()[-1])}
        assert accounts[openssl_id(key)] == {"id": openssl_id(key), "uri": URI, "kty": found["jwk"]["kty"],
                                             "host": "rp1"}


def account_host(key):
    found = _acme_account.account(key, DIRECTORY)
    renderer = converge.software_of("haproxy")
    host, paths = converge.host_of(renderer, {"certificate": "", "key": "", "ca": ""}, False, acme=SETTINGS,
                                   account=found)
    host["files"] += converge.acme_files(renderer, host, "#\n# Ansible managed\n#")
    host["config"]["content"] = "global\n"
    return found, host


def test_a_new_account_is_registered_and_certbot_asked_with_it(rsa_key):
    found, host = account_host(rsa_key)
    assert host["acme"]["settings"]["account"] == found["id"]
    request = converge.request_of(host)
    # the read shows the key file and whether the registration's files are there
    for name in ("private_key.json", "regr.json", "meta.json"):
        assert found["dir"] + "/" + name in request["paths"]
    read = read_with(host, certificate={"names": sorted(NAMES), "not_after": "x"})
    read["acme"]["account"] = found["id"]
    del read["files"][found["dir"] + "/private_key.json"]
    plan = converge.actions(read, host, {}, [{"ok": True}], names=NAMES)
    assert plan["files"] == [found["dir"] + "/private_key.json"]
    assert plan["acme"]["account"]["register"] and "regr.json, meta.json missing" in plan["acme"]["account"]["reason"]
    assert not plan["acme"]["issue"]
    assert not converge.nothing_to_do(plan)
    argv = _acme.command(NAMES, host["acme"]["settings"])
    assert argv[argv.index("--account") + 1] == openssl_id(rsa_key)


def test_a_registered_account_is_left_alone_and_its_files_are_not_stale(rsa_key):
    found, host = account_host(rsa_key)
    read = read_with(host, certificate={"names": sorted(NAMES), "not_after": "x"})
    read["acme"]["account"] = found["id"]
    for path in _acme_account.registration_paths(found):
        read["files"][path] = {"type": "file", "mode": "0644", "owner": "root", "group": "root", "sha256": "1" * 64}
    plan = converge.actions(read, host, {}, [{"ok": True}], names=NAMES)
    assert plan["stale"] == [] and plan["files"] == []
    assert plan["acme"]["account"]["register"] is False
    assert converge.nothing_to_do(plan)


def test_a_certificate_of_another_account_is_issued_again_with_the_given_one(rsa_key):
    found, host = account_host(rsa_key)
    read = read_with(host, certificate={"names": sorted(NAMES), "not_after": "x"})
    read["acme"]["account"] = "0" * 32  # certbot's own account, before the key was given
    plan = converge.actions(read, host, {}, [{"ok": True}], names=NAMES)
    assert plan["acme"]["issue"]
    assert plan["acme"]["reason"] == ("the certificate's renewal settings name the ACME account %s, not %s (the given "
                                      "account key's)" % ("0" * 32, openssl_id(rsa_key)))
    # without a given key, whichever account certbot has is fine
    renderer, plain, dummy = acme_host()
    read = read_with(plain, certificate={"names": sorted(NAMES), "not_after": "x"})
    read["acme"]["account"] = "0" * 32
    plain_plan = converge.actions(read, plain, {}, [{"ok": True}], names=NAMES)
    assert not plain_plan["acme"]["issue"] and plain_plan["acme"]["account"] is None
    assert "--account" not in _acme.command(NAMES, SETTINGS)


def test_the_key_is_only_in_the_secret_file_and_the_module_s_secret_argument(rsa_key):
    found, host = account_host(rsa_key)
    secret_numbers = [found["jwk"][field] for field in ("d", "p", "q", "dp", "dq", "qi")]
    for item in host["files"]:
        if any(number in item["content"] for number in secret_numbers) or "PRIVATE KEY" in item["content"]:
            assert item.get("secret") and item["path"].endswith("/private_key.json")
    shown = yaml.safe_dump(converge.request_of(host)) + yaml.safe_dump(host["acme"]) + " ".join(
        _acme.command(NAMES, host["acme"]["settings"]))
    assert not any(number in shown for number in secret_numbers) and "PRIVATE KEY" not in shown
    args = _acme_account.module_args(found, dict(SETTINGS, account=found["id"]))
    assert args["account_key_content"] == rsa_key.strip() + "\n"
    assert (args["acme_directory"], args["contact"], args["terms_agreed"]) == (DIRECTORY, ["mailto:pki@contoso.com"],
                                                                               True)
    assert _acme_account.module_args(found, dict(SETTINGS, contact=""))["contact"] == []


def test_acme_account_keeps_the_key_argument_out_of_its_output():
    """community.crypto's acme modules declare account_key_content no_log (where the collection is importable)."""
    acme = pytest.importorskip("ansible_collections.community.crypto.plugins.module_utils._acme.acme")
    assert acme.create_default_argspec().argument_spec["account_key_content"]["no_log"] is True


def test_the_external_account_binding_goes_with_the_given_key_s_registration(rsa_key):
    found = _acme_account.account(rsa_key, DIRECTORY)
    hmac_key = base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("=")
    eab = _acme_account.binding("kid-1", hmac_key, account_given=True)
    assert eab == {"kid": "kid-1", "alg": "HS256", "key": hmac_key}
    args = _acme_account.module_args(found, SETTINGS, eab)
    assert args["external_account_binding"] == eab and args["account_key_content"] == found["pem"]
    assert "external_account_binding" not in _acme_account.module_args(found, SETTINGS)
    assert _acme_account.binding("", "", account_given=False) is None


@pytest.mark.parametrize("kid, hmac_key, given, said", [
    ("kid-1", "", True, "go together .* got only rp_proxy_acme_eab_kid$"),
    ("", "c2VjcmV0", True, "got only rp_proxy_acme_eab_hmac_key$"),
    ("kid-1", "c2VjcmV0", False, "need an account key of your own \\(rp_proxy_acme_account_key_content"),
    ("kid-1", "not base64url!", True, "rp_proxy_acme_eab_hmac_key must be the MAC key as the CA gives it \\(base64url\\)"),
    ("kid-1", "ab+/", True, "rp_proxy_acme_eab_hmac_key must be"),
])
def test_a_half_or_unusable_binding_is_refused_naming_the_variables(kid, hmac_key, given, said):
    with pytest.raises(_acme.AcmeError, match=said) as caught:
        _acme_account.binding(kid, hmac_key, account_given=given)
    assert hmac_key not in str(caught.value) or not hmac_key
