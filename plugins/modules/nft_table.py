#!/usr/bin/python
# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: nft_table
short_description: Keep one nftables table exactly as given, replaced atomically
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Compares the live nftables table O(family) O(name) with O(content) and, when they differ,
    replaces the table in one transaction; other tables are never touched.
  - The comparison is against the live ruleset, not against a file that was written before, so a
    table that was flushed, edited or deleted by hand is detected and repaired. Live and desired
    are compared as nft's own JSON (C(nft -j list table)) - the desired table as the same nft
    lists it after loading the ruleset into a private network namespace (C(unshare --net); the
    host's ruleset is not touched), so O(content) may be written in any form nft reads. Handles,
    and what counters and quotas have counted, are not compared.
  - Loading into the private namespace first is also the check - a ruleset that nft does not load
    there is never loaded on the host, and the table that was live stays live. The new ruleset is
    then written to O(path) and loaded with C(nft -f) from a file that creates, deletes and
    re-creates the table, in one transaction, so the swap is atomic.
  - After loading, the live table is listed again; should it differ from the table loaded in the
    private namespace, the previous table and file are restored before the module fails (it never
    fails with the new ruleset left loaded).
  - Once the table is what O(path) loads, a digest of it is kept under C(/run/lync-reverse-proxy/nft)
    (not in check mode), so that M(lync.reverse_proxy.firewall_info) and M(lync.reverse_proxy.host_info)
    compare the live table with the file without loading it again.
  - With O(management_sources), the module refuses (fails before applying) a ruleset when the
    address of the current SSH connection is not among them.
extends_documentation_fragment:
  - lync.reverse_proxy.commit_confirm
  - lync.reverse_proxy.commit_confirm.action_group
options:
  name:
    description: The table name.
    type: str
    required: true
  family:
    description: The table family.
    type: str
    default: inet
    choices: [inet, ip, ip6]
  content:
    description:
      - The whole table, C(table <family> <name> { ... }). Required with O(state=present).
    type: str
  path:
    description:
      - Where the ruleset file is kept (persistence, for example loaded by C(nftables.service)
        through a drop-in). Its directory is created.
    type: path
    required: true
  state:
    description:
      - V(present) keeps the table as O(content); V(absent) deletes the table and the file.
      - V(confirmed) disarms the rollback that O(rollback_timeout) armed (commit-confirm); without
        an armed rollback it changes nothing.
    type: str
    default: present
    choices: [present, absent, confirmed]
  boot_dropin:
    description:
      - Persistence in the same call - a systemd drop-in for C(nftables.service) at this path that
        loads O(path) after C(/etc/nftables.conf) at boot and on reload; the service is enabled for
        boot (not started - its C(nftables.conf) flushes the whole ruleset). With O(state=absent)
        the drop-in is removed.
    type: path
attributes:
  check_mode:
    support: full
    description: >-
      Reports whether the table would change, with a diff, and changes nothing (the desired table
      is loaded into a private network namespace only).
  diff_mode:
    support: full
    description: Shows the live table before and the desired one after.
  idempotent:
    support: full
    description: The live table is compared with the desired one as nft -j lists them; equal means no change.
requirements:
  - nft (the nftables command line) on the target
  - unshare (util-linux) on the target, and the right to create a network namespace (root), to
    compare the table; without them the module fails before it applies anything
notes:
  - The ruleset file starts with C(table), C(delete table) and then the table, the atomic
    replacement that works from nftables 0.9 on (C(destroy table) needs 1.0.8).
seealso:
  - plugin: lync.reverse_proxy.nftables_ruleset
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Keep our table as rendered
  lync.reverse_proxy.nft_table:
    name: lync_reverse_proxy
    content: "{{ lookup('ansible.builtin.template', 'lync_reverse_proxy.nft.j2') }}"
    path: /etc/nftables.d/lync_reverse_proxy.nft
    management_sources: [10.250.0.0/24]
"""

RETURN = r"""
live:
  description: The table as nft listed it before the change, as text (empty when it did not exist).
  returned: always
  type: str
restored:
  description: >-
    True when the new ruleset was loaded but the live table then differed from it, and the previous
    table and file were put back (the module failed).
  returned: failure
  type: bool
  version_added: 1.1.0
rollback_armed:
  description: True when a rollback timer was armed (O(rollback_timeout)) and waits for O(state=confirmed).
  returned: always
  type: bool
rollback_unit:
  description: The systemd unit of the rollback timer.
  returned: always
  type: str
drift:
  description: True when the file on disk matched the desired ruleset but the live table did not.
  returned: always
  type: bool
connection_source:
  description: The address of the SSH connection, when there is one.
  returned: always
  type: str
boot_changed:
  description: True when the boot drop-in or the service's enablement was changed (O(boot_dropin)).
  returned: always
  type: bool
"""

import os
import re
import shlex
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.lync.reverse_proxy.plugins.module_utils import _nft, _rollback
from ansible_collections.lync.reverse_proxy.plugins.module_utils._apply import ApplyByDiff


class NftTable(ApplyByDiff):
    """A table of our own, applied by difference (module_utils/_apply.py) and kept loaded at boot."""

    CONFIRMED_RESULT = {"live": "", "drift": False}

    def __init__(self, module: AnsibleModule) -> None:
        super().__init__(module)
        self.nft = module.get_bin_path("nft", required=True)
        self.desired = None

    def live(self) -> str:
        rc, out, err = self.module.run_command([self.nft, "list", "table", self.params["family"], self.params["name"]])
        return out if rc == 0 else ""

    def live_objects(self) -> list | None:
        return _nft.live_table(self.module.run_command, self.nft, self.params["family"], self.params["name"])

    def _write(self, path: str, text: str) -> None:
        directory = os.path.dirname(path)
        if directory and not os.path.isdir(directory):
            os.makedirs(directory, 0o755)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(path, 0o600)

    def _scratch(self, text: str) -> str:
        """``text`` in a file of the module's temporary directory (removed with it)."""
        handle, path = tempfile.mkstemp(dir=self.module.tmpdir, suffix=".nft")
        with os.fdopen(handle, "w", encoding="utf-8") as scratch:
            scratch.write(text)
        return path

    def desired_objects(self, text: str) -> list:
        """The table as nft lists it once ``text`` (the ruleset file) is loaded, from a private
        network namespace; a ruleset nft refuses there, or no namespace, fails before anything."""
        objects, problem = _nft.load_privately(
            self.module.run_command, self.module.get_bin_path("unshare"), self.nft, self._scratch(text),
            self.params["family"], self.params["name"], ip=self.module.get_bin_path("ip"), content=text)
        if problem and problem[0] == "refused":
            self.module.fail_json(msg="the ruleset does not validate (nft -f refused it in a private network "
                                      "namespace); nothing was applied, the previous table stays live", stderr=problem[1])
        if problem:
            self.module.fail_json(msg="cannot compare the table: nft_table loads the ruleset into a private network "
                                      "namespace first (unshare --net, as root), and that failed: %s; nothing was "
                                      "applied" % problem[1])
        return objects

    def write_and_load(self, text: str) -> None:
        path = self.params["path"]
        candidate = path + ".candidate"
        self._write(candidate, text)
        # One transaction: a ruleset that does not load changes nothing.
        rc, out, err = self.module.run_command([self.nft, "-f", candidate])
        if rc != 0:
            os.unlink(candidate)
            self.module.fail_json(msg="the ruleset does not validate (nft -f refused it); nothing was applied, "
                                      "the previous table stays live", stderr=err)
        self.module.atomic_move(candidate, path)

    def restore(self, live: str, on_disk: str | None, result: dict, why: str) -> None:
        """Put the previous table and file back after a load that is not what was checked, then fail."""
        family, name, path = self.params["family"], self.params["name"], self.params["path"]
        if live:
            rc, out, err = self.module.run_command([self.nft, "-f", self._scratch(_nft.ruleset_file(family, name, live))])
        else:
            rc, out, err = self.module.run_command([self.nft, "delete", "table", family, name])
        if rc != 0:
            self.module.fail_json(
                msg="%s; putting the previous table back failed as well (%s)%s" % (
                    why, err.strip(), ": the armed rollback restores it when its timer fires"
                    if result["rollback_armed"] else ": restore it by hand"), restored=False, **result)
        if on_disk is None:
            os.unlink(path)
        else:
            self._write(path, on_disk)
        if result["rollback_armed"]:
            _rollback.confirm(self.module, self.unit)  # the previous table is back: nothing left to roll back
            result["rollback_armed"] = False
        self.module.fail_json(msg="%s; the previous table and its file are back" % why, restored=True, **result)

    @property
    def unit(self) -> str:
        return _rollback.unit_name("%s-%s" % (self.params["family"], self.params["name"]))

    def persist(self, result: dict) -> None:
        """The boot drop-in (and nftables.service enabled), or its removal with state=absent."""
        dropin = self.params["boot_dropin"]
        if not dropin:
            return
        wanted = _nft.dropin_text(self.nft, self.params["path"]) if self.params["state"] == "present" else None
        current = None
        if os.path.exists(dropin):
            with open(dropin, encoding="utf-8") as handle:
                current = handle.read()
        systemctl = self.module.get_bin_path("systemctl", required=True)
        enabled = True
        if wanted is not None:
            rc, out, err = self.module.run_command([systemctl, "is-enabled", "nftables.service"])
            enabled = out.strip() in ("enabled", "enabled-runtime", "static", "alias")
        if current == wanted and enabled:
            return
        result["changed"] = True
        result["boot_changed"] = True
        if self.module.check_mode:
            return
        if current != wanted:
            if wanted is None:
                os.unlink(dropin)
            else:
                os.makedirs(os.path.dirname(dropin), 0o755, exist_ok=True)
                with open(dropin + ".tmp", "w", encoding="utf-8") as handle:
                    handle.write(wanted)
                os.chmod(dropin + ".tmp", 0o644)
                os.replace(dropin + ".tmp", dropin)
        if not enabled:
            # --no-reload: enabling needs no reload of the manager; a changed drop-in does (below).
            self.module.run_command([systemctl, "enable", "--no-reload", "nftables.service"], check_rc=True)
        if current != wanted:
            self.module.run_command([systemctl, "daemon-reload"], check_rc=True)

    def run(self) -> dict:
        result = super().run()
        if self.desired is not None and not self.module.check_mode:
            # the file now loads as the live table: a read may compare them without loading it again
            _nft.remember_load(self.nft, self.params["family"], self.params["name"], self.desired["text"],
                               self.desired["objects"])
        result.setdefault("boot_changed", False)
        if self.params["state"] != "confirmed":
            self.persist(result)
        return result

    # -- the steps of ApplyByDiff ------------------------------------------------------------
    def read(self) -> dict:
        on_disk = None
        if os.path.exists(self.params["path"]):
            with open(self.params["path"], encoding="utf-8") as handle:
                on_disk = handle.read()
        return {"live": self.live(), "on_disk": on_disk, "source": _rollback.connection_source()}

    def want(self, observed: dict) -> dict | None:
        """None with state=absent; else the ruleset file and the table nft lists once it is loaded."""
        params = self.params
        if params["state"] == "absent":
            return None
        if not params["content"]:
            self.module.fail_json(msg="content is required with state=present")
        text = _nft.ruleset_file(params["family"], params["name"], params["content"])
        self.desired = {"text": text, "objects": self.desired_objects(text)}
        return self.desired

    def live_matches(self, observed: dict, desired: dict | None) -> bool:
        if desired is None:
            return not observed["live"]
        return bool(observed["live"]) and self.live_objects() == desired["objects"]

    def file_matches(self, observed: dict, desired: dict | None) -> bool:
        return observed["on_disk"] == (None if desired is None else desired["text"])

    def result_fields(self, observed: dict, desired: dict | None) -> dict:
        return {"live": observed["live"], "connection_source": observed["source"] or "", "rollback_unit": self.unit}

    def drift(self, observed: dict, desired: dict | None, live_ok: bool, file_ok: bool) -> bool:
        return desired is not None and super().drift(observed, desired, live_ok, file_ok)

    def diff(self, observed: dict, desired: dict | None) -> dict:
        if desired is None:
            return {"before": observed["live"], "after": ""}
        return {"before_header": "live table", "before": observed["live"], "after_header": "desired table",
                "after": self.params["content"].rstrip() + "\n"}

    def arm_needed(self, observed: dict, desired: dict | None, live_ok: bool) -> bool:
        return desired is not None

    def arm(self, observed: dict, desired: dict | None) -> None:
        """Before loading: a transient timer that restores the table and its file as they are now."""
        family, name, live = self.params["family"], self.params["name"], observed["live"]
        table = _nft.ruleset_file(family, name, live) if live else "table %s %s\ndelete table %s %s\n" % (family, name, family, name)
        _rollback.arm(self.module, self.unit, self.params["rollback_timeout"], [self.params["path"]],
                      "%s -f {saved[table]}" % shlex.quote(self.nft), saved={"table": table})

    def write(self, observed: dict, desired: dict | None, live_ok: bool, result: dict) -> None:
        params = self.params
        if desired is None:
            if observed["live"]:
                rc, out, err = self.module.run_command([self.nft, "delete", "table", params["family"], params["name"]])
                if rc != 0:
                    self.module.fail_json(msg="nft delete table failed", stderr=err)
            if observed["on_disk"] is not None:
                os.unlink(params["path"])
            return
        self.write_and_load(desired["text"])
        if self.live_objects() != desired["objects"]:
            self.restore(observed["live"], observed["on_disk"], result,
                         "the table was loaded, but nft -j lists it differently from the same ruleset loaded "
                         "in a private network namespace just before")


def main() -> None:
    module = AnsibleModule(
        argument_spec=_rollback.backend_argument_spec(
            name={"type": "str", "required": True},
            family={"type": "str", "default": "inet", "choices": ["inet", "ip", "ip6"]},
            content={"type": "str"},
            path={"type": "path", "required": True},
            boot_dropin={"type": "path"},
        ),
        supports_check_mode=True,
    )
    if not re.match(r"^[A-Za-z][A-Za-z0-9_.-]{0,57}$", module.params["name"]):
        module.fail_json(msg="name: %r is not a table name this module manages (a letter, then letters, "
                             "digits, '_', '.' or '-')" % module.params["name"])
    module.exit_json(**NftTable(module).run())


if __name__ == "__main__":
    main()
