# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A lab backend: stands in for a Lync pool's external web site or an Office Web Apps server.

Serves HTTPS and HTTP on the ports its JSON config names and answers every request with JSON:
which host, port and scheme it is, the Host header, path and client address it saw, and which
TCP connection carried the request.

Paths under /abs/ behave like Windows (NTLM) authentication: the handshake authenticates the
TCP connection, not the request. A request without credentials gets 401 ``WWW-Authenticate:
NTLM``; ``Authorization: NTLM <base64 'negotiate'>`` gets a 401 challenge; ``Authorization:
NTLM <base64 'authenticate:USER'>`` on the same connection authenticates it as USER, and later
requests on that connection are USER's without credentials. A proxy that hands such a
connection to another client lets that client act as USER: the tests look for exactly that.

Paths under /wait/<seconds> answer after that long (at most 1,000 s), as a Lync long poll (a
mobile client's event channel) waits for its answer: the proxies must keep such a request open.
"""

import base64
import http.server
import itertools
import json
import socketserver
import ssl
import sys
import threading
import time

CONNECTIONS = itertools.count(1)
# a client that does not finish its handshake within this many seconds is dropped
HANDSHAKE_TIMEOUT = 10


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "lync-lab-backend"

    def setup(self):
        # The TLS handshake runs in the connection's own thread, as a real web server's does (IIS
        # handshakes connections side by side): a burst of handshakes does not queue the others.
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(HANDSHAKE_TIMEOUT)
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()
        self.connection_id = "%s:%d:%d" % (self.server.config["host"], self.server.server_port, next(CONNECTIONS))
        self.requests = 0
        self.user = None
        self.challenged = False

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def _send(self, status, body, headers=()):
        data = (json.dumps(body, sort_keys=True) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _authenticate(self):
        """Returns (status, extra headers) for the NTLM-like handshake on /abs/."""
        header = self.headers.get("Authorization", "")
        if header.startswith("NTLM "):
            try:
                token = base64.b64decode(header[5:]).decode()
            except (ValueError, UnicodeDecodeError):
                token = ""
            if token == "negotiate":
                self.challenged = True
                challenge = base64.b64encode(("challenge:" + self.connection_id).encode()).decode()
                return 401, [("WWW-Authenticate", "NTLM " + challenge)]
            if token.startswith("authenticate:") and self.challenged:
                self.user = token.split(":", 1)[1]
                self.challenged = False
                return 200, []
            return 401, [("WWW-Authenticate", "NTLM")]
        if self.user is not None:
            return 200, []
        return 401, [("WWW-Authenticate", "NTLM"), ("WWW-Authenticate", "Negotiate")]

    def _handle(self):
        self.requests += 1
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = {
            "host": self.server.config["host"],
            "port": self.server.server_port,
            "scheme": self.server.scheme,
            "host_header": self.headers.get("Host"),
            "path": self.path,
            "method": self.command,
            "client": self.client_address[0],
            "x_forwarded_for": self.headers.get("X-Forwarded-For"),
            "connection": self.connection_id,
            "requests_on_connection": self.requests,
            "user": None,
        }
        status, headers = 200, []
        if self.path.startswith("/wait/"):
            try:
                seconds = min(max(float(self.path.split("/")[2]), 0.0), 1000.0)
            except (IndexError, ValueError):
                seconds = 0.0
            time.sleep(seconds)
            body["waited"] = seconds
        if self.path.startswith("/abs/"):
            status, headers = self._authenticate()
            body["user"] = self.user if status == 200 else None
        self._send(status, body, headers)

    do_GET = do_POST = do_HEAD = do_PUT = _handle


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        # a client gone or silent during its handshake is no error of the backend's
        if not isinstance(sys.exc_info()[1], (ssl.SSLError, OSError)):
            super().handle_error(request, client_address)


def serve(config, port, scheme):
    server = Server(("", port), Handler)
    server.config, server.scheme = config, scheme
    if scheme == "https":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(config["cert"], config["key"])
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    server.serve_forever()


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        config = json.load(handle)
    threads = [threading.Thread(target=serve, args=(config, port, "https"), daemon=True)
               for port in config["https_ports"]]
    threads += [threading.Thread(target=serve, args=(config, port, "http"), daemon=True)
                for port in config["http_ports"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main()
