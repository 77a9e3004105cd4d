# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Errors of the port model. PRIVATE to the lync.reverse_proxy collection."""

from __future__ import annotations

__all__ = ["MissingLibraryError", "PortModelError", "TopologyError"]


class PortModelError(ValueError):
    """Base class of every error the port model raises on purpose."""


class MissingLibraryError(PortModelError):
    """A Python library the model needs (netaddr, jmespath) is not installed."""

    def __init__(self, library: str, purpose: str) -> None:
        self.library = library
        super().__init__(
            "the Python library %s is required %s but is not installed where this runs; "
            "install it with 'pip install %s' (or the distribution package python3-%s)"
            % (library, purpose, library, library)
        )


class TopologyError(PortModelError):
    """The topology is invalid. ``problems`` lists ``(path, message)`` pairs, in input order.

    ``names`` maps an entry's path (``front_end_pools[0]``) to its name; the message shows it
    beside every path under that entry. At most ``MAX_SHOWN`` problems are listed, then how
    many more there are.
    """

    MAX_SHOWN = 50

    def __init__(self, problems: list[tuple[str, str]], names: dict | None = None) -> None:
        self.problems = list(problems)
        self.names = dict(names or {})
        if len(self.problems) == 1:
            path, message = self.problems[0]
            text = "invalid lync_topology: %s: %s" % (self.label(path), message)
        else:
            shown = self.problems[:self.MAX_SHOWN]
            lines = ["  - %s: %s" % (self.label(path), message) for path, message in shown]
            if len(self.problems) > len(shown):
                lines.append("  ... and %d more" % (len(self.problems) - len(shown)))
            text = "invalid lync_topology (%d problems):\n%s" % (len(self.problems), "\n".join(lines))
        super().__init__(text)

    def label(self, path: str) -> str:
        """``front_end_pools[0].servers[1] (pool01)``: the path, and the name of its entry."""
        entry = path.split(".", 1)[0]
        name = self.names.get(entry)
        return "%s (%s)" % (path, name) if name else path

    @property
    def paths(self) -> list[str]:
        return [path for path, dummy in self.problems]
