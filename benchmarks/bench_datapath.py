# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The data path: requests/s and latency with wrk from the lab's client through rp1 to a pool.

HTTPS with keep-alive (wrk -t2 -c32, fixed duration, fixed rounds), interleaved: every round
runs every configuration once, in turn. The backends are nginx on fe1 and fe2 answering a
fixed 200 on 4443 over TLS (so that the backend is not the bottleneck; the lab's Python backend
would be). Configurations:

- direct: client -> fe1:4443, routed through rp1 (no proxy, rp1 forwards);
- haproxy: the config rp_haproxy generates (backend certificate verification, http-reuse safe
  for Windows authentication, health checks), the rp_firewall ruleset loaded;
- haproxy-nofw: the same with the rp_firewall table removed (what the firewall costs);
- haproxy-noreuse: the generated config with http-reuse never;
- haproxy-logall: the generated config with rp_haproxy_log_requests: all (a syslog line per
  request, what the default "errors" leaves out);
- haproxy-anchor: the hand-tuned anchor (http-reuse always, verify none, no firewall);
- nginx: the config rp_nginx generates (pool names passed through by SNI, firewall loaded);
- nginx-anchor: the hand-tuned anchor (TLS terminated, upstream keepalive 64, HTTP/1.1,
  verify off, no firewall);
- nginx-noreuse: the anchor without upstream keep-alive.

Everything shares two vCPUs: wrk, the proxy and the backends. Writes
benchmarks/results/datapath.{json,md,png}. Run inside the lab's controller namespace after the
site converged rp1 (make bench does both).
"""

from __future__ import annotations

import argparse
import re
import subprocess

import labbench

NAME = "webext.contoso.com"
BACKEND_CONF = r"""
worker_processes 1;
pid /run/bench-backend.pid;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    server {
        listen 4443 ssl;
        ssl_certificate /opt/lab-host/server.crt;
        ssl_certificate_key /opt/lab-host/server.key;
        location / { default_type text/plain; return 200 "ok\n"; }
    }
}
"""
HAPROXY_ANCHOR = """
global
    maxconn 4096
    ssl-default-bind-options ssl-min-ver TLSv1.2
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 30s
    option http-keep-alive
    http-reuse always
frontend bench
    bind {listener}:443 ssl crt /etc/bench/listener.pem alpn http/1.1
    default_backend pool
backend pool
    balance roundrobin
    server fe1 10.10.10.11:4443 ssl verify none alpn http/1.1
    server fe2 10.10.10.12:4443 ssl verify none alpn http/1.1
