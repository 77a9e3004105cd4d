# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Applying the firewall to one lab host: rp_firewall against the alternatives, side by side.

For 10, 50, 200 and 1,000 rules (a topology whose external sources are N/2 separate networks:
N (source, listener, port) entries on the external interface), each approach runs from a clean
host (first run) and again (rerun), interleaved, on rp1:

- floor: a play with one ping task and no facts;
- anchor: one template task (validate nft -c -f %s) and a handler running nft -f - the bare
  whole-ruleset approach, no safety or drift checks;
- role: the complete rp_firewall role (nftables backend, management-access safety, drift
  detection, commit-confirm);
- loop: one ansible.builtin.iptables task item per rule (the usual way).

Reports wall time, tasks run and changed counts, writes benchmarks/results/firewall.{json,md,png}.
Run inside the lab's controller namespace (make bench does).
"""

from __future__ import annotations

import argparse
import copy

import labbench

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    compute_model,
    render_nftables,
    select_rules,
)

HOST = "rp1"
APPROACHES = ("floor", "anchor", "role", "loop")
PLAYBOOK = {"floor": "ping.yml", "anchor": "anchor.yml", "role": "role.yml", "loop": "loop.yml"}
RESET = ("nft delete table inet lync_reverse_proxy 2>/dev/null; nft delete table inet bench_anchor 2>/dev/null; "
         "rm -f /etc/nftables.d/lync_reverse_proxy.nft /etc/nftables.d/bench_anchor.nft; "
         "iptables -F LYNC-BENCH 2>/dev/null; iptables -X LYNC-BENCH 2>/dev/null; "
         "systemctl stop 'lync-rollback-*' 2>/dev/null; true")


def sources(count: int) -> list:
    """Separate /32 networks that do not merge (every other address)."""
    return ["198.18.%d.%d/32" % (i // 100, 2 * (i % 100) + 1) for i in range(count)]


def setup(size: int) -> dict:
    inventory = labbench.inventory()
    variables = inventory["all"]["vars"]
    proxy = inventory["all"]["hosts"][HOST]["lync_reverse_proxy"]
    topology = copy.deepcopy(variables["lync_topology"])
    topology["options"] = dict(topology.get("options", {}), external_sources=sources(size // 2), http_redirect=True)
    topology["reverse_proxies"] = [proxy]
    rules = select_rules(compute_model(topology), reverse_proxy=HOST)
    external = [rule for rule in rules if rule["interface"] == "external"]
    flat = [{"id": rule["id"], "source": source, "destination": destination, "port": rule["port"], "interface": "ext0"}
            for rule in external for source in rule["sources"] for destination in rule["destinations"]]
    management = variables["rp_firewall_management_sources"]
    ruleset = render_nftables(rules, management_sources=management, external_interfaces=["ext0"],
                              internal_interfaces=["int0"])
    return {"bench_hosts": HOST, "lync_topology": topology, "bench_rules": flat, "bench_ruleset": ruleset,
            "rp_firewall_external_interfaces": ["ext0"], "rp_firewall_internal_interfaces": ["int0"]}


def plot(results: dict, path) -> None:
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for axis, run in zip(axes, ("first", "rerun")):
        for approach in APPROACHES:
            sizes = [int(s) for s in results if approach in results[s]]
            axis.plot(sizes, [results[str(s)][approach][run]["median"] for s in sizes], marker="o", label=approach)
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("rules")
        axis.set_title("%s run" % run)
        axis.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("wall time, s (median)")
    axes[0].legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,50,200,1000")
    parser.add_argument("--repeat", type=int, default=3)
    # 200 rules is where the first-run target is set: the loop is repeated there too (a median,
    # not one run of a noisy minute); 1,000 rules runs it once (it takes minutes)
    parser.add_argument("--loop-repeat-above", type=int, default=200,
                        help="sizes above this run the per-rule loop once (it takes minutes)")
    parser.add_argument("--smoke", action="store_true", help="10 rules, once, nothing written")
    parser.add_argument("--results", default="firewall",
                        help="the name of the results files (benchmarks/results/NAME.{json,md,png}), for a side run")
    args = parser.parse_args()
    sizes = [10] if args.smoke else [int(s) for s in args.sizes.split(",")]
    repeat = 1 if args.smoke else args.repeat
    results = {}
    for size in sizes:
        extra = setup(size)
        per = {a: {"first": [], "rerun": [], "tasks": [], "changed": []} for a in APPROACHES}
        for index in range(repeat):
            for approach in APPROACHES:
                if approach == "loop" and size > args.loop_repeat_above and index > 0:
                    continue
                labbench.adhoc(HOST, RESET)
                first = labbench.playbook(PLAYBOOK[approach], extra)
                rerun = labbench.playbook(PLAYBOOK[approach], extra)
                per[approach]["first"].append(first["seconds"])
                per[approach]["rerun"].append(rerun["seconds"])
                per[approach]["tasks"].append((first["tasks"], rerun["tasks"]))
                per[approach]["changed"].append((first["changed"], rerun["changed"]))
                print("%5d rules %-6s first %7.2f s (%d tasks, %d changed)  rerun %7.2f s (%d tasks, %d changed)" % (
                    size, approach, first["seconds"], first["tasks"], first["changed"], rerun["seconds"],
                    rerun["tasks"], rerun["changed"]), flush=True)
        results[str(size)] = {
            a: {"first": labbench.summary(v["first"]), "rerun": labbench.summary(v["rerun"]),
                "tasks": v["tasks"][0], "changed": v["changed"][0]} for a, v in per.items()}
        results[str(size)]["entries"] = len(extra["bench_rules"])
        # the loop against the role within each round (the two ran a minute apart): steadier than the
        # ratio of the medians on a machine whose speed drifts
        rounds = min(len(per["loop"]["first"]), len(per["role"]["first"]))
        results[str(size)]["loop_role_first_by_round"] = labbench.summary(
            [per["loop"]["first"][i] / per["role"]["first"][i] for i in range(rounds)])
    labbench.adhoc(HOST, RESET)
    if args.smoke:
        return 0
    lines = ["# Applying the firewall (rp1, nftables; medians of %d runs, the loop once above %d rules)" % (
        repeat, args.loop_repeat_above), "",
        "| rules | approach | first run, s | rerun, s | tasks (first/rerun) | changed (first/rerun) |",
        "|---|---|---|---|---|---|"]
    for size in sizes:
        for approach in APPROACHES:
            row = results[str(size)][approach]
            lines.append("| %d | %s | %.2f [%.2f-%.2f] | %.2f [%.2f-%.2f] | %d / %d | %d / %d |" % (
                size, approach, row["first"]["median"], row["first"]["min"], row["first"]["max"],
                row["rerun"]["median"], row["rerun"]["min"], row["rerun"]["max"],
                row["tasks"][0], row["tasks"][1], row["changed"][0], row["changed"][1]))
    lines += ["", "| rules | role / anchor, first | role / anchor, rerun | loop / role, first | loop / role, rerun "
              "| loop / role, first, by round (median [min-max]) |",
              "|---|---|---|---|---|---|"]
    for size in sizes:
        row = results[str(size)]
        by_round = row["loop_role_first_by_round"]
        lines.append("| %d | %.2f | %.2f | %.1f | %.1f | %.1f [%.1f-%.1f] |" % (
            size, row["role"]["first"]["median"] / row["anchor"]["first"]["median"],
            row["role"]["rerun"]["median"] / row["anchor"]["rerun"]["median"],
            row["loop"]["first"]["median"] / row["role"]["first"]["median"],
            row["loop"]["rerun"]["median"] / row["role"]["rerun"]["median"],
            by_round["median"], by_round["min"], by_round["max"]))
    labbench.write(args.results, {"machine": labbench.machine(), "results": results}, "\n".join(lines) + "\n")
    plot(results, labbench.PLOTS / ("%s.png" % args.results))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
