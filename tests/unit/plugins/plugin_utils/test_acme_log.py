# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The CA's last ACME problem, read from certbot's log after certbot failed, and named in the run's
error; nothing of certbot's requests (JWS protected headers, payloads, signatures) in it.

The logs in data/ were recorded from Debian 12's certbot 2.1 (python3-acme 2.1) against Debian's
Pebble on the loopback, with the arguments of _acme.command (--config-dir, --work-dir and --logs-dir
pointed at a scratch directory, renamed to certbot's defaults afterwards):
certbot-log-bad-nonce.log: Pebble rejecting every good nonce (PEBBLE_WFE_NONCEREJECT=100), certbot
registering an account (badNonce, retried once with a fresh nonce, badNonce again);
certbot-log-account-gone.log: `certbot register` against Pebble, then Pebble started anew (it forgets
its accounts) and certonly, which meets accountDoesNotExist and ends in certbot 2.1's
"AttributeError: can't set attribute" (josepy's immutable error object under Python 3.11's
contextlib) - two runs in one file, as Debian's /etc/letsencrypt/cli.ini (max-log-backups = 0) makes
certbot append. Their shape is what certbot's source writes: certbot/_internal/log.py's FILE_FMT
"%(asctime)s:%(levelname)s:%(name)s:%(message)s", acme/client.py's _send_request ("Received
response:\\nHTTP <status>\\n<headers>\\n\\n<body>") and _check_response (an RFC 7807 body raised as
acme.messages.Error), and main.py's "certbot version:" and "Arguments:" records at a run's start; a
published letsencrypt.log excerpt against Let's Encrypt (an HTTP 429 rateLimited body in the same
record shape, Boulder's two-space JSON) agrees."""

from __future__ import annotations

import pathlib
import re

from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _acme

DATA = pathlib.Path(__file__).parent / "data"
BAD_NONCE = (DATA / "certbot-log-bad-nonce.log").read_text()
ACCOUNT_GONE = (DATA / "certbot-log-account-gone.log").read_text()
SETTINGS = _acme.check_settings("https://127.0.0.1:14700/dir", "", 8402, "")
# certbot 2.1's output of the run in certbot-log-account-gone.log (the command module's answer)
HIDDEN = {"rc": 1, "msg": "non-zero return code", "stdout": "",
          "stderr": "Saving debug log to /var/log/letsencrypt/letsencrypt.log\nAn unexpected error occurred:\n"
                    "AttributeError: can't set attribute\nAsk for help or search for solutions at "
                    "https://community.letsencrypt.org. See the logfile /var/log/letsencrypt/letsencrypt.log or "
                    "re-run Certbot with -v for more details.\n"}


def last_block(log):
    """The records of the log's last run (from its last "certbot version:" line)."""
    return log[log.rfind("\n", 0, log.rindex(":certbot version: ")) + 1:]


def test_the_last_problem_of_the_ca_is_read_from_the_log():
    said = _acme.problem(BAD_NONCE)
    assert said["name"] == "badNonce"
    # the second refusal (certbot's retry with a fresh nonce), not the first
    nonces = re.findall(r'"detail": "JWS has an invalid anti-replay nonce: ([\w-]+)"', BAD_NONCE)
    assert len(nonces) == 2 and nonces[0] != nonces[1]
    assert said["detail"] == "JWS has an invalid anti-replay nonce: " + nonces[1]
    said = _acme.problem(ACCOUNT_GONE)
    assert said["name"] == "accountDoesNotExist"
    assert re.fullmatch(r"Account https://127\.0\.0\.1:14700/my-account/[0-9a-f]+ not found\.", said["detail"])


def test_only_the_last_run_and_only_ours_counts():
    # an earlier run's refusal is not this run's
    assert _acme.problem(ACCOUNT_GONE + last_block(BAD_NONCE))["name"] == "badNonce"
    assert _acme.problem(BAD_NONCE + last_block(ACCOUNT_GONE))["name"] == "accountDoesNotExist"
    # a run of ours that met no problem, after a refusal: none
    quiet = last_block(ACCOUNT_GONE)
    quiet = quiet[:quiet.index("Received response:\nHTTP 400")]
    assert _acme.problem(BAD_NONCE + quiet) is None
    # the timer's renewal since (certbot.service: no --cert-name), refused too: not ours, none
    renew = re.sub(r"(:certbot\._internal\.main:Arguments: ).*", r"\1['-q', '--no-random-sleep-on-renew']",
                   last_block(BAD_NONCE))
    assert renew != last_block(BAD_NONCE) and _acme.problem(renew) is None
    assert _acme.problem(ACCOUNT_GONE + renew) is None
    # the registration run before (its arguments name no lineage) is not ours either
    assert _acme.problem(ACCOUNT_GONE[:-len(last_block(ACCOUNT_GONE))]) is None
    assert _acme.problem("") is None and _acme.problem("not certbot's log\n") is None


