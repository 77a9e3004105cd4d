# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the controller-side plugins read of the collection they belong to. PRIVATE to the
lync.reverse_proxy collection.

The port model (``plugins/module_utils/_port_model``) reads no file of the collection: what it needs
from the collection's other parts (the version, the rp_iis_arr role's PowerShell scripts) is read
here, where a plugin knows the collection's layout, and passed in.
"""

from __future__ import annotations

import json
import os

import yaml

__all__ = ["CollectionFileError", "collection_root", "collection_version", "role_argument_spec", "role_file",
           "windows_scripts"]

# libyaml's safe loader where PyYAML has it (several times faster on the roles' argument specs).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# The rp_iis_arr role's scripts that the rendered Windows script embeds.
WINDOWS_SCRIPTS = ("hosts.ps1", "arr.ps1")


class CollectionFileError(ValueError):
    """A file of the installed collection is missing or unreadable."""


def collection_root() -> str:
    """The collection's top directory (this file is plugins/plugin_utils/_collection.py)."""
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def collection_version(root: str | None = None) -> str:
    """The collection's version, from MANIFEST.json (installed) or galaxy.yml (a checkout);
    ``unknown`` when neither says it."""
    root = root or collection_root()
    try:
        with open(os.path.join(root, "MANIFEST.json"), encoding="utf-8") as handle:
            return str(json.load(handle)["collection_info"]["version"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        with open(os.path.join(root, "galaxy.yml"), encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("version:"):
                    return line.split(":", 1)[1].strip().strip("'\"") or "unknown"
    except OSError:
        pass
    return "unknown"


def role_file(role: str, name: str, root: str | None = None) -> str:
    """The text of ``roles/<role>/files/<name>`` of the collection."""
    path = os.path.join(root or collection_root(), "roles", role, "files", name)
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        raise CollectionFileError("roles/%s/files/%s is missing from the installed collection (%s)"
                                  % (role, name, path)) from None


def windows_scripts(root: str | None = None) -> dict:
    """The rp_iis_arr role's scripts by name, as the rendered Windows script embeds them."""
    return {name: role_file("rp_iis_arr", name, root) for name in WINDOWS_SCRIPTS}


def role_argument_spec(role: str, entry_point: str = "main", root: str | None = None) -> dict:
    """The options of one entry point of a role's argument spec (``roles/<role>/meta/argument_specs.yml``),
    as Ansible checks a role's variables against them."""
    path = os.path.join(root or collection_root(), "roles", role, "meta", "argument_specs.yml")
    try:
        with open(path, encoding="utf-8") as handle:
            specs = (yaml.load(handle, Loader=_SAFE_LOADER) or {}).get("argument_specs") or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CollectionFileError("roles/%s/meta/argument_specs.yml of the installed collection cannot be read (%s): %s"
                                  % (role, path, exc)) from None
    if entry_point not in specs:
        raise CollectionFileError("the role %s has no entry point %r (it has %s)" % (role, entry_point, ", ".join(sorted(specs))))
    return specs[entry_point].get("options") or {}
