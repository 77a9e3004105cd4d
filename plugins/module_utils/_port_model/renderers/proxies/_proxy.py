# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A reverse proxy's configuration from the model: the one path HAProxy and nginx take.

PRIVATE to the lync.reverse_proxy collection.

topology or model + reverse proxy name -> routes and the proxy's listener addresses ->
:func:`render_proxy` (the TLS settings and the renderer's own options checked) -> the renderer's
``render(routes, listener, tls, ...)``. The role rp_proxy writes what this returns.

A renderer's connection budget (HAProxy's ``maxconn``, nginx's ``worker_connections``) may be
``auto``: sized by the renderer's ``sized`` from the host's memory (``memory_mb``) and the open
files its services may have (``open_files``, systemd's default 524288 when not given).
"""

from __future__ import annotations

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers.proxies import _haproxy, _nginx
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._address import host_text
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._kind import ensure_model
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._errors import PortModelError
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.renderers._renderer import check_options
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._select import proxy_group, select_rules
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._tls import tls_profile

__all__ = ["OPEN_FILES", "PROXIES", "listener_addresses", "proxy_config", "render_proxy"]

PROXIES = {renderer.name: renderer for renderer in (_haproxy.RENDERER, _nginx.RENDERER)}
_TLS_KEYS = ("profile", "listener", "backend")
# What systemd lets a service open unless told otherwise (DefaultLimitNOFILE's hard limit).
OPEN_FILES = 524288


def _whole(name: str, value, least: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise PortModelError("%s must be a whole number of at least %d, got %r" % (name, least, value))
    return value


def listener_addresses(model: dict, reverse_proxy: str) -> list:
    """The listener addresses of one reverse proxy, as text (empty when the topology gives none): its
    own, then the virtual addresses of its group (reverse_proxy_groups), which it binds whether or
    not it holds them (the host allows binding an address it does not have)."""
    rules = [rule for rule in select_rules(model, interface="external", reverse_proxy=reverse_proxy)
             if rule.get("ip_protocol") is None]
    group = proxy_group(model, reverse_proxy)
    virtual = list(group["virtual_addresses"]) if group else []
    # each address as the topology gives it: the merged destinations may join neighbours into a network
    own = [host_text(address) for rule in rules for g in rule["destination_groups"] if "members" not in g
           for address in g["addresses"]]
    return list(dict.fromkeys(own + virtual))


def render_proxy(proxy: str, routes: list, listener: list, tls=None, memory_mb=None, open_files=None,
                 **options) -> str:
    """The proxy's configuration text, after every check of the TLS settings and the options."""
    renderer = PROXIES.get(proxy)
    if renderer is None:
        raise PortModelError("proxy must be one of %s, got %r" % (", ".join(PROXIES), proxy))
    sizing = ""
    value = options.get(renderer.sized_option)
    if isinstance(value, str) and value.isdigit():  # a number given as text (extra vars)
        options[renderer.sized_option] = int(value)
    if renderer.sized_option and value == "auto":
        if memory_mb is None:
            raise PortModelError("%s: %s auto needs memory_mb (the host's memory in MiB), or give %s a number" % (
                proxy, renderer.sized_option, renderer.sized_option))
        options[renderer.sized_option], sizing = renderer.sized(
            _whole("memory_mb", memory_mb), _whole("open_files", OPEN_FILES if open_files is None else open_files, 2048))
    if tls is None:
        tls = tls_profile()
    elif isinstance(tls, str):
        tls = tls_profile(tls)
    if not isinstance(tls, dict) or any(key not in tls for key in _TLS_KEYS):
        raise PortModelError("tls must be a profile name or what tls_profile returns, got %r" % (tls,))
    try:
        values = check_options(proxy, renderer.options, options, renderer.required)
    except ValueError as error:
        raise PortModelError(str(error)) from None
    if values["backend_verify"] and not values["ca_path"]:
        raise PortModelError("%s: backend_verify needs ca_path (the backends' CA file), or backend_verify false" % proxy)
    return renderer.render(routes, list(listener or []), tls, sizing=sizing, **values)


def proxy_config(data, proxy: str = "haproxy", reverse_proxy: str | None = None, tls=None, **options) -> str:
    """The configuration of ``proxy`` on ``reverse_proxy`` (its name in the topology's
    reverse_proxies) from a topology or model: every published route, bound to the proxy's
    listener addresses (every address when the topology gives none)."""
    model = ensure_model(data)
    if not reverse_proxy:
        raise PortModelError("reverse_proxy is required (the proxy's name in the topology's reverse_proxies)")
    return render_proxy(proxy, model["routes"], listener_addresses(model, reverse_proxy), tls, **options)
