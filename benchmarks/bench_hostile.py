# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The listener under hostile load: legitimate requests beside each attack, against the same
requests without it, for HAProxy and nginx as the roles configure them.

rp1 is converged by site.yml with the roles' defaults (the proxy's handshake and request-head
time-outs, its per-source limits, maxconn / worker_connections sized from the host; rp_firewall's
per-source limits in nftables). From the lab's client (tests/lab/files/hostile.py):

- held-5k: 5,000 TCP connections from one address that send the first three bytes of a TLS
  record and nothing more (the attack of issue 29);
- held-20k: 20,000 such connections from two addresses (10,000 each, in two processes: one
  process may open 20,000 files here);
- held-20k-spread: 20,000 from 40 addresses (500 each, at the proxy's per-source limit): what the
  time-outs and the connection budget hold when the per-source limits do not bite;
- slow-heads: 400 connections that complete the TLS handshake and send a request head a byte
  every 10 s, on a name the proxy terminates (nginx passes the pools' names through: their heads
  are the pool's to time out);
- burst: new connections with full TLS handshakes, 64 at a time, from one address.

Beside each attack a second address of the client sends legitimate requests (20 a second, each on
a new connection, every name published on 443 in turn) for --duration seconds (15), once without the
attack and once with it, one right after the other, in every round (noise of the shared machine
cancels in the pairs). A long poll (a request the backend answers after --long-poll seconds, 900 by
default, as Lync's long polls wait) runs across all rounds and must complete. The proxy's memory
(RSS of all its processes) is sampled on rp1 during each run. Each attack stops when the
legitimate requests beside it are done (what it still holds then counts as open at the end).

Everything stays in the lab and is bounded in count and time. A proxy's run takes about 16 minutes
(the long poll's 15); --proxy runs one (the lab is shared: release it between the two), and the
results of each are kept in benchmarks/results/hostile.{json,md} beside the other's. Run inside the
lab's controller namespace (make bench does).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import shlex
import statistics
import subprocess
import threading
import time

import yaml

import labbench

REPO = pathlib.Path(__file__).resolve().parents[1]
ATTACKER, LEGIT, SECOND = "198.51.100.100", "198.51.100.101", "198.51.100.102"
SPREAD = ["198.51.100.%d" % last for last in range(110, 150)]
HOSTILE = "python3 /opt/lab/hostile.py"
ATTACKS = ("held-5k", "held-20k", "held-20k-spread", "slow-heads", "burst")
# What drives a burst's cost, run only when named in --attacks: the same burst on a name the proxy
# terminates (nginx passes the pools' names through), without TLS (connections only), and aimed at
# a TLS server that is not the proxy (the lab's backend, with the pool's certificate, on the
# client's own address) while the legitimate requests go to the proxy as ever; and held-9k-spread,
# held-20k-spread's 40 addresses with 9,000 connections, within HAProxy's maxconn in the lab (9,500).
DIAGNOSTIC = ("burst-terminated", "burst-tcp", "burst-elsewhere", "held-9k-spread")
ELSEWHERE = SECOND + ":4443"
TARGET_SUCCESS, TARGET_P99_RATIO = 0.99, 3.0


def attack_command(name: str, listener: str, terminated: str, first: str, smoke: bool) -> str:
    target = "--target %s:443" % listener
    if name == "held-5k":
        return "held %s --count %d --sources %s --hold 90" % (target, 200 if smoke else 5000, ATTACKER)
    if name == "held-20k":
        return "held %s --count 20000 --workers 2 --sources %s,%s --hold 90" % (target, ATTACKER, SECOND)
    if name in ("held-20k-spread", "held-9k-spread"):
        return "held %s --count %d --workers 2 --sources %s --hold 90" % (
            target, 20000 if name == "held-20k-spread" else 9000, ",".join(SPREAD))
    if name == "slow-heads":
        return "slow %s --name %s --tls --count 400 --interval 10 --hold 90 --sources %s" % (target, terminated, ATTACKER)
    if name == "burst-terminated":
        return "burst %s --name %s --tls --duration 90 --concurrency 64 --sources %s" % (target, terminated, ATTACKER)
    if name == "burst-tcp":
        return "burst %s --name %s --duration 90 --concurrency 64 --sources %s" % (target, first, ATTACKER)
    if name == "burst-elsewhere":
        return "burst --target %s --name %s --tls --duration 90 --concurrency 64 --sources %s" % (
            ELSEWHERE, first, ATTACKER)
    return "burst %s --name %s --tls --duration 90 --concurrency 64 --sources %s" % (target, first, ATTACKER)


class Lab:
    """SSH to lab hosts (the inventory's key and addresses), for commands that must not wait
    for Ansible: the client's runs and the memory samples on rp1."""

    def __init__(self):
        inventory = labbench.inventory()
        self.vars = inventory["all"]["vars"]
        self.hosts = inventory["all"]["hosts"]

    def ssh(self, host: str, command: str, timeout: float = 1500) -> str:
        argv = ["ssh", "-q", "-i", self.vars["ansible_ssh_private_key_file"], "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=5",
                "root@" + self.hosts[host]["ansible_host"], command]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            raise SystemExit("%s: %s failed (%d): %s" % (host, command[:80], result.returncode, result.stderr[-1500:]))
        return result.stdout


def memory_mib(lab: Lab, proxy: str) -> float:
    """RSS of all the proxy's processes on rp1, MiB."""
    out = lab.ssh("rp1", "ps -C %s -o rss= || true" % proxy, timeout=30)
    return sum(int(value) for value in out.split()) / 1024


BACKENDS = ("fe1", "fe2", "dir1", "owa1")


def cpu_snapshot(lab: Lab, proxy: str) -> dict:
    """The machine's CPU (the lab's hosts share its kernel: rp1's /proc/stat is the machine's), the
    proxy's and the lab backends' (the pools' stand-ins) CPU seconds so far."""
    out = lab.ssh("rp1", "head -n 1 /proc/stat; ps -C %s -o times= || true" % proxy, timeout=30).split("\n")
    fields = [int(value) for value in out[0].split()[1:]]
    backends = 0
    for host in BACKENDS:
        backends += sum(int(value) for value in lab.ssh(host, "ps -C python3 -o times= || true", timeout=30).split())
    return {"busy": sum(fields) - fields[3] - fields[4], "total": sum(fields), "when": time.monotonic(),
            "proxy": sum(int(value) for value in " ".join(out[1:]).split()), "backends": backends}


def cpu_used(before: dict, after: dict) -> dict:
    """Between two snapshots: the machine's busy share (of all its cores), the cores it kept busy,
    and the proxy's and backends' CPU seconds a second."""
    seconds = max(after["when"] - before["when"], 0.001)
    share = (after["busy"] - before["busy"]) / max(after["total"] - before["total"], 1)
    return {"machine_busy": round(share, 3), "cores": os.cpu_count(),
            "proxy_per_s": round((after["proxy"] - before["proxy"]) / seconds, 2),
            "backends_per_s": round((after["backends"] - before["backends"]) / seconds, 2)}


def measured(lab: Lab, proxy: str, command: str) -> dict:
    """Run a hostile.py command on the client while rp1's proxy memory is sampled; its report, the
    peak memory and the CPU used meanwhile."""
    before = cpu_snapshot(lab, proxy)
    peak, done = [memory_mib(lab, proxy)], threading.Event()

    def sample():
        while not done.wait(2.0):
            try:
                peak.append(memory_mib(lab, proxy))
            except (SystemExit, subprocess.TimeoutExpired):
                pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        report = json.loads(lab.ssh("client", "%s %s" % (HOSTILE, command)).strip().splitlines()[-1])
    finally:
        done.set()
        sampler.join(timeout=40)
    report["memory_mib"] = {"before": round(peak[0], 1), "peak": round(max(peak), 1)}
    report["cpu"] = cpu_used(before, cpu_snapshot(lab, proxy))
    return report


def published(lab: Lab) -> tuple:
    """(names published on 443, the first pool's name, the OWA name) of the lab's topology."""
    topology = lab.vars["lync_topology"]
    names = ([pool["external_web_fqdn"] for pool in topology["front_end_pools"]]
             + [director["external_web_fqdn"] for director in topology.get("directors", [])]
             + [name for names in topology.get("simple_urls", {}).values() for name in names]
             + ["lyncdiscover." + domain for domain in topology["sip_domains"]]
             + [owa["fqdn"] for owa in topology.get("office_web_apps", [])])
    return list(dict.fromkeys(names)), names[0], topology["office_web_apps"][0]["fqdn"]


def converge(proxy: str, settings: dict) -> None:
    labbench.playbook(str(REPO / "playbooks" / "site.yml"), {"lync_proxy_software": proxy, **settings},
                      limit="localhost,rp1", timeout=900)


def addresses(lab: Lab, add: bool) -> None:
    verb = "replace" if add else "del"
    lab.ssh("client", "; ".join("ip addr %s %s/24 dev ext0 2>/dev/null" % (verb, address)
                                for address in [LEGIT, SECOND] + SPREAD) + "; true", timeout=60)


def elsewhere(lab: Lab, start: bool, pid: str = "") -> str:
    """The lab's backend (a pool's stand-in, fe1's certificate) on the client's own address, for
    burst-elsewhere; bounded by timeout(1). Its PID, to stop it."""
    if not start:
        if pid:
            lab.ssh("client", "kill %s 2>/dev/null; rm -rf /tmp/elsewhere; true" % shlex.quote(pid), timeout=30)
        return ""
    certificate = lab.ssh("fe1", "cat /opt/lab-host/server.crt", timeout=30)
    key = lab.ssh("fe1", "cat /opt/lab-host/server.key", timeout=30)
    config = {"host": "client", "cert": "/tmp/elsewhere/server.crt", "key": "/tmp/elsewhere/server.key",
              "https_ports": [int(ELSEWHERE.rsplit(":", 1)[1])], "http_ports": []}
    return lab.ssh("client", "umask 077; mkdir -p /tmp/elsewhere && printf %%s %s > /tmp/elsewhere/server.crt && "
                   "printf %%s %s > /tmp/elsewhere/server.key && printf %%s %s > /tmp/elsewhere/backend.json && "
                   "(nohup timeout 1500 python3 /opt/lab/backend.py /tmp/elsewhere/backend.json >/dev/null 2>&1 & "
                   "echo $!)" % (shlex.quote(certificate), shlex.quote(key), shlex.quote(json.dumps(config))),
                   timeout=30).strip()


def run_proxy(lab: Lab, proxy: str, args, progress) -> dict:
    listener = lab.hosts["rp1"]["lync_lab_addresses"]["ext"]
    names, first, owa = published(lab)
    terminated = owa if proxy == "nginx" else first
    legit = "legit --listener %s --names %s --source %s --rate 20 --duration %d" % (
        listener, ",".join(names), LEGIT, args.duration)
    attacks = ("held-5k",) if args.smoke else args.attacks
    if not args.smoke:
        converge(proxy, args.set)
    config = lab.ssh("rp1", "grep -hE '^ *(maxconn|worker_connections) ' %s | head -n 1" % (
        "/etc/nginx/nginx.conf" if proxy == "nginx" else "/etc/haproxy/haproxy.cfg"), timeout=30).replace(";", "").split()
    poll = None
    if args.long_poll:
        poll = subprocess.Popen(
            ["ssh", "-q", "-i", lab.vars["ansible_ssh_private_key_file"], "-o", "BatchMode=yes", "-o",
             "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "root@" + lab.hosts["client"]["ansible_host"],
             "%s longpoll --listener %s --name %s --source %s --wait %d" % (HOSTILE, listener, first, LEGIT, args.long_poll)],
            stdout=subprocess.PIPE, text=True)
    pairs = {name: [] for name in attacks}
    result = {"budget": " ".join(config), "pairs": pairs, "long_poll": None, "settings": args.set}
    server = elsewhere(lab, True) if "burst-elsewhere" in attacks else ""
    try:
        run_rounds(lab, proxy, args, progress, attacks, result, (listener, terminated, first, legit))
    finally:
        elsewhere(lab, False, server)
    if poll is not None:
        output, dummy = poll.communicate(timeout=args.long_poll + 120)
        result["long_poll"] = json.loads(output.strip().splitlines()[-1])
        print("%s long poll: %s" % (proxy, result["long_poll"]), flush=True)
    return result


def run_rounds(lab: Lab, proxy: str, args, progress, attacks, result, where) -> None:
    """Every round: each attack's quiet and attacked runs, one right after the other."""
    listener, terminated, first, legit = where
    pairs = result["pairs"]
    for round_number in range(args.rounds):
        for name in attacks:
            attack = attack_command(name, listener, terminated, first, args.smoke)
            try:
                quiet = measured(lab, proxy, legit)
                loaded = measured(lab, proxy, "run --settle 40 --attack %s --legit %s" % (
                    shlex.quote(attack), shlex.quote(legit)))
            except (SystemExit, subprocess.TimeoutExpired, ValueError) as error:
                # one failed run is reported, not the end of the others (the long poll runs on)
                pairs[name].append({"error": str(error)[-2000:]})
                print("%s %-16s round %d: failed: %s" % (proxy, name, round_number + 1, str(error)[-500:]), flush=True)
                continue
            if "error" in loaded["attack"]:
                pairs[name].append({"error": loaded["attack"]["error"]})
                print("%s %-16s round %d: failed: %s" % (proxy, name, round_number + 1, loaded["attack"]["error"]),
                      flush=True)
                continue
            pairs[name].append({"quiet": quiet, "attacked": loaded})
            progress(result)
            print("%s %-16s round %d: legit %.3f ok, p99 %.3f s (quiet %.3f s), %s held/connected, closed after <= %s s, "
                  "memory %.0f MiB, cpu %s (quiet %s), attacker cpu %s s; p99 by name %s" % (
                      proxy, name, round_number + 1, loaded["legit"]["success"],
                      loaded["legit"]["latency"].get("p99", -1), quiet["latency"].get("p99", -1),
                      loaded["attack"].get("connected", loaded["attack"].get("ok")),
                      loaded["attack"].get("closed_after", {}).get("max"), loaded["memory_mib"]["peak"],
                      loaded["cpu"], quiet["cpu"], loaded["attack"].get("cpu_seconds"),
                      {n: v.get("p99") for n, v in loaded["legit"].get("by_name", {}).items()}), flush=True)


def summarize(result: dict) -> dict:
    """Per attack: legitimate success (the worst round), p99 and median of the attacked runs and
    of their quiet neighbours (medians of the rounds), the p99 ratio of each pair (the worst), what
    the attack held and how soon the proxy closed it (the worst round), the proxy's peak memory."""
    rows, budget = {}, connection_budget(result)
    for name, all_pairs in result["pairs"].items():
        pairs = [pair for pair in all_pairs if "error" not in pair]
        if not pairs:
            rows[name] = {"failed": len(all_pairs), "met": False}
            continue
        attacked = [pair["attacked"] for pair in pairs]
        quiet = [pair["quiet"] for pair in pairs]
        ratios = [a["legit"]["latency"]["p99"] / q["latency"]["p99"] for a, q in zip(attacked, quiet)
                  if a["legit"]["latency"].get("n") and q["latency"].get("n")]
        attack = [a["attack"] for a in attacked]
        rows[name] = {
            "success": min(a["legit"]["success"] for a in attacked),
            "quiet_success": min(q["success"] for q in quiet),
            "p50_ms": statistics.median(a["legit"]["latency"].get("p50", 0) for a in attacked) * 1000,
            "p99_ms": statistics.median(a["legit"]["latency"].get("p99", 0) for a in attacked) * 1000,
            "quiet_p50_ms": statistics.median(q["latency"].get("p50", 0) for q in quiet) * 1000,
            "quiet_p99_ms": statistics.median(q["latency"].get("p99", 0) for q in quiet) * 1000,
            "p99_ratio": max(ratios) if ratios else None,
            "attempted": max(a.get("attempted", 0) for a in attack),
            "accepted": max(a.get("connected", a.get("ok", 0)) for a in attack),
            "closed_after_max_s": max((a.get("closed_after", {}).get("max") or 0) for a in attack) or None,
            "open_at_end": max(a.get("open_at_end", 0) for a in attack),
            "memory_peak_mib": max(a["memory_mib"]["peak"] for a in attacked),
            # what the attack added (HAProxy keeps what it allocated for later connections)
            "memory_added_mib": max(a["memory_mib"]["peak"] - a["memory_mib"]["before"] for a in attacked),
            "memory_quiet_mib": max(q["memory_mib"]["peak"] for q in quiet),
            "failed": len(all_pairs) - len(pairs),
        }
        if all("cpu" in a and "cpu" in q for a, q in zip(attacked, quiet)):
            # what the machine's shared cores did meanwhile (medians of the rounds)
            rows[name]["cpu"] = {
                "machine_busy": statistics.median(a["cpu"]["machine_busy"] for a in attacked),
                "quiet_machine_busy": statistics.median(q["cpu"]["machine_busy"] for q in quiet),
                "proxy_per_s": statistics.median(a["cpu"]["proxy_per_s"] for a in attacked),
                "backends_per_s": statistics.median(a["cpu"]["backends_per_s"] for a in attacked),
                "quiet_backends_per_s": statistics.median(q["cpu"]["backends_per_s"] for q in quiet),
                "attacker_per_s": statistics.median(a["attack"].get("cpu_seconds", 0) / max(a["attack"].get("seconds", 1), 1)
                                                    for a in attacked),
                "cores": attacked[0]["cpu"]["cores"],
                # the name whose p99 was the highest beside the attack (which backend the requests waited for)
                "slowest_name": max(((n, v.get("p99", 0)) for n, v in attacked[0]["legit"].get("by_name", {}).items()),
                                    key=lambda item: item[1], default=(None, 0)),
            }
        rows[name]["met"] = bool(rows[name]["success"] >= TARGET_SUCCESS and rows[name]["p99_ratio"] is not None
                                 and rows[name]["p99_ratio"] <= TARGET_P99_RATIO)
        if budget and rows[name]["accepted"] > budget:
            # more established at once than HAProxy's maxconn (not merely attempted: the per-source limits drop
            # most of one address's): what comes beyond it waits in the kernel's queue
            rows[name]["over_budget"] = budget
    return rows


def connection_budget(result: dict) -> int:
    """HAProxy's maxconn as converged (0 for nginx: worker_connections is each worker's)."""
    words = result.get("budget", "").split()
    return int(words[1]) if len(words) == 2 and words[0] == "maxconn" and words[1].isdigit() else 0


def plot(data: dict, path) -> None:
    """Legitimate p99 beside each attack against the quiet runs', and success, per proxy."""
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
    proxies = [proxy for proxy in ("haproxy", "nginx") if proxy in data["proxies"]]
    figure, axes = plt.subplots(1, len(proxies), figsize=(6 * len(proxies), 4.2), squeeze=False)
    for axis, proxy in zip(axes[0], proxies):
        rows = {name: row for name, row in data["proxies"][proxy]["summary"].items() if "success" in row}
        names = list(rows)
        positions = range(len(names))
        axis.bar([p - 0.2 for p in positions], [rows[n]["quiet_p99_ms"] for n in names], 0.4, label="quiet", color="tab:blue")
        axis.bar([p + 0.2 for p in positions], [rows[n]["p99_ms"] for n in names], 0.4, label="under attack",
                 color="tab:orange")
        for position, name in zip(positions, names):
            axis.text(position, max(rows[name]["p99_ms"], rows[name]["quiet_p99_ms"]) * 1.02,
                      "%.0f %%" % (100 * rows[name]["success"]), ha="center", fontsize=8)
        axis.set_xticks(list(positions))
        axis.set_xticklabels(names, rotation=30)
        axis.set_ylabel("legitimate p99 latency, ms (success above)")
        axis.set_title("%s (%s)" % (proxy, data["proxies"][proxy]["budget"]))
        axis.legend()
        axis.grid(True, axis="y", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def markdown(data: dict) -> str:
    lines = ["# The listener under hostile load", "",
             "Legitimate requests (20/s, a new connection each, every name published on 443) beside each attack "
             "and right before it without, interleaved rounds; medians of the rounds, the worst round for success and "
             "the p99 ratio. Targets: success >= 99 %, p99 <= 3x quiet.", ""]
    if data.get("proxy_host"):
        lines[-1:-1] = ["", "The proxy host: %s." % data["proxy_host"]]
    for proxy in ("haproxy", "nginx"):
        if proxy not in data["proxies"]:
            continue
        entry = data["proxies"][proxy]
        state = "" if entry.get("complete") else "; cut short"
        heading = "## %s (%s; %s rounds of %s s; measured %s%s)" % (
            proxy, entry["budget"], entry.get("rounds", "?"), entry.get("duration", "?"), entry["date"], state)
        lines += [heading, "",
                  "| attack | legit success | p50 ms (quiet) | p99 ms (quiet) | p99 ratio, worst | accepted / attempted "
                  "| closed after, max s | proxy memory MiB, peak (added by the attack) | target |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for name, row in entry["summary"].items():
            if "success" not in row:
                lines.append("| %s | (every run failed: see the JSON beside this file) | | | | | | | not met |" % name)
                continue
            lines.append("| %s | %.1f %% | %.0f (%.0f) | %.0f (%.0f) | %s | %d / %d | %s | %.0f (+%.0f) | %s |" % (
                name, 100 * row["success"], row["p50_ms"], row["quiet_p50_ms"], row["p99_ms"], row["quiet_p99_ms"],
                "%.2f" % row["p99_ratio"] if row["p99_ratio"] is not None else "-", row["accepted"], row["attempted"],
                "%.1f" % row["closed_after_max_s"] if row["closed_after_max_s"] else "-", row["memory_peak_mib"],
                row.get("memory_added_mib", 0), "met" if row["met"] else "not met" + (
                    " (%d established at once, over maxconn %d)" % (row["accepted"], row["over_budget"])
                    if row.get("over_budget") else "")))
        cpu = {name: row["cpu"] for name, row in entry["summary"].items() if "cpu" in row}
        if cpu:
            lines += ["", "CPU meanwhile (the lab's hosts share the machine's %d cores; busy: of all of them, quiet "
                      "in brackets; CPU seconds a second, 1.0 = one core busy):" % next(iter(cpu.values()))["cores"], "",
                      "| attack | machine busy (quiet) | attacker | proxy | backends (quiet) | slowest name, p99 ms |",
                      "|---|---|---|---|---|---|"]
            for name, row in cpu.items():
                lines.append("| %s | %.0f %% (%.0f %%) | %.2f | %.2f | %.2f (%.2f) | %s, %.0f |" % (
                    name, 100 * row["machine_busy"], 100 * row["quiet_machine_busy"], row["attacker_per_s"],
                    row["proxy_per_s"], row["backends_per_s"], row["quiet_backends_per_s"], row["slowest_name"][0],
                    1000 * (row["slowest_name"][1] or 0)))
        settings = entry.get("settings")
        if settings:
            lines += ["", "Converged with %s." % ", ".join("%s=%s" % item for item in sorted(settings.items()))]
        poll = entry.get("long_poll")
        if poll:
            lines += ["", "Long poll across the rounds: waited %s s, answered %s after %s s." % (
                poll["wait"], poll["status"], poll["seconds"])]
        lines.append("")
    return "\n".join(lines)


def results_name(text: str) -> str:
    if not re.fullmatch(r"hostile(-[a-z0-9]+)*", text):
        raise argparse.ArgumentTypeError("hostile or hostile-WORD...: %r" % text)
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proxy", choices=("haproxy", "nginx", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=15, help="seconds of legitimate requests per run (at most 60)")
    parser.add_argument("--long-poll", type=int, default=900, help="seconds the long poll waits (0: none; at most 1000)")
    parser.add_argument("--attacks", default=",".join(ATTACKS),
                        help="the attacks to run, comma-separated (default: all of %s)" % ", ".join(ATTACKS))
    parser.add_argument("--dry", action="store_true", help="print the figures, write nothing")
    parser.add_argument("--results", default="hostile", type=results_name,
                        help="the results' name in benchmarks/results (hostile...): hostile-trixie for the lab's Debian "
                             "13 boot, another for runs of some attacks or other settings beside the full figures")
    parser.add_argument("--set", action="append", default=[], metavar="VARIABLE=YAML",
                        help="a role variable for the converge (e.g. rp_firewall_source_rate=100), kept in the results")
    parser.add_argument("--rewrite", action="store_true",
                        help="no lab: the summaries, the Markdown and the plot again from benchmarks/results/hostile.json")
    parser.add_argument("--smoke", action="store_true",
                        help="the proxy rp1 runs now, one small attack, 3 s runs, no long poll, nothing written")
    args = parser.parse_args()
    args.attacks = tuple(name for name in args.attacks.split(",") if name)
    try:
        args.set = {item.split("=", 1)[0]: yaml.safe_load(item.split("=", 1)[1]) for item in args.set}
    except (IndexError, yaml.YAMLError) as error:
        parser.error("--set: VARIABLE=YAML (%s)" % error)
    unknown = sorted(set(args.attacks) - set(ATTACKS + DIAGNOSTIC))
    if unknown or not args.attacks:
        parser.error("--attacks: %s is not one of %s" % (", ".join(unknown) or "nothing", ", ".join(ATTACKS + DIAGNOSTIC)))
    args.duration = 3 if args.smoke else min(max(args.duration, 3), 60)
    args.rounds = 1 if args.smoke else min(max(args.rounds, 1), 5)
    args.long_poll = 0 if args.smoke else min(max(args.long_poll, 0), 1000)
    if args.rewrite:
        data = json.loads((labbench.RESULTS / (args.results + ".json")).read_text())
        for entry in data["proxies"].values():
            entry["summary"] = summarize(entry)
        labbench.write(args.results, data, markdown(data))
        plot(data, labbench.PLOTS / (args.results + ".png"))
        print(markdown(data))
        return 0
    lab = Lab()
    proxies = ["haproxy", "nginx"] if args.proxy == "both" else [args.proxy]
    if args.smoke:
        running = lab.ssh("rp1", "systemctl is-active haproxy >/dev/null && echo haproxy || echo nginx", timeout=30).strip()
        proxies = [running]
    path = labbench.RESULTS / (args.results + ".json")
    data = json.loads(path.read_text()) if path.exists() and not args.smoke else {"proxies": {}}
    data.update({"machine": labbench.machine(), "duration": args.duration, "rounds": args.rounds,
                 "proxy_host": lab.ssh("rp1", ". /etc/os-release && echo $PRETTY_NAME", timeout=30).strip()})

    def progress(proxy, result, final=False):
        """Kept after every pair: a run cut short (the lab is shared) keeps what it measured."""
        result.update(date=time.strftime("%Y-%m-%d"), summary=summarize(result), complete=final, rounds=args.rounds,
                      duration=args.duration)
        data["proxies"][proxy] = result
        if not (args.smoke or args.dry):
            labbench.write(args.results, data, markdown(data))

    addresses(lab, True)
    try:
        for proxy in proxies:
            result = run_proxy(lab, proxy, args, lambda partial, proxy=proxy: progress(proxy, partial))
            progress(proxy, result, final=True)
    finally:
        addresses(lab, False)
    if args.dry:
        print(markdown(data))
    elif not args.smoke:
        print(markdown(data))
        if args.results not in ("hostile", "hostile-trixie"):
            return 0  # the documentation shows the plots of the full runs only
        try:
            plot(data, labbench.PLOTS / (args.results + ".png"))
        except ImportError:
            print("matplotlib is not installed: no plot (pip install -r benchmarks/requirements.txt)")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("ANSIBLE_NOCOLOR", "1")
    raise SystemExit(main())