"""
NGINX_ANCHOR = """
worker_processes auto;
pid /run/bench-nginx.pid;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    upstream pool {{
        server 10.10.10.11:4443;
        server 10.10.10.12:4443;
        {keepalive}
    }}
    server {{
        listen {listener}:443 ssl;
        ssl_certificate /etc/bench/listener.crt;
        ssl_certificate_key /etc/bench/listener.key;
        location / {{
            proxy_pass https://pool;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_ssl_verify off;
            proxy_ssl_session_reuse on;
        }}
    }}
}}
"""
STOP = ("systemctl stop haproxy nginx; pkill -F /run/bench-haproxy.pid 2>/dev/null; "
        "pkill -F /run/bench-nginx.pid 2>/dev/null; sleep 0.3; true")
FIREWALL_ON = "nft list table inet lync_reverse_proxy >/dev/null 2>&1 || nft -f /etc/nftables.d/lync_reverse_proxy.nft"
FIREWALL_OFF = "nft delete table inet lync_reverse_proxy 2>/dev/null; true"
CONFIGS = ("direct", "haproxy", "haproxy-nofw", "haproxy-noreuse", "haproxy-logall", "haproxy-anchor", "nginx",
           "nginx-anchor", "nginx-noreuse")


def switch(config: str) -> str:
    """Shell for rp1 that makes `config` the one serving; returns the URL wrk asks."""
    commands = {
        "direct": [STOP, FIREWALL_ON],
        "haproxy": [STOP, FIREWALL_ON, "systemctl start haproxy"],
        "haproxy-nofw": [STOP, FIREWALL_OFF, "systemctl start haproxy"],
        "haproxy-noreuse": [STOP, FIREWALL_ON, "sed 's/http-reuse safe/http-reuse never/' /etc/haproxy/haproxy.cfg "
                            "> /etc/bench/noreuse.cfg", "haproxy -D -p /run/bench-haproxy.pid -f /etc/bench/noreuse.cfg"],
        "haproxy-logall": [STOP, FIREWALL_ON, "grep -v 'option dontlog-normal' /etc/haproxy/haproxy.cfg "
                           "> /etc/bench/logall.cfg", "haproxy -D -p /run/bench-haproxy.pid -f /etc/bench/logall.cfg"],
        "haproxy-anchor": [STOP, FIREWALL_OFF, "haproxy -D -p /run/bench-haproxy.pid -f /etc/bench/haproxy-anchor.cfg"],
        "nginx": [STOP, FIREWALL_ON, "systemctl start nginx"],
        "nginx-anchor": [STOP, FIREWALL_OFF, "nginx -c /etc/bench/nginx-anchor.conf"],
        "nginx-noreuse": [STOP, FIREWALL_OFF, "nginx -c /etc/bench/nginx-noreuse.conf"],
    }
    return "; ".join(commands[config])


def url(config: str) -> str:
    return "https://10.10.10.11:4443/bench" if config == "direct" else "https://%s/bench" % NAME


def parse(output: str) -> dict:
    requests = re.search(r"Requests/sec:\s+([0-9.]+)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = {percent: float(value) * scale[unit]
               for percent, value, unit in re.findall(r"^\s+(50|99)(?:\.0+)?%\s+([0-9.]+)(us|ms|s)\b", output, re.M)}
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if not requests or "50" not in latency or "99" not in latency:
        raise SystemExit("wrk output not understood:\n%s" % output)
    return {"rps": float(requests.group(1)), "p50_ms": latency["50"], "p99_ms": latency["99"],
            "non_2xx": int(errors.group(1)) if errors else 0}


def forwarding(on: bool) -> None:
    """IPv4 forwarding on rp1 for the direct path: set in rp1's lab namespace (a container cannot)."""
    subprocess.run(["ip", "netns", "exec", "lync-rp1", "sysctl", "-q", "-w", "net.ipv4.ip_forward=%d" % int(on)],
                   check=True)


def setup(listener: str, pki: str) -> None:
    """Backends, anchor configs and the route of the direct path (lab-internal only)."""
    labbench.adhoc("fe1,fe2", "systemctl stop lab-backend; cat > /etc/nginx/bench-backend.conf <<'EOF'\n%s\nEOF\n"
                   "pkill -F /run/bench-backend.pid 2>/dev/null; nginx -c /etc/nginx/bench-backend.conf" % BACKEND_CONF)
    labbench.adhoc("rp1", "mkdir -p /etc/bench")
    for name in ("crt", "key"):
        labbench.copy("rp1", "%s/rp1-listener.%s" % (pki, name), "/etc/bench/listener.%s" % name)
    labbench.adhoc("rp1", "cat /etc/bench/listener.crt /etc/bench/listener.key > /etc/bench/listener.pem; "
                   "cat > /etc/bench/haproxy-anchor.cfg <<'EOF'\n%s\nEOF\n"
                   "cat > /etc/bench/nginx-anchor.conf <<'EOF'\n%s\nEOF\n"
                   "cat > /etc/bench/nginx-noreuse.conf <<'EOF'\n%s\nEOF\n" % (
                       HAPROXY_ANCHOR.replace("{listener}", listener),
                       NGINX_ANCHOR.format(listener=listener, keepalive="keepalive 64;"),
                       NGINX_ANCHOR.format(listener=listener, keepalive="")))
    forwarding(True)
    labbench.adhoc("client", "ip route replace 10.10.10.11/32 via %s" % listener)
    labbench.adhoc("fe1", "ip route replace 198.51.100.0/24 via 10.10.1.5")


def teardown() -> None:
    labbench.adhoc("rp1", "%s; %s; systemctl start haproxy" % (STOP, FIREWALL_ON))
    forwarding(False)
    labbench.adhoc("client", "ip route del 10.10.10.11/32 2>/dev/null; true")
    labbench.adhoc("fe1", "ip route del 198.51.100.0/24 2>/dev/null; true")
    labbench.adhoc("fe1,fe2", "pkill -F /run/bench-backend.pid 2>/dev/null; systemctl start lab-backend")


