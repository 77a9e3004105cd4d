# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Argument specs and documentation from the declarations. PRIVATE to the lync.reverse_proxy collection.

An option is declared once: a renderer's ``Option`` (``_renderer``) says its default, its values and
its description; a topology key's ``Key`` (``_validate``) says the same of the topology. The roles'
argument specs and defaults of the renderer options they pass on, and the ``topology`` doc fragment,
are what these functions return: ``make specs`` (``tests/tooling/specs.py``) writes them into the files
between marker comments, and ``tests/unit/plugins/filter/test_specs.py`` fails when a file differs.

Two forms of role variables:

- flat, one variable per option, named with the role's prefix (``rp_haproxy_timeout_server``;
  rp_firewall's variables by :data:`FIREWALL_VARIABLES`) - :func:`role_options`;
- one dict per proxy software whose keys are the renderer's options (``rp_proxy_haproxy:
  {maxconn: ..., timeout_client: ...}``) - :func:`proxy_variable`.
"""

from __future__ import annotations

import re

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model import _validate
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers.firewalls import _firewalld, _iptables, _nftables, _ufw
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers.proxies import _haproxy, _nginx

__all__ = ["AUTO", "COMPUTED", "FIREWALL_VARIABLES", "ROLE_OPTIONS", "option_spec", "proxy_variable", "role_options",
           "topology_fragment"]

# An option's kind -> the type of its role variable.
TYPES = {"bool": "bool", "count": "int", "limit": "int", "text": "str"}
# What a proxy's sized option (``ProxyRenderer.sized_option``) takes besides a number, and what the
# roles default it to: sized from the host (``_proxy.render_proxy``).
AUTO = "auto"
# Options a role computes itself: it writes the certificate files and passes their paths.
COMPUTED = ("pem_path", "certificate_path", "key_path", "ca_path", "acme_challenge_port")
# The rp_firewall variables that are renderer options: variable -> (backend, option).
FIREWALL_VARIABLES = {
    "rp_firewall_table": ("nftables", "table"),
    "rp_firewall_iptables_chain_prefix": ("iptables", "chain_prefix"),
    "rp_firewall_firewalld_prefix": ("firewalld", "prefix"),
    "rp_firewall_ufw_comment_prefix": ("ufw", "comment_prefix"),
}
_FIREWALLS = {renderer.name: renderer for renderer in (_nftables.RENDERER, _iptables.RENDERER, _firewalld.RENDERER, _ufw.RENDERER)}
# The flat roles of the proxies: role -> (renderer, options it does not take as variables).
# rp_nginx (1.x) set the local sockets' directory itself; rp_proxy_nginx takes it as an option.
ROLE_OPTIONS = {
    "rp_haproxy": (_haproxy.RENDERER, COMPUTED),
    "rp_nginx": (_nginx.RENDERER, COMPUTED + ("socket_dir",)),
}
_PROXIES = {renderer.name: renderer for renderer in (_haproxy.RENDERER, _nginx.RENDERER)}
_TITLES = {"haproxy": "HAProxy", "nginx": "nginx"}
_PLACEHOLDER = re.compile(r"\{(option|variable):([a-z0-9_]+)\}")


def _paragraphs(text, option_name, variable_name) -> list:
    """The description's paragraphs with each ``{option:NAME}`` and ``{variable:NAME}`` written as ``O(...)``."""
    def name(match):
        return "O(%s)" % (option_name if match.group(1) == "option" else variable_name)(match.group(2))
    return [_PLACEHOLDER.sub(name, paragraph) for paragraph in ((text,) if isinstance(text, str) else text)]


def _description(paragraphs: list):
    return paragraphs[0] if len(paragraphs) == 1 else paragraphs


def option_spec(option, option_name, variable_name, sized: bool = False) -> dict:
    """The argument spec of one option: ``option_name(name)`` and ``variable_name(name)`` say how
    the role calls another option and a variable of its own in the description. A sized option
    (the proxy's connection budget) takes a number or V(auto), and defaults to V(auto)."""
    if not option.description:
        raise ValueError("an option without a description cannot be documented")
    spec = {"description": _description(_paragraphs(option.description, option_name, variable_name))}
    spec["type"] = "raw" if sized else TYPES[option.kind]
    if option.choices and not sized:
        spec["choices"] = list(option.choices)
    spec["default"] = AUTO if sized else option.default
    return spec


