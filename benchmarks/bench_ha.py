# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Two proxies, one listener: what a client sees while the proxy holding the shared address fails.

rp3 and rp4 (the lab's group lync_ha_proxies) are converged by site.yml as group edge, rp3
preferred, sharing 198.51.100.20 (rp_keepalived's defaults: VRRP version 3, advertisements every
0.5 s). From the lab's client, a bounded stream of HTTPS requests (--rate a second, each on a new
connection with a --timeout of its own, every name published on 443 in turn) goes to the shared
address while, one after the other:

1. HAProxy is killed on the holder (and kept down); then started again;
2. the holder's internal interface goes down (no pool server reachable from it); then up again;
3. the holder's machine loses its power (lab poweroff: every process killed, links down);
4. that machine boots again and site.yml converges it (the lab's hosts boot from a volatile
   overlay: a powered-off proxy comes back as a machine with nothing on it).

The power cut comes after the internal interface, unlike the order one might list them in, so that
each fault finds both proxies healthy. For each fault: the failover time (the first failed request
to the first successful one after it, by their start times), the requests failed, and the requests
failed after the new holder answered (target 0); for each repair, whether the preferred proxy took
the address back (preemption) and what that cost. Targets: failover within 3 s, no failed request
once the new holder answers. The survivor's nftables ruleset and HAProxy configuration are
compared before and after (unchanged). Results: benchmarks/results/ha.{json,md}; exit status 1
when a target is missed. Everything stays in the lab and is bounded in count and time. Run inside
the lab's controller namespace (make bench and make test do).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
import threading
import time

import labbench
import yaml

REPO = pathlib.Path(__file__).resolve().parents[1]
LAB = [str(REPO / "tests" / "lab" / "lab")]
VIP, GROUP_HOSTS, PREFERRED = "198.51.100.20", ("rp3", "rp4"), "rp3"
SOURCE = "198.51.100.100"
TARGET_FAILOVER_S = 3.0
HOSTILE = "python3 /opt/lab/hostile.py"


def ha_vars() -> dict:
    """The lab's extra variables for its two proxies sharing an address (lab up writes them)."""
    path = pathlib.Path(labbench.inventory_path()).parent / "ha.yml"
    data = yaml.safe_load(path.read_text())
    (group,) = data["lync_topology"]["reverse_proxy_groups"]
    if (tuple(group["members"]), group["preferred"], group["virtual_addresses"]) != (GROUP_HOSTS, PREFERRED, [VIP]):
        raise SystemExit("%s: expected group %s of %s preferring %s on %s" % (path, group["name"], GROUP_HOSTS,
                                                                              PREFERRED, VIP))
    return data


class Lab:
    """SSH to lab hosts with the inventory's key (commands that must not wait for Ansible)."""

    def __init__(self):
        inventory = labbench.inventory()
        self.vars = inventory["all"]["vars"]
        self.hosts = inventory["all"]["hosts"]

    def ssh(self, host: str, command: str, timeout: float = 600, check: bool = True) -> str:
        argv = ["ssh", "-q", "-i", self.vars["ansible_ssh_private_key_file"], "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=3",
                "root@" + self.hosts[host]["ansible_host"], command]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
        if check and result.returncode != 0:
            raise SystemExit("%s: %s failed (%d): %s" % (host, command[:80], result.returncode, result.stderr[-1500:]))
        return result.stdout


def holder(lab: Lab, down=()) -> list:
    """The group's members that hold the shared address now."""
    found = []
    for host in GROUP_HOSTS:
        if host in down:
            continue
        links = json.loads(lab.ssh(host, "ip -j addr show", timeout=20) or "[]")
        if any(info.get("local") == VIP for link in links for info in link.get("addr_info", [])):
            found.append(host)
    return found


