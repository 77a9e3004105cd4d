# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What one run of the Windows play did, from the recorders' log and the recorded hosts.

verify.py LOG HOSTS_DIR EXPECT [FACT ...]: EXPECT is "changes" (some task changed something) or
"none" (no task changed anything); no recorded task may have failed. Each FACT is a check of the
hosts after the run (see FACTS)."""

from __future__ import annotations

import json
import os
import sys


def _host(directory, name):
    with open(os.path.join(directory, name + ".json"), encoding="utf-8") as handle:
        return json.load(handle)


def _applied(directory):
    """rp01 and fe01 as the play leaves them."""
    proxy, server = _host(directory, "rp01"), _host(directory, "fe01")
    my, rules = proxy["stores"]["My"], proxy["firewall_rules"]
    assert [t for t, c in my.items() if c["key"]] and all(c["key"] for c in my.values()), my  # the chain left My
    assert len(proxy["stores"]["Root"]) == 3 and len(proxy["stores"]["CA"]) == 1, proxy["stores"]  # bundle: both
    assert {"lync.reverse_proxy/external-https/443", "lync.reverse_proxy/external-http/80"} <= set(rules), rules
    assert not rules["IIS-WebServerRole-HTTP-In-TCP"]["enabled"] and not rules["IIS-WebServerRole-HTTPS-In-TCP"]["enabled"]
    assert proxy["hosts"] and all(line.endswith(" # lync.reverse_proxy") for line in proxy["hosts"]), proxy["hosts"]
    assert "*:80:" not in [b["information"] for b in proxy["iis"]["bindings"]], proxy["iis"]["bindings"]
    assert proxy["iis"]["app_pools"]["DefaultAppPool"]["processModel.idleTimeout"] == "00:00:00"
    assert proxy["iis"]["arr"]["farms"] and proxy["iis"]["arr"]["rules"]
    assert "lync.reverse_proxy/internal-https-pools/4443" in server["firewall_rules"], server["firewall_rules"]
    assert proxy["files"] == {"C:\\Installers\\rewrite_amd64_en-US.msi": "installer",
                              "C:\\Installers\\requestRouter_amd64.msi": "installer",
                              "C:\\ProgramData\\lync.reverse_proxy": "directory"}, proxy["files"]  # no PFX left


def _fresh(directory):
    """Check mode changed nothing: the hosts are as fresh as before."""
    for name in ("rp01", "fe01"):
        if _host(directory, name) != _host(directory, name + ".fresh"):
            sys.exit("%s changed in check mode" % name)


def _one_key(directory):
    """The PFX was loaded once (X509Certificate2Collection.Import with PersistKeySet leaves a key file
    in MachineKeys each time)."""
    loads = _host(directory, "rp01")["machine_keys"]
    if loads != 1:
        sys.exit("the PFX was loaded %d times" % loads)


def _egress(directory):
    """The proxy's outbound rules and default outbound Block are there, beside the listener rules."""
    proxy = _host(directory, "rp01")
    outbound = [name for name, rule in proxy["firewall_rules"].items() if rule.get("direction") == "out"]
    if not outbound or set(proxy["profiles"].values()) != {"block"}:
        sys.exit("no egress filtering on rp01: %s %s" % (outbound, proxy["profiles"]))
    if "lync.reverse_proxy/external-https/443" not in proxy["firewall_rules"]:
        sys.exit("the listener rule is gone")


def _no_80(directory):
    """The model no longer opens 80: its listener rule and binding are gone."""
    proxy = _host(directory, "rp01")
    if "lync.reverse_proxy/external-http/80" in proxy["firewall_rules"] or any(
            binding["information"].endswith(":80:") for binding in proxy["iis"]["bindings"]):
        sys.exit("port 80 is still admitted or bound")


FACTS = {"fresh": _fresh, "applied": _applied, "one-key": _one_key, "egress": _egress, "no-80": _no_80}


def main(log, directory, expect, *facts):
    with open(log, encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    failed = [r for r in records if r["failed"]]
    if failed:
        sys.exit("failed: %s" % failed)
    changed = [r for r in records if r["changed"]]
    if expect == "none" and changed:
        sys.exit("a run that should change nothing changed: %s" % ["%s: %s" % (r["host"], r["task"]) for r in changed])
    if expect == "changes" and not changed:
        sys.exit("nothing changed (or would change)")
    for fact in facts:
        FACTS[fact](directory)
    extra = "; " + ", ".join(facts) if facts else ""
    print("%d recorded tasks, %d changed, none failed%s" % (len(records), len(changed), extra))


if __name__ == "__main__":
    main(*sys.argv[1:])
