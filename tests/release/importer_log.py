# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reads galaxy-importer's log (make release-check) and fails on any warning or error in it: what
Galaxy would show on the collection's import log.

galaxy-importer prints INFO records as they are and every other record as "LEVEL: message"; the
output of the ansible-lint it runs comes as WARNING records.
"""

from __future__ import annotations

import re
import sys

# Lines a tool's own defect prints whatever the content, with the reason; the check fails when one
# no longer appears, so that it leaves this list once the tool is fixed.
EXPECTED: dict[str, str] = {}


def main(path: str) -> int:
    with open(path, encoding="utf-8") as log:
        lines = [line.rstrip("\n") for line in log]
    flagged = [line for line in lines if re.match(r"^(WARNING|ERROR|CRITICAL): ", line)]
    unexpected = [line for line in flagged if line not in EXPECTED]
    gone = [line for line in EXPECTED if line not in flagged]
    for line in unexpected:
        print("galaxy-importer: %s" % line)
    for line in gone:
        print("galaxy-importer no longer says %r (%s): take it out of tests/release/importer_log.py"
              % (line, EXPECTED[line]))
    if not any(line.startswith("Importer processing completed successfully") for line in lines):
        print("galaxy-importer did not complete")
        return 1
    if unexpected or gone:
        return 1
    print("galaxy-importer: no warning%s" % (
        " (expected: %s)" % "; ".join(EXPECTED.values()) if EXPECTED else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
