# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a firewall renderer declares about itself. PRIVATE to the lync.reverse_proxy collection.

A renderer is a function ``render(rules, policy, **options)`` plus what it supports and the
options of its own (the table name of nftables, the chain prefix of iptables ...), each with a
default and the pattern its values must match. :func:`render_firewall` of ``_firewall`` checks all
of that before calling it, so a renderer only writes text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["Option", "Renderer"]


@dataclass(frozen=True)
class Option:
    """A renderer's own option: its default, the values it takes, and what they must look like."""

    default: object
    pattern: str = ""  # a regular expression a text value must match (fully)
    choices: tuple = ()
    meaning: str = ""  # said in the error when a value does not fit

    def check(self, name: str, value):
        if self.choices:
            if value not in self.choices:
                raise ValueError("%s must be one of %s, got %r" % (
                    name, ", ".join(str(c) for c in self.choices), value))
        elif self.pattern and not (isinstance(value, str) and re.fullmatch(self.pattern, value)):
            raise ValueError("%s %r is not %s" % (name, value, self.meaning or "usable"))
        return value


@dataclass(frozen=True)
class Renderer:
    """A firewall backend: its renderer and what it supports."""

    name: str
    render: Callable
    options: dict = field(default_factory=dict)
    placements: tuple = ("host", "gateway")
    egress_filtering: bool = True
    # Why a feature is missing, said in the error when a policy asks for it.
    limits: dict = field(default_factory=dict)
