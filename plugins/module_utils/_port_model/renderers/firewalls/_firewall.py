# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A host's firewall from the model: the backends, and the one path every rendering takes.

PRIVATE to the lync.reverse_proxy collection.

rules + options -> :func:`build_policy` (validated once) -> :func:`render_firewall` (what the backend
supports, its own options, :func:`check_rules`) -> the backend's ``render(rules, policy, ...)``.
The role (through ``firewall_config``), the ``firewall_config`` filter, the standalone ruleset
filters (``nftables_ruleset`` ...) and ``windows_firewall_rules`` (Windows Firewall, for the
rp_windows_firewall role) all go this way.
"""

from __future__ import annotations

import dataclasses

from ansible_collections.lync.reverse_proxy.plugins.module_utils import _nft
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers.firewalls import (
    _firewalld,
    _iptables,
    _nftables,
    _ufw,
    _windows_firewall,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._kind import ensure_model
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._errors import PortModelError
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._policy import (
    POLICY_OPTIONS,
    FirewallPolicy,
    SourceLimits,
    build_policy,
    check_rules,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._renderer import check_options
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._address import interfaces_for
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._select import select_rules, server_rules

__all__ = ["BACKENDS", "firewall_config", "render_firewall", "render_firewalld", "render_iptables",
           "render_nftables", "render_ufw", "ufw_stale", "windows_firewall_rules"]

BACKENDS = {renderer.name: renderer for renderer in (
    _nftables.RENDERER, _iptables.RENDERER, _firewalld.RENDERER, _ufw.RENDERER, _windows_firewall.RENDERER)}
# firewall_config's names of the backends' own options (one call serves every backend it renders:
# those of a Linux host, which the rp_firewall role applies).
_CONFIG_NAMES = {"table": ("nftables", "table"), "chain_prefix": ("iptables", "chain_prefix"),
                 "firewalld_prefix": ("firewalld", "prefix"), "ufw_comment_prefix": ("ufw", "comment_prefix")}
_CONFIG_BACKENDS = tuple(dict.fromkeys(owner for owner, dummy in _CONFIG_NAMES.values()))


def render_firewall(backend: str, rules, policy: FirewallPolicy, **options):
    """The backend's rendering of ``rules`` under ``policy``, after every check."""
    renderer = BACKENDS.get(backend)
    if renderer is None:
        raise PortModelError("backend must be one of %s, got %r" % (", ".join(BACKENDS), backend))
    if not isinstance(policy, FirewallPolicy):
        raise PortModelError("the policy must come from build_policy, got %r" % (type(policy).__name__,))
    if policy.placement not in renderer.placements:
        why = renderer.limits.get("placement")
        raise PortModelError("placement %s is not supported with %s%s" % (
            policy.placement, backend, " (%s)" % why if why else ""))
    if policy.egress_filtering and not renderer.egress_filtering:
        raise PortModelError("egress_filtering is not supported with %s (%s)" % (
            backend, renderer.limits.get("egress_filtering", "the backend cannot express it")))
    if policy.source_limits and not renderer.source_limits:
        raise PortModelError("per-source limits (source_connections, source_rate) are not supported with %s (%s)" % (
            backend, renderer.limits.get("source_limits", "the backend cannot express them")))
    if not renderer.default_drop:
        if policy.management_sources:
            raise PortModelError("management_sources is not supported with %s (%s)" % (
                backend, renderer.limits.get("management_sources", "the backend keeps no management access")))
        if policy.external_interfaces or policy.internal_interfaces:
            raise PortModelError("external_interfaces and internal_interfaces are not supported with %s (%s)" % (
                backend, renderer.limits.get("interfaces", "the backend binds no rule to an interface")))
    try:
        values = check_options(backend, renderer.options, options)
    except ValueError as error:
        raise PortModelError(str(error)) from None
    check_rules(rules, policy, default_drop=renderer.default_drop)
    return renderer.render(rules, policy, **values)


def _split(options: dict) -> tuple:
    """(policy options, the rest) of a filter's keyword arguments."""
    policy = {key: value for key, value in options.items() if key in POLICY_OPTIONS}
    return policy, {key: value for key, value in options.items() if key not in POLICY_OPTIONS}


def _render(backend: str, rules, options: dict):
    policy_options, own = _split(options)
    return render_firewall(backend, rules, build_policy(**policy_options), **own)


def render_nftables(rules, **options) -> str:
    """nftables_ruleset: the policy's options and ``table``."""
    return _render("nftables", rules, options)


def render_iptables(rules, **options) -> dict:
    """iptables_ruleset: the policy's options, ``chain_prefix`` and ``family`` (4 by default here)."""
    options.setdefault("family", _iptables.FILTER_FAMILY.default)
    return _render("iptables", rules, options)


def render_firewalld(rules, **options) -> dict:
    """firewalld_files: the policy's options and ``prefix``."""
    return _render("firewalld", rules, options)


def render_ufw(rules, **options) -> list:
    """ufw_rules: the policy's options and ``comment_prefix``."""
    return _render("ufw", rules, options)


ufw_stale = _ufw.stale_rules


