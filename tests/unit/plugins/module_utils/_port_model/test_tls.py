# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The TLS profiles: what each offers on the listener and to the back ends, and bad input."""

from __future__ import annotations

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import PortModelError, tls_profile


def test_intermediate_is_tls12_aead_and_tls13():
    settings = tls_profile("intermediate")
    listener = settings["listener"]
    assert listener["protocols"] == ["TLSv1.2", "TLSv1.3"]
    suites = listener["ciphers"].split(":")
    assert suites and all("GCM" in s or "CHACHA20" in s for s in suites)  # AEAD only: no CBC
    assert all(s.startswith(("ECDHE-", "DHE-")) for s in suites)  # forward secrecy
    assert listener["session_tickets"] is False and settings["warnings"] == []


def test_modern_is_tls13_only_and_the_back_end_stays_at_intermediate():
    settings = tls_profile("modern")
    assert settings["listener"]["protocols"] == ["TLSv1.3"] and settings["listener"]["ciphers"] == ""
    assert settings["backend"]["protocols"] == ["TLSv1.2", "TLSv1.3"]  # Lync servers speak TLS 1.2


def test_old_reaches_tls10_with_a_warning():
    settings = tls_profile("old")
    assert settings["listener"]["min_version"] == "TLSv1" and "AES128-SHA" in settings["listener"]["ciphers"]
    assert settings["backend"]["min_version"] == "TLSv1"
    assert settings["warnings"] and "old Lync devices" in settings["warnings"][0]


def test_custom():
    settings = tls_profile("custom", protocols=["TLSv1.3", "TLSv1.2"], ciphers="ECDHE-RSA-AES128-GCM-SHA256")
    assert settings["listener"]["protocols"] == ["TLSv1.2", "TLSv1.3"]
    assert settings["listener"]["ciphers"] == "ECDHE-RSA-AES128-GCM-SHA256" and settings["warnings"] == []
    assert tls_profile("custom", protocols=["TLSv1.1", "TLSv1.2"], ciphers="x")["warnings"]


@pytest.mark.parametrize("args, kwargs, words", [
    (("strong",), {}, "profile must be one of modern, intermediate, old, custom"),
    (("custom",), {}, "protocols must be a non-empty list"),
    (("custom",), {"protocols": ["TLSv1.0"]}, "TLSv1.0 not one of"),
    (("custom",), {"protocols": ["TLSv1", "TLSv1.3"], "ciphers": "x"}, "a range without gaps"),
    (("custom",), {"protocols": ["TLSv1.2"]}, "ciphers is required"),
    (("modern",), {"ciphers": "x"}, "ciphers is for the custom profile"),
])
def test_bad_input(args, kwargs, words):
    with pytest.raises(PortModelError, match=words):
        tls_profile(*args, **kwargs)