def test_the_end_of_a_long_log_is_enough_and_a_cut_record_is_left_out():
    long_log = (ACCOUNT_GONE * 20) + BAD_NONCE
    tail = long_log.encode()[-_acme.LOG_TAIL:].decode()
    assert len(long_log) > 4 * _acme.LOG_TAIL
    assert _acme.problem(tail)["name"] == "badNonce"
    # the end of the log cut inside a response's body: that response is not read, nor does it fail
    body = BAD_NONCE.rindex('"type": "urn:ietf:params:acme:error:badNonce"')
    assert _acme.problem(BAD_NONCE[body - 5:]) is None
    # the read starts inside the first refusal's record: the retry's refusal after it is read
    first = BAD_NONCE.index("Received response:\nHTTP 400")
    last = BAD_NONCE.rindex("Received response:\nHTTP 400")
    assert _acme.problem(BAD_NONCE[first + 5:])["detail"] == _acme.problem(BAD_NONCE)["detail"]
    assert _acme.problem(BAD_NONCE[last + 5:]) is None


def test_certbot_s_requests_are_never_read():
    """A problem-shaped JSON in a request (a JWS payload certbot logs) is not the CA's answer."""
    request = ("2026-12-06 09:02:27,700:DEBUG:certbot._internal.main:certbot version: 2.1.0\n"
               "2026-12-06 09:02:27,701:DEBUG:certbot._internal.main:Arguments: ['--cert-name', 'lync-reverse-proxy']\n"
               "2026-12-06 09:02:27,702:DEBUG:acme.client:Sending POST request to https://127.0.0.1:14700/x:\n"
               '{\n  "type": "urn:ietf:params:acme:error:malformed",\n  "detail": "from a request"\n}\n')
    assert _acme.problem(request) is None


def test_a_long_or_multiline_detail_is_one_bounded_line():
    said = _acme.problem(BAD_NONCE.replace("JWS has an invalid", "JWS\\n  has " + "x" * 1000 + " an invalid"))
    assert "\n" not in said["detail"] and len(said["detail"]) <= 300 and said["detail"].startswith("JWS has xxx")


def test_the_error_names_the_problem_certbot_hid():
    """certbot said only "AttributeError: can't set attribute": the CA's accountDoesNotExist and its
    detail come from the log; certbot's own words follow."""
    message = _acme.failure(HIDDEN, ["a.test", "b.test"], SETTINGS, _acme.problem(ACCOUNT_GONE))
    account = re.search(r"Account https://127\.0\.0\.1:14700/my-account/[0-9a-f]+ not found", ACCOUNT_GONE).group(0)
    assert message.startswith("the ACME CA at https://127.0.0.1:14700/dir did not issue the listener certificate for "
                              "a.test, b.test: the CA answered accountDoesNotExist: %s; certbot said: An unexpected "
                              "error occurred: AttributeError: can't set attribute. The proxy keeps serving the "
                              "certificate it had (certbot's log: /var/log/letsencrypt/letsencrypt.log)" % account)
    assert "badNonce" not in message
    # without the log's problem: certbot's words alone, as before
    assert "the CA answered" not in _acme.failure(HIDDEN, ["a.test"], SETTINGS)


def test_a_detail_certbot_said_already_is_not_said_twice():
    answer = {"rc": 1, "stdout": "", "stderr": "Unable to register an account with ACME server. Error returned by the "
                                               "ACME server: %s\n" % _acme.problem(BAD_NONCE)["detail"]}
    message = _acme.failure(answer, ["a.test"], SETTINGS, _acme.problem(BAD_NONCE))
    assert ": the CA answered badNonce; certbot said: Unable to register an account with ACME server." in message
    assert message.count("JWS has an invalid anti-replay nonce") == 1
    assert "(it refused certbot's requests as badNonce: " in message


def test_no_part_of_certbot_s_requests_in_the_error():
    for log in (BAD_NONCE, ACCOUNT_GONE):
        message = _acme.failure(HIDDEN, ["a.test"], SETTINGS, _acme.problem(log))
        secrets = re.findall(r'"(?:protected|payload|signature)": "([\w-]+)"', log)
        assert len(secrets) >= 6
        assert not any(secret[:16] in message for secret in secrets)
        assert not re.search("BEGIN|PRIVATE|JWS payload|Traceback|kid|jwk", message)


def test_the_read_is_the_end_of_certbot_s_log_only():
    assert _acme.log_read() == ["tail", "-c", str(_acme.LOG_TAIL), "/var/log/letsencrypt/letsencrypt.log"]
    # the log certbot writes when its command sets no other directory
    command = _acme.command(["a.test"], SETTINGS)
    assert not any(argument.startswith(("--logs-dir", "--config-dir")) for argument in command)