def wait_holder(lab: Lab, expected: str, down=(), seconds: float = 30) -> float:
    """Seconds until ``expected`` alone holds the address (bounded)."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if holder(lab, down) == [expected]:
            return time.monotonic() - start
        time.sleep(0.3)
    raise SystemExit("%s did not take %s within %d s (holders: %s)" % (expected, VIP, seconds, holder(lab, down)))


def state(lab: Lab, host: str) -> dict:
    """What must not change on the survivor: its nftables ruleset (rules, chains, sets; not what
    traffic fills in: counters, the per-source meters' elements), HAProxy's configuration and its
    process (no reload, no restart)."""
    listed = json.loads(lab.ssh(host, "nft -s -j list table inet lync_reverse_proxy") or "{}")
    ruleset = []
    for item in listed.get("nftables", []):
        kind, = item.keys()
        if kind == "metainfo":
            continue
        body = {key: value for key, value in item[kind].items() if key != "elem"}
        ruleset.append({kind: body})
    return {"nft": ruleset, "haproxy": lab.ssh(host, "cat /etc/haproxy/haproxy.cfg"),
            "haproxy_pid": lab.ssh(host, "systemctl show -p MainPID --value haproxy").strip()}


def stream(lab: Lab, names: list, duration: float, rate: float, timeout: float, actions: list) -> list:
    """Requests from the client to the shared address for ``duration`` seconds while ``actions``
    ((seconds after the start, callable) pairs) run; each request's (start, outcome)."""
    output = {}

    def client():
        command = "%s legit --listener %s --source %s --names %s --rate %g --duration %g --timeout %g --timeline" % (
            HOSTILE, VIP, SOURCE, ",".join(names), rate, duration, timeout)
        output["text"] = lab.ssh("client", command, timeout=duration + 120)

    thread = threading.Thread(target=client, daemon=True)
    start = time.monotonic()
    thread.start()
    for offset, action in actions:
        time.sleep(max(0.0, start + offset - time.monotonic()))
        action()
    thread.join(timeout=duration + 180)
    if "text" not in output:
        raise SystemExit("the client's requests did not finish")
    return json.loads(output["text"].strip().splitlines()[-1])["timeline"]


def figures(timeline: list, fault_at: float) -> dict:
    """The outage a fault caused in a request timeline."""
    after = [(began, status) for began, status in timeline if began >= fault_at - 1.0]
    failed = [began for began, status in after if status != "200"]
    result = {"requests": len(timeline), "failed": len([1 for dummy, status in timeline if status != "200"])}
    if not failed:
        result.update(failover_s=0.0, failed_after_recovery=0)
        return result
    first_failed = failed[0]
    recovered = next((began for began, status in after if began > first_failed and status == "200"), None)
    if recovered is None:
        result.update(failover_s=None, failed_after_recovery=None)
        return result
    result.update(failover_s=round(recovered - first_failed, 2),
                  failed_after_recovery=len([b for b, status in timeline if b > recovered and status != "200"]))
    return result


def converge(extra: dict, limit: str) -> dict:
    return labbench.playbook(str(REPO / "playbooks" / "site.yml"), extra, limit=limit, timeout=900)


def published(topology: dict) -> list:
    names = ([pool["external_web_fqdn"] for pool in topology["front_end_pools"]]
             + [director["external_web_fqdn"] for director in topology.get("directors", [])]
             + ["lyncdiscover." + domain for domain in topology["sip_domains"]]
             + [owa["fqdn"] for owa in topology.get("office_web_apps", [])])
    return list(dict.fromkeys(names))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20, help="requests a second (default 20)")
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds each request may take (default 2)")
    parser.add_argument("--fault-window", type=float, default=15, help="seconds of requests per fault (default 15)")
    parser.add_argument("--smoke", action="store_true",
                        help="8 s per fault, targets checked, nothing written (make test)")
    args = parser.parse_args()
    if args.smoke:
        args.fault_window = 8
    lab = Lab()
    extra = ha_vars()
    names = published(extra["lync_topology"])
    converge(extra, "localhost," + ",".join(GROUP_HOSTS))
    wait_holder(lab, PREFERRED)
    other = [host for host in GROUP_HOSTS if host != PREFERRED][0]
    results, window = {}, args.fault_window
    baseline = state(lab, other)

    def run(name: str, fault, repair, down=()):
        timeline = stream(lab, names, window, args.rate, args.timeout, [(3.0, fault)])
        results[name] = figures(timeline, 3.0)
        wait_holder(lab, other, down=down)
        results[name]["holder"] = other
        if repair is None:
            return
        # the preferred proxy takes the address back once its checks pass again (the pool check
        # waits 12 s for the proxy's own health checks): a longer window sees the move
        timeline = stream(lab, names, window + 15, args.rate, args.timeout, [(3.0, repair)])
        results[name + " repaired"] = figures(timeline, 3.0)
        wait_holder(lab, PREFERRED)
        results[name + " repaired"]["holder"] = PREFERRED

    run("haproxy killed",
        lambda: lab.ssh(PREFERRED, "systemctl kill --signal=SIGKILL haproxy.service; systemctl stop haproxy.service"),
        lambda: lab.ssh(PREFERRED, "systemctl start haproxy.service"))
    run("internal interface down",
        lambda: lab.ssh(PREFERRED, "ip link set int0 down"),
        lambda: lab.ssh(PREFERRED, "ip link set int0 up"))
    run("power cut", lambda: subprocess.run(LAB + ["poweroff", PREFERRED], check=True, capture_output=True, timeout=60),
        None,
        down=(PREFERRED,))
    # 4: the machine boots again, empty, and site.yml converges it while the client keeps asking
    booted = subprocess.run(LAB + ["boot", PREFERRED], check=False, capture_output=True, text=True, timeout=300)
    if booted.returncode != 0:
        raise SystemExit("lab boot %s failed: %s" % (PREFERRED, booted.stderr[-2000:]))
    # check mode on the empty machine: it runs, and writes nothing
    labbench.playbook(str(REPO / "playbooks" / "site.yml"), extra, limit="localhost," + PREFERRED, timeout=900,
                      check=True)
    if lab.ssh(PREFERRED, "test -s /etc/keepalived/keepalived.conf && echo written || true").strip():
        raise SystemExit("check mode wrote /etc/keepalived/keepalived.conf on %s" % PREFERRED)
    converged = {}

    def reconverge():
        converged.update(converge(extra, "localhost," + PREFERRED))

    thread = threading.Thread(target=reconverge, daemon=True)

    def end_after_converge():
        # the requests go on until the converge is done and the preferred proxy holds the address again
        thread.join(timeout=600)
        wait_holder(lab, PREFERRED, seconds=60)
        time.sleep(5)
        # only the Python process (a shell around it would die of SIGUSR1), not this command itself
        lab.ssh("client", "pkill -USR1 -f '^python3 /opt/lab/hostile[.]py legit' || true", timeout=30)

    timeline = stream(lab, names, 600.0, args.rate, args.timeout, [(2.0, thread.start), (3.0, end_after_converge)])
    back = figures(timeline, 2.0)
    wait_holder(lab, PREFERRED)
    results["powered back and converged"] = dict(back, holder=PREFERRED, converge_s=round(converged.get("seconds", 0), 1))
    after = state(lab, other)
    survivor_unchanged = after == baseline
    changed_parts = [part for part in baseline if after[part] != baseline[part]]

    misses = []
    for name in ("haproxy killed", "internal interface down", "power cut"):
        entry = results[name]
        if entry["failover_s"] is None or entry["failover_s"] > TARGET_FAILOVER_S:
            misses.append("%s: failover %s s (target %s s)" % (name, entry["failover_s"], TARGET_FAILOVER_S))
        if entry["failed_after_recovery"]:
            misses.append("%s: %d requests failed after the new holder answered" % (name, entry["failed_after_recovery"]))
    for name in ("haproxy killed repaired", "internal interface down repaired", "powered back and converged"):
        if results[name]["failed_after_recovery"]:
            misses.append("%s: %d requests failed after the address moved back" % (
                name, results[name]["failed_after_recovery"]))
    if not survivor_unchanged:
        misses.append("on the survivor, changed: %s" % ", ".join(changed_parts))
    data = {"machine": labbench.machine(), "rate": args.rate, "timeout_s": args.timeout, "virtual_address": VIP,
            "results": results, "survivor_unchanged": survivor_unchanged, "misses": misses,
            "targets": {"failover_s": TARGET_FAILOVER_S, "failed_after_recovery": 0}}
    lines = ["# Two proxies, one listener: failover under load", "",
             "%s; %g requests a second to %s, each on a new connection, %g s time-out. Targets: failover "
             "within %g s, no failed request once the new holder answers." % (
                 data["machine"]["date"], args.rate, VIP, args.timeout, TARGET_FAILOVER_S), "",
             "| event | requests | failed | failover (s) | failed after recovery | holder after |",
             "|---|---|---|---|---|---|"]
    for name, entry in results.items():
        lines.append("| %s | %d | %d | %s | %s | %s |" % (
            name, entry["requests"], entry["failed"], entry["failover_s"], entry["failed_after_recovery"],
            entry["holder"]))
    lines += ["", "The survivor's nftables ruleset and HAProxy configuration and process: %s." % (
        "unchanged" if survivor_unchanged else "CHANGED"), "",
        "Targets: %s." % ("all met" if not misses else "missed - " + "; ".join(misses))]
    if not args.smoke:
        labbench.write("ha", data, "\n".join(lines) + "\n")
    print("\n".join(lines))
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
