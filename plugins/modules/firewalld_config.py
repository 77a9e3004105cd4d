#!/usr/bin/python
# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: firewalld_config
short_description: Keep firewalld zones and policies of our own, permanent and runtime
version_added: 1.0.0
author: lync.reverse_proxy contributors (@lync-reverse-proxy)
description:
  - Keeps the firewalld zone and policy files given in O(files) (all named C(<prefix>-*.xml))
    exactly as given under O(directory), removes our files that are no longer given, and makes
    the runtime configuration equal to the permanent one with C(firewall-cmd --reload) (which
    keeps established connections). Zones and policies of others are never touched.
  - Policies are firewalld's policy objects (firewalld 0.9 and later); M(ansible.posix.firewalld)
    has no support for them, which is why this module writes the configuration files, the
    firewalld way of keeping a whole configuration.
  - The new files are checked with C(firewall-cmd --check-config) before the reload; on failure the
    previous files are put back and nothing is applied.
  - Drift - for each of our zones and policies, the runtime (C(firewall-cmd --info-zone)) is
    compared with the permanent configuration (C(--permanent --info-zone)); a difference (a
    runtime-only change) is repaired by the reload.
extends_documentation_fragment:
  - lync.reverse_proxy.commit_confirm
  - lync.reverse_proxy.commit_confirm.action_group
