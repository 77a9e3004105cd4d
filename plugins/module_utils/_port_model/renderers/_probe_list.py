# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The probes that check a deployment, per vantage point. PRIVATE to the lync.reverse_proxy collection."""

from __future__ import annotations

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._errors import PortModelError
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._select import select_rules

__all__ = ["VANTAGES", "probe_endpoints"]

VANTAGES = ("outside", "reverse_proxy", "front_end", "certificates")
ANSWERED = [200, 301, 302, 401, 403, 404]  # a published name answered (404 is a path the pool lacks)
REDIRECTED = [301, 302, 307, 308]


def _host(cidr: str) -> str:
    return cidr.split("/", 1)[0]


def _groups(model: dict, reverse_proxy: str | None, role: str) -> list:
    rules = select_rules(model, reverse_proxy=reverse_proxy)
    side = "destination_groups" if role == "reverse_proxy_listener" else "source_groups"
    seen, addresses = set(), []
    for rule in rules:
        for group in rule[side]:
            if group["role"] == role:
                for cidr in group["addresses"]:
                    if cidr not in seen:
                        seen.add(cidr)
                        addresses.append(_host(cidr))
    return addresses


def _outside(model, reverse_proxy, ca_path, closed_ports) -> list:
    listeners = _groups(model, reverse_proxy, "reverse_proxy_listener")
    if not listeners:
        raise PortModelError("the topology has no reverse proxy listener addresses to probe (reverse_proxies)")
    endpoints = []
    for address in listeners:
        for route in model["routes"]:
            for name in route["host_names"]:
                if route["frontend_port"] == 443:
                    endpoints.append({"name": "https %s @ %s" % (name, address), "address": address, "port": 443,
                                      "tls": True, "server_name": name, "ca_path": ca_path,
                                      "http": {"path": "/", "expect_status": ANSWERED}})
                elif route["redirect_to_https"]:
                    endpoints.append({"name": "http %s @ %s redirects" % (name, address), "address": address,
                                      "port": 80, "http": {"path": "/", "host": name, "expect_status": REDIRECTED,
                                                           "expect_location": "https://%s/" % name}})
                else:
                    endpoints.append({"name": "http %s @ %s" % (name, address), "address": address, "port": 80,
                                      "http": {"path": "/", "host": name, "expect_status": ANSWERED}})
        # Naming options 2 and 3: every simple URL with a path, on its shared host.
        for url in model.get("simple_urls", []):
            if url["path"] != "/":
                endpoints.append({"name": "https %s @ %s" % (url["url"], address), "address": address,
                                  "port": 443, "tls": True, "server_name": url["host"], "ca_path": ca_path,
                                  "http": {"path": url["path"], "expect_status": ANSWERED}})
        endpoints.append({"name": "unknown name @ %s gets 404" % address, "address": address, "port": 443,
                          "tls": True, "http": {"path": "/", "host": "unknown-name.invalid", "expect_status": [404]}})
        for port in closed_ports:
            endpoints.append({"name": "tcp %d @ %s closed" % (port, address), "address": address, "port": port,
                              "expect": "closed"})
    return endpoints


def _from_proxy(model, reverse_proxy, ca_path) -> list:
    fqdn = {route["backend"]: route["backend_fqdn"] for route in model["routes"] if route["backend"]}
    endpoints, seen = [], set()
    for rule in select_rules(model, interface="internal", reverse_proxy=reverse_proxy):
        for group in rule["destination_groups"]:
            for cidr in group["addresses"]:
                key = (_host(cidr), rule["port"])
                if key in seen:
                    continue
                seen.add(key)
                endpoint = {"name": "%s %s %s:%d" % (rule["id"], group["name"], key[0], key[1]),
                            "address": key[0], "port": key[1]}
                if rule["application"] == "https":
                    endpoint.update(tls=True, server_name=fqdn.get(group["name"]), ca_path=ca_path)
                endpoints.append(endpoint)
    return endpoints


def _certificates(model, reverse_proxy, ca_path) -> list:
    """From the outside: the certificate each listener serves for each certificate name (SNI),
    returned so that its names and expiry can be checked."""
    listeners = _groups(model, reverse_proxy, "reverse_proxy_listener")
    if not listeners:
        raise PortModelError("the topology has no reverse proxy listener addresses to probe (reverse_proxies)")
    return [{"name": "served certificate for %s @ %s" % (name, address), "address": address, "port": 443,
             "tls": True, "server_name": name, "ca_path": ca_path, "certificate": True}
            for address in listeners for name in model["certificate_names"]]


def _from_front_end(model, reverse_proxy, ports) -> list:
    return [{"name": "reverse path %s:%d closed" % (address, port), "address": address, "port": port,
             "expect": "closed"}
            for address in _groups(model, reverse_proxy, "reverse_proxy_internal_interface") for port in ports]


def probe_endpoints(model: dict, vantage: str, reverse_proxy: str | None = None, ca_path: str | None = None,
                    closed_ports=(4443, 8080, 22), reverse_ports=(80, 443, 4443, 8080), ca_data: str | None = None) -> list:
    """Endpoints for lync.reverse_proxy.port_probe, as seen from ``vantage``.

    The endpoints whose certificate is verified get ``ca_path`` (a file on the probing host) and
    ``ca_data`` (the CA as PEM text, e.g. read from a file on the controller), each when given."""
    if vantage not in VANTAGES:
        raise PortModelError("vantage must be one of %s, got %r" % (", ".join(VANTAGES), vantage))
    if vantage == "outside":
        endpoints = _outside(model, reverse_proxy, ca_path, [int(p) for p in closed_ports])
    elif vantage == "reverse_proxy":
        endpoints = _from_proxy(model, reverse_proxy, ca_path)
    elif vantage == "certificates":
        endpoints = _certificates(model, reverse_proxy, ca_path)
    else:
        endpoints = _from_front_end(model, reverse_proxy, [int(p) for p in reverse_ports])
    for endpoint in endpoints:
        if ca_data and "ca_path" in endpoint:
            endpoint["ca_data"] = ca_data
        if endpoint.get("ca_path") is None:
            endpoint.pop("ca_path", None)
        if endpoint.get("server_name") is None:
            endpoint.pop("server_name", None)
    return endpoints
