# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The documentation site's Sphinx warnings (make docs): none but links that need the Internet.

The site is built offline: no intersphinx inventory is fetched, so a reference into another
documentation set cannot resolve here, where on a published site intersphinx (or the Ansible
documentation the pages are part of) resolves it. Those are the only warnings allowed:

- a reference to another collection's page (a label ``ansible_collections.<namespace>.<name>.*`` of a
  collection other than lync.reverse_proxy), from any page;
- a reference to a label of the Ansible documentation (``common_return_values``, ...) from a page
  that antsibull-docs generated from the plugins' and roles' documentation. The guides
  (``collections/lync/reverse_proxy/docsite/``) must resolve every reference of theirs or link with a URL.

Anything else (an unknown label of this collection, a malformed page, a reference from a guide to a
label that does not exist) fails, as sphinx-build -W would.
"""

from __future__ import annotations

import re
import sys

OWN = "ansible_collections.lync.reverse_proxy."
WARNING = re.compile(r"^(?P<file>[^:]*):(?P<line>\d+)?:? ?(?P<level>WARNING|ERROR|CRITICAL|SEVERE): (?P<message>.*)$")
UNDEFINED = re.compile(r"^undefined label: '(?P<label>[^']+)'")


def classify(line: str) -> str | None:
    """'collection' or 'ansible' for a link that needs the Internet, None for anything else."""
    match = WARNING.match(line)
    if not match or match.group("level") != "WARNING":
        return None
    undefined = UNDEFINED.match(match.group("message"))
    if not undefined:
        return None
    label = undefined.group("label")
    if label.startswith("ansible_collections."):
        return None if label.startswith(OWN) else "collection"
    generated = "/reverse_proxy/docsite/" not in match.group("file").replace("\\", "/")
    return "ansible" if generated and re.fullmatch(r"[a-z0-9_]+", label) else None


def main(path: str) -> int:
    with open(path, encoding="utf-8") as log:
        lines = [line.rstrip("\n") for line in log if line.strip()]
    # A warning's own continuation lines (indented) belong to the line before them.
    entries = [line for line in lines if not line.startswith((" ", "\t"))]
    kinds = {"collection": 0, "ansible": 0}
    bad = []
    for line in entries:
        kind = classify(line)
        if kind is None:
            bad.append(line)
        else:
            kinds[kind] += 1
    for line in bad:
        print("sphinx: %s" % line)
    if bad:
        print("sphinx: %d warning%s that the offline build cannot excuse" % (len(bad), "" if len(bad) == 1 else "s"))
        return 1
    print("sphinx: no warning but links that need the Internet (%d to other collections' pages, %d to the Ansible "
          "documentation)" % (kinds["collection"], kinds["ansible"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