options:
  files:
    description:
      - Relative path (C(zones/<prefix>-NAME.xml) or C(policies/<prefix>-NAME.xml)) -> file content
        (the collection's P(lync.reverse_proxy.firewalld_files#filter) filter writes them).
    type: dict
    default: {}
  prefix:
    description: Files named C(<prefix>-*.xml) under C(zones/) and C(policies/) are ours.
    type: str
    default: lync
  directory:
    description: firewalld's configuration directory.
    type: path
    default: /etc/firewalld
  state:
    description:
      - V(present) keeps the files as given (and removes ours not given); V(absent) removes all of
        ours; V(confirmed) disarms a pending rollback (O(rollback_timeout)).
    type: str
    default: present
    choices: [present, absent, confirmed]
attributes:
  check_mode:
    support: full
    description: Reports whether anything would change, with a diff, and changes nothing.
  diff_mode:
    support: full
    description: Shows our files before and after.
  idempotent:
    support: full
    description: Files, and runtime against permanent, are compared; equal means no change.
requirements:
  - firewalld 0.9 or later, running (C(firewall-cmd))
seealso:
  - plugin: lync.reverse_proxy.firewalld_files
    plugin_type: filter
  - module: ansible.posix.firewalld
"""

EXAMPLES = r"""
- name: Keep our zones and the egress policy
  lync.reverse_proxy.firewalld_config:
    files: >-
      {{ lync_topology | lync.reverse_proxy.firewall_rules(reverse_proxy='rp01')
         | lync.reverse_proxy.firewalld_files(management_sources=['10.250.0.0/24'],
                                             external_interfaces=['eth1'], internal_interfaces=['eth2'],
                                             egress_filtering=true) }}
    rollback_timeout: 60
"""

RETURN = r"""
removed:
  description: Our files that were removed (no longer given).
  returned: always
  type: list
  elements: str
drift:
  description: True when the files were as given but the runtime configuration was not.
  returned: always
  type: bool
rollback_armed:
  description: True when a rollback timer was armed and waits for O(state=confirmed).
  returned: always
  type: bool
"""

import os
import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.lync.reverse_proxy.plugins.module_utils._names import FIREWALLD_PREFIX, FIREWALLD_PREFIX_PATTERN
from ansible_collections.lync.reverse_proxy.plugins.module_utils import _rollback
from ansible_collections.lync.reverse_proxy.plugins.module_utils._apply import ApplyByDiff

KINDS = {"zones": "zone", "policies": "policy"}


class Firewalld(ApplyByDiff):
    """Our zone and policy files, applied by difference (module_utils/_apply.py)."""

    CONFIRMED_RESULT = {"removed": [], "drift": False}

    def __init__(self, module: AnsibleModule) -> None:
        super().__init__(module)
        self.files: dict = {}
        self.cmd = module.get_bin_path("firewall-cmd")
        if not self.cmd:
            module.fail_json(msg="firewall-cmd is not installed on this host; nothing was applied "
                                 "(install the firewalld package, or choose another rp_firewall_backend)")
        self.prefix = self.params["prefix"]
        self.unit = _rollback.unit_name("firewalld-" + self.prefix)

    def path(self, relative: str) -> str:
        return os.path.join(self.params["directory"], relative)

    def ours_on_disk(self) -> dict:
        found = {}
        for sub in KINDS:
            directory = self.path(sub)
            if not os.path.isdir(directory):
                continue
            for name in sorted(os.listdir(directory)):
                if name.startswith(self.prefix + "-") and name.endswith(".xml"):
                    with open(os.path.join(directory, name), encoding="utf-8") as handle:
                        found["%s/%s" % (sub, name)] = handle.read()
        return found

    def check_files(self) -> dict:
        files = self.params["files"] if self.params["state"] == "present" else {}
        pattern = re.compile(r"^(zones|policies)/%s-[a-z0-9-]+\.xml$" % re.escape(self.prefix))
        for relative, content in files.items():
            if not pattern.match(relative):
                self.module.fail_json(msg="files: %r is not zones/%s-NAME.xml or policies/%s-NAME.xml"
                                      % (relative, self.prefix, self.prefix))
            if not isinstance(content, str) or not content.lstrip().startswith("<?xml"):
                self.module.fail_json(msg="files: %s is not an XML document" % relative)
        return files

    def firewall(self, *args, check=True) -> str:
        rc, out, err = self.module.run_command([self.cmd] + list(args))
        if check and rc != 0:
            self.module.fail_json(msg="firewall-cmd %s failed" % " ".join(args), stderr=err, stdout=out)
        return out if rc == 0 else ""

    def running(self) -> bool:
        rc, out, err = self.module.run_command([self.cmd, "--state"])
        return rc == 0

    def runtime_drift(self, files: dict) -> bool:
        for relative in files:
            sub, name = relative.split("/", 1)
            name = name[:-4]
            option = "--info-%s=%s" % (KINDS[sub], name)
            # Rich rules are a set: firewalld lists them in no fixed order.
            runtime = sorted(self.firewall(option, check=False).splitlines())
            permanent = sorted(self.firewall("--permanent", option, check=False).splitlines())
            if not runtime or runtime != permanent:
                return True
        return False

    def write_files(self, files: dict, on_disk: dict) -> list:
        removed = []
        for relative in on_disk:
            if relative not in files:
                os.unlink(self.path(relative))
                removed.append(relative)
        for relative, content in files.items():
            if on_disk.get(relative) != content:
                target = self.path(relative)
                os.makedirs(os.path.dirname(target), 0o750, exist_ok=True)
                with open(target + ".tmp", "w", encoding="utf-8") as handle:
                    handle.write(content)
                os.chmod(target + ".tmp", 0o644)
                os.replace(target + ".tmp", target)
        return removed

    def restore(self, on_disk: dict, files: dict) -> None:
        for relative in files:
            if relative not in on_disk and os.path.exists(self.path(relative)):
                os.unlink(self.path(relative))
        for relative, content in on_disk.items():
            with open(self.path(relative), "w", encoding="utf-8") as handle:
                handle.write(content)

    # -- the steps of ApplyByDiff ------------------------------------------------------------
    def read(self) -> dict:
        self.files = self.check_files()  # a bad file list fails before firewalld is asked anything
        if not self.running():
            self.module.fail_json(msg="firewalld is not running on this host; nothing was applied")
        return self.ours_on_disk()

    def want(self, observed: dict) -> dict:
        return self.files

    def file_matches(self, observed: dict, desired: dict) -> bool:
        return observed == desired

    def live_matches(self, observed: dict, desired: dict) -> bool:
        """Asked of firewalld only when our files are right (when they are not, they are written and
        firewalld reloaded anyway)."""
        return observed != desired or not self.runtime_drift(desired)

    def result_fields(self, observed: dict, desired: dict) -> dict:
        return {"removed": sorted(set(observed) - set(desired))}

    def diff(self, observed: dict, desired: dict) -> dict:
        return {"before_header": "our firewalld files", "after_header": "desired",
                "before": "".join("# %s\n%s" % item for item in sorted(observed.items())),
                "after": "".join("# %s\n%s" % item for item in sorted(desired.items()))}

    def arm(self, observed: dict, desired: dict) -> None:
        paths = sorted({self.path(relative) for relative in list(observed) + list(desired)})
        _rollback.arm(self.module, self.unit, self.params["rollback_timeout"], paths, "%s --reload" % self.cmd)

    def write(self, observed: dict, desired: dict, live_ok: bool, result: dict) -> None:
        self.write_files(desired, observed)
        rc, out, err = self.module.run_command([self.cmd, "--check-config"])
        if rc != 0:
            self.restore(observed, desired)
            if result["rollback_armed"]:
                _rollback.disarm(self.module, self.unit)
            self.module.fail_json(msg="firewalld rejects the configuration (firewall-cmd --check-config); the "
                                      "previous files are back and nothing was applied", stderr=err, stdout=out)
        self.firewall("--reload")
        if self.runtime_drift(desired):
            self.module.fail_json(msg="firewalld was reloaded but its runtime configuration differs from the files")


def main() -> None:
    module = AnsibleModule(
        argument_spec=_rollback.backend_argument_spec(
            files={"type": "dict", "default": {}},
            prefix={"type": "str", "default": FIREWALLD_PREFIX},
            directory={"type": "path", "default": "/etc/firewalld"},
        ),
        supports_check_mode=True,
    )
    if not re.fullmatch(FIREWALLD_PREFIX_PATTERN, module.params["prefix"]):
        module.fail_json(msg="prefix %r must be lower-case letters, digits and '-', at most 12" % module.params["prefix"])
    module.exit_json(**Firewalld(module).run())


if __name__ == "__main__":
    main()
