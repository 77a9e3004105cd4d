# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How long the port model takes for growing topologies, and whether it grows linearly.

Three sweeps, each varying one dimension with the others at their largest:
Front End pools 1 -> 100 (10 servers each, 50 SIP domains), servers per pool 1 -> 10
(100 pools, 50 domains) and SIP domains 1 -> 50 (100 pools of 10 servers). Each point is the
median of repeated runs in this one process (one core). A least-squares line over each sweep
gives the linear fit and its R^2; the target is the largest topology under 50 ms.

    make bench        (or: PYTHONPATH=build/collections python benchmarks/bench_model.py)
"""

from __future__ import annotations

import argparse
import gc
import json
import pathlib
import platform
import statistics
import sys
import time

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import compute_model

TARGET_MS = 50.0


def topology(pools: int, servers: int, domains: int) -> dict:
    """A topology of the given size: every pool with a VIP and its servers, one Director,
    an Office Web Apps farm, a meet URL per SIP domain, two reverse proxies."""
    def address(pool: int, host: int) -> str:
        return "10.%d.%d.%d" % (pool // 200, pool % 200, host)

    sip = ["domain%d.example" % i for i in range(domains)]
    return {
        "sip_domains": sip,
        "front_end_pools": [
            {"name": "pool%d" % p, "external_web_fqdn": "web%d.domain0.example" % p, "vip": address(p, 10),
             "servers": [address(p, 11 + s) for s in range(servers)]}
            for p in range(pools)
        ],
        "directors": [{"name": "dir0", "external_web_fqdn": "webdir.domain0.example", "vip": "10.250.0.10",
                       "servers": ["10.250.0.11", "10.250.0.12"]}],
        "office_web_apps": [{"name": "owa0", "fqdn": "owa.domain0.example", "servers": ["10.251.0.11"]}],
        "simple_urls": {"meet": ["meet.%s" % d for d in sip], "dialin": ["dialin.domain0.example"]},
        "reverse_proxies": [
            {"name": "rp%d" % i, "external_addresses": ["198.51.100.%d" % (10 + i)],
             "internal_addresses": ["10.252.0.%d" % (5 + i)]}
            for i in range(2)
        ],
        "options": {"mobile_autodiscover_over_http": True},
    }


def measure(pools: int, servers: int, domains: int, repeat: int) -> dict:
    data = topology(pools, servers, domains)
    compute_model(data)  # warm up
    times = []
    gc.collect()
    for dummy in range(repeat):
        start = time.perf_counter()
        model = compute_model(data)
        times.append((time.perf_counter() - start) * 1000.0)
    return {
        "pools": pools, "servers": servers, "domains": domains,
        "addresses": pools * (servers + 1), "rules": len(model["rules"]), "routes": len(model["routes"]),
        "median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times),
    }


def linear_fit(xs, ys):
    """Least squares y = a + b x, with R^2."""
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    ss_res = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys))
    ss_tot = sum((y - mean_y) ** 2 for y in ys)
    return intercept, slope, 1.0 - ss_res / ss_tot if ss_tot else 1.0


SWEEPS = {
    "pools": ([1, 10, 25, 50, 75, 100], lambda v: (v, 10, 50)),
    "servers": ([1, 2, 4, 6, 8, 10], lambda v: (100, v, 50)),
    "domains": ([1, 10, 20, 30, 40, 50], lambda v: (100, 10, v)),
}


def plot(report: dict, path: pathlib.Path) -> None:
    """Median compute time against each sweep's size, with its linear fit (matplotlib)."""
    import matplotlib  # pylint: disable=import-outside-toplevel

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    figure, axes = plt.subplots(1, len(report["sweeps"]), figsize=(12, 3.6))
    for axis, (name, sweep) in zip(axes, report["sweeps"].items()):
        values = [point[name] for point in sweep["points"]]
        medians = [point["median_ms"] for point in sweep["points"]]
        fit = sweep["fit"]
        axis.plot(values, medians, "o", label="median")
        axis.plot(values, [fit["intercept_ms"] + fit["slope_ms"] * v for v in values], "-",
                  label="fit %.2f + %.3f x (R² %.3f)" % (fit["intercept_ms"], fit["slope_ms"], fit["r2"]))
        axis.axhline(TARGET_MS, color="red", linestyle=":", label="target %d ms" % TARGET_MS)
        axis.set_xlabel(name)
        axis.set_ylabel("ms")
        axis.set_ylim(bottom=0)
        axis.legend(fontsize=7)
    figure.suptitle("lync.reverse_proxy port model: compute time (others at their largest)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="runs per point (median reported)")
    parser.add_argument("--output", type=pathlib.Path,
                        default=pathlib.Path(__file__).parent / "results" / "model.json")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes, one run each, no plot: proves the script still works")
    args = parser.parse_args()
    if args.smoke:
        for name in SWEEPS:
            SWEEPS[name] = ([1, 2], SWEEPS[name][1])
        args.repeat = 1

    report = {"python": platform.python_version(), "machine": platform.machine(), "sweeps": {}}
    lines = []
    for name, (values, sizes) in SWEEPS.items():
        points = [measure(*sizes(value), repeat=args.repeat) for value in values]
        intercept, slope, r2 = linear_fit(values, [p["median_ms"] for p in points])
        report["sweeps"][name] = {"points": points, "fit": {"intercept_ms": intercept, "slope_ms": slope, "r2": r2}}
        lines.append("\n%s (others at their largest)" % name)
        lines.append("| %s | pools x servers x domains | addresses | routes | median ms | min ms | max ms |" % name)
        lines.append("|---|---|---|---|---|---|---|")
        for value, p in zip(values, points):
            lines.append("| %d | %d x %d x %d | %d | %d | %.2f | %.2f | %.2f |" % (
                value, p["pools"], p["servers"], p["domains"], p["addresses"], p["routes"],
                p["median_ms"], p["min_ms"], p["max_ms"]))
        lines.append("linear fit: %.3f ms + %.4f ms per %s, R^2 = %.4f" % (intercept, slope, name.rstrip("s"), r2))

    point = report["sweeps"]["pools"]["points"][-1]
    largest = point["median_ms"]
    report["largest_median_ms"] = largest
    report["target_ms"] = TARGET_MS
    lines.append("\n%d pools x %d servers x %d SIP domains: %.2f ms median (target < %.0f ms): %s"
                 % (point["pools"], point["servers"], point["domains"], largest, TARGET_MS,
                    "met" if largest < TARGET_MS else "NOT met"))
    print("\n".join(lines))
    if args.smoke:
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    plots = pathlib.Path(__file__).resolve().parent.parent / "docs" / "images"
    plots.mkdir(parents=True, exist_ok=True)
    plot(report, plots / (args.output.stem + ".png"))
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    args.output.with_suffix(".md").write_text("\n".join(lines).lstrip() + "\n", encoding="utf-8")
    return 0 if largest < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