def _options(renderer, computed: tuple) -> list:
    return [name for name in renderer.options if name not in computed]


def _namer(known, prefix: str, owner: str):
    """How a description names another option (``known``: the ones the role takes) or, with
    ``known`` None, a variable of the role."""
    def name(key: str) -> str:
        if known is not None and key not in known:
            raise ValueError("the description of %s names the option %r, which the role does not take" % (owner, key))
        return prefix + key
    return name


def role_options(role: str) -> dict:
    """The argument specs of a flat role's renderer options, by variable, in declaration order."""
    if role == "rp_firewall":
        specs = {}
        for variable, (backend, name) in FIREWALL_VARIABLES.items():
            option = _FIREWALLS[backend].options[name]
            spec = option_spec(option, _namer((), "", variable), _namer(None, "rp_firewall_", variable))
            text = spec["description"]
            first = text if isinstance(text, str) else text[0]
            first = "%s - %s%s" % (backend, first[:1].lower(), first[1:])
            spec["description"] = first if isinstance(text, str) else [first] + text[1:]
            specs[variable] = spec
        return specs
    if role not in ROLE_OPTIONS:
        raise ValueError("role must be one of rp_firewall, %s, got %r" % (", ".join(ROLE_OPTIONS), role))
    renderer, computed = ROLE_OPTIONS[role]
    names = _options(renderer, computed)
    prefix = role + "_"
    return {prefix + name: option_spec(renderer.options[name], _namer(names, prefix, prefix + name),
                                       _namer(None, prefix, prefix + name), name == renderer.sized_option)
            for name in names}


def proxy_variable(proxy: str, prefix: str = "rp_proxy_") -> dict:
    """The argument spec of one dict variable (``rp_proxy_haproxy``) whose keys are a proxy's options,
    less those the role computes (:data:`COMPUTED`); a key not given takes its default. ``{variable:NAME}``
    in a description is the role's ``<prefix>NAME``."""
    renderer = _PROXIES.get(proxy)
    if renderer is None:
        raise ValueError("proxy must be one of %s, got %r" % (", ".join(_TITLES), proxy))
    variable = prefix + proxy
    # backend verification is the role's own variable (rp_proxy_backend_verify), beside the CA it needs
    names = _options(renderer, COMPUTED + ("backend_verify",))
    options = {name: option_spec(renderer.options[name], _namer(names, variable + ".", "%s.%s" % (variable, name)),
                                 _namer(None, prefix, "%s.%s" % (variable, name)), name == renderer.sized_option)
               for name in names}
    return {variable: {
        "description": ["The %s settings, one key per option below; a key not given takes its default." % _TITLES[proxy]],
        "type": "dict",
        "default": {},
        "options": options,
    }}


# A topology kind -> (type, elements) in the documentation.
_KIND_TYPES = {
    "product": ("str", None), "name": ("str", None), "dns": ("str", None), "host": ("str", None),
    "bool": ("bool", None), "dns_list": ("list", "str"), "hosts": ("list", "str"), "interface_hosts": ("list", "str"),
    "name_list": ("list", "str"),
    "simple_url_list": ("list", "str"), "sources": ("list", "str"), "servers": ("list", "raw"),
    "list_of": ("list", "dict"), "mapping": ("dict", None),
}


def _key_docs(schema: dict, path: str) -> dict:
    documented = {}
    for name, key in schema.items():
        where = "%s.%s" % (path, name)
        if not key.description:
            raise ValueError("the topology key %s has no description" % where)
        kind = key.kind[0] if isinstance(key.kind, tuple) else key.kind
        type_, elements = _KIND_TYPES[kind]
        doc = {"description": list(key.description), "type": type_}
        if elements:
            doc["elements"] = elements
        if key.choices:
            doc["choices"] = list(key.choices)
        if key.required:
            doc["required"] = True
        if key.default is not None:
            doc["default"] = key.default
        if isinstance(key.kind, tuple) and not key.words:
            doc["suboptions"] = _key_docs(key.kind[1], where)
        documented[name] = doc
    return documented


def topology_fragment() -> dict:
    """The ``topology`` doc fragment's DOCUMENTATION: the topology as the filters' ``_input``."""
    return {"options": {"_input": {
        "description": list(_validate.DESCRIPTION),
        "type": "dict",
        "required": True,
        "suboptions": _key_docs(_validate.SCHEMA, "_input"),
    }}}
