# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes one recorded read (record_proxy_reads.yml): what the host must have, computed from the
lab's certificate material as the action computes it, with every file's content replaced by its
digest, so that no key material reaches the file. The configuration's digest is the one of the
configuration as converged (the read of the first case)."""

import json
import sys

from ansible_collections.lync.reverse_proxy.plugins.plugin_utils import _proxy_converge as converge
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._proxy_host import proxy_host_expected

case = json.load(sys.stdin)
renderer = converge.software_of(case["software"])
material = {part: case[part].strip() for part in ("certificate", "key", "ca")}
host, dummy = converge.host_of(renderer, material, backend_verify=True)
config_path = host["config"]["path"]
converged = case["read"]["proxy"]["files"][config_path]["sha256"]
if case["expected"]["config"]:  # the converged configuration's digest, from the first case's file
    with open("%s/proxy-read-%s-converged.json" % (sys.argv[1], case["software"]), encoding="utf-8") as handle:
        converged = json.load(handle)["host"]["config"]["sha256"]
host["config"]["content"] = ""
expected = proxy_host_expected(host)
expected["config"]["sha256"] = converged
expected["service"] = host["service"]
expected["ours"] = host["ours"]
record = {"software": case["software"], "host": expected, "read": case["read"], "expected": case["expected"]}
with open("%s/proxy-read-%s-%s.json" % (sys.argv[1], case["software"], sys.argv[2]), "w", encoding="utf-8") as handle:
    json.dump(record, handle, indent=1, sort_keys=True)
    handle.write("\n")
