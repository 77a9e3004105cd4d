# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The topology_import action's work on the controller. PRIVATE to the lync.reverse_proxy collection.

Reading the addresses file, asking the controller's resolver for the names it lacks, and writing
the topology file: the steps around ``import_document`` (module_utils/_port_model/documents/_topology_xml.py),
in one process, so that the document and the topology never travel through Ansible's variables
(which costs several times the import itself on a document of a thousand pools).
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import re
import socket
import tempfile

import yaml
from yaml.nodes import ScalarNode

__all__ = ["ARGUMENT_SPEC", "AddressesFileError", "file_text", "load_addresses", "plain_data", "resolve_names",
           "topology_yaml", "write_file"]

# One declaration of the options; plugins/modules/topology_import.py documents the same (a unit
# test compares the two).
ARGUMENT_SPEC = {
    "document": {"type": "path", "required": True},
    "dest": {"type": "path", "required": True},
    "addresses": {"type": "raw"},
    "dns": {"type": "bool", "default": True},
    "site": {"type": "str"},
    "simple_urls": {"type": "dict"},
    "reverse_proxies": {"type": "list", "elements": "dict"},
    "options": {"type": "dict"},
    "comment": {"type": "str"},
}

# At most this many names are asked at once (getaddrinfo waits on the network, not the CPU).
RESOLVER_THREADS = 16

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_VAULT = b"$ANSIBLE_VAULT;"


class AddressesFileError(ValueError):
    """The addresses file cannot be read as a mapping of FQDN to addresses."""


def load_addresses(path: str, vault_loader=None) -> dict:
    """The FQDN -> addresses mapping of a YAML file (an empty file is an empty mapping).

    PyYAML reads it (with libyaml when present: the Ansible loader tags every value with its origin
    and takes ten times as long on a file of ten thousand names); a file encrypted with Ansible
    Vault is read by ``vault_loader`` (the action's DataLoader) instead."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise AddressesFileError("cannot read %s: %s" % (path, exc.strerror or exc)) from None
    if data.lstrip().startswith(_VAULT):
        if vault_loader is None:
            raise AddressesFileError("%s is encrypted with Ansible Vault and no vault loader was given" % path)
        loaded = plain_data(vault_loader(path))
    else:
        try:
            loaded = yaml.load(data, Loader=_Loader)  # noqa: S506 - a safe loader
        except yaml.YAMLError as exc:
            raise AddressesFileError("%s is not YAML: %s" % (path, " ".join(str(exc).split()))) from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise AddressesFileError("%s must be a mapping of FQDN to a list of addresses, not a %s"
                                 % (path, type(loaded).__name__))
    return loaded


def plain_data(value):
    """``value`` (JSON-like data, as a task's arguments or Ansible's loader give it, its strings tagged
    with where they came from) as plain dicts, lists and strings, which PyYAML can write."""
    return json.loads(json.dumps(value)) if value is not None else None


def _ask(name: str) -> list:
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):  # socket.gaierror is an OSError: the name is not known
        return []
    return list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))


def resolve_names(names: list, threads: int = RESOLVER_THREADS) -> dict:
    """FQDN -> addresses as this machine's resolver answers (getaddrinfo: the hosts file, then DNS,
    as ``getent ahosts``); a name it does not know maps to an empty list."""
    names = list(dict.fromkeys(names))
    if len(names) <= 1:
        return {name: _ask(name) for name in names}
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(threads, len(names))) as pool:
        return dict(zip(names, pool.map(_ask, names)))


# -- the topology as YAML -----------------------------------------------------------------
# What to_nice_yaml(indent=2, sort_keys=false) writes, several times faster on large topologies:
# block style written here, each scalar plain when PyYAML would write it plain (the same characters
# and the same resolver), else written by PyYAML itself.
_PLAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._/:-]*[A-Za-z0-9._/-])?\Z")
# Plain strings no implicit resolver can take for anything but a string: a name that starts with a
# letter and has a dot, dash or slash (booleans and nulls are single words), and an IPv4 address
# (no number, date or time has three dots). The rest of _PLAIN is asked of PyYAML's resolver.
_SURELY_STR = re.compile(r"(?:[A-Za-z][A-Za-z0-9]*[._/-][A-Za-z0-9._/-]*|[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+)\Z")
_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()


def _scalar(value) -> str:
    if isinstance(value, str) and _PLAIN.match(value) and (
            _SURELY_STR.match(value) or _RESOLVER.resolve(ScalarNode, value, (True, False)) == _STR_TAG):
        return value
    text = yaml.dump(value, Dumper=_Dumper, allow_unicode=True, width=1 << 30)
    text = text[:-5] if text.endswith("\n...\n") else text.rstrip("\n")
    if "\n" in text:  # a string of several lines: one double-quoted line, whatever its indentation
        text = yaml.dump(value, Dumper=_Dumper, allow_unicode=True, width=1 << 30, default_style='"').rstrip("\n")
    return text


def _emit(value, indent: int, out: list, first_prefix: str | None = None) -> None:
    """``value`` (a non-empty dict or list) in block style at ``indent``; ``first_prefix`` replaces the
    indentation of the first line (the ``- `` of the list item it opens)."""
    pad = " " * indent
    prefix = pad if first_prefix is None else first_prefix
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict) and item:
                out.append("%s%s:\n" % (prefix, _scalar(key)))
                _emit(item, indent + 2, out)
            elif isinstance(item, list) and item:
                out.append("%s%s:\n" % (prefix, _scalar(key)))
                _emit(item, indent, out)
            else:
                out.append("%s%s: %s\n" % (prefix, _scalar(key), _leaf(item)))
            prefix = pad
        return
    for item in value:
        if isinstance(item, (dict, list)) and item:
            _emit(item, indent + 2, out, first_prefix=prefix + "- ")
        else:
            out.append("%s- %s\n" % (prefix, _leaf(item)))
        prefix = pad


def _leaf(value) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


def topology_yaml(data: dict) -> str:
    """``data`` (a mapping of plain data) as YAML, block style, keys in their order, indent 2."""
    if not isinstance(data, dict) or not data:
        return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, default_flow_style=False, sort_keys=False)
    out: list = []
    _emit(data, 0, out)
    return "".join(out)


def file_text(topology: dict, comment: str) -> str:
    """The topology file: a document start, the comment's lines as YAML comments, ``lync_topology``."""
    lines = ["---"] + [("# " + line).rstrip() for line in comment.splitlines()]
    return "\n".join(lines) + "\n" + topology_yaml({"lync_topology": topology})


# -- the file -------------------------------------------------------------------------------
FILE_MODE = 0o644
DIRECTORY_MODE = 0o755


def write_file(path: str, text: str, check_mode: bool = False) -> tuple:
    """(changed, the file's text before or None): ``text`` written to ``path`` with mode 0644 unless it
    is already there; the directory is created (0755) when missing; the new file replaces the old
    one in one step (a temporary file in the same directory, then rename). Nothing is written in
    check mode."""
    data = text.encode("utf-8")
    before = None
    try:
        with open(path, "rb") as handle:
            old = handle.read()
        before = old.decode("utf-8", errors="replace")
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        old, mode = None, None
    if old == data and mode == FILE_MODE:
        return False, before
    if check_mode:
        return True, before
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, mode=DIRECTORY_MODE, exist_ok=True)
    if old == data:
        os.chmod(path, FILE_MODE)
        return True, before
    handle, temporary = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return True, before
