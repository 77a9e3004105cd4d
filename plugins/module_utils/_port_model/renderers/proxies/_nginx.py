# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""nginx.conf from the model's routes. PRIVATE to the lync.reverse_proxy collection.

443: a stream server reads the SNI. Names routed to pools (or every name, with passthrough
``all``) are passed through to the backend as they are: Windows authentication binds a server
connection to one client, and open-source nginx shares upstream keep-alive connections between
clients in HTTP mode. The other names go to an HTTP server that terminates TLS with the listener
certificate and re-encrypts to the backend. The client address travels in the PROXY protocol
between the local hops. The options are checked by ``_proxy.render_proxy`` before this runs.

Hostile load: the SNI must arrive within ``timeout_handshake`` (the stream's preread) and a request
head within ``timeout_header`` (which, before nginx 1.25.3, also bounds the rest of the handshake of
the names nginx terminates; from 1.25.3 its own ssl_handshake_timeout does, 60 s). A source may
hold ``source_connections`` connections on 443 (the stream counts them before reading anything)
and have as many requests in progress on 80; nginx has no per-source connection rate (the
firewall's). ``worker_connections`` is sized from the host's memory and open-file limit
(:func:`sized`). After the SNI, a name passed through is the pool's: its handshake and request head
are timed by the pool, its idle time by ``timeout`` (the long polls').
"""

from __future__ import annotations

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._renderer import Option, ProxyHost, ProxyRenderer, TlsFile

__all__ = ["PASSTHROUGH", "RENDERER", "render", "sized"]

# The backend kinds whose 443 names each passthrough setting passes through.
PASSTHROUGH = {"pools": ("front_end_pool", "director_pool"),
               "all": ("front_end_pool", "director_pool", "office_web_apps")}
_TIME = r"[0-9]+(ms|s|m|h|d|w|M|y)?"
_PATH = r"/[^\s;#'\"{}]*"

_HEADER = """\
# Lync Server 2013 / Skype for Business reverse proxy, from the port model of lync.reverse_proxy.
#
# 443: a stream server reads the SNI. Names routed to pools are passed through to the pool's
# 4443 as they are (Windows authentication binds a server connection to one client, and nginx
# shares upstream keep-alive connections between clients in HTTP mode). The other names go to
# an HTTP server that terminates TLS with the listener certificate and re-encrypts to the
# backend. The client address travels in the PROXY protocol between the local hops."""


# What a connection costs, for worker_connections from the host: a client passed through uses up
# to four nginx connections (the client's, both ends of the local hop, the backend's), about 64 KiB
# of buffers, so 8 clients (32 connections) per MiB of memory; one open file per connection
# besides 1,024 others (logs, certificates), the limit worker_rlimit_nofile raises to.
PER_MIB = 32
FILES_OTHER = 1024
FLOOR = 1024


def sized(memory_mb: int, open_files: int) -> tuple:
    """worker_connections for a host with ``memory_mb`` MiB of memory whose services may open
    ``open_files`` files, and how it was found (a comment for the configuration)."""
    value = max(FLOOR, min(memory_mb * PER_MIB, open_files - FILES_OTHER))
    return value, "worker_connections from the host: %d MiB of memory x %d, or %d open files - %d, the lower " \
        "(at least %d)" % (memory_mb, PER_MIB, open_files, FILES_OTHER, FLOOR)


def _listen(ip: str, port: int) -> str:
    if ip == "*":
        return str(port)
    return "%s:%s" % ("[%s]" % ip if ":" in ip else ip, port)


def _upstream_name(route: dict) -> str:
    return route["name"].replace("-", "_")


def _servers(route: dict) -> list:
    return ["        server %s max_fails=3 fail_timeout=10s;" % _listen(ip, route["backend_port"])
            for ip in route["backend_addresses"]]


def _stream(passthrough: list, addresses: list, sock: str, timeout: str, options: dict) -> list:
    lines = ["stream {"]
    if options["source_connections"]:
        lines += ["    # Per source address: connections open on 443, counted before anything is read.",
                  "    limit_conn_zone $binary_remote_addr zone=lync_stream_per_source:10m;",
                  "    limit_conn_log_level notice;", ""]
    lines += ["    map $ssl_preread_server_name $lync_route {", "        hostnames;"]
    lines += ["        %s unix:%spt-%s.sock;" % (name, sock, route["name"])
              for route in passthrough for name in route["host_names"]]
    lines += ["        default unix:%stls.sock;" % sock, "    }", "", "    server {"]
    lines += ["        listen %s;" % _listen(ip, 443) for ip in addresses]
    lines += ["        ssl_preread on;",
              "        # The TLS ClientHello (the SNI) within it; the long polls' time-out is the idle one below.",
              "        preread_timeout %s;" % options["timeout_handshake"]]
    if options["source_connections"]:
        lines.append("        limit_conn lync_stream_per_source %d;" % options["source_connections"])
    lines += ["        proxy_protocol on;", "        proxy_pass $lync_route;",
              "        proxy_timeout %s;" % timeout, "    }"]
    for route in passthrough:
        lines += ["", "    upstream lync_pt_%s {" % _upstream_name(route)] + _servers(route) + ["    }", ""]
        lines += ["    server {", "        listen unix:%spt-%s.sock proxy_protocol;" % (sock, route["name"]),
                  "        proxy_pass lync_pt_%s;" % _upstream_name(route), "        proxy_timeout %s;" % timeout,
                  "    }"]
    return lines + ["}", ""]


def _tls_settings(tls: dict) -> list:
    listener, backend = tls["listener"], tls["backend"]
    lines = ["    # TLS profile %s (lync.reverse_proxy.tls_profile): the names nginx terminates." % tls["profile"],
             "    ssl_protocols %s;" % " ".join(listener["protocols"])]
    if listener["ciphers"]:
        lines.append("    ssl_ciphers %s;" % listener["ciphers"])
    lines += ["    ssl_conf_command Ciphersuites %s;" % listener["ciphersuites"],
              "    # The server's order (as HAProxy's default): scanners rate a client-chosen order as a finding.",
              "    ssl_prefer_server_ciphers on;",
              "    ssl_session_tickets %s;" % ("on" if listener["session_tickets"] else "off"),
              "    # The re-encrypted side, to the back ends.",
              "    proxy_ssl_protocols %s;" % " ".join(backend["protocols"])]
    if backend["ciphers"]:
        lines.append("    proxy_ssl_ciphers %s;" % backend["ciphers"])
    return lines + ["    proxy_ssl_conf_command Ciphersuites %s;" % backend["ciphersuites"], ""]


def _terminated(route: dict, sock: str, options: dict) -> list:
    lines = ["", "    server {", "        listen unix:%stls.sock ssl proxy_protocol;" % sock,
             "        server_name %s;" % " ".join(route["host_names"]),
             "        ssl_certificate %s;" % options["certificate_path"],
             "        ssl_certificate_key %s;" % options["key_path"],
             "        location / {",
             "            proxy_pass https://lync_%s;" % _upstream_name(route),
             "            proxy_ssl_server_name on;",
             "            proxy_ssl_name %s;" % route["backend_fqdn"]]
    if options["backend_verify"]:
        lines += ["            proxy_ssl_verify on;", "            proxy_ssl_verify_depth 4;",
                  "            proxy_ssl_trusted_certificate %s;" % options["ca_path"]]
    return lines + ["            proxy_ssl_session_reuse on;", "        }", "    }"]


def _challenge(options: dict) -> list:
    """With ACME, the challenge path of a port 80 server goes to the ACME client on the loopback."""
    if not options["acme_challenge_port"]:
        return []
    return ["        location ^~ /.well-known/acme-challenge/ {",
            "            proxy_pass http://127.0.0.1:%d;" % options["acme_challenge_port"],
            "        }"]


def _answer(options: dict, answer: str) -> list:
    """A port 80 server's fixed answer: with ACME inside ``location /`` (a server-level return would
    answer before any location, the challenge's too)."""
    if not options["acme_challenge_port"]:
        return ["        %s;" % answer]
    return _challenge(options) + ["        location / {", "            %s;" % answer, "        }"]


def _port_80(routes: list, addresses: list, options: dict) -> list:
    lines = ["", "    # Port 80: an unknown name gets 404.", "    server {"]
    lines += ["        listen %s default_server;" % _listen(ip, 80) for ip in addresses]
    lines += _answer(options, "return 404") + ["    }"]
    limit = (["        limit_conn lync_http_per_source %d;" % options["source_connections"]]
             if options["source_connections"] else [])
    for route in routes:
        lines += ["", "    server {"] + ["        listen %s;" % _listen(ip, 80) for ip in addresses] + limit
        lines.append("        server_name %s;" % " ".join(route["host_names"]))
        if route["redirect_to_https"]:
            lines += _answer(options, "return 301 https://$host$request_uri")
        else:
            lines += _challenge(options) + [
                "        location / {", "            proxy_pass http://lync_%s;" % _upstream_name(route), "        }"]
        lines.append("    }")
    return lines


def render(routes: list, listener: list, tls: dict, **options) -> str:
    """nginx.conf for ``routes`` (the model's), listening on ``listener`` (addresses as text;
    none: every address), with the TLS settings of ``tls_profile``."""
    sock = options["socket_dir"].rstrip("/") + "/nginx-lync-"
    addresses = listener or ["*"]
    kinds = PASSTHROUGH[options["passthrough"]]
    https = [route for route in routes if route["frontend_port"] == 443]
    passthrough = [route for route in https if route["backend_kind"] in kinds]
    terminated = [route for route in https if route["backend_kind"] not in kinds]
    lines = [_HEADER, "user www-data;", "worker_processes auto;",
             "worker_rlimit_nofile %d;" % (options["worker_connections"] + FILES_OTHER), "pid /run/nginx.pid;",
             "include /etc/nginx/modules-enabled/*.conf;", "error_log /var/log/nginx/error.log;", "", "events {"]
    if options.get("sizing"):
        lines.append("    # " + options["sizing"])
    lines += ["    worker_connections %d;" % options["worker_connections"], "}", ""]
    lines += _stream(passthrough, addresses, sock, options["timeout"], options)
    lines += ["http {", "    include /etc/nginx/mime.types;", "    default_type application/octet-stream;",
              "    access_log /var/log/nginx/access.log;", "    server_tokens off;"]
    lines += _tls_settings(tls)
    lines += ["    proxy_http_version 1.1;",
              '    proxy_set_header Connection "";',
              "    proxy_set_header Host $http_host;",
              "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
              "    proxy_read_timeout %s;" % options["timeout"],
              "    proxy_send_timeout %s;" % options["timeout"],
              "    proxy_buffering off;", "    proxy_request_buffering off;", "    client_max_body_size 0;",
              "    set_real_ip_from unix:;", "    real_ip_header proxy_protocol;",
              "    # A request head within it (before nginx 1.25.3 also the TLS handshake of the names it terminates).",
              "    client_header_timeout %s;" % options["timeout_header"]]
    http_routes = [route for route in routes if route["frontend_port"] == 80]
    if http_routes and options["source_connections"]:
        lines += ["    # Per source address on 80: requests in progress (idle and slow connections: the time-outs, the firewall).",
                  "    limit_conn_zone $binary_remote_addr zone=lync_http_per_source:10m;",
                  "    limit_conn_log_level notice;"]
    for route in routes:
        if not route["redirect_to_https"] and route not in passthrough:
            lines += ["", "    upstream lync_%s {" % _upstream_name(route)] + _servers(route)
            lines += ["        keepalive %d;" % options["upstream_keepalive"], "    }"]
    lines += ["", "    # Names nginx terminates on 443; an unknown name gets 404.", "    server {",
              "        listen unix:%stls.sock ssl proxy_protocol default_server;" % sock,
              "        ssl_certificate %s;" % options["certificate_path"],
              "        ssl_certificate_key %s;" % options["key_path"],
              "        return 404;", "    }"]
    for route in terminated:
        lines += _terminated(route, sock, options)
    if http_routes:
        lines += _port_80(http_routes, addresses, options)
    return "\n".join(lines + ["}"]) + "\n"


RENDERER = ProxyRenderer(
    name="nginx",
    render=render,
    options={
        "certificate_path": Option("", _PATH, meaning="an absolute path (the listener certificate chain, PEM)", description=(
            "The file with the listener certificate chain (PEM), an absolute path.",)),
        "key_path": Option("", _PATH, meaning="an absolute path (the listener key, PEM)", description=(
            "The file with the listener certificate's private key (PEM), an absolute path.",)),
        "ca_path": Option("", r"(%s)?" % _PATH, meaning="an absolute path (the backends' CA, PEM)", description=(
            "The file with the CA certificate(s) the backends' certificates chain to (PEM), an absolute path; needed "
            "with {option:backend_verify}.",)),
        "backend_verify": Option(True, kind="bool", description=(
            "Verify the certificates of the backends of the terminated names (their published FQDN) against "
            "{variable:backend_ca}.",)),
        "passthrough": Option("pools", choices=tuple(PASSTHROUGH), description=(
            "Which 443 names are passed through by SNI (TLS passthrough in the stream module) instead of terminated.",
            "V(pools) - every name routed to a Front End or Director pool, the names that use Windows authentication; "
            "Office Web Apps is terminated and re-encrypted.",
            "V(all) - every name, Office Web Apps too.",
            "Open-source nginx shares upstream keep-alive connections between clients in HTTP mode, so Windows "
            "(NTLM/Negotiate) authentication, which binds a server connection to one client, is only safe passed "
            "through; there is no HTTP mode for those names.",
            "A passed-through name presents the backend's own certificate, which must carry it; X-Forwarded-For "
            "cannot be added to it.")),
        "upstream_keepalive": Option(32, kind="count", description=(
            "HTTP/1.1 keep-alive connections kept to each backend of the terminated names.",)),
        "timeout": Option("960s", _TIME, meaning="an nginx time (e.g. 960s, 16m)", description=(
            "Read, send and stream (idle) timeout; mobile clients long-poll, so it stays above 900 s.",
            "A name passed through is the pool's after its SNI - its handshake and request head are timed by the "
            "pool; nginx only bounds how long the connection idles (this).")),
        "timeout_handshake": Option("10s", _TIME, meaning="an nginx time (e.g. 10s)", description=(
            "Time for the TLS ClientHello on 443 (C(preread_timeout) of the stream server that reads the SNI). A "
            "connection that never sends it is closed after it.",)),
        "timeout_header": Option("10s", _TIME, meaning="an nginx time (e.g. 10s)", description=(
            "Time for a request head (C(client_header_timeout)) on the names nginx terminates and on 80; before "
            "nginx 1.25.3 it also bounds the rest of their TLS handshake (from 1.25.3 nginx's own "
            "C(ssl_handshake_timeout), 60 s, does).",)),
        "source_connections": Option(500, kind="limit", description=(
            "Connections one source address may have open at once on 443, closed before anything is read when over "
            "(and requests in progress on 80). V(0) - no limit.",
            "Many Lync clients can share one NAT address (an office, a hotel, a mobile carrier), so it is far above "
            "what one client uses.")),
        "worker_connections": Option(4096, kind="count", description=(
            "Connections per worker (a client passed through uses up to four); C(worker_rlimit_nofile) is 1,024 "
            "above it.",
            "V(auto) sizes it from the host - 32 per MiB of memory, at most the open files a service may have less "
            "1,024, at least 1,024. Read from the host unless {variable:host_capacity} gives it.")),
        "acme_challenge_port": Option(0, kind="limit", description=(
            "The loopback port of the ACME client's HTTP-01 answers; requests for C(/.well-known/acme-challenge/) on "
            "port 80 go there, before any redirect. V(0) - none (the certificate comes from files).",)),
        "socket_dir": Option("/run", _PATH, meaning="an absolute path (a directory for the local sockets)", description=(
            "The directory of the local sockets between nginx's stream and HTTP servers, an absolute path.",)),
    },
    required=("certificate_path", "key_path"),
    sized=sized,
    sized_option="worker_connections",
    host=ProxyHost(
        packages=("nginx", "libnginx-mod-stream"), service="nginx", config_path="/etc/nginx/nginx.conf",
        tls_dir="/etc/nginx/lync", tls_group="root", tls_dir_mode="0700", validate="nginx -t -q -c %s",
        # the chain and the key apart, both named by the pair
        files=(TlsFile("listener-{digest}.crt", ("certificate",), "certificate_path", digest_of=("certificate", "key")),
               TlsFile("listener-{digest}.key", ("key",), "key_path", mode="0600", secret=True,
                       digest_of=("certificate", "key")),
               TlsFile("backend-ca-{digest}.pem", ("ca",), "ca_path", backend_ca=True))),
)
