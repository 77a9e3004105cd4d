# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""haproxy.cfg from the model's routes. PRIVATE to the lync.reverse_proxy collection.

One frontend per published port: 443 terminates TLS with the listener certificate and picks the
backend by the Host header; 80 redirects to https or passes on, by the same header. Every backend
re-encrypts to the pool's 4443 (or Office Web Apps' 443) and checks the server's name. The
options are checked by ``_proxy.render_proxy`` before this runs.

Hostile load: the TLS handshake and the request head each have a short time-out of their own
(``timeout_handshake``, ``timeout_http_request``) while a request's wait for its answer keeps the
long one of Lync's long polls (``timeout_server``); a source (an IPv4 address, an IPv6 /64) may
hold ``source_connections`` connections and open ``source_rate`` a second, counted in one stick
table for both ports and refused at accept, before any TLS work; ``maxconn`` is sized from the
host's memory and open-file limit (:func:`sized`).
"""

from __future__ import annotations

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._renderer import Option, ProxyHost, ProxyRenderer, TlsFile

__all__ = ["RENDERER", "render", "sized"]

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


# What a connection costs, for maxconn from the host (measured in the lab with HAProxy 2.6 and 3.0:
# about 50 KiB per TLS connection that is still in its handshake): 8 connections per MiB of memory
# (64 KiB each, half the memory), 2 open files each (client and server side) besides 1,000 others.
PER_MIB = 8
FILES_EACH = 2
FILES_OTHER = 1000
FLOOR = 256


def sized(memory_mb: int, open_files: int) -> tuple:
    """maxconn for a host with ``memory_mb`` MiB of memory whose services may open ``open_files``
    files, and how it was found (a comment for the configuration)."""
    by_memory = memory_mb * PER_MIB
    by_files = (open_files - FILES_OTHER) // FILES_EACH
    value = max(FLOOR, min(by_memory, by_files))
    return value, "maxconn from the host: %d MiB of memory x %d, or %d open files / %d, the lower (at least %d)" % (
        memory_mb, PER_MIB, open_files, FILES_EACH, FLOOR)


def _per_source(options: dict) -> list:
    """Track each source in the shared table; refuse a connection over its limits at accept."""
    conditions = []
    if options["source_connections"]:
        conditions.append("{ sc_conn_cur(0) gt %d }" % options["source_connections"])
    if options["source_rate"]:
        conditions.append("{ sc_conn_rate(0) gt %d }" % (10 * options["source_rate"]))
    if not conditions:
        return []
    return ["    tcp-request connection track-sc0 src,ipmask(32,64) table lync_per_source",
            "    tcp-request connection reject if %s" % " || ".join(conditions)]


def _frontend(name: str, listener: list, port: int, routes: list, options: dict, bind_options: str = "") -> list:
    lines = ["frontend " + name] + _binds(listener, port, bind_options)
    if bind_options:
        lines += [".if version_before(2.8)",
                  "    # Before HAProxy 2.8 the handshake has no time-out of its own: the client's is the",
                  "    # handshake's here (the wait for an answer is the server's, not the client's).",
                  "    timeout client " + options["timeout_handshake"],
                  ".endif"]
    lines += _per_source(options)
    lines.append("    http-request set-var(txn.lync_host) req.hdr(host),field(1,:),lower")
    acme = port == 80 and options["acme_challenge_port"]
    if acme:
        # ACME HTTP-01: the challenge path, for every name, to the ACME client on the loopback
        # (it answers only while it asks the CA); no redirect for it.
        lines.append("    acl lync_acme_challenge path_beg /.well-known/acme-challenge/")
    chosen = []
    for route in routes:
        names = " ".join(route["host_names"])
        if port == 80 and route["redirect_to_https"]:
            lines.append("    http-request redirect scheme https code 301 if { var(txn.lync_host) -m str %s }%s" % (
                names, " !lync_acme_challenge" if acme else ""))
        else:
            (chosen if acme else lines).append("    use_backend %s if { var(txn.lync_host) -m str %s }" % (
                route["name"], names))
    # the http-request rules above come first whatever the order (HAProxy warns about one after a use_backend)
    if acme:
        chosen.insert(0, "    use_backend lync_acme if lync_acme_challenge")
    return lines + chosen + ["    default_backend lync_unknown_host", ""]


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
    ] + (["    # " + options["sizing"]] if options.get("sizing") else []) + [
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
        ".if version_atleast(2.8)",
        "    # The TLS handshake: far shorter than the long polls' time-outs.",
        "    timeout client-hs " + options["timeout_handshake"],
        ".endif",
        "    # Windows authentication binds a server connection to a client: HAProxy marks a connection",
        "    # that answered 401/407 with NTLM or Negotiate private, and \"safe\" never shares a private",
        "    # connection, nor a first request, with another client.",
        "    http-reuse safe",
        "    option prefer-last-server",
        "",
    ]
    https_routes = [route for route in routes if route["frontend_port"] == 443]
    http_routes = [route for route in routes if route["frontend_port"] == 80]
    if _per_source(options):
        lines += ["# Per source (an IPv4 address, an IPv6 /64), both ports: connections open, new ones in 10 s.",
                  "backend lync_per_source",
                  "    stick-table type ipv6 size 100k expire 60s store conn_cur,conn_rate(10s)", ""]
    lines += _frontend("lync_https", listener, 443, https_routes, options,
                       "ssl crt %s alpn http/1.1" % options["pem_path"])
    if http_routes:
        lines += _frontend("lync_http", listener, 80, http_routes, options)
    if http_routes and options["acme_challenge_port"]:
        lines += ["backend lync_acme", "    server acme 127.0.0.1:%d" % options["acme_challenge_port"], ""]
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
        "pem_path": Option("", _PATH, meaning="an absolute path (the listener certificate and key, PEM)",
                           description=("The file with the listener certificate chain and its key (PEM), an absolute path.",)),
        "ca_path": Option("", r"(%s)?" % _PATH, meaning="an absolute path (the backends' CA, PEM)",
                          description=("The file with the CA certificate(s) the backends' certificates chain to (PEM), an "
                                       "absolute path; needed with {option:backend_verify}.",)),
        "backend_verify": Option(True, kind="bool", description=(
            "Verify the backends' certificates (their published FQDN) against {variable:backend_ca}.",)),
        "maxconn": Option(4096, kind="count", description=(
            "Maximum concurrent connections (HAProxy needs about twice as many file descriptors).",
            "V(auto) sizes it from the host - 8 per MiB of memory (about 50 KiB per connection in its TLS handshake), "
            "at most half of the open files a service may have (less 1,000), at least 256. Read from the host unless "
            "{variable:host_capacity} gives it.")),
        "timeout_handshake": Option("10s", _TIME, meaning="an HAProxy time (e.g. 10s)", description=(
            "Time for a client's TLS handshake (C(timeout client-hs) from HAProxy 2.8 on; before, the HTTPS "
            "frontend's client timeout). A connection that never completes its handshake is closed after it.",)),
        "source_connections": Option(500, kind="limit", description=(
            "Connections one source (an IPv4 address, an IPv6 /64) may have open at once, on 443 and 80 together; "
            "more are refused at accept. V(0) - no limit.",
            "Many Lync clients can share one NAT address (an office, a hotel, a mobile carrier), so it is far above "
            "what one client uses.")),
        "source_rate": Option(100, kind="limit", description=(
            "New connections one source may open a second (averaged over 10 s); more are refused at accept. "
            "V(0) - no limit.",)),
        "log_requests": Option("errors", choices=("errors", "all", "none"), description=(
            "Which requests HAProxy logs (to syslog, C(/dev/log), facility local0).",
            "V(errors) - only requests that failed, timed out, got a 5xx or were refused (C(option dontlog-normal)); "
            "the usual choice for a busy proxy.",
            "V(all) - every request in HAProxy's HTTP log format. The log daemon then handles one line per request; "
            "on a host with two vCPUs that cost about a third of the throughput (docs/performance.md).",
            "V(none) - no request log.")),
        "timeout_connect": Option("5s", _TIME, meaning="an HAProxy time (e.g. 5s, 500ms)", description=(
            "Connect timeout to a backend.",)),
        "timeout_client": Option("960s", _TIME, meaning="an HAProxy time (e.g. 960s)", description=(
            "Client timeout (inactivity while HAProxy waits for the client - sending a request, reading an answer; "
            "not while the server thinks).",
            "Before HAProxy 2.8 the HTTPS frontend uses {option:timeout_handshake} instead, the only way it can bound "
            "a TLS handshake.")),
        "timeout_server": Option("960s", _TIME, meaning="an HAProxy time (e.g. 960s)", description=(
            "Server timeout, the wait for an answer; mobile clients long-poll, so it stays above 900 s.",)),
        "timeout_http_request": Option("10s", _TIME, meaning="an HAProxy time (e.g. 30s)", description=(
            "Time to receive a whole request head (however slowly it trickles in).",)),
        "timeout_http_keep_alive": Option("30s", _TIME, meaning="an HAProxy time (e.g. 30s)", description=(
            "Idle time of a client keep-alive connection between requests.",)),
        "acme_challenge_port": Option(0, kind="limit", description=(
            "The loopback port of the ACME client's HTTP-01 answers; requests for C(/.well-known/acme-challenge/) on "
            "port 80 go there, before any redirect. V(0) - none (the certificate comes from files).",)),
        "health_checks": Option(True, kind="bool", description=(
            "Health-check the backends (any answer below 500 is alive; Lync answers many paths with 401).",)),
        "health_check_path": Option("/", r"/[^\s]*", meaning="a path starting with / and without spaces", description=(
            "The path the health checks ask for.",)),
        "health_check_interval": Option("5s", _TIME, meaning="an HAProxy time (e.g. 5s)", description=(
            "Interval between health checks.",)),
    },
    required=("pem_path",),
    sized=sized,
    sized_option="maxconn",
    host=ProxyHost(
        packages=("haproxy",), service="haproxy", config_path="/etc/haproxy/haproxy.cfg",
        tls_dir="/etc/haproxy/lync", tls_group="haproxy", tls_dir_mode="0750", validate="haproxy -c -f %s",
        # HAProxy takes the chain and the key in one file
        files=(TlsFile("listener-{digest}.pem", ("certificate", "key"), "pem_path", mode="0600", secret=True,
                       digest_end="\n"),
               TlsFile("backend-ca-{digest}.pem", ("ca",), "ca_path", backend_ca=True))),
)
