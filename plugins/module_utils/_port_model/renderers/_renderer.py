# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a renderer declares about itself. PRIVATE to the lync.reverse_proxy collection.

A firewall renderer is a function ``render(rules, policy, **options)`` plus what it supports and
the options of its own (the table name of nftables, the chain prefix of iptables, the group of
Windows Firewall ...), each with a default and the pattern its values must match.
:func:`render_firewall` of ``_firewall`` checks all of that before calling it, so a renderer only
writes text.

A proxy renderer (HAProxy, nginx) is a function ``render(routes, listener, tls, **options)``
plus its options (paths, timeouts, switches); ``render_proxy`` of ``_proxy`` checks them.

An option is declared once, here: the roles' argument specs and defaults of the options they pass on
are generated from the declarations by ``make specs`` (``_specs``), so its ``description`` is what a
user reads in ``ansible-doc``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["Option", "ProxyHost", "ProxyRenderer", "Renderer", "TlsFile", "check_options"]


@dataclass(frozen=True)
class Option:
    """A renderer's own option: its default, the values it takes, what they must look like, and what
    the option does (``description``, one string per paragraph, in the documentation's markup;
    ``{option:NAME}`` names another option and ``{variable:NAME}`` a variable of the role beside
    the options - ``_specs`` writes each as the role calls it)."""

    default: object
    pattern: str = ""  # a regular expression a text value must match (fully)
    choices: tuple = ()
    meaning: str = ""  # said in the error when a value does not fit
    kind: str = "text"  # text, bool, count (an integer of at least 1) or limit (at least 0; 0: off)
    description: tuple = ()

    def check(self, name: str, value):
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ValueError("%s must be true or false, got %r" % (name, value))
        elif self.kind in ("count", "limit"):
            least = 1 if self.kind == "count" else 0
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise ValueError("%s must be a whole number of at least %d%s, got %r" % (
                    name, least, "" if least else " (0: no limit)", value))
        elif self.choices:
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
    source_limits: bool = True  # per-source connection and rate limits (the policy's SourceLimits)
    # True: what the rules do not allow on the policy's interfaces is dropped, so the policy must name
    # those interfaces and the management sources that keep access. False: the rules are allow rules of
    # our own, bound to the host's addresses, beside the rest of its firewall, which is left as it is;
    # then the policy must give no interfaces and no management sources (limits: "interfaces",
    # "management_sources").
    default_drop: bool = True
    # Why a feature is missing, said in the error when a policy asks for it ("placement",
    # "egress_filtering", "source_limits", "interfaces", "management_sources").
    limits: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TlsFile:
    """A file of the proxy's TLS directory: what it holds, and the renderer option its path is.

    Its name carries the digest of what it holds (``{digest}``), so that a new certificate never
    overwrites the one being served: the configuration names the new file, and the old one is
    removed only after the proxy loaded the new configuration."""

    name: str  # e.g. "listener-{digest}.pem"
    parts: tuple  # what it holds, in order, one per line block: "certificate", "key", "ca"
    option: str  # the renderer option that takes its path
    mode: str = "0644"
    secret: bool = False  # a private key: never logged, never in a diff
    digest_of: tuple = ()  # the parts the name's digest is taken of (default: ``parts``)
    digest_end: str = ""  # what follows each part in the digested text
    backend_ca: bool = False  # only with backend verification on

    @property
    def pattern(self) -> str:
        """The shell pattern of the files of this kind (which files in the directory are ours)."""
        return self.name.replace("{digest}", "*")


@dataclass(frozen=True)
class ProxyHost:
    """What a host running the proxy software has: data, so that another proxy is a table entry."""

    packages: tuple
    service: str
    config_path: str
    tls_dir: str
    tls_group: str  # the group the proxy reads its TLS files as
    tls_dir_mode: str
    validate: str  # the command that checks a configuration file (%s: its path) before it is used
    files: tuple  # TlsFile entries


@dataclass(frozen=True)
class ProxyRenderer:
    """A reverse proxy's configuration renderer and its options."""

    name: str
    render: Callable
    options: dict = field(default_factory=dict)
    required: tuple = ()  # options without a usable default
    # sized(memory_mb, open_files) -> (value, how): the value of ``sized_option`` for a host
    sized: Callable | None = None
    sized_option: str = ""
    host: ProxyHost | None = None  # packages, service, files: what a host of this proxy has


def check_options(owner: str, declared: dict, given: dict, required: tuple = ()) -> dict:
    """The values of ``declared`` options: ``given`` ones checked, the others their default.

    Raises ValueError naming the unknown, missing or unfitting option."""
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ValueError("%s takes no option %s (its options: %s)" % (
            owner, ", ".join(unknown), ", ".join(declared) or "none"))
    missing = [name for name in required if given.get(name) in (None, "")]
    if missing:
        raise ValueError("%s needs %s" % (owner, ", ".join(missing)))
    values = {}
    for name, option in declared.items():
        value = given.get(name)
        values[name] = option.check(name, option.default if value is None else value)
    return values
