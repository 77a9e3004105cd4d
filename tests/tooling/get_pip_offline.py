# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Put a local pip bootstrap where ansible-test looks for its get-pip script.

ansible-test bootstraps pip in every virtual environment it creates with a script it downloads
from its own host, which the build machines cannot reach. It first looks in
~/.ansible/test/cache/get_pip_<version>.py; this writes a stand-in there that installs pip with
ensurepip and then the packages ansible-test asks for, from PyPI.
"""

from __future__ import annotations

import os
import pathlib
import re
import sys

STANDIN = '''"""Offline stand-in for get-pip.py, written by lync.reverse_proxy's tests/tooling."""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
subprocess.check_call([sys.executable, "-m", "pip", "install", "--upgrade"] + args)
'''


def main() -> int:
    import ansible_test  # the ansible-test this stand-in serves

    source = pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
    versions = sorted(set(re.findall(r"pip='([0-9.]+)'", source.read_text())))
    if not versions:
        print("cannot find the pip version ansible-test bootstraps in %s" % source, file=sys.stderr)
        return 1
    cache = pathlib.Path(os.path.expanduser("~/.ansible/test/cache"))
    cache.mkdir(parents=True, exist_ok=True)
    for version in versions:
        target = cache / ("get_pip_%s.py" % version.replace(".", "_"))
        if not target.exists() or target.read_text() != STANDIN:
            target.write_text(STANDIN)
        print("pip %s bootstrap: %s" % (version, target))
    return 0


if __name__ == "__main__":
    sys.exit(main())
