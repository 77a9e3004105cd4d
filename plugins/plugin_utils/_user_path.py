# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Paths a user gives on the controller. PRIVATE to the lync.reverse_proxy collection.

One rule for every playbook and role of the collection: a relative path is relative to the
directory ``ansible-playbook`` was started in (the controller process's working directory), the
way Ansible itself reads ``-i inventory.yml`` and ``ansible_ssh_private_key_file``; ``~`` is the
user's home. Never the playbook's directory (a collection playbook's directory is inside the
installed collection) and never a role's. The same holds for paths set in the inventory: a path
relative to the inventory's own directory is written ``{{ inventory_dir }}/files/...``.
"""

from __future__ import annotations

import os

__all__ = ["EXISTS", "UserPathError", "check", "resolve"]

# What a path must name: None (nothing checked: an output, created by whoever writes it), a
# readable file, a directory, or either.
EXISTS = (None, "file", "directory", "any")

RULE = "a relative path is relative to the directory ansible-playbook was started in"


class UserPathError(ValueError):
    """A path the user gave that cannot be used; the message names it as typed and as tried."""


def _label(name: str | None) -> str:
    return "%s: " % name if name else ""


def resolve(path, name: str | None = None, base: str | None = None) -> str:
    """The absolute, normalised path for ``path`` (``~`` expanded; relative to ``base``, else the cwd)."""
    if not isinstance(path, str) or not path.strip():
        raise UserPathError("%sa path is needed, got %r" % (_label(name), path))
    expanded = os.path.expanduser(path)
    if not os.path.isabs(expanded):
        expanded = os.path.join(base if base is not None else os.getcwd(), expanded)
    return os.path.normpath(expanded)


def _problem(path: str, absolute: str, problem: str, name: str | None) -> UserPathError:
    """An error naming the path as typed, what is wrong, and the absolute path tried when that differs."""
    message = "%s%r %s" % (_label(name), path, problem)
    if path != absolute:
        message += ": tried %s" % absolute
        if not os.path.isabs(os.path.expanduser(path)):
            message += " (%s)" % RULE
    return UserPathError(message)


def check(path, exists: str | None = None, name: str | None = None, base: str | None = None) -> str:
    """The absolute path for ``path``; with ``exists``, an error unless it names what is expected."""
    if exists not in EXISTS:
        raise UserPathError("exists must be one of file, directory, any (or none), got %r" % (exists,))
    absolute = resolve(path, name=name, base=base)
    if exists is None:
        return absolute
    if not os.path.exists(absolute):
        raise _problem(path, absolute, "not found", name)
    if exists == "file" and os.path.isdir(absolute):
        raise _problem(path, absolute, "is a directory, not a file", name)
    if exists == "directory" and not os.path.isdir(absolute):
        raise _problem(path, absolute, "is not a directory", name)
    if not os.access(absolute, os.R_OK):
        raise _problem(path, absolute, "cannot be read", name)
    return absolute
