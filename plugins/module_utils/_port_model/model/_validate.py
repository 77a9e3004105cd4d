# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Validation and normalisation of a lync_topology. PRIVATE to the lync.reverse_proxy collection.

Every problem is collected with the path of the bad value (``front_end_pools[1].servers[0]``)
and raised together as one TopologyError; nothing else escapes, whatever the input.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._address import host_text
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._errors import (
    MissingLibraryError,
    TopologyError,
)

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._address import netaddr

__all__ = ["DESCRIPTION", "HAS_NETADDR", "SCHEMA", "Key", "normalize_topology", "validate_topology"]

HAS_NETADDR = netaddr is not None

PRODUCTS = ("lync2013", "sfb2015", "sfb2019")
NAME_RE = re.compile(r"^[a-z0-9_-]{1,63}$")
LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True)
class Key:
    """One key of the topology: what it holds (a kind ``_Validator.value`` checks), whether it must be
    given, its default, and its documentation - the ``topology`` doc fragment is generated from these
    declarations by ``make specs`` (``_specs.topology_fragment``). ``description`` is one string per
    paragraph, in the documentation's markup; ``words`` marks a key whose nested keys its description
    names instead of listing them one by one."""

    kind: object
    required: bool = False
    description: tuple = ()
    default: object = None
    choices: tuple = ()
    words: bool = False


