# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The proxy renderers: the listener and routes they are given, the options they check, and the
choices that change what they write (the full texts are in tests/golden/haproxy and nginx)."""

from __future__ import annotations

import re

import pytest

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    PROXIES,
    PortModelError,
    compute_model,
    listener_addresses,
    proxy_config,
    tls_profile,
)
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    TWO_PROXIES as TOPOLOGY,
)

HAPROXY = {"pem_path": "/etc/haproxy/lync/l.pem", "ca_path": "/etc/haproxy/lync/ca.pem"}
NGINX = {"certificate_path": "/etc/nginx/lync/l.crt", "key_path": "/etc/nginx/lync/l.key",
         "ca_path": "/etc/nginx/lync/ca.pem"}


def _lines(text: str, pattern: str) -> list:
    return [line.strip() for line in text.splitlines() if re.search(pattern, line)]


def test_listener_is_the_proxys_own_addresses_once():
    model = compute_model(TOPOLOGY)
    assert listener_addresses(model, "rp1") == ["198.51.100.10", "2001:db8:100::10"]
    assert listener_addresses(model, "rp2") == ["192.0.2.10"]


def test_haproxy_binds_each_listener_address_on_both_ports():
    text = proxy_config(TOPOLOGY, "haproxy", reverse_proxy="rp1", **HAPROXY)
    assert _lines(text, r"^\s+bind ") == [
        "bind 198.51.100.10:443 ssl crt /etc/haproxy/lync/l.pem alpn http/1.1",
        "bind ipv6@2001:db8:100::10:443 ssl crt /etc/haproxy/lync/l.pem alpn http/1.1",
        "bind 198.51.100.10:80", "bind ipv6@2001:db8:100::10:80"]


def test_haproxy_backends_reencrypt_and_verify_the_pool_name():
    text = proxy_config(TOPOLOGY, "haproxy", reverse_proxy="rp2", **HAPROXY)
    servers = _lines(text, r"^\s+server 10\.10\.10\.1[12] ")
    assert {server.split()[1] for server in servers} == {"10.10.10.11", "10.10.10.12"}
    for server in servers:
        assert ":4443 ssl sni str(webext.contoso.com)" in server
        assert "verify required ca-file /etc/haproxy/lync/ca.pem verifyhost webext.contoso.com" in server
    unverified = proxy_config(TOPOLOGY, "haproxy", reverse_proxy="rp2", backend_verify=False,
                              health_checks=False, pem_path="/p.pem")
    assert "verify none" in unverified and "ca-file" not in unverified and "httpchk" not in unverified


def test_haproxy_tls_versions_are_spelled_its_way():
    text = proxy_config(TOPOLOGY, "haproxy", reverse_proxy="rp1", tls="old", **HAPROXY)
    assert "ssl-default-bind-options ssl-min-ver TLSv1.0 ssl-max-ver TLSv1.3" in text
    custom = tls_profile("custom", protocols=["TLSv1"], ciphers="AES128-SHA")
    text = proxy_config(TOPOLOGY, "haproxy", reverse_proxy="rp1", tls=custom, **HAPROXY)
    assert "ssl-min-ver TLSv1.0 ssl-max-ver TLSv1.0" in text


@pytest.mark.parametrize("passthrough, passed", [
    ("pools", {"webext.contoso.com"}),
    ("all", {"webext.contoso.com", "owa.contoso.com"}),
])
def test_nginx_passes_through_by_sni_what_is_asked(passthrough, passed):
    text = proxy_config(TOPOLOGY, "nginx", reverse_proxy="rp1", passthrough=passthrough, **NGINX)
    stream = text.split("\nhttp {", 1)[0]
    mapped = {line.split()[0] for line in _lines(stream, r"unix:/run/nginx-lync-pt-")
              if not line.startswith("listen")}
    assert passed <= mapped
    blocks = text.split("\nhttp {", 1)[1].split("    server {")
    terminated = {name for block in blocks if "tls.sock ssl proxy_protocol;" in block
                  for name in _lines(block, r"^\s+server_name ")[0].rstrip(";").split()[1:]}
    assert not passed & terminated
    assert "owa.contoso.com" in (mapped | terminated)


def test_nginx_listens_in_brackets_for_ipv6():
    text = proxy_config(TOPOLOGY, "nginx", reverse_proxy="rp1", **NGINX)
    assert "listen [2001:db8:100::10]:443;" in text and "listen 198.51.100.10:443;" in text


@pytest.mark.parametrize("proxy, options, message", [
    ("haproxy", {"pem_path": "relative.pem", "ca_path": "/ca"}, "pem_path 'relative.pem' is not an absolute path"),
    ("haproxy", {"ca_path": "/ca"}, "haproxy needs pem_path"),
    ("haproxy", {"pem_path": "/p", "backend_verify": True}, "backend_verify needs ca_path"),
    ("haproxy", {"pem_path": "/p", "ca_path": "/c", "timeout_server": "16 minutes"},
     "timeout_server '16 minutes' is not an HAProxy time"),
    ("haproxy", {"pem_path": "/p", "ca_path": "/c", "health_checks": "yes"}, "health_checks must be true or false"),
    ("haproxy", {"pem_path": "/p", "ca_path": "/c", "maxconn": 0}, "maxconn must be a whole number of at least 1"),
    ("haproxy", {"pem_path": "/p", "ca_path": "/c", "log_requests": "some"}, "log_requests must be one of"),
    ("haproxy", {"pem_path": "/p", "ca_path": "/c", "passthrough": "all"}, "haproxy takes no option passthrough"),
    ("nginx", dict(NGINX, passthrough="owa"), "passthrough must be one of pools, all, got 'owa'"),
    ("nginx", dict(NGINX, timeout="1 hour"), "timeout '1 hour' is not an nginx time"),
    ("nginx", {"certificate_path": "/c"}, "nginx needs key_path"),
    ("nginx", dict(NGINX, socket_dir="/run; evil"), "socket_dir '/run; evil' is not an absolute path"),
])
def test_bad_options_are_named(proxy, options, message):
    with pytest.raises(PortModelError, match=re.escape(message)):
        proxy_config(TOPOLOGY, proxy, reverse_proxy="rp1", **options)


def test_unknown_proxy_and_bad_tls_and_unknown_reverse_proxy_are_named():
    with pytest.raises(PortModelError, match="proxy must be one of haproxy, nginx, got 'apache'"):
        proxy_config(TOPOLOGY, "apache", reverse_proxy="rp1")
    with pytest.raises(PortModelError, match="tls must be a profile name or what tls_profile returns"):
        proxy_config(TOPOLOGY, "haproxy", reverse_proxy="rp1", tls={"profile": "x"}, **HAPROXY)
    with pytest.raises(PortModelError, match="profile must be one of"):
        proxy_config(TOPOLOGY, "haproxy", reverse_proxy="rp1", tls="strict", **HAPROXY)
    with pytest.raises(PortModelError, match="reverse proxy 'rp9' is not in the topology's reverse_proxies"):
        proxy_config(TOPOLOGY, "nginx", reverse_proxy="rp9", **NGINX)
    with pytest.raises(PortModelError, match="reverse_proxy is required"):
        proxy_config(TOPOLOGY, "nginx", **NGINX)


def test_every_declared_option_has_a_checked_default():
    """The defaults are the roles' defaults and pass their own checks."""
    for renderer in PROXIES.values():
        for name, option in renderer.options.items():
            if name not in renderer.required:
                assert option.check(name, option.default) == option.default
