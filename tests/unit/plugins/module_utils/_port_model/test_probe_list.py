# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The probe list per vantage point."""

from __future__ import annotations

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    PortModelError,
    compute_model,
    probe_endpoints,
)
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    TWO_PROXIES,
    full,
    minimal,
    with_options,
)


def test_outside_with_redirects():
    model = compute_model(with_options(full(), mobile_autodiscover_over_http=False))
    endpoints = probe_endpoints(model, "outside", ca_path="/ca.crt")
    names = [e["name"] for e in endpoints]
    https = [e for e in endpoints if e["port"] == 443 and e.get("server_name")]
    assert sorted(e["server_name"] for e in https) == model["certificate_names"]
    assert all(e["tls"] and e["ca_path"] == "/ca.crt" and e["address"] == "198.51.100.10" for e in https)
    redirect = next(e for e in endpoints if e["name"] == "http webext.contoso.com @ 198.51.100.10 redirects")
    assert redirect["http"] == {"path": "/", "host": "webext.contoso.com", "expect_status": [301, 302, 307, 308],
                                "expect_location": "https://webext.contoso.com/"}
    assert "unknown name @ 198.51.100.10 gets 404" in names
    closed = [(e["port"], e["expect"]) for e in endpoints if e.get("expect")]
    assert closed == [(4443, "closed"), (8080, "closed"), (22, "closed")]


def test_outside_with_autodiscover_over_http():
    endpoints = probe_endpoints(compute_model(with_options(full(), http_redirect=False)), "outside")
    http = {e["http"]["host"]: e for e in endpoints if e["port"] == 80}
    assert "lyncdiscover.contoso.com" in http
    assert "expect_location" not in http["lyncdiscover.contoso.com"]["http"]
    assert "officewebapps01.contoso.com" not in http  # no port-80 route for it without the redirect
    assert all("ca_path" not in e for e in endpoints)


def test_from_the_reverse_proxy():
    endpoints = probe_endpoints(compute_model(full()), "reverse_proxy", reverse_proxy="rp01", ca_path="/ca.crt")
    summary = [(e["address"], e["port"], e.get("server_name")) for e in endpoints]
    assert summary == [
        ("10.0.10.10", 8080, None), ("10.0.10.11", 8080, None), ("10.0.10.12", 8080, None),
        ("10.0.20.10", 8080, None), ("10.0.20.11", 8080, None),
        ("10.0.10.10", 4443, "webext.contoso.com"), ("10.0.10.11", 4443, "webext.contoso.com"),
        ("10.0.10.12", 4443, "webext.contoso.com"), ("10.0.20.10", 4443, "webdirext.contoso.com"),
        ("10.0.20.11", 4443, "webdirext.contoso.com"), ("10.0.30.11", 443, "officewebapps01.contoso.com"),
    ]


def test_from_a_front_end():
    endpoints = probe_endpoints(compute_model(full()), "front_end", reverse_ports=[443, 4443])
    rows = [(e["address"], e["port"], e["expect"]) for e in endpoints]
    assert rows == [("10.0.1.5", 443, "closed"), ("10.0.1.5", 4443, "closed")]


def test_errors():
    with pytest.raises(PortModelError, match="vantage must be one of outside, reverse_proxy, front_end"):
        probe_endpoints(compute_model(full()), "inside")
    with pytest.raises(PortModelError, match="no reverse proxy listener addresses"):
        probe_endpoints(compute_model(minimal()), "outside")


def test_certificates_vantage_asks_every_name_on_every_listener():
    model = compute_model(full())
    endpoints = probe_endpoints(model, "certificates", ca_path="/ca.crt")
    listeners = sorted({e["address"] for e in probe_endpoints(model, "outside")})
    assert sorted((e["address"], e["server_name"]) for e in endpoints) == sorted(
        (address, name) for address in listeners for name in model["certificate_names"])
    assert all(e["tls"] and e["certificate"] and e["port"] == 443 and e["ca_path"] == "/ca.crt" for e in endpoints)
    two = compute_model(TWO_PROXIES)
    both = {e["address"] for e in probe_endpoints(two, "certificates")}
    one = probe_endpoints(two, "certificates", reverse_proxy="rp1")
    assert {e["address"] for e in one} < both and all("ca_path" not in e for e in one)


@pytest.mark.parametrize("vantage", ["outside", "reverse_proxy", "certificates"])
def test_a_ca_given_as_text_goes_where_a_ca_file_would(vantage):
    model = compute_model(with_options(full(), mobile_autodiscover_over_http=False))
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    with_file = probe_endpoints(model, vantage, ca_path="/ca.crt")
    with_text = probe_endpoints(model, vantage, ca_data=pem)
    assert [e["name"] for e in with_text] == [e["name"] for e in with_file]
    verified = [e["name"] for e in with_file if "ca_path" in e]
    assert verified  # the vantage verifies some certificates
    assert [e["name"] for e in with_text if e.get("ca_data") == pem] == verified
    assert all("ca_path" not in e for e in with_text)
    both = probe_endpoints(model, vantage, ca_path="/ca.crt", ca_data=pem)
    assert all(e["ca_path"] == "/ca.crt" and e["ca_data"] == pem for e in both if e["name"] in verified)
