# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Windows authentication through a proxy: does an authenticated server connection stay with
its client, and only with it?

Each round, client A runs the NTLM-like handshake of the lab backend (/abs/) on one connection
and then asks again without credentials: it must still be A's user (the proxy kept A's server
connection for A). Meanwhile clients B (new connections, no credentials) must never be anybody's
user. Rounds run in a few threads at once. Bounded: --rounds rounds, each request --timeout s.
Prints JSON: rounds, authenticated (A kept its user), leaks (B saw a user), errors.
"""

import argparse
import base64
import concurrent.futures
import http.client
import json
import socket
import ssl


def token(text):
    return "NTLM " + base64.b64encode(text.encode()).decode()


def request(conn, path, authorization=None):
    headers = {"Authorization": authorization} if authorization else {}
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    try:
        data = json.loads(body)
    except ValueError:
        data = {}
    return response.status, data


class _Connection(http.client.HTTPSConnection):
    """An HTTPS connection to --address that speaks to --host (SNI, certificate, Host header)."""

    def __init__(self, address, host, port, context, timeout):
        super().__init__(host, port, context=context, timeout=timeout)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def connection(args, context):
    if args.address:
        return _Connection(args.address, args.host, args.port, context, args.timeout)
    return http.client.HTTPSConnection(args.host, args.port, context=context, timeout=args.timeout)


def one_round(args, context, index):
    result = {"authenticated": False, "leaks": [], "error": None}
    user = "user%d" % index
    try:
        a = connection(args, context)
        request(a, "/abs/a")
        request(a, "/abs/a", token("negotiate"))
        status, data = request(a, "/abs/a", token("authenticate:" + user))
        if status != 200 or data.get("user") != user:
            result["error"] = "handshake failed: %s %s" % (status, data)
            return result
        for dummy in range(args.others):
            b = connection(args, context)
            status, data = request(b, "/abs/b")
            if status == 200 or data.get("user"):
                result["leaks"].append({"round": index, "status": status, "user": data.get("user"),
                                        "connection": data.get("connection")})
            b.close()
        status, data = request(a, "/abs/a")
        result["authenticated"] = status == 200 and data.get("user") == user
        a.close()
    except (OSError, http.client.HTTPException) as exc:
        result["error"] = "%s: %s" % (type(exc).__name__, exc)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, default=443)
    parser.add_argument("--address", help="connect here instead of resolving --host")
    parser.add_argument("--ca", required=True)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--others", type=int, default=3, help="B clients per round")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args()
    context = ssl.create_default_context(cafile=args.ca)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.threads) as pool:
        results = list(pool.map(lambda i: one_round(args, context, i), range(min(args.rounds, 500))))
    print(json.dumps({
        "rounds": len(results),
        "authenticated": sum(1 for r in results if r["authenticated"]),
        "leaks": [leak for r in results for leak in r["leaks"]],
        "errors": [r["error"] for r in results if r["error"]],
    }))


if __name__ == "__main__":
    main()