_POOL = {
    "name": Key("name", True, ("Unique name across pools, Directors and Office Web Apps, C([a-z0-9_-]+).",)),
    "external_web_fqdn": Key("dns", True, ("The pool's external web services FQDN, published on the listener.",)),
    "vip": Key("host", False, (
        "The hardware load balancer VIP of the pool's external web site. The proxy addresses the VIP when it is "
        "given, else the servers.",
        "Unspecified, broadcast, loopback, multicast and link-local addresses are refused here, in "
        "O(_input.front_end_pools[].servers) and in O(_input.reverse_proxies).")),
    "servers": Key("servers", False, (
        "The pool's servers. At least one of O(_input.front_end_pools[].vip) and this.",
        "Each is an address, or C({address, fqdn}) with the server's FQDN (what a back-end certificate names; "
        "lync.reverse_proxy.topology_from_xml fills it in).")),
}
_OFFICE_WEB_APPS = {
    "name": Key("name", True),
    "fqdn": Key("dns", True),
    "vip": Key("host", False),
    "servers": Key("servers", False),
}
_SERVER = {
    "address": Key("host", True),
    "fqdn": Key("dns", False),
}
_REVERSE_PROXY = {
    "name": Key("name", True, ("Unique reverse proxy name.",)),
    "external_addresses": Key("interface_hosts", True, (
        "The listener addresses (external interface); at least one.",
        "An address may be written with the prefix length of its network (C(198.51.100.10/24), interface notation): "
        "the listener address is the address, the network says where the virtual addresses of "
        "O(_input.reverse_proxy_groups) may be.")),
    "internal_addresses": Key("hosts", True, (
        "The internal interface addresses, the source of the internal rules; at least one.",)),
}
_REVERSE_PROXY_GROUP = {
    "name": Key("name", True, ("Unique name among the groups, C([a-z0-9_-]+).",)),
    "members": Key("name_list", True, (
        "Names of O(_input.reverse_proxies) entries that share the virtual addresses; at least two. A reverse proxy "
        "is in at most one group.",)),
    "preferred": Key("name", False, (
        "The member that holds the virtual addresses while it is up; one of O(_input.reverse_proxy_groups[].members). "
        "Default the first member.",)),
    "virtual_addresses": Key("hosts", True, (
        "The listener addresses the group's members share (IPv4 and/or IPv6); at least one. Each is in the external "
        "network of the members (given as C(address/prefix) in O(_input.reverse_proxies[].external_addresses)); a "
        "member that gives no network must have an external address of the same family.",)),
}
_SIMPLE_URLS = {
    "meet": Key("simple_url_list", False, (
        "Meeting simple URLs; one per SIP domain is expected (its host in the domain).",), default=[]),
    "dialin": Key("simple_url_list", False, ("Dial-in conferencing simple URLs.",), default=[]),
}
# Keys a simple_urls mapping may not have, with the reason.
_REFUSED_SIMPLE_URLS = {
    "admin": (
        "the Admin simple URL is internal only (it opens the Control Panel from inside the "
        "organization) and is never published through the reverse proxy; remove it from simple_urls"
    ),
}
# A simple URL path: segments of unreserved characters (https://lync.contoso.com/Meet).
_URL_PATH_RE = re.compile(r"^(/[A-Za-z0-9._~-]+)*/?$")
_OPTIONS = {
    "http_redirect": Key("bool", False, (
        "Open external TCP 80 and answer plain HTTP with a redirect to HTTPS. The rule is optional in the source, "
        "so it is marked C(required=false) unless mobile Autodiscover over HTTP needs port 80 anyway.",), default=True),
    "mobile_autodiscover_over_http": Key("bool", False, (
        "The listener certificate does not carry the C(lyncdiscover.<sip domain>) names, so mobile clients find "
        "Autodiscover over plain HTTP. External TCP 80 and internal TCP 8080 become required; port 80 is bridged "
        "to the pools' 8080.",), default=False),
    "external_sources": Key("sources", False, (
        "Who may reach the listener. V(any) (the source's \"Any\") is C(0.0.0.0/0) and C(::/0); or list CIDRs to "
        "restrict.",), default=["any"]),
}
SCHEMA = {
    "product": Key("product", False, (
        "The Lync or Skype for Business Server release. All three share the same reverse-proxy port model.",),
        default="lync2013", choices=PRODUCTS),
    "sip_domains": Key("dns_list", True, ("The SIP domains. Each gives an Autodiscover name C(lyncdiscover.<domain>).",)),
    "front_end_pools": Key(("list_of", _POOL), True, ("The Front End pools (at least one).",)),
    "directors": Key(("list_of", _POOL), False, (
        "The Director pools, same keys as O(_input.front_end_pools). When there is one, simple URLs and "
        "Autodiscover are routed to the first Director pool.",), default=[], words=True),
    "office_web_apps": Key(("list_of", _OFFICE_WEB_APPS), False, (
        "Office Web Apps (Office Online) server farms used for conferencing.",
        "Each has C(name), C(fqdn) (the published name), and C(vip) and/or C(servers).",), default=[], words=True),
    "simple_urls": Key(("mapping", _SIMPLE_URLS), False, (
        "The simple URLs, routed to the first Director pool if any, else the first Front End pool. Each is a host "
        "name (naming option 1, C(meet.contoso.com)) or an C(https://) URL with an optional path, in any case "
        "(options 2 and 3, C(https://lync.contoso.com/Meet)). A host shared by several URLs is published once.",
        "The same URL twice, a host that a pool or Office Web Apps also publishes, and a URL that is not https or "
        "has a port, a query or credentials are errors.",
        "The Admin simple URL is internal only and never published; an C(admin) key is refused.")),
    "reverse_proxies": Key(("list_of", _REVERSE_PROXY), False, (
        "The reverse proxies. Not listed, the playbooks and the roles' actions take them from the inventory: the "
        "C(lync_reverse_proxy) of each host of the proxies' group (P(lync.reverse_proxy.inventory_topology#lookup)). "
        "Listed, they are used as they are. Without any, the rules name the listener and internal interface by "
        "role only.",), default=[]),
    "reverse_proxy_groups": Key(("list_of", _REVERSE_PROXY_GROUP), False, (
        "Reverse proxies that share listener addresses for high availability: keepalived (VRRP) keeps each group's "
        "virtual addresses on one member. The listener rules admit the virtual addresses too, and the members admit "
        "VRRP (IP protocol 112) from each other on the external interface (rule C(external-vrrp), an addition beyond "
        "the source document).",
        "A member that is not in O(_input.reverse_proxies), a proxy in two groups, a group of one proxy, a preferred "
        "proxy that is not a member, a virtual address listed twice or that is some proxy's own address, and a "
        "virtual address in no external network of the members or that is the network or broadcast address of one "
        "are errors that name the group.",), default=[]),
    "options": Key(("mapping", _OPTIONS), False, ("The switches of the port model.",)),
}
# What the topology as a whole is, said above its keys in the doc fragment.
DESCRIPTION = (
    "A Lync deployment described once (conventionally the variable C(lync_topology)), or a model that "
    "P(lync.reverse_proxy.port_model#filter) computed from one already.",
    "A model is told from a topology by its marker, C(kind=lync.reverse_proxy/port-model) and C(model_version=1), "
    "and used as it is. A model of another kind or model_version, or a dict with some of a model's keys (C(rules), "
    "C(routes), C(certificate_names), C(warnings)) but without the marker, is an error naming what was found. A "
    "model that version 1.0.0 of the collection computed (it has every key of a model but no marker) is still "
    "taken as a model.",
    "Keys not listed here are rejected with the list of valid keys; every invalid value is reported with its "
    "path, for example C(front_end_pools[1].servers[0]).",
    "Addresses are IPv4 or IPv6 addresses (or CIDRs where noted); names are DNS names, stored lower-case without "
    "a trailing dot.",
)
DEFAULT_OPTIONS = {name: key.default for name, key in _OPTIONS.items()}


