# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Before and after: the site playbook's rerun cost of two (or more) builds of the collection, in one run.

Boot the lab with LYNC_LAB_SCALE=20. ``--before`` and ``--after`` are collections paths (each
holding an installed ansible_collections/lync/reverse_proxy; e.g. the previous release installed
into a directory of its own, and build/collections); ``--build NAME=PATH`` adds others between them. For each build, in turn and repeated: the
proxies converged once by that build (so that its reruns find nothing to do), then interleaved
with the ping play: the site rerun on one proxy, and on 20 proxies at once (lync_site_serial
100%, forks 20). Ratios are taken against the ping measured in the same block. Writes
benchmarks/results/compare.{json,md}.
"""

from __future__ import annotations

import argparse
import os

import labbench

SITE = "site_scale.yml"
# The lab's inventory names the listener's files with rp_proxy's variables; a build from before
# rp_proxy reads rp_haproxy's (the build after takes rp_proxy's and ignores these).
BEFORE_RP_PROXY = {"rp_haproxy_%s" % name: "{{ rp_proxy_%s }}" % name
                   for name in ("certificate_src", "certificate_key_src", "backend_ca_src")}


def hosts(count: int) -> list:
    return ["rp1"] + ["sp%02d" % i for i in range(2, count + 1)]


def run(kind: str, count: int) -> dict:
    if kind == "ping":
        return labbench.playbook("ping.yml", {"bench_hosts": ",".join(hosts(count))}, forks=count)
    extra = dict(BEFORE_RP_PROXY, lync_reverse_proxies_group="lync_scale_proxies", lync_site_serial="100%")
    return labbench.playbook(SITE, extra, limit=",".join(["localhost"] + hosts(count)), forks=count)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="collections path of the previous build")
    parser.add_argument("--after", required=True, help="collections path of this build")
    parser.add_argument("--build", action="append", default=[], metavar="NAME=PATH",
                        help="a further build to compare, between before and after (repeatable)")
    parser.add_argument("--size", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    builds = {"before": os.path.abspath(args.before)}
    for item in args.build:
        name, sep, path = item.partition("=")
        if not sep or not name or not path or name in ("before", "after"):
            parser.error("--build %r: NAME=PATH, with a name other than before and after" % item)
        builds[name] = os.path.abspath(path)
    builds["after"] = os.path.abspath(args.after)
    samples: dict = {name: {} for name in builds}
    for dummy in range(args.repeat):
        for name, path in builds.items():
            os.environ["ANSIBLE_COLLECTIONS_PATH"] = path
            converge = run("site", args.size)
            print("%-6s converge of %d: %.1f s, %d changed" % (name, args.size, converge["seconds"],
                                                               converge["changed"]), flush=True)
            for kind, count in (("ping", 1), ("site", 1), ("ping", args.size), ("site", args.size)):
                result = run(kind, count)
                samples[name].setdefault("%s-%d" % (kind, count), []).append(result)
                print("%-6s %-4s %2d hosts %6.2f s %3d tasks %d changed" % (
                    name, kind, count, result["seconds"], result["tasks"], result["changed"]), flush=True)
    results = {name: {key: {"seconds": labbench.summary([r["seconds"] for r in runs]), "tasks": runs[0]["tasks"],
                            "changed": max(r["changed"] for r in runs)} for key, runs in kinds.items()}
               for name, kinds in samples.items()}

    def median(name, key):
        return results[name][key]["seconds"]["median"]

    size = args.size
    lines = ["# Before and after (idempotent reruns, medians of %d, each build with its own ping)" % args.repeat, "",
             "| build | ping 1, s | site 1, s | site 1 / ping 1 | ping %d, s | site %d at once, s | site %d / site 1 | "
             "tasks (1 / %d) | changed |" % (size, size, size, size),
             "|---|---|---|---|---|---|---|---|---|"]
    for name in builds:
        lines.append("| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %d / %d | %d |" % (
            name, median(name, "ping-1"), median(name, "site-1"), median(name, "site-1") / median(name, "ping-1"),
            median(name, "ping-%d" % size), median(name, "site-%d" % size),
            median(name, "site-%d" % size) / median(name, "site-1"), results[name]["site-1"]["tasks"],
            results[name]["site-%d" % size]["tasks"],
            max(results[name]["site-1"]["changed"], results[name]["site-%d" % size]["changed"])))
    labbench.write("compare", {"machine": labbench.machine(), "builds": builds, "results": results},
                   "\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
