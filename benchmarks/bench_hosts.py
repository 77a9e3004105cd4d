# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Many hosts: the site playbook on 1, 5, 10 and 20 reverse proxies beside the ping play.

The lab boots with LYNC_LAB_SCALE=20 (rp1 and sp02..sp20 in group lync_scale_proxies). For each
host count, interleaved and repeated, with forks equal to the host count:

- ping: one ping task, no facts (how Ansible itself scales on this machine);
- site, rolling: playbooks/site.yml as shipped (serial 1 - each proxy checked before the next);
- site, parallel: the same with lync_site_serial "100%" (all proxies at once).

The site runs are idempotent reruns (the hosts were converged once, all at once, before the
measurements: that cold converge is reported too). Peak memory is the controller's whole process
tree (ansible-playbook and its forks), sampled every 0.2 s. Writes
benchmarks/results/hosts.{json,md,png}. Targets: T_site(20)/T_site(1) <= 1.2 x T_ping(20)/T_ping(1);
a rerun on one proxy within 3.5x the ping of one host; 20 proxies at once within 6x one.
"""

from __future__ import annotations

import argparse

import labbench

SITE = "site_scale.yml"


def hosts(count: int) -> list:
    return ["rp1"] + ["sp%02d" % i for i in range(2, count + 1)]


def run(kind: str, count: int) -> dict:
    limit = ",".join(["localhost"] + hosts(count))
    if kind == "ping":
        return labbench.playbook("ping.yml", {"bench_hosts": ",".join(hosts(count))}, forks=count)
    extra = {"lync_reverse_proxies_group": "lync_scale_proxies"}
    if kind == "parallel":
        extra["lync_site_serial"] = "100%"
    return labbench.playbook(SITE, extra, limit=limit, forks=max(count, 1))


def plot(results: dict, sizes: list, path) -> None:
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for kind in ("ping", "rolling", "parallel"):
        values = [results[str(n)][kind]["seconds"]["median"] for n in sizes]
        axes[0].plot(sizes, values, marker="o", label=kind)
        axes[1].plot(sizes, [v / values[0] for v in values], marker="o", label=kind)
    axes[0].set_ylabel("wall time, s (median)")
    axes[1].set_ylabel("relative to 1 host")
    for axis in axes:
        axis.set_xlabel("reverse proxies (forks = hosts)")
        axis.grid(True, alpha=0.3)
        axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,5,10,20")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--smoke", action="store_true", help="1 host, ping and one site run, nothing written")
    args = parser.parse_args()
    sizes = [1] if args.smoke else [int(s) for s in args.sizes.split(",")]
    repeat = 1 if args.smoke else args.repeat
    available = list(labbench.inventory()["all"]["children"]["lync_scale_proxies"]["hosts"])
    if len(available) < max(sizes):
        raise SystemExit("the lab has %d scale proxies; boot it with LYNC_LAB_SCALE=%d" % (len(available), max(sizes)))
    kinds = ("ping", "parallel") if args.smoke else ("ping", "rolling", "parallel")
    cold = {} if args.smoke else run("parallel", max(sizes))
    if cold:
        print("cold converge of %d proxies at once: %.1f s, peak %.0f MiB" % (
            max(sizes), cold["seconds"], cold["peak_rss_mib"]))
    samples = {str(n): {k: [] for k in kinds} for n in sizes}
    for dummy in range(repeat):
        for count in sizes:
            for kind in kinds:
                result = run(kind, count)
                samples[str(count)][kind].append(result)
                print("%2d hosts %-8s %6.1f s  %4d tasks  peak %5.0f MiB" % (
                    count, kind, result["seconds"], result["tasks"], result["peak_rss_mib"]), flush=True)
    if args.smoke:
        return 0
    results = {n: {k: {"seconds": labbench.summary([r["seconds"] for r in v]),
                       "peak_rss_mib": max(r["peak_rss_mib"] for r in v), "tasks": v[0]["tasks"],
                       "changed": max(r["changed"] for r in v)} for k, v in kinds.items()}
               for n, kinds in samples.items()}
    lines = ["# Many hosts (idempotent reruns, forks = hosts, medians of %d)" % repeat, "",
             "Cold converge of %d proxies at once: %.1f s, controller peak %.0f MiB." % (
                 max(sizes), cold["seconds"], cold["peak_rss_mib"]), "",
             "| hosts | ping, s | site rolling, s | site parallel, s | controller peak MiB (ping / rolling / parallel) | changed (rolling / parallel) |",
             "|---|---|---|---|---|---|"]
    for count in sizes:
        row = results[str(count)]
        lines.append("| %d | %.2f | %.1f | %.1f | %.0f / %.0f / %.0f | %d / %d |" % (
            count, row["ping"]["seconds"]["median"], row["rolling"]["seconds"]["median"],
            row["parallel"]["seconds"]["median"], row["ping"]["peak_rss_mib"], row["rolling"]["peak_rss_mib"],
            row["parallel"]["peak_rss_mib"], row["rolling"]["changed"], row["parallel"]["changed"]))
    first, last = str(sizes[0]), str(sizes[-1])

    def ratio(kind):
        return results[last][kind]["seconds"]["median"] / results[first][kind]["seconds"]["median"]

    lines += ["", "| ratio T(%s)/T(%s) | value | target |" % (last, first), "|---|---|---|",
              "| ping | %.2f | |" % ratio("ping"),
              "| site rolling | %.2f | <= %.2f |" % (ratio("rolling"), 1.2 * ratio("ping")),
              "| site parallel | %.2f | <= %.2f |" % (ratio("parallel"), 1.2 * ratio("ping")),
              "", "| rerun cost | value | target |", "|---|---|---|",
              "| site on one proxy / ping of one host (the floor) | %.2f | <= 3.5 |" % (
                  results[first]["rolling"]["seconds"]["median"] / results[first]["ping"]["seconds"]["median"]),
              "| site on %s proxies at once / on one | %.2f | <= 6 |" % (last, ratio("parallel"))]
    labbench.write("hosts", {"machine": labbench.machine(), "cold": cold, "results": results},
                   "\n".join(lines) + "\n")
    plot(results, sizes, labbench.PLOTS / "hosts.png")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
