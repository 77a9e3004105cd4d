# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the firewall costs on the data path, measured in pairs of neighbouring runs.

bench_datapath.py compares nine configurations in 8 s runs: the firewall's cost there is the
difference of two runs a minute apart on a shared machine. Here only three configurations of
the same generated HAProxy run, in many short rounds whose order reverses every round (A B C,
then C B A: a drift of the machine's load during a round affects both neighbours alike):

- haproxy: the rp_firewall ruleset loaded (what a site runs);
- haproxy-ct: a table with only the input chain's first rule (ct state established,related
  accept) - connection tracking switched on, no rule of ours after it;
- haproxy-nofw: no table (no connection tracking either).

Each round gives two paired costs: the ruleset against no firewall, and connection tracking
alone against no firewall; the ruleset's own rules cost the difference. Reports the median of
the pairs with a bootstrap 95 % interval and how many pairs the firewall lost. Writes
benchmarks/results/firewall_cost.{json,md}. Run inside the lab's controller namespace after the
site converged rp1 (make bench does both).
"""

from __future__ import annotations

import argparse
import random
import statistics

import labbench
from bench_datapath import NAME, parse, setup, switch, teardown, url

CT_ONLY = ("nft delete table inet lync_reverse_proxy 2>/dev/null; nft -f - <<'EOF'\n"
           "table inet lync_ct_only {\n\tchain input {\n"
           "\t\ttype filter hook input priority filter; policy accept;\n"
           "\t\tct state established,related accept\n\t}\n}\nEOF\n")
CT_OFF = "nft delete table inet lync_ct_only 2>/dev/null; true"
CONFIGS = ("haproxy", "haproxy-ct", "haproxy-nofw")
PAIRS = (("ruleset", "haproxy", "haproxy-nofw"), ("conntrack alone", "haproxy-ct", "haproxy-nofw"))


def command(config: str) -> str:
    if config == "haproxy-ct":
        return "%s; %s; %s" % (CT_OFF, switch("haproxy-nofw"), CT_ONLY)
    return "%s; %s" % (CT_OFF, switch(config))


def interval(values: list, seed: int = 1, draws: int = 2000) -> tuple:
    """A bootstrap 95 % interval of the median (fixed seed: the same samples give the same figures)."""
    generator = random.Random(seed)
    medians = sorted(statistics.median(generator.choices(values, k=len(values))) for dummy in range(draws))
    return medians[int(0.025 * draws)], medians[int(0.975 * draws) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=16)
    parser.add_argument("--duration", type=int, default=4, help="seconds per wrk run (at most 30)")
    parser.add_argument("--smoke", action="store_true", help="one 1 s round, nothing written")
    args = parser.parse_args()
    duration = 1 if args.smoke else min(max(args.duration, 1), 30)
    rounds = 1 if args.smoke else min(max(args.rounds, 2), 60)
    inventory = labbench.inventory()
    listener = inventory["all"]["hosts"]["rp1"]["lync_lab_addresses"]["ext"]
    setup(listener, inventory["all"]["vars"]["lync_lab_pki"])
    samples = {config: [] for config in CONFIGS}
    try:
        conntrack = labbench.adhoc("rp1", "sysctl -n net.netfilter.nf_conntrack_max net.netfilter.nf_conntrack_buckets "
                                   "2>/dev/null || echo unavailable").split("\n", 1)[1].split()
        for index in range(rounds):
            for config in CONFIGS if index % 2 == 0 else tuple(reversed(CONFIGS)):
                labbench.adhoc("rp1", command(config))
                output = labbench.adhoc("client", "timeout %d wrk -t2 -c32 -d%ds --latency -H 'Host: %s' %s" % (
                    duration + 20, duration, NAME, url(config)), timeout=duration + 60)
                samples[config].append(parse(output))
                print("round %2d %-13s %9.0f req/s" % (index + 1, config, samples[config][-1]["rps"]), flush=True)
    finally:
        labbench.adhoc("rp1", CT_OFF)
        teardown()
    if args.smoke:
        return 0
    costs = {}
    for label, with_fw, without in PAIRS:
        values = [100 * (1 - a["rps"] / b["rps"]) for a, b in zip(samples[with_fw], samples[without])]
        low, high = interval(values)
        costs[label] = {"median": statistics.median(values), "ci95": [low, high], "min": min(values),
                        "max": max(values), "quartiles": statistics.quantiles(values, n=4),
                        "lost": sum(1 for v in values if v > 0), "pairs": len(values)}
    lines = ["# The firewall's cost on the data path (wrk -t2 -c32 -d%ds, %d rounds, order reversed every round)"
             % (duration, rounds), "",
             "| configuration | req/s median [min-max] | p99 ms median |", "|---|---|---|"]
    for config in CONFIGS:
        rps = [s["rps"] for s in samples[config]]
        p99 = statistics.median(s["p99_ms"] for s in samples[config])
        lines.append("| %s | %.0f [%.0f-%.0f] | %.2f |" % (config, statistics.median(rps), min(rps), max(rps), p99))
    lines += ["", "| cost against no firewall, req/s | median | 95 % interval | quartiles | pairs lost |",
              "|---|---|---|---|---|"]
    for label, cost in costs.items():
        lines.append("| %s | %.1f %% | %.1f to %.1f %% | %.1f / %.1f / %.1f %% | %d of %d |" % (
            label, cost["median"], cost["ci95"][0], cost["ci95"][1], *cost["quartiles"], cost["lost"], cost["pairs"]))
    lines += ["", "conntrack on rp1: max %s, buckets %s" % tuple((conntrack + ["?", "?"])[:2])]
    labbench.write("firewall_cost", {"machine": labbench.machine(), "duration": duration, "rounds": rounds,
                                     "samples": samples, "costs": costs, "conntrack": conntrack},
                   "\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
