# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""haproxy.cfg from the model's routes. PRIVATE to the lync.reverse_proxy collection.

One frontend per published port: 443 terminates TLS with the listener certificate and picks the
backend by the Host header; 80 redirects to https or passes on, by the same header. Every backend
re-encrypts to the pool's 4443 (or Office Web Apps' 443) and checks the server's name. The
options are checked by ``_proxy.render_proxy`` before this runs.
"""

from __future__ import annotations

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._renderer import Option, ProxyRenderer

__all__ = ["RENDERER", "render"]

_TIME = r"[0-9]+(us|ms|s|m|h|d)?"
# HAProxy spells TLS 1.0 "TLSv1.0".
_VERSION = {"TLSv1": "TLSv1.0"}


def _address(ip: str, port: int) -> str:
    return "%s:%s" % ("ipv6@" + ip if ":" in ip else ip, port)


def _binds(listener: list, port: int, options: str = "") -> list:
    suffix = " " + options if options else ""
    return ["    bind %s%s" % (_address(ip, port) if ip != "*" else ":%d" % port, suffix) for ip in listener or ["*"]]


def _tls_lines(side: str, settings: dict) -> list:
    lines = ["    ssl-default-%s-ciphers %s" % (side, settings["ciphers"])] if settings["ciphers"] else []
    lines.append("    ssl-default-%s-ciphersuites %s" % (side, settings["ciphersuites"]))
    options = "    ssl-default-%s-options ssl-min-ver %s ssl-max-ver %s" % (
        side, _VERSION.get(settings["min_version"], settings["min_version"]),
        _VERSION.get(settings["max_version"], settings["max_version"]))
    if side == "bind" and not settings["session_tickets"]:
        options += " no-tls-tickets"
    return lines + [options]


def _frontend(name: str, listener: list, port: int, routes: list, bind_options: str = "") -> list:
    lines = ["frontend " + name] + _binds(listener, port, bind_options)
    lines.append("    http-request set-var(txn.lync_host) req.hdr(host),field(1,:),lower")
    for route in routes:
        names = " ".join(route["host_names"])
        if port == 80 and route["redirect_to_https"]:
            lines.append("    http-request redirect scheme https code 301 if { var(txn.lync_host) -m str %s }" % names)
        else:
            lines.append("    use_backend %s if { var(txn.lync_host) -m str %s }" % (route["name"], names))
    return lines + ["    default_backend lync_unknown_host", ""]


def _backend(route: dict, options: dict) -> list:
    fqdn = route["backend_fqdn"]
    lines = ["backend " + route["name"], "    balance roundrobin"]
    if options["health_checks"]:
        lines += ["    option httpchk",
                  "    http-check send meth GET uri %s ver HTTP/1.1 hdr Host %s" % (options["health_check_path"], fqdn),
                  "    http-check expect rstatus ^[234]"]
    tls = ""
    if route["backend_tls"]:
        verify = ("verify required ca-file %s verifyhost %s" % (options["ca_path"], fqdn)
                  if options["backend_verify"] else "verify none")
        tls = " ssl sni str(%s) alpn http/1.1 %s check-sni %s" % (fqdn, verify, fqdn)
    check = " check inter " + options["health_check_interval"] if options["health_checks"] else ""
    for ip in route["backend_addresses"]:
        lines.append("    server %s %s%s%s" % (ip, _address(ip, route["backend_port"]), tls, check))
    return lines + [""]


def render(routes: list, listener: list, tls: dict, **options) -> str:
    """haproxy.cfg for ``routes`` (the model's), bound to ``listener`` (addresses as text; none:
    every address), with the TLS settings of ``tls_profile``."""
    lines = [
        "# Lync Server 2013 / Skype for Business reverse proxy, from the port model of lync.reverse_proxy.",
        "global",
        "    log /dev/log local0",
        "    user haproxy",
        "    group haproxy",
        "    maxconn %d" % options["maxconn"],
        "    stats socket /run/haproxy/admin.sock mode 660 level admin",
        "    # TLS profile %s (lync.reverse_proxy.tls_profile)" % tls["profile"],
    ]
    lines += _tls_lines("bind", tls["listener"]) + _tls_lines("server", tls["backend"])
    lines += ["    tune.ssl.default-dh-param 2048", "", "defaults", "    mode http"]
    if options["log_requests"] == "none":
        lines.append("    no log")
    else:
        lines += ["    log global", "    option httplog", "    option dontlognull"]
        if options["log_requests"] == "errors":
            lines += ["    # Only failed, timed-out, 5xx and refused requests (a line per request costs the log daemon",
                      "    # about a third of the throughput of a small host).",
                      "    option dontlog-normal"]
    lines += [
        "    # X-Forwarded-For for the pools; the Host header passes unchanged.",
        "    option forwardfor",
        "    timeout connect " + options["timeout_connect"],
        "    timeout client " + options["timeout_client"],
        "    timeout server " + options["timeout_server"],
        "    timeout http-request " + options["timeout_http_request"],
        "    timeout http-keep-alive " + options["timeout_http_keep_alive"],
        "    # Windows authentication binds a server connection to a client: HAProxy marks a connection",
        "    # that answered 401/407 with NTLM or Negotiate private, and \"safe\" never shares a private",
        "    # connection, nor a first request, with another client.",
        "    http-reuse safe",
        "    option prefer-last-server",
        "",
    ]
    https_routes = [route for route in routes if route["frontend_port"] == 443]
    http_routes = [route for route in routes if route["frontend_port"] == 80]
    lines += _frontend("lync_https", listener, 443, https_routes,
                       "ssl crt %s alpn http/1.1" % options["pem_path"])
    if http_routes:
        lines += _frontend("lync_http", listener, 80, http_routes)
    lines += ["backend lync_unknown_host",
              '    http-request return status 404 content-type text/plain string "unknown host\\n"', ""]
    for route in routes:
        if not route["redirect_to_https"]:
            lines += _backend(route, options)
    return "\n".join(lines) + "\n"


_PATH = r"/[^\s;#'\"]*"
RENDERER = ProxyRenderer(
    name="haproxy",
    render=render,
    options={
        "pem_path": Option("", _PATH, meaning="an absolute path (the listener certificate and key, PEM)"),
        "ca_path": Option("", r"(%s)?" % _PATH, meaning="an absolute path (the backends' CA, PEM)"),
        "backend_verify": Option(True, kind="bool"),
        "maxconn": Option(4096, kind="count"),
        "log_requests": Option("errors", choices=("errors", "all", "none")),
        "timeout_connect": Option("5s", _TIME, meaning="an HAProxy time (e.g. 5s, 500ms)"),
        "timeout_client": Option("960s", _TIME, meaning="an HAProxy time (e.g. 960s)"),
        "timeout_server": Option("960s", _TIME, meaning="an HAProxy time (e.g. 960s)"),
        "timeout_http_request": Option("30s", _TIME, meaning="an HAProxy time (e.g. 30s)"),
        "timeout_http_keep_alive": Option("30s", _TIME, meaning="an HAProxy time (e.g. 30s)"),
        "health_checks": Option(True, kind="bool"),
        "health_check_path": Option("/", r"/[^\s]*", meaning="a path starting with / and without spaces"),
        "health_check_interval": Option("5s", _TIME, meaning="an HAProxy time (e.g. 5s)"),
    },
    required=("pem_path",),
)