def windows_firewall_rules(model: dict, host_addresses: list, reverse_proxy: str | None = None,
                           egress_filtering: bool = False) -> list:
    """community.windows.win_firewall_rule parameters for one Windows host, through render_firewall.

    A reverse proxy (``reverse_proxy`` names it; placement ``host``) admits the external rules to
    its listener and, with ``egress_filtering``, may send the internal rules. Any other host (Front
    End, Director, Office Web Apps server; placement ``server``, where ``egress_filtering`` means
    nothing) admits the internal rules whose destinations are its own ``host_addresses``.
    """
    if reverse_proxy is None:
        rules = server_rules(model, host_addresses)
        policy = build_policy(placement="server", egress_filtering=egress_filtering)
    else:
        rules = select_rules(model, reverse_proxy=reverse_proxy)
        policy = build_policy(placement="host", egress_filtering=egress_filtering)
    return render_firewall(_windows_firewall.RENDERER.name, rules, policy)


def firewall_config(data, backend: str = "nftables", reverse_proxy: str | None = None, links=None,
                    keep_connection_source: bool = True, host=None, ruleset_path: str | None = None,
                    boot_dropin: str | None = None, **options) -> dict:
    """Everything a host's firewall needs, from a topology (or model) and what the host reported.

    ``options`` are the policy's (placement, side, management_sources, management_port,
    external_interfaces, internal_interfaces, egress_filtering, connection) and the backends' own,
    by the names the role uses (table, chain_prefix, firewalld_prefix, ufw_comment_prefix).
    ``links`` is the output of ``ip -j addr show`` (text or parsed) used to find the interfaces
    when ``external_interfaces`` / ``internal_interfaces`` are not given.

    ``host`` is a firewall_info read made with ``ruleset_path`` as its table_file, ``ruleset_path``
    and ``boot_dropin`` among its paths and nftables among its services: with it, ``in_place`` says
    whether the host already
    has exactly this nftables table, its file and its boot drop-in (so nft_table need not run).

    Per-source limits (``source_connections``, ``source_rate``, ``source_burst``) a backend cannot express are left
    out, and ``warnings`` says so (the proxy's own limits still apply).

    Returns ``{"rules": <rule count>, "external_interfaces", "internal_interfaces",
    "management_sources", "content", "in_place", "source_limits", "warnings"}``, where ``content``
    is what the backend's renderer gives (nftables: text; iptables: ``{"v4": {...}, "v6": {...}}``;
    firewalld: files; ufw: rules) and ``source_limits`` the limits it applies (``connections``,
    ``rate``, ``burst``, ``ports``; empty when none). With ufw, ``ufw_before_rules`` (``{"v4": [lines],
    "v6": [lines]}``) holds the rules its command line cannot express (VRRP between the proxies of a
    group), for ``/etc/ufw/before.rules`` and ``before6.rules``.
    """
    if backend not in _CONFIG_BACKENDS:
        raise PortModelError("backend must be one of %s, got %r%s" % (
            ", ".join(_CONFIG_BACKENDS), backend,
            " (firewall_config renders a Linux host's firewall; Windows Firewall: the windows_firewall_rules "
            "filter, the rp_windows_firewall role)" if backend in BACKENDS else ""))
    policy_options, rest = _split(options)
    unknown = sorted(set(rest) - set(_CONFIG_NAMES))
    if unknown:
        raise PortModelError("firewall_config takes no option %s" % ", ".join(unknown))
    own = {name: value for key, (owner, name) in _CONFIG_NAMES.items()
           if owner == backend and (value := rest.get(key)) is not None}
    policy_options["keep_connection_source"] = keep_connection_source
    placement = policy_options.get("placement") or "host"
    policy_options["placement"] = placement
    model = ensure_model(data)
    if placement == "host":
        if not reverse_proxy:
            raise PortModelError("placement host needs reverse_proxy (the proxy's name in reverse_proxies)")
        rules = select_rules(model, reverse_proxy=reverse_proxy)
    elif placement == "gateway":
        policy_options["side"] = policy_options.get("side") or None
        if policy_options["side"] not in ("external", "internal"):
            raise PortModelError("gateway placement needs side: external or internal, got %r" % (policy_options["side"],))
        rules = select_rules(model, interface=policy_options["side"])
    else:
        rules = []  # build_policy names a bad placement, render_firewall one the backend lacks (server)
    if links is not None:
        for key, interface, end in (("external_interfaces", "external", "destinations"),
                                    ("internal_interfaces", "internal", "sources")):
            if not policy_options.get(key):
                policy_options[key] = interfaces_for(links, [a for rule in rules if rule["interface"] == interface
                                                             for a in rule[end]])
    policy = build_policy(**policy_options)
    warnings = []
    if policy.source_limits and not BACKENDS[backend].source_limits:
        warnings.append("%s cannot limit connections per source: %s." % (backend, BACKENDS[backend].limits["source_limits"]))
        policy = dataclasses.replace(policy, source_limits=SourceLimits())
    content = render_firewall(backend, rules, policy, **own)
    ports = policy.limited_ports(rules)
    limits = policy.source_limits
    applied = {"connections": limits.connections, "rate": limits.rate, "burst": limits.burst, "ports": ports} if ports else {}
    table = own.get("table") or BACKENDS["nftables"].options["table"].default
    in_place = bool(backend == "nftables" and isinstance(host, dict) and ruleset_path
                    and _nft.in_place(content, host, table, ruleset_path, boot_dropin))
    result = {"rules": len(rules), "external_interfaces": list(policy.external_interfaces),
              "internal_interfaces": list(policy.internal_interfaces),
              "management_sources": list(policy.management_sources), "content": content, "in_place": in_place,
              "source_limits": applied, "warnings": warnings}
    if backend == "ufw":
        # what ufw's command line cannot say (VRRP), for its before.rules and before6.rules
        result["ufw_before_rules"] = _ufw.before_rules(rules, policy, **own)
    return result
