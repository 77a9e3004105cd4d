# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How long importing a Lync topology document takes, for growing documents of both forms.

A published topology (Get-CsTopology -AsXml) and a Topology Builder file of 500 to 5,000
machines: Front End pools of 10 machines, every 10th pool with an Edge pool beside it (ignored),
one Director, Office Web Apps. Each point is the median of repeated imports in this one process
(parse with defusedxml, read, resolve from the address mapping, validate); the target is 5,000
machines well under a second (500 ms).

    make bench        (or: PYTHONPATH=build/collections python benchmarks/bench_import.py)
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

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import topology_from_xml

TARGET_MS = 500.0
MACHINES = [500, 1000, 2000, 3000, 4000, 5000]
NS = {"builder": "urn:schema:Microsoft.Rtc.Management.Deploy.TopologyBuilder.2008",
      "published": "urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008"}
ROLES = 'xmlns="urn:schema:Microsoft.Rtc.Management.Deploy.ServiceRoles.2008"'


def document(form: str, machines: int) -> tuple:
    """(document text, address mapping) with ``machines`` Front End machines."""
    pools = machines // 10
    addresses, clusters, services = {}, [], []
    for pool in range(pools + 2):  # the pools, then the Director and the Office Web Apps farm
        if pool < pools:
            fqdn = "pool%d.corp.example.com" % pool
        else:
            fqdn = "dir.corp.example.com" if pool == pools else "owa.corp.example.com"
        members = ["fe%d-%d.corp.example.com" % (pool, m) for m in range(10 if pool < pools else 1)]
        addresses[fqdn] = ["10.%d.%d.10" % (pool // 250, pool % 250)]
        for index, member in enumerate(members):
            addresses[member] = ["10.%d.%d.%d" % (pool // 250, pool % 250, 11 + index)]
        role = ""
        if pool < pools + 1:
            director = "true" if pool == pools else "false"
            role = ('<Service RoleName="Registrar" {on}><RegistrarService %s IsDirector="%s"/></Service>'
                    '<Service RoleName="WebServices" {on}><WebService %s><ExternalSettings Host="web%d.example.com"/>'
                    "</WebService></Service>" % (ROLES, director, ROLES, pool))
        else:
            role = ('<Service RoleName="WacService" {on}><WacService %s DiscoveryUrl="https://%s/hosting/discovery"/>'
                    "</Service>" % (ROLES, fqdn))
        if pool % 10 == 0 and pool < pools:
            role += '<Service RoleName="EdgeServer" {on}/>'
        if form == "builder":
            machine_xml = "".join('<Machine Fqdn="%s"/>' % m for m in members)
            clusters.append('<Cluster UniqueId="00000000-0000-4000-8000-%012d" Fqdn="%s"><Machines>%s</Machines>'
                            "</Cluster>" % (pool, fqdn, machine_xml))
            services.append(role.replace("{on}", 'InstalledOn="00000000-0000-4000-8000-%012d"' % pool))
        else:
            machine_xml = "".join('<Machine Fqdn="%s"/>' % m for m in members)
            clusters.append('<Cluster Fqdn="%s"><ClusterId SiteId="1" Number="%d"/>%s</Cluster>' % (fqdn, pool, machine_xml))
            for part in role.split("<Service ")[1:]:
                name = part.split('RoleName="', 1)[1].split('"', 1)[0]
                body = part.split(">", 1)[1]
                services.append('<Service><ServiceId SiteId="1" RoleName="%s" Instance="%d"/><InstalledOn><ClusterId '
                                'SiteId="1" Number="%d"/></InstalledOn>%s' % (name, pool, pool,
                                                                              body if body != "" else "</Service>"))
    domains = '<InternalDomains><InternalDomain Name="example.com"/></InternalDomains>'
    if form == "builder":
        # As Topology Builder saves it: the services of every site beside CentralSites.
        text = ('<TopologyBuilder xmlns="%s"><NewTopology><PartialTopology>%s<CentralSites><CentralSite SiteId="1">'
                "<Name>Site1</Name><Clusters>%s</Clusters></CentralSite></CentralSites><Services>%s</Services>"
                "</PartialTopology></NewTopology></TopologyBuilder>"
                % (NS[form], domains, "".join(clusters), "".join(services)))
    else:
        text = ('<Topology xmlns="%s">%s<Sites><CentralSite SiteId="1"><Name>Site1</Name></CentralSite></Sites>'
                "<Clusters>%s</Clusters><Services>%s</Services></Topology>"
                % (NS[form], domains, "".join(clusters), "".join(services)))
    return text, addresses


def measure(form: str, machines: int, repeat: int) -> dict:
    text, addresses = document(form, machines)
    urls = {"meet": ["https://lync.example.com/Meet"], "dialin": ["https://lync.example.com/Dialin"]}
    times = []
    for dummy in range(repeat):
        gc.collect()
        start = time.perf_counter()
        topology = topology_from_xml(text, addresses, simple_urls=urls)
        times.append((time.perf_counter() - start) * 1000)
    servers = sum(len(pool["servers"]) for pool in topology["front_end_pools"])
    return {"machines": machines, "bytes": len(text), "pools": len(topology["front_end_pools"]), "servers": servers,
            "median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times)}


def measure_playbook(pools: int, workdir: pathlib.Path) -> dict:
    """import_topology through ansible-playbook (no DNS: every name in the addresses file) beside the
    filter alone on the same document, and an empty play for Ansible's own start-up."""
    import subprocess  # pylint: disable=import-outside-toplevel
    import yaml  # pylint: disable=import-outside-toplevel
    text, addresses = document("published", pools * 10)
    urls = {"meet": ["https://lync.example.com/Meet"], "dialin": ["https://lync.example.com/Dialin"]}
    doc, names, out = workdir / ("%d.xml" % pools), workdir / ("%d.addresses.yml" % pools), workdir / ("%d.yml" % pools)
    doc.write_text(text, encoding="utf-8")
    names.write_text(yaml.safe_dump(addresses), encoding="utf-8")
    start = time.perf_counter()
    topology_from_xml(doc.read_bytes(), yaml.safe_load(names.read_text(encoding="utf-8")), simple_urls=urls)
    alone = time.perf_counter() - start
    empty = workdir / "empty.yml"
    empty.write_text("- hosts: localhost\n  gather_facts: false\n  tasks: []\n", encoding="utf-8")
    play = [sys.executable.replace("/python", "/ansible-playbook"), "-i", "localhost,", "-c", "local"]
    start = time.perf_counter()
    subprocess.run(play + [str(empty)], check=True, stdout=subprocess.DEVNULL)
    startup = time.perf_counter() - start
    start = time.perf_counter()
    subprocess.run(play + ["lync.reverse_proxy.import_topology", "-e", "lync_topology_document=%s" % doc,
                           "-e", "lync_topology_file=%s" % out, "-e", "lync_topology_addresses=%s" % names,
                           "-e", "lync_topology_dns=false", "-e", json.dumps({"lync_topology_simple_urls": urls})],
                   check=True, stdout=subprocess.DEVNULL)
    playbook = time.perf_counter() - start
    return {"pools": pools, "filter_s": alone, "playbook_s": playbook, "startup_s": startup,
            "ratio": (playbook - startup) / alone}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="imports per point (median reported)")
    parser.add_argument("--output", type=pathlib.Path,
                        default=pathlib.Path(__file__).parent / "results" / "import.json")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run each: proves the script still works")
    args = parser.parse_args()
    sizes = [20, 40] if args.smoke else MACHINES
    repeat = 1 if args.smoke else args.repeat
    report = {"python": platform.python_version(), "machine": platform.machine(), "forms": {}}
    lines = []
    for form in ("published", "builder"):
        points = [measure(form, machines, repeat) for machines in sizes]
        report["forms"][form] = points
        lines.append("\n%s form" % form)
        lines.append("| machines | document KiB | pools | servers | median ms | min ms | max ms |")
        lines.append("|---|---|---|---|---|---|---|")
        for p in points:
            assert p["servers"] == p["machines"], p  # every machine imported, no Edge server among them
            lines.append("| %d | %d | %d | %d | %.1f | %.1f | %.1f |" % (
                p["machines"], p["bytes"] // 1024, p["pools"], p["servers"], p["median_ms"], p["min_ms"], p["max_ms"]))
    import tempfile  # pylint: disable=import-outside-toplevel
    with tempfile.TemporaryDirectory() as tmp:
        runs = [measure_playbook(pools, pathlib.Path(tmp)) for pools in ([5] if args.smoke else [1000, 10000])]
    report["playbook"] = runs
    lines.append("\nimport_topology through ansible-playbook (published form, 10 machines a pool, no DNS)")
    lines.append("| pools | filter alone s | playbook s | empty play s | (playbook - empty play) / filter |")
    lines.append("|---|---|---|---|---|")
    for run in runs:
        values = (run["pools"], run["filter_s"], run["playbook_s"], run["startup_s"], run["ratio"])
        lines.append("| %d | %.2f | %.2f | %.2f | %.2fx |" % values)
    largest = max(points[-1]["median_ms"] for points in report["forms"].values())
    report["largest_median_ms"], report["target_ms"] = largest, TARGET_MS
    lines.append("\n%d machines: %.1f ms median at most (target < %.0f ms): %s"
                 % (sizes[-1], largest, TARGET_MS, "met" if largest < TARGET_MS else "NOT met"))
    print("\n".join(lines))
    if args.smoke:
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    args.output.with_suffix(".md").write_text("\n".join(lines).lstrip() + "\n", encoding="utf-8")
    return 0 if largest < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