def _show(value: object) -> str:
    """A short, safe rendering of a bad value for an error message."""
    if isinstance(value, str):
        text = str(value)
        if len(text) > 80:
            text = text[:77] + "..."
        return "'%s'" % text
    try:
        text = repr(value)
    except Exception:  # pylint: disable=broad-except
        text = "<unprintable>"
    if len(text) > 80:
        text = text[:77] + "..."
    return "%s (%s)" % (text, type(value).__name__)


_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _join(path: str, key: object) -> str:
    """``parent.key``, ``parent[3]``, or ``parent['odd key']`` for a key that is not a plain word."""
    if isinstance(key, int):
        return "%s[%d]" % (path, key)
    if not _KEY_RE.match(str(key)):
        return "%s[%r]" % (path, str(key))
    return "%s.%s" % (path, key) if path else str(key)


def _dns_name(text: str) -> tuple:
    """(normalised DNS name, "") or (None, a hint for the error)."""
    name = text.strip().lower()
    if name.endswith("."):
        name = name[:-1]
    labels = name.split(".")
    hint = ""
    if "://" in name or "/" in name:
        hint = " (give the host name only, e.g. meet.contoso.com)"
    elif "*" in name:
        hint = " (wildcards are for certificates; list the names that are published)"
    if (
        hint
        or len(name) > 253
        or len(labels) < 2
        or not all(LABEL_RE.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        return None, hint
    return name, ""


def _unusable(ip) -> str:
    """Why an address cannot be a server, VIP or proxy address ('' when it can)."""
    if int(ip) == 0:
        return "the unspecified address"
    if ip.version == 4 and int(ip) == 0xFFFFFFFF:
        return "the broadcast address"
    if ip.is_loopback():
        return "a loopback address"
    if ip.is_multicast():
        return "a multicast address"
    if ip.is_link_local():
        return "a link-local address"
    return ""


class _Validator:
    """Walks the topology, collects problems, returns the normalised data."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []
        self.server_names: dict = {}  # path of a servers list -> {address: fqdn}
        self.networks: dict = {}  # path of an interface_hosts list -> {address: its network, as given}

    def bad(self, path: str, message: str) -> None:
        self.problems.append((path or "lync_topology", message))

    def repeats(self, items: list, path: str, key, show) -> list:
        """Report every entry of ``items`` that repeats an earlier one (by ``key``); keeps the
        positions, so that later paths stay right."""
        seen: dict = {}
        for index, item in enumerate(items):
            if item is None:
                continue
            if key(item) in seen:
                self.bad(_join(path, index), "%s is listed twice (also %s)" % (show(item), _join(path, seen[key(item)])))
            else:
                seen[key(item)] = index
        return items

    # -- containers ---------------------------------------------------------------------
    def mapping(self, value: object, path: str, schema: dict) -> dict | None:
        if not isinstance(value, Mapping):
            self.bad(path, "expected a mapping with keys %s, got %s" % (", ".join(schema), _show(value)))
            return None
        result: dict = {}
        for key in value:
            if not isinstance(key, str):
                self.bad(path, "unknown key %s; valid keys: %s" % (_show(key), ", ".join(schema)))
            elif schema is _SIMPLE_URLS and key.lower() in _REFUSED_SIMPLE_URLS:
                self.bad(_join(path, key), _REFUSED_SIMPLE_URLS[key.lower()])
            elif key not in schema:
                close = difflib.get_close_matches(key, list(schema), n=1)
                hint = " (did you mean '%s'?)" % close[0] if close else ""
                self.bad(_join(path, key), "unknown key%s; valid keys: %s" % (hint, ", ".join(schema)))
        for key, declared in schema.items():
            item = value.get(key)
            if item is None:
                if declared.required:
                    self.bad(_join(path, key), "is required")
                continue
            result[key] = self.value(item, _join(path, key), declared.kind)
        return result

    def list_of(self, value: object, path: str, kind: object) -> list:
        if not isinstance(value, (list, tuple)):
            self.bad(path, "expected a list, got %s" % _show(value))
            return []
        return [self.value(item, _join(path, index), kind) for index, item in enumerate(value)]

    def value(self, value: object, path: str, kind: object) -> object:
        if isinstance(kind, tuple):
            container, schema = kind
            if container == "mapping":
                return self.mapping(value, path, schema)
            # None marks an entry that was not a mapping (already reported); keeping it keeps
            # the indexes of later entries right for the cross-field checks.
            return self.list_of(value, path, ("mapping", schema))
        return getattr(self, "check_" + str(kind))(value, path)

    # -- scalars ------------------------------------------------------------------------
    def string(self, value: object, path: str, what: str) -> str | None:
        if isinstance(value, str):
            return str(value)
        self.bad(path, "expected %s, got %s" % (what, _show(value)))
        return None

    def check_product(self, value: object, path: str) -> str | None:
        text = self.string(value, path, "one of %s" % ", ".join(PRODUCTS))
        if text is not None and text not in PRODUCTS:
            self.bad(path, "%s is not a supported product; valid: %s" % (_show(value), ", ".join(PRODUCTS)))
            return None
        return text

    def check_bool(self, value: object, path: str) -> bool | None:
        if isinstance(value, bool):
            return value
        self.bad(path, "expected true or false, got %s" % _show(value))
        return None

    def check_name(self, value: object, path: str) -> str | None:
        text = self.string(value, path, "a name")
        if text is not None and not NAME_RE.match(text):
            self.bad(path, "%s is not a valid name (1 to 63 of a-z, 0-9, '_' and '-')" % _show(value))
            return None
        return text

    def check_dns(self, value: object, path: str) -> str | None:
        text = self.string(value, path, "a DNS name")
        if text is None:
            return None
        name, hint = _dns_name(text)
        if name is None:
            self.bad(path, "%s is not a DNS name%s" % (_show(value), hint))
        return name

    def check_simple_url(self, value: object, path: str) -> dict | None:
        """A simple URL: a host name (naming option 1) or an https URL with an optional path
        (options 2 and 3). Returns {host, path, url, text}: ``path`` is '/' for a bare host,
        ``url`` the normalised URL, ``text`` the form normalize_topology gives back."""
        text = self.string(value, path, "a host name or an https:// URL")
        if text is None:
            return None
        text = text.strip()
        if "://" not in text:
            if "/" in text:
                self.bad(path, "%s is neither a host name nor a URL; write a URL with a path as "
                               "https://%s" % (_show(value), text))
                return None
            name, hint = _dns_name(text)
            if name is None:
                self.bad(path, "%s is not a DNS name%s" % (_show(value), hint))
                return None
            return {"host": name, "path": "/", "url": "https://%s/" % name, "text": name}
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError:
            self.bad(path, "%s is not a valid URL" % _show(value))
            return None
        problem = None
        if parts.scheme.lower() != "https":
            problem = "is not an https:// URL (simple URLs are published over HTTPS)"
        elif parts.username is not None or parts.password is not None or "@" in parts.netloc:
            problem = "carries credentials; a simple URL is https://host/path"
        elif port is not None or parts.netloc.endswith(":"):
            problem = "has a port; the reverse proxy publishes simple URLs on 443, give https://host/path"
        elif parts.query or text.rstrip().endswith("?"):
            problem = "has a query; a simple URL is https://host/path"
        elif parts.fragment or "#" in text:
            problem = "has a fragment; a simple URL is https://host/path"
        elif not _URL_PATH_RE.match(parts.path or "/"):
            problem = "has a path that is not a plain path (segments of letters, digits, '.', '_', '~', '-')"
        if problem:
            self.bad(path, "%s %s" % (_show(value), problem))
            return None
        name, hint = _dns_name(parts.hostname or "")
        if name is None:
            self.bad(path, "%s: the host %s is not a DNS name%s" % (_show(value), _show(parts.hostname or ""), hint))
            return None
        url_path = "/" + (parts.path or "/").strip("/")
        url = "https://%s%s" % (name, url_path if url_path != "/" else "/")
        return {"host": name, "path": url_path, "url": url,
                "text": name if url_path == "/" else url}

    def check_simple_url_list(self, value: object, path: str) -> list:
        # The same URL in another case is the same URL (IIS and the pools match paths so).
        return self.repeats(self.list_of(value, path, "simple_url"), path,
                            lambda url: (url["host"], url["path"].lower()), lambda url: "'%s'" % url["text"])

    def check_servers(self, value: object, path: str) -> list:
        """Server addresses, each an address or {address, fqdn}; returns the addresses and keeps
        the names in ``server_names`` under ``path``."""
        if not isinstance(value, (list, tuple)):
            self.bad(path, "expected a list, got %s" % _show(value))
            return []
        hosts, names = [], {}
        for index, item in enumerate(value):
            item_path = _join(path, index)
            if isinstance(item, Mapping):
                entry = self.mapping(item, item_path, _SERVER)
                host = entry.get("address") if entry else None
                if host is not None and entry.get("fqdn"):
                    names[host] = entry["fqdn"]
            else:
                host = self.check_host(item, item_path)
            hosts.append(host)
        self.server_names[path] = names
        return self.repeats(hosts, path, lambda host: host, lambda host: host.ip)

    def check_dns_list(self, value: object, path: str) -> list:
        return self.repeats(self.list_of(value, path, "dns"), path, lambda name: name, lambda name: "'%s'" % name)

    def check_host(self, value: object, path: str):
        text = self.string(value, path, "an IP address")
        if text is None:
            return None
        address, slash, prefix = text.strip().partition("/")
        try:
            ip = netaddr.IPAddress(address, flags=netaddr.INET_PTON)
        except (netaddr.AddrFormatError, ValueError, TypeError):
            self.bad(path, "%s is not an IP address" % _show(value))
            return None
        full = 32 if ip.version == 4 else 128
        if slash and prefix != str(full):
            self.bad(path, "%s is not a host address (a server or VIP is one address, not a network)" % _show(value))
            return None
        unusable = _unusable(ip)
        if unusable:
            self.bad(path, "%s is %s, not an address a host can be reached at" % (_show(value), unusable))
            return None
        return netaddr.IPNetwork(ip)

    def check_interface_host(self, value: object, path: str):
        """A host address, or an address with the prefix length of its network (interface
        notation, ``198.51.100.10/24``): returns ``(host, network or None)``."""
        text = self.string(value, path, "an IP address")
        if text is None:
            return None, None
        address, slash, prefix = text.strip().partition("/")
        if not slash or prefix == ("128" if ":" in address else "32"):
            return self.check_host(value, path), None
        host = self.check_host(address, path)
        if host is None:
            return None, None
        full = 32 if host.version == 4 else 128
        if not prefix.isdigit() or not 0 < int(prefix) < full:
            self.bad(path, "%s is neither an address nor an address with its network's prefix length (1 to %d)"
                     % (_show(value), full - 1))
            return None, None
        network = netaddr.IPNetwork("%s/%s" % (host.ip, prefix))
        edge = _edge(host.ip, network)
        if edge:
            self.bad(path, "%s is the %s address of its network, not an interface's address" % (_show(value), edge))
            return None, None
        return host, network

    def check_interface_hosts(self, value: object, path: str) -> list:
        """Host addresses, each maybe with its network's prefix length; returns the hosts and keeps
        the networks in ``networks`` under ``path``."""
        pairs = self.list_of(value, path, "interface_host")
        self.networks[path] = {host: network for host, network in pairs if host is not None and network is not None}
        return self.repeats([host for host, dummy in pairs], path, lambda host: host, lambda host: host.ip)

    def check_name_list(self, value: object, path: str) -> list:
        return self.repeats(self.list_of(value, path, "name"), path, lambda name: name, lambda name: "'%s'" % name)

    def check_hosts(self, value: object, path: str) -> list:
        return self.repeats(self.list_of(value, path, "host"), path, lambda host: host, lambda host: host.ip)

    def check_cidr(self, value: object, path: str):
        text = self.string(value, path, "an IP network in CIDR notation")
        if text is None:
            return None
        text = text.strip()
        if "/" not in text:
            return self.check_host(text, path)
        address, dummy, prefix = text.partition("/")
        try:
            netaddr.IPAddress(address, flags=netaddr.INET_PTON)
            if not prefix.isdigit():
                raise ValueError(prefix)
            network = netaddr.IPNetwork(text)
        except (netaddr.AddrFormatError, ValueError, TypeError):
            self.bad(path, "%s is not an IP network in CIDR notation" % _show(value))
            return None
        if network.ip != network.network:
            self.bad(path, "%s has host bits set; did you mean %s?" % (_show(value), network.cidr))
            return None
        return network.cidr

    def check_sources(self, value: object, path: str) -> list:
        if not isinstance(value, (list, tuple)):
            self.bad(path, "expected a list of CIDRs or 'any', got %s" % _show(value))
            return []
        if not value:
            self.bad(path, "is empty; use [any] to admit every source, or list the CIDRs to admit")
            return []
        result = []
        for index, item in enumerate(value):
            if isinstance(item, str) and item.strip().lower() == "any":
                result.extend([netaddr.IPNetwork("0.0.0.0/0"), netaddr.IPNetwork("::/0")])
            else:
                network = self.check_cidr(item, _join(path, index))
                if network is not None:
                    result.append(network)
        return result


def _entries(topo: dict, section: str):
    """(index, entry) of a list section, skipping entries that were not mappings."""
    return [(index, item) for index, item in enumerate(topo.get(section) or []) if item is not None]


def _edge(address, network) -> str:
    """"network" or "broadcast" when ``address`` is that address of ``network``, else "": the
    network's own address, and IPv4's broadcast address, are no interface's address (/31 and /127
    links have neither)."""
    if network.prefixlen >= (31 if network.version == 4 else 127):
        return ""
    if int(address) == network.first:
        return "network"
    return "broadcast" if network.version == 4 and int(address) == network.last else ""


def _families(versions) -> str:
    return "IPv" + "/".join(str(version) for version in sorted(versions))


def _check_groups(topo: dict, bad) -> None:
    """reverse_proxy_groups: unique names; at least two members, each a reverse proxy in no other
    group; the preferred proxy a member; each virtual address in the external network of every
    member (or, for a member that gives no network of its family, of the family of its external
    addresses), so that the members can hand it over on their shared segment."""
    proxies = {proxy.get("name"): proxy for dummy, proxy in _entries(topo, "reverse_proxies")}
    known = ", ".join(sorted(name for name in proxies if name)) or "none"
    names: dict = {}
    membership: dict = {}
    for index, group in _entries(topo, "reverse_proxy_groups"):
        path = "reverse_proxy_groups[%d]" % index
        name = group.get("name")
        if name is not None:
            if name in names:
                bad(path + ".name", "'%s' is already the name of %s" % (name, names[name]))
            elif name in proxies:
                # rules name a group's virtual addresses after it, beside the proxies' own addresses
                bad(path + ".name", "'%s' is already the name of a reverse proxy; give the group a name of its own"
                    % name)
            else:
                names[name] = path
        members = [member for member in group.get("members") or [] if member is not None]
        if "members" in group and len(set(members)) < 2:
            bad(path + ".members", "needs at least two reverse proxies: a group of %s has no proxy to take the "
                                   "virtual addresses over" % ("one" if members else "none"))
        resolved = []
        for m_index, member in enumerate(group.get("members") or []):
            if member is None:
                continue
            where = "%s.members[%d]" % (path, m_index)
            if member not in proxies:
                bad(where, "'%s' is not the name of an entry of reverse_proxies (known: %s)" % (member, known))
                continue
            if member in membership and membership[member] != path:
                bad(where, "'%s' is already a member of %s: a reverse proxy is in at most one group"
                    % (member, membership[member]))
                continue
            membership[member] = path
            resolved.append(member)
        preferred = group.get("preferred")
        if preferred is not None and "members" in group and preferred not in members:
            bad(path + ".preferred", "'%s' is not one of the group's members (%s)" % (preferred, ", ".join(members)))
        if "virtual_addresses" in group and not group["virtual_addresses"]:
            bad(path + ".virtual_addresses", "is empty; list at least one address the members share")
        for a_index, address in enumerate(group.get("virtual_addresses") or []):
            if address is None:
                continue
            where = "%s.virtual_addresses[%d]" % (path, a_index)
            outside, without, edges = [], [], []
            for member in resolved:
                proxy = proxies[member]
                hosts = [host for host in proxy.get("external_addresses") or [] if host is not None]
                networks = [network for host, network in (proxy.get("external_networks") or {}).items()
                            if network.version == address.version and host in hosts]
                if networks:
                    if not any(address.ip in network for network in networks):
                        outside.append("%s: %s" % (member, ", ".join(str(network.cidr) for network in networks)))
                    edges += ["the %s address of the external network of %s (%s)" % (edge, member, network.cidr)
                              for edge, network in ((_edge(address.ip, network), network) for network in networks)
                              if edge]
                elif hosts and not any(host.version == address.version for host in hosts):
                    without.append("%s (%s)" % (member, _families({host.version for host in hosts})))
            if outside:
                bad(where, "%s is in no external network of the members (%s): it could not move between them on "
                           "their shared segment" % (address.ip, "; ".join(outside)))
            if edges:
                bad(where, "%s is %s, not an address a member can hold" % (address.ip, edges[0]))
            if without:
                bad(where, "%s is IPv%d, but %s %s no IPv%d external address: the member could not hold it"
                    % (address.ip, address.version, ", ".join(without), "has" if len(without) == 1 else "have",
                       address.version))


def _check_relations(topo: dict, bad) -> None:
    """Cross-field rules: unique names, addresses and published host names."""
    names: dict = {}
    for section in ("front_end_pools", "directors", "office_web_apps"):
        for index, item in _entries(topo, section):
            path = "%s[%d]" % (section, index)
            if item.get("name") is not None:
                if item["name"] in names:
                    bad(path + ".name", "'%s' is already the name of %s" % (item["name"], names[item["name"]]))
                else:
                    names[item["name"]] = path
            if "vip" not in item and not item.get("servers"):
                bad(path, "needs a vip, servers, or both")

    proxy_names: dict = {}
    for index, proxy in _entries(topo, "reverse_proxies"):
        for key, what in (("external_addresses", "the listener: the external rules would admit nothing and the "
                                                 "firewall would drop every request for it"),
                          ("internal_addresses", "the internal interface: the internal rules would name no "
                                                 "source and the pools would be unreachable through it")):
            if key in proxy and not proxy[key]:
                bad("reverse_proxies[%d].%s" % (index, key),
                    "is empty; list at least one address of %s" % what)
        name = proxy.get("name")
        if name is not None:
            if name in proxy_names:
                bad("reverse_proxies[%d].name" % index, "'%s' is already the name of %s" % (name, proxy_names[name]))
            else:
                proxy_names[name] = "reverse_proxies[%d]" % index

    # Addresses: a backend address belongs to one pool, Director or Office Web Apps entry;
    # a reverse proxy address belongs to one reverse proxy (its external and internal lists
    # may share an address: a one-armed proxy) and to no backend.
    claims: dict = {}

    def claim(address, path: str, owner: str) -> None:
        if address is None:
            return
        if address in claims:
            other_path, other_owner = claims[address]
            if other_owner != owner:
                bad(path, "%s is already used by %s" % (address.ip, other_path))
        else:
            claims[address] = (path, owner)

    for section in ("front_end_pools", "directors", "office_web_apps"):
        for index, item in _entries(topo, section):
            owner = "%s[%d]" % (section, index)
            if "vip" in item:
                claim(item["vip"], owner + ".vip", owner + ".vip")
            for s_index, server in enumerate(item.get("servers", [])):
                claim(server, "%s.servers[%d]" % (owner, s_index), owner + ".servers")
    for index, proxy in _entries(topo, "reverse_proxies"):
        owner = "reverse_proxies[%d]" % index
        for key in ("external_addresses", "internal_addresses"):
            for a_index, address in enumerate(proxy.get(key, [])):
                claim(address, "%s.%s[%d]" % (owner, key, a_index), owner)
    for index, group in _entries(topo, "reverse_proxy_groups"):
        owner = "reverse_proxy_groups[%d]" % index
        for a_index, address in enumerate(group.get("virtual_addresses", [])):
            claim(address, "%s.virtual_addresses[%d]" % (owner, a_index), owner)
    _check_groups(topo, bad)

    # Host names: every published name goes to exactly one place.
    published: dict = {}

    def publish(name, path: str, what: str = "") -> None:
        if name is None:
            return
        if name in published:
            bad(path, "'%s'%s is already published by %s" % (name, what, published[name]))
        else:
            published[name] = path

    for section, key in (("front_end_pools", "external_web_fqdn"), ("directors", "external_web_fqdn"),
                         ("office_web_apps", "fqdn")):
        for index, item in _entries(topo, section):
            publish(item.get(key), "%s[%d].%s" % (section, index, key))
    # Simple URLs: naming options 2 and 3 put several URLs on one host, which is published
    # once; the same URL twice, or a host that another entry publishes, is an error.
    urls: dict = {}
    simple_hosts: dict = {}
    for kind in ("meet", "dialin"):
        for index, url in enumerate((topo.get("simple_urls") or {}).get(kind) or []):
            if url is None:
                continue
            path = "simple_urls.%s[%d]" % (kind, index)
            key = (url["host"], url["path"].lower())
            if key in urls:
                if not urls[key].startswith("simple_urls.%s[" % kind):
                    bad(path, "'%s' is already listed as %s" % (url["text"], urls[key]))
                continue
            urls[key] = path
            if url["host"] not in simple_hosts:
                simple_hosts[url["host"]] = path
                publish(url["host"], path, "" if url["path"] == "/" else " (the host of %s)" % url["url"])
    domains = topo.get("sip_domains") or []
    for index, domain in enumerate(domains):
        if domain is not None and domain not in domains[:index]:
            publish("lyncdiscover." + domain, "sip_domains[%d] (as lyncdiscover.%s)" % (index, domain))

    # A proxy its rules would leave unreachable: no address family shared with the external
    # sources (the listener), or with the pools it must reach (the internal interface).
    sources = (topo.get("options") or {}).get("external_sources")
    source_families = {network.version for network in sources or [] if network is not None} if sources else {4, 6}
    pool_families = {address.version for section in ("front_end_pools", "directors")
                     for dummy, item in _entries(topo, section)
                     for address in ([item.get("vip")] + list(item.get("servers") or [])) if address is not None}
    for index, proxy in _entries(topo, "reverse_proxies"):
        external = {a.version for a in proxy.get("external_addresses") or [] if a is not None}
        internal = {a.version for a in proxy.get("internal_addresses") or [] if a is not None}
        if external and source_families and not external & source_families:
            bad("reverse_proxies[%d].external_addresses" % index,
                "are IPv%s only, but options.external_sources are IPv%s only: no client could reach the listener"
                % ("/".join(str(v) for v in sorted(external)), "/".join(str(v) for v in sorted(source_families))))
        if internal and pool_families and not internal & pool_families:
            bad("reverse_proxies[%d].internal_addresses" % index,
                "are IPv%s only, but the pools' addresses are IPv%s only: the proxy could reach no pool"
                % ("/".join(str(v) for v in sorted(internal)), "/".join(str(v) for v in sorted(pool_families))))

    fqdns: dict = {}
    for section in ("front_end_pools", "directors", "office_web_apps"):
        for index, item in _entries(topo, section):
            for s_index, server in enumerate(item.get("servers", [])):
                fqdn = item.get("server_names", {}).get(server)
                if fqdn is None:
                    continue
                path = "%s[%d].servers[%d].fqdn" % (section, index, s_index)
                if fqdn in fqdns:
                    bad(path, "'%s' is already the name of %s" % (fqdn, fqdns[fqdn]))
                else:
                    fqdns[fqdn] = path.rsplit(".", 1)[0]

    if "sip_domains" in topo and not topo["sip_domains"]:
        bad("sip_domains", "needs at least one SIP domain")
    if "front_end_pools" in topo and not topo["front_end_pools"]:
        bad("front_end_pools", "needs at least one Front End pool")


def validate_topology(topology: object) -> dict:
    """Validate ``topology`` and return it normalised, addresses as netaddr.IPNetwork objects.

    Raises TopologyError listing every problem, or MissingLibraryError without netaddr.
    """
    if netaddr is None:
        raise MissingLibraryError("netaddr", "to validate a Lync topology")
    validator = _Validator()
    topo = validator.mapping(topology, "", SCHEMA)
    if topo is not None:
        for section in ("front_end_pools", "directors", "office_web_apps"):
            for index, item in _entries(topo, section):
                item["server_names"] = validator.server_names.get("%s[%d].servers" % (section, index), {})
        for index, proxy in _entries(topo, "reverse_proxies"):
            proxy["external_networks"] = validator.networks.get("reverse_proxies[%d].external_addresses" % index, {})
        _check_relations(topo, validator.bad)
    if validator.problems:
        raise TopologyError(validator.problems, _entry_names(topology))
    topo.setdefault("product", SCHEMA["product"].default)
    for key in ("directors", "office_web_apps", "reverse_proxies", "reverse_proxy_groups"):
        topo.setdefault(key, [])
    for group in topo["reverse_proxy_groups"]:
        group.setdefault("preferred", group["members"][0])
    simple_urls = topo.setdefault("simple_urls", {})
    for key in _SIMPLE_URLS:
        simple_urls.setdefault(key, [])
    options = topo.setdefault("options", {})
    for key, default in DEFAULT_OPTIONS.items():
        if key not in options:
            options[key] = validator.check_sources(default, "") if key == "external_sources" else default
    for section in ("front_end_pools", "directors", "office_web_apps"):
        for item in topo[section]:
            item.setdefault("vip", None)
            item.setdefault("servers", [])
            item.setdefault("server_names", {})
    return topo


def _entry_names(topology: object) -> dict:
    """``front_end_pools[0]`` -> ``pool01``: the names errors show beside the paths."""
    names: dict = {}
    if not isinstance(topology, Mapping):
        return names
    for section in ("front_end_pools", "directors", "office_web_apps", "reverse_proxies", "reverse_proxy_groups"):
        entries = topology.get(section)
        if not isinstance(entries, (list, tuple)):
            continue
        for index, item in enumerate(entries):
            if isinstance(item, Mapping) and isinstance(item.get("name"), str) and item["name"]:
                names["%s[%d]" % (section, index)] = item["name"][:63]
    return names


def _plain(value: object) -> object:
    if netaddr is not None and isinstance(value, netaddr.IPNetwork):
        return host_text(str(value))
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def normalize_topology(topology: object) -> dict:
    """The validated topology as plain data: defaults filled in, names lower-cased,
    addresses in canonical text form (hosts without a prefix, networks as CIDRs)."""
    topo = validate_topology(topology)
    for section in ("front_end_pools", "directors", "office_web_apps"):
        for item in topo[section]:
            names = item.pop("server_names")
            item["servers"] = [{"address": server, "fqdn": names[server]} if server in names else server
                               for server in item["servers"]]
    for kind in _SIMPLE_URLS:
        topo["simple_urls"][kind] = [url["text"] for url in topo["simple_urls"][kind]]
    if not topo["reverse_proxy_groups"]:
        del topo["reverse_proxy_groups"]  # a topology without groups normalises as it did before they existed
    for proxy in topo["reverse_proxies"]:
        # An address given with its network's prefix length is given back so.
        networks = proxy.pop("external_networks")
        proxy["external_addresses"] = [networks.get(host, host) for host in proxy["external_addresses"]]
    plain = _plain(topo)
    sources = plain["options"]["external_sources"]
    if "0.0.0.0/0" in sources and "::/0" in sources:
        plain["options"]["external_sources"] = ["any"] + [s for s in sources if s not in ("0.0.0.0/0", "::/0")]
    return plain
