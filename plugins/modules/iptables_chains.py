#!/usr/bin/python
# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iptables_chains
short_description: Keep chains of our own in the iptables filter table, replaced atomically
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Keeps the user chains named in O(content) (all starting with O(prefix)) exactly as given,
    each jumped to by the first rule of its built-in chain (O(chains)), and removes chains with
    O(prefix) that are no longer given. Other chains and rules are never touched.
  - The change is one C(iptables-restore --noflush) (C(ip6tables-restore) with O(family=6))
    transaction, tested first with C(--test) - either all of it is applied or nothing is.
  - The comparison is against the live table (C(iptables-save -t filter)), so chains flushed or
    edited by hand, or a jump removed or moved, are detected and repaired.
  - O(content) must be written the way C(iptables-save) prints rules (the collection's
    P(lync.reverse_proxy.iptables_ruleset#filter) filter is).
  - The chains are kept in O(path) and loaded at boot by a unit of our own
    (C(lync-iptables.service), after the distribution's own iptables service) with C(--noflush),
    so the distribution's saved rules are left as they are.
extends_documentation_fragment:
  - lync.reverse_proxy.commit_confirm
  - lync.reverse_proxy.commit_confirm.action_group
options:
  content:
    description:
      - The restore text of our chains (C(*filter), one C(:CHAIN - [0:0]) line per chain, the
        C(-A) lines, C(COMMIT)). Required with O(state=present).
    type: str
  chains:
    description: Our chain name -> the built-in chain (V(INPUT), V(OUTPUT), V(FORWARD)) that jumps to it.
    type: dict
    default: {}
  prefix:
    description: Chains whose names start with this are ours; others are never touched.
    type: str
    default: LYNC-RP
  family:
    description: V(4) for iptables, V(6) for ip6tables.
    type: int
    default: 4
    choices: [4, 6]
  path:
    description: Where our chains are kept for the boot unit (the restore text, jumps included).
    type: path
    required: true
  state:
    description:
      - V(present) keeps the chains as given; V(absent) removes our chains, their jumps and the
        file; V(confirmed) disarms a pending rollback (O(rollback_timeout)).
    type: str
    default: present
    choices: [present, absent, confirmed]
attributes:
  check_mode:
    support: full
    description: Reports whether the chains would change, with a diff, and changes nothing.
  diff_mode:
    support: full
    description: Shows our live chains and jumps before and the desired ones after.
  idempotent:
    support: full
    description: The live chains are compared with the desired ones; equal means no change.
requirements:
  - iptables (iptables-save, iptables-restore; ip6tables-save, ip6tables-restore for O(family=6))
seealso:
  - plugin: lync.reverse_proxy.iptables_ruleset
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Keep our chains
  vars:
    ruleset: >-
      {{ lync_topology | lync.reverse_proxy.firewall_rules(reverse_proxy='rp01')
         | lync.reverse_proxy.iptables_ruleset(management_sources=['10.250.0.0/24'],
                                                external_interfaces=['eth1']) }}
  lync.reverse_proxy.iptables_chains:
    content: "{{ ruleset.content }}"
    chains: "{{ ruleset.chains }}"
    path: /etc/iptables/lync-reverse-proxy.v4
    management_sources: [10.250.0.0/24]
    rollback_timeout: 60
"""

RETURN = r"""
live:
  description: Our chains and jumps as they were (iptables-save lines).
  returned: always
  type: str
rollback_armed:
  description: True when a rollback timer was armed and waits for O(state=confirmed).
  returned: always
  type: bool
drift:
  description: True when the file on disk was already as desired but the live chains were not.
  returned: always
  type: bool
"""

import os
import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.lync.reverse_proxy.plugins.module_utils._names import IPTABLES_CHAIN_PREFIX, IPTABLES_CHAIN_PREFIX_PATTERN
from ansible_collections.lync.reverse_proxy.plugins.module_utils import _rollback
from ansible_collections.lync.reverse_proxy.plugins.module_utils._apply import ApplyByDiff

HEADER = "# Managed by lync.reverse_proxy (iptables_chains): changes here are replaced.\n"
BUILTIN = ("INPUT", "OUTPUT", "FORWARD")


class Chains(ApplyByDiff):
    """Chains of our own and the jumps to them, applied by difference (module_utils/_apply.py)."""

    CONFIRMED_RESULT = {"live": "", "drift": False}

    def __init__(self, module: AnsibleModule) -> None:
        super().__init__(module)
        six = "6" if self.params["family"] == 6 else ""
        self.save = module.get_bin_path("ip%stables-save" % six)
        self.restore = module.get_bin_path("ip%stables-restore" % six)
        if not self.save or not self.restore:
            module.fail_json(msg="ip%stables-save / ip%stables-restore are not installed on this host; "
                                 "nothing was applied (install the iptables package)" % (six, six))
        self.prefix = self.params["prefix"]
        self.unit = _rollback.unit_name("iptables-v%d" % self.params["family"])

    def full(self) -> str:
        rc, out, err = self.module.run_command([self.save, "-t", "filter"])
        if rc != 0:
            self.module.fail_json(msg="iptables-save failed", stderr=err)
        return out

    def ours(self, text: str) -> dict:
        """Our chains' rules and the jumps to them, from iptables-save output."""
        chains, jumps = {}, {}
        for line in text.splitlines():
            if line.startswith(":" + self.prefix):
                chains.setdefault(line[1:].split()[0], [])
            elif line.startswith("-A "):
                parts = line.split()
                if parts[1].startswith(self.prefix):
                    chains.setdefault(parts[1], []).append(line)
                elif parts[1] in BUILTIN:
                    jumps.setdefault(parts[1], []).append(line)
        return {"chains": chains, "builtin": jumps}

    def listing(self, chains: dict, builtin: dict) -> str:
        lines = []
        for name in sorted(chains):
            lines.extend(chains[name])
        for hook in BUILTIN:
            for line in builtin.get(hook, []):
                if " -j %s" % self.prefix in line:
                    lines.append(line)
        return "\n".join(lines) + ("\n" if lines else "")

    def desired(self) -> dict:
        chains = {}
        for line in (self.params["content"] or "").splitlines():
            line = line.strip()
            if line.startswith(":"):
                name = line[1:].split()[0]
                if not name.startswith(self.prefix):
                    self.module.fail_json(msg="content declares chain %s, which does not start with the prefix %s"
                                          % (name, self.prefix))
                chains.setdefault(name, [])
            elif line.startswith("-A "):
                name = line.split()[1]
                if name not in chains:
                    self.module.fail_json(msg="content appends to chain %s, which it does not declare" % name)
                chains[name].append(line)
            elif line and line not in ("*filter", "COMMIT") and not line.startswith("#"):
                self.module.fail_json(msg="content line %r is not a chain declaration or an -A rule" % line)
        for name, hook in self.params["chains"].items():
            if name not in chains or hook not in BUILTIN:
                self.module.fail_json(msg="chains: %s -> %s must name a declared chain and one of %s"
                                      % (name, hook, ", ".join(BUILTIN)))
        return chains

    def payload(self, live: dict, desired: dict) -> str:
        lines = ["*filter"]
        for name in desired:
            lines.append(":%s - [0:0]" % name)
        for name in live["chains"]:
            if name not in desired:
                lines.append(":%s - [0:0]" % name)  # flushed by --noflush's redeclaration
        # Jumps: exactly one per chain, first in its built-in chain.
        for hook in BUILTIN:
            for line in live["builtin"].get(hook, []):
                if " -j %s" % self.prefix in line:
                    lines.append("-D" + line[2:])
        for name, hook in self.params["chains"].items():
            lines.append("-I %s 1 -j %s" % (hook, name))
        for name in desired:
            lines.extend(desired[name])
        for name in live["chains"]:
            if name not in desired:
                lines.append("-X %s" % name)
        lines.append("COMMIT")
        return "\n".join(lines) + "\n"

    def wanted_listing(self, desired: dict) -> str:
        builtin = {}
        for name, hook in self.params["chains"].items():
            builtin.setdefault(hook, []).append("-A %s -j %s" % (hook, name))
        return self.listing(desired, builtin)

    def jumps_first(self, live: dict) -> bool:
        for name, hook in self.params["chains"].items():
            rules = live["builtin"].get(hook, [])
            if not rules or rules[0] != "-A %s -j %s" % (hook, name):
                return False
        return True

    def apply(self, text: str) -> None:
        rc, out, err = self.module.run_command([self.restore, "-w", "--noflush", "--test"], data=text)
        if rc != 0:
            self.module.fail_json(msg="the chains do not validate (%s --test); nothing was applied" % self.restore,
                                  stderr=err, payload=text)
        rc, out, err = self.module.run_command([self.restore, "-w", "--noflush"], data=text)
        if rc != 0:
            self.module.fail_json(msg="%s failed; the previous chains stay live" % self.restore, stderr=err)

    def file_text(self, desired: dict) -> str:
        lines = [HEADER.rstrip(), "*filter"]
        lines += [":%s - [0:0]" % name for name in desired]
        for name, hook in self.params["chains"].items():
            lines.append("-I %s 1 -j %s" % (hook, name))
        for name in desired:
            lines.extend(desired[name])
        lines.append("COMMIT")
        return "\n".join(lines) + "\n"

    # -- the steps of ApplyByDiff ------------------------------------------------------------
    def read(self) -> dict:
        full = self.full()
        live = self.ours(full)
        on_disk = ""
        if os.path.exists(self.params["path"]):
            with open(self.params["path"], encoding="utf-8") as handle:
                on_disk = handle.read()
        return {"full": full, "live": live, "text": self.listing(live["chains"], live["builtin"]), "on_disk": on_disk}

    def want(self, observed: dict) -> dict:
        """The chains, their listing as iptables-save gives it, and the file (none with state=absent)."""
        params = self.params
        if params["state"] == "absent":
            chains, file_text = {}, ""
            params["chains"] = {}
        else:
            if not params["content"]:
                self.module.fail_json(msg="content is required with state=present")
            chains = self.desired()
            file_text = self.file_text(chains)
        return {"chains": chains, "listing": self.wanted_listing(chains), "file": file_text}

    def live_matches(self, observed: dict, desired: dict) -> bool:
        return observed["text"] == desired["listing"] and (not desired["chains"] or self.jumps_first(observed["live"]))

    def file_matches(self, observed: dict, desired: dict) -> bool:
        return observed["on_disk"] == desired["file"]

    def result_fields(self, observed: dict, desired: dict) -> dict:
        return {"live": observed["text"]}

    def diff(self, observed: dict, desired: dict) -> dict:
        return {"before_header": "live chains", "before": observed["text"],
                "after_header": "desired chains", "after": desired["listing"]}

    def arm_needed(self, observed: dict, desired: dict, live_ok: bool) -> bool:
        return not live_ok  # only the file differs: the live chains are not touched

    def arm(self, observed: dict, desired: dict) -> None:
        _rollback.arm(self.module, self.unit, self.params["rollback_timeout"], [self.params["path"]],
                      "%s -w < {saved[table]}" % self.restore, saved={"table": observed["full"]})

    def write(self, observed: dict, desired: dict, live_ok: bool, result: dict) -> None:
        path = self.params["path"]
        if not live_ok:
            self.apply(self.payload(observed["live"], desired["chains"]))
            after = self.ours(self.full())
            if self.listing(after["chains"], after["builtin"]) != desired["listing"]:
                self.module.fail_json(
                    msg="the chains were loaded but iptables-save lists them differently from the content "
                        "given; the content is not in iptables-save's form",
                    live=self.listing(after["chains"], after["builtin"]), wanted=desired["listing"])
        if observed["on_disk"] != desired["file"]:
            if desired["file"]:
                os.makedirs(os.path.dirname(path) or "/", 0o755, exist_ok=True)
                candidate = path + ".candidate"
                with open(candidate, "w", encoding="utf-8") as handle:
                    handle.write(desired["file"])
                self.module.atomic_move(candidate, path)
            elif os.path.exists(path):
                os.unlink(path)


def main() -> None:
    module = AnsibleModule(
        argument_spec=_rollback.backend_argument_spec(
            content={"type": "str"},
            chains={"type": "dict", "default": {}},
            prefix={"type": "str", "default": IPTABLES_CHAIN_PREFIX},
            family={"type": "int", "default": 4, "choices": [4, 6]},
            path={"type": "path", "required": True},
        ),
        supports_check_mode=True,
    )
    if not re.fullmatch(IPTABLES_CHAIN_PREFIX_PATTERN, module.params["prefix"]):
        module.fail_json(msg="prefix %r is not a usable chain name prefix" % module.params["prefix"])
    module.exit_json(**Chains(module).run())


if __name__ == "__main__":
    main()