def plot(results: dict, path) -> None:
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
    names = list(results)
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.4))
    axes[0].bar(names, [results[n]["rps"]["median"] for n in names], color="tab:blue")
    axes[0].set_ylabel("requests/s (median)")
    axes[1].bar(names, [results[n]["p99_ms"]["median"] for n in names], color="tab:orange")
    axes[1].set_ylabel("p99 latency, ms (median)")
    for axis in axes:
        axis.tick_params(axis="x", rotation=40)
        axis.grid(True, axis="y", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run (at most 30)")
    parser.add_argument("--smoke", action="store_true", help="1 s runs of two configurations, nothing written")
    args = parser.parse_args()
    duration = 1 if args.smoke else min(max(args.duration, 1), 30)
    rounds = 1 if args.smoke else args.rounds
    configs = ("direct", "haproxy") if args.smoke else CONFIGS
    inventory = labbench.inventory()
    listener = inventory["all"]["hosts"]["rp1"]["lync_lab_addresses"]["ext"]
    setup(listener, inventory["all"]["vars"]["lync_lab_pki"])
    samples = {config: [] for config in configs}
    try:
        for dummy in range(rounds):
            for config in configs:
                labbench.adhoc("rp1", switch(config))
                output = labbench.adhoc("client", "timeout %d wrk -t2 -c32 -d%ds --latency -H 'Host: %s' %s" % (
                    duration + 20, duration, NAME, url(config)), timeout=duration + 60)
                result = parse(output)
                samples[config].append(result)
                print("%-16s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  non-2xx %d" % (
                    config, result["rps"], result["p50_ms"], result["p99_ms"], result["non_2xx"]), flush=True)
    finally:
        teardown()
    if args.smoke:
        return 0
    results = {c: {k: labbench.summary([s[k] for s in v]) for k in ("rps", "p50_ms", "p99_ms")} for c, v in samples.items()}
    for config, values in samples.items():
        results[config]["non_2xx"] = sum(s["non_2xx"] for s in values)
    lines = ["# Data path (wrk -t2 -c32 -d%ds, HTTPS keep-alive, %d interleaved rounds, medians)" % (duration, rounds), "",
             "| path | req/s | p50 ms | p99 ms | non-2xx |", "|---|---|---|---|---|"]
    for config in configs:
        row = results[config]
        lines.append("| %s | %.0f [%.0f-%.0f] | %.2f | %.2f | %d |" % (
            config, row["rps"]["median"], row["rps"]["min"], row["rps"]["max"], row["p50_ms"]["median"],
            row["p99_ms"]["median"], row["non_2xx"]))

    def ratio(a, b, key="rps"):
        return results[a][key]["median"] / results[b][key]["median"]

    # The firewall's cost from the runs next to each other in each round (the load of the
    # shared machine drifts between rounds more than the firewall costs).
    paired = labbench.summary([100 * (1 - with_fw["rps"] / without["rps"])
                               for with_fw, without in zip(samples["haproxy"], samples["haproxy-nofw"])])

    lines += ["", "| comparison | value | target |", "|---|---|---|",
              "| haproxy / haproxy-anchor, req/s | %.2f | >= 0.95 |" % ratio("haproxy", "haproxy-anchor"),
              "| haproxy / haproxy-anchor, p99 | %.2f | <= 1.10 |" % ratio("haproxy", "haproxy-anchor", "p99_ms"),
              "| nginx / nginx-anchor, req/s | %.2f | >= 0.95 |" % ratio("nginx", "nginx-anchor"),
              "| nginx / nginx-anchor, p99 | %.2f | <= 1.10 |" % ratio("nginx", "nginx-anchor", "p99_ms"),
              "| firewall cost (1 - haproxy / haproxy-nofw), req/s, median of the rounds' pairs | %.1f %% "
              "[%.1f to %.1f] | < 3 %% |" % (paired["median"], paired["min"], paired["max"]),
              "| logging every request (1 - haproxy-logall / haproxy), req/s | %.1f %% | |" % (
                  100 * (1 - ratio("haproxy-logall", "haproxy"))),
              "| haproxy / direct, req/s | %.2f | (two shared vCPUs) |" % ratio("haproxy", "direct")]
    labbench.write("datapath", {"machine": labbench.machine(), "duration": duration, "rounds": rounds,
                                "results": results, "samples": samples,
                                "firewall_cost_percent": paired}, "\n".join(lines) + "\n")
    plot(results, labbench.PLOTS / "datapath.png")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
