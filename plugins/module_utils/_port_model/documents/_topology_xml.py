# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Lync's own topology documents read into a lync_topology. PRIVATE to the lync.reverse_proxy collection.

Two forms exist in the field, and both are read:

* Topology Builder's saved file (``.tbxml``): root ``TopologyBuilder``, the topology under
  ``NewTopology/PartialTopology``; sites under ``CentralSites/CentralSite[@SiteId]`` hold their
  ``Clusters/Cluster[@Fqdn, @UniqueId]/Machines/Machine[@Fqdn]`` (a single-machine cluster's
  ``Machine`` has no ``Fqdn``: it is the cluster's FQDN); the services of every site are one list
  beside the sites, ``PartialTopology/Services/Service[@RoleName, @InstalledOn]`` (InstalledOn is a
  cluster's UniqueId, a GUID without braces); the simple URLs are in
  ``PartialTopology/SimpleUrlConfiguration/SimpleUrl[@Component, @Domain, @ActiveUrl]``.
* The published topology (``Get-CsTopology -AsXml``, also inside ``Export-CsConfiguration``'s
  archive): root ``Topology``; ``Sites/CentralSite[@SiteId]/Name``; ``Clusters/Cluster[@Fqdn]`` with
  ``ClusterId[@SiteId, @Number]`` and ``Machine[@Fqdn]``; ``Services/Service`` with
  ``ServiceId[@SiteId, @RoleName, @Instance]`` and ``InstalledOn/ClusterId``. It has no simple URLs.

In both, ``InternalDomains/InternalDomain[@Name]`` are the SIP domains; a cluster with a
``WebServices`` service is a Front End pool, or a Director pool when its ``Registrar`` service
says ``RegistrarService[@IsDirector="true"]``; ``WebService/ExternalSettings[@Host]`` is the
external web services FQDN; a ``WacService``'s ``DiscoveryUrl`` host is the Office Web Apps farm.
Every other role (Edge, Mediation, SQL, file stores, Persistent Chat, ...) is ignored. Elements are
read only in Lync's own namespaces (``urn:schema:Microsoft.Rtc.Management.*``) and at their place.

The documents' IP addresses are not used (``0.0.0.0`` means "not pinned", and a pinned address
says nothing about what the reverse proxy reaches): addresses come from ``addresses``, a mapping
of FQDN to address list (what internal DNS, or the proxy's hosts file, answers).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._errors import (
    MissingLibraryError,
    PortModelError,
    TopologyError,
)
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._address import netaddr
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._validate import validate_topology

try:
    from defusedxml import ElementTree as SafeElementTree
    from defusedxml import DefusedXmlException
    from xml.etree.ElementTree import ParseError
except ImportError:  # pragma: no cover - exercised through the missing-library tests
    SafeElementTree = None

__all__ = ["HAS_DEFUSEDXML", "TopologyDocumentError", "import_document", "needed_names", "topology_from_xml"]

HAS_DEFUSEDXML = SafeElementTree is not None

NS_BUILDER = "urn:schema:Microsoft.Rtc.Management.Deploy.TopologyBuilder.2008"
NS_TOPOLOGY = "urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008"
NS_LYNC_PREFIX = "urn:schema:Microsoft.Rtc.Management."
ROOTS = {NS_BUILDER: "TopologyBuilder", NS_TOPOLOGY: "Topology"}
_NAME_RE = re.compile(r"[^a-z0-9_-]+")
_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")


class TopologyDocumentError(PortModelError):
    """The document cannot be read as a Lync topology, or does not give what the import needs."""


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _namespace(tag) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _lync(tag) -> bool:
    """Whether an element is in one of Lync's own namespaces (urn:schema:Microsoft.Rtc.Management.*)."""
    return _namespace(tag).startswith(NS_LYNC_PREFIX)


def _children(element, name: str) -> list:
    return [child for child in element if _local(child.tag) == name and _lync(child.tag)]


def _child(element, name: str):
    found = _children(element, name)
    return found[0] if found else None


def _path(element, *names) -> list:
    """The elements at ``names`` below ``element``, one level per name, in Lync's namespaces only."""
    found = [element] if element is not None else []
    for name in names:
        found = [child for parent in found for child in _children(parent, name)]
    return found


def _fqdn(value) -> str:
    return str(value or "").strip().rstrip(".").lower()


def _parse(document):
    if SafeElementTree is None:
        raise MissingLibraryError("defusedxml", "to read Lync topology documents safely")
    if isinstance(document, Mapping) and document.get("encoding") == "base64" and "content" in document:
        # ansible.builtin.slurp's result: the file's bytes, so that expat reads its encoding
        # declaration and byte order mark (PowerShell's Out-File writes UTF-16).
        try:
            document = base64.b64decode(str(document["content"]), validate=True)
        except (binascii.Error, ValueError):
            raise TopologyDocumentError("the slurped document is not valid base64") from None
    if isinstance(document, bytes):
        text = _from_bytes(document)
    elif isinstance(document, str):
        if _misread_utf16(document):
            raise TopologyDocumentError(
                "the document is UTF-16 (as Windows PowerShell's Out-File writes it) but was passed as text "
                "decoded as UTF-8: read the file with ansible.builtin.slurp and pass slurp's result, so that "
                "its byte order mark and encoding are read")
        # Already decoded: a BOM or an encoding declaration would contradict the text.
        text = _DECLARATION_RE.sub("", document.lstrip("\ufeff"), count=1)
    else:
        raise TopologyDocumentError("expected the topology document as text, got %s" % type(document).__name__)
    if not text.strip():
        raise TopologyDocumentError("the topology document is empty")
    try:
        return SafeElementTree.fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise TopologyDocumentError(
            "the document was refused before parsing: it has a document type declaration or entity (%s); "
            "Lync topology documents have none, and DTDs can expand entities without bound"
            % type(exc).__name__) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        reason = str(exc).split(":", maxsplit=1)[0]
        # Only where expat reached the end of the document with something still open.
        truncated = reason in ("no element found", "unclosed token", "unclosed CDATA section", "partial character")
        raise TopologyDocumentError(
            "the document is not well-formed XML (line %d, column %d): %s%s"
            % (line, column, reason, "; is it truncated?" if truncated else "")) from None
    except (ValueError, TypeError, LookupError) as exc:  # encoding declarations that do not fit the text
        raise TopologyDocumentError("the document cannot be parsed as XML: %s" % exc) from None


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_DECLARED_RE = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


def _from_bytes(data: bytes):
    """The document's bytes as text where the bytes themselves say the encoding (a byte order mark, or
    UTF-16 without one), which wins over the declaration: Windows PowerShell 5.1's Out-File writes
    UTF-16 LE with a BOM and keeps ``encoding="utf-8"``. Otherwise the bytes, for expat to read with
    the declared encoding; a declaration of UTF-16 on single-byte text is taken as UTF-8."""
    codec, skip = None, 0
    for bom, name in _BOMS:
        if data.startswith(bom):
            codec, skip = name, len(bom)
            break
    else:
        if data[:2] == b"<\x00":
            codec = "utf-16-le"
        elif data[:2] == b"\x00<":
            codec = "utf-16-be"
        else:
            declared = _DECLARED_RE.match(data)
            if declared and declared.group(1).decode("ascii").lower().replace("_", "-").startswith("utf-16"):
                codec = "utf-8"
    if codec is None:
        return data
    try:
        text = data[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        raise TopologyDocumentError(
            "the document's bytes say %s (%s) but byte %d is not %s"
            % (codec.upper(), "byte order mark" if skip else "its first characters", exc.start + skip, codec.upper())
        ) from None
    return _DECLARATION_RE.sub("", text, count=1)


def _misread_utf16(text: str) -> bool:
    head = text[:64]
    return head.startswith(("\udcff\udcfe", "\udcfe\udcff", "\ufffd\ufffd", "\xff\xfe", "\xfe\xff")) or "\x00" in head


class _Cluster:
    __slots__ = ("fqdn", "site", "site_id", "machines", "roles", "external_host", "director", "wac_hosts")

    def __init__(self, fqdn: str, site: str, site_id: str = "") -> None:
        self.fqdn, self.site, self.site_id = fqdn, site, site_id
        self.machines: list = []
        self.roles: set = set()
        self.external_host = ""
        self.director = False
        self.wac_hosts: list = []


def _apply_service(cluster: _Cluster, role: str, service) -> None:
    cluster.roles.add(role)
    if role == "WebServices":
        for settings in _path(service, "WebService", "ExternalSettings"):
            if settings.get("Host"):
                cluster.external_host = _fqdn(settings.get("Host"))
    elif role == "Registrar":
        for registrar in _children(service, "RegistrarService"):
            if str(registrar.get("IsDirector", "")).strip().lower() == "true":
                cluster.director = True
    elif role == "WacService":
        for node in _children(service, "WacService"):
            url = node.get("DiscoveryUrl")
            if url:
                host = _discovery_host(url, cluster)
                if host not in cluster.wac_hosts:
                    cluster.wac_hosts.append(host)


def _discovery_host(url: str, cluster: _Cluster) -> str:
    """The Office Web Apps farm's FQDN from its DiscoveryUrl; a URL the reverse proxy could not publish
    as the farm's name on 443 is an error that names the farm, never a farm dropped or a port lost."""
    where = "WacService/@DiscoveryUrl %r of the Office Web Apps farm %s" % (url, cluster.fqdn or "(no Fqdn)")
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise TopologyDocumentError("%s is not a valid URL: %s" % (where, exc)) from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise TopologyDocumentError("%s has no http(s) scheme and host; Topology Builder writes "
                                    "https://<farm FQDN>/hosting/discovery" % where)
    if parts.username is not None or parts.password is not None:
        raise TopologyDocumentError("%s carries credentials; a discovery URL has none" % where)
    if port is not None and port != (443 if parts.scheme.lower() == "https" else 80):
        raise TopologyDocumentError(
            "%s names port %d; the reverse proxy publishes Office Web Apps on 443 only, so the farm "
            "must answer there" % (where, port))
    return _fqdn(host)


def _site_name(central) -> str:
    name = _child(central, "Name")
    return (name.text or "").strip() if name is not None and name.text else ""


def _read_builder(root) -> tuple:
    """(sites, clusters, domains, simple URLs) of a Topology Builder document.

    Topology Builder writes the services of every site in one list beside the sites,
    ``NewTopology/PartialTopology/Services/Service``, each naming the ``UniqueId`` of the cluster it is
    installed on (a GUID, without braces in the files Lync writes); services inside a site are read too.
    A cluster of one machine (Standard Edition, ``IsSingleMachineOnly``) has a ``Machine`` without
    ``Fqdn``: the machine is the cluster's FQDN."""
    new = _child(root, "NewTopology")
    partial = _child(new, "PartialTopology") if new is not None else None
    if partial is None:
        raise TopologyDocumentError(
            "the Topology Builder document has no NewTopology/PartialTopology element: it is not a saved topology")
    sites, by_id, services = [], {}, list(_path(partial, "Services", "Service"))
    for central in _path(partial, "CentralSites", "CentralSite"):
        site_id = str(central.get("SiteId") or central.get("UniqueId") or "").strip().strip("{}")
        name = _site_name(central) or site_id or "site%d" % (len(sites) + 1)
        sites.append((name, site_id))
        for element in _path(central, "Clusters", "Cluster"):
            fqdn = _fqdn(element.get("Fqdn"))
            cluster = _Cluster(fqdn, name, site_id)
            machines = _path(element, "Machines", "Machine")
            cluster.machines = [_fqdn(m.get("Fqdn")) or fqdn for m in machines if _fqdn(m.get("Fqdn")) or fqdn]
            by_id[_unique_id(element.get("UniqueId"))] = cluster
        services.extend(_path(central, "Services", "Service"))
    for service in services:
        cluster = by_id.get(_unique_id(service.get("InstalledOn")))
        if cluster is not None and service.get("RoleName"):
            _apply_service(cluster, service.get("RoleName"), service)
    simple = {"meet": [], "dialin": []}
    for url in _path(partial, "SimpleUrlConfiguration", "SimpleUrl"):
        component = str(url.get("Component", "")).strip().lower()
        active = str(url.get("ActiveUrl", "")).strip()
        if component in simple and active and active not in simple[component]:
            simple[component].append(active)
    return sites, list(by_id.values()), _domains(partial), simple


def _unique_id(value) -> str:
    return str(value or "").strip().strip("{}").lower()


def _read_published(root) -> tuple:
    """(sites, clusters, domains, no simple URLs) of a published topology (Get-CsTopology -AsXml)."""
    site_names, sites = {}, []
    for central in _path(root, "Sites", "CentralSite"):
        site_id = str(central.get("SiteId", "")).strip()
        name = _site_name(central) or site_id
        site_names[site_id] = name
        sites.append((name, site_id))
    clusters = {}
    for element in _path(root, "Clusters", "Cluster"):
        ident = _child(element, "ClusterId")
        if ident is None:
            continue
        key = (str(ident.get("SiteId", "")).strip(), str(ident.get("Number", "")).strip())
        if key[0] not in site_names:
            continue  # a branch site's cluster (Survivable Branch Appliance): not a central site
        fqdn = _fqdn(element.get("Fqdn"))
        cluster = _Cluster(fqdn, site_names[key[0]], key[0])
        machines = _children(element, "Machine")
        cluster.machines = [_fqdn(m.get("Fqdn")) or fqdn for m in machines if _fqdn(m.get("Fqdn")) or fqdn]
        clusters[key] = cluster
    for service in _path(root, "Services", "Service"):
        ident = _child(service, "ServiceId")
        installed = _child(service, "InstalledOn")
        on = _child(installed, "ClusterId") if installed is not None else None
        if ident is None or on is None:
            continue
        cluster = clusters.get((str(on.get("SiteId", "")).strip(), str(on.get("Number", "")).strip()))
        if cluster is not None and ident.get("RoleName"):
            _apply_service(cluster, ident.get("RoleName"), service)
    return sites, list(clusters.values()), _domains(root), None


def _domains(element) -> list:
    domains = []
    for domain in _path(element, "InternalDomains", "InternalDomain"):
        name = _fqdn(domain.get("Name"))
        if name and name not in domains:
            domains.append(name)
    return domains


def _read(document, site) -> tuple:
    root = _parse(document)
    namespace, name = _namespace(root.tag), _local(root.tag)
    if ROOTS.get(namespace) != name:
        raise TopologyDocumentError(
            "the document's root element is %s, not a Lync topology: Topology Builder saves TopologyBuilder "
            "(%s), Get-CsTopology -AsXml gives Topology (%s)"
            % ("{%s}%s" % (namespace, name) if namespace else name, NS_BUILDER, NS_TOPOLOGY))
    form = "builder" if name == "TopologyBuilder" else "published"
    sites, clusters, domains, simple = _read_builder(root) if form == "builder" else _read_published(root)
    if site is not None:
        wanted = str(site).strip().lower()
        match = [(n, i) for n, i in sites if n.lower() == wanted or (i and i.lower() == wanted)]
        if not match:
            raise TopologyDocumentError(
                "site %r is not a central site of the topology (by name, in any case, or SiteId); its sites: %s"
                % (site, ", ".join("%s (SiteId %s)" % (n, i) if i and i != n else n for n, i in sites) or "none"))
        clusters = [cluster for cluster in clusters if (cluster.site, cluster.site_id) in match]
    if not domains:
        raise TopologyDocumentError("the topology has no InternalDomains/InternalDomain: no SIP domain to publish")
    pools = [c for c in clusters if "WebServices" in c.roles and not c.director]
    directors = [c for c in clusters if "WebServices" in c.roles and c.director]
    for cluster in pools + directors:
        if not cluster.fqdn:
            raise TopologyDocumentError("a cluster with WebServices has no Fqdn")
        if not cluster.external_host:
            raise TopologyDocumentError(
                "%s %s has no external web services FQDN (WebService/ExternalSettings/@Host)"
                % ("Director pool" if cluster.director else "Front End pool", cluster.fqdn))
    if not pools:
        where = " in site %r" % site if site is not None else ""
        found = ["%s (%s)" % (c.fqdn or "no Fqdn", ", ".join(sorted(c.roles)) or "no services")
                 for c in clusters[:20]]
        more = " and %d more" % (len(clusters) - 20) if len(clusters) > 20 else ""
        raise TopologyDocumentError(
            "the topology has no Front End pool (a cluster with a WebServices service and no Director "
            "registrar)%s; found %d cluster%s%s%s"
            % (where, len(clusters), "" if len(clusters) == 1 else "s",
               (": " + "; ".join(found) + more) if found else "",
               "" if clusters else " (is it a topology of Edge servers only, or the wrong site?)"))
    wac = []
    for cluster in clusters:
        for host in cluster.wac_hosts:
            if host not in wac:
                wac.append(host)
    return form, sites, pools, directors, wac, domains, simple


def needed_names(document, site=None) -> dict:
    """The FQDNs the import needs addresses of (``required``: machines, pools, Office Web Apps),
    and those it uses when given (``optional``: external web services FQDNs, for the VIP)."""
    dummy, dummy2, pools, directors, wac, dummy3, dummy4 = _read(document, site)
    return _needed(pools, directors, wac)


def _needed(pools: list, directors: list, wac: list) -> dict:
    required: dict = {}  # insertion-ordered sets
    optional: dict = {}
    for cluster in pools + directors:
        for name in cluster.machines + [cluster.fqdn]:
            required.setdefault(name, None)
        optional.setdefault(cluster.external_host, None)
    for host in wac:
        required.setdefault(host, None)
    return {"required": list(required), "optional": [name for name in optional if name not in required]}


def _addresses(addresses) -> dict:
    """The FQDN -> [address] mapping, keys lower-cased, values checked."""
    if addresses is None:
        return {}
    if not isinstance(addresses, Mapping):
        raise TopologyDocumentError("addresses must be a mapping of FQDN to a list of addresses")
    result = {}
    for name, value in addresses.items():
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, (list, tuple)):
            raise TopologyDocumentError("addresses[%r]: expected an address or a list of addresses" % (name,))
        found = []
        for item in values:
            try:
                address = str(netaddr.IPAddress(str(item).strip(), flags=netaddr.INET_PTON))
            except (netaddr.AddrFormatError, ValueError, TypeError):
                raise TopologyDocumentError("addresses[%r]: %r is not an IP address" % (name, item)) from None
            if address not in found:
                found.append(address)
        result[_fqdn(name)] = found
    return result


def _vip(cluster: _Cluster, resolved: dict, servers: list):
    """The pool's load balancer VIP: its external web services FQDN's inside address, else its pool
    FQDN's; in both cases one address that is none of the servers. DNS load balancing gives none."""
    for name in (cluster.external_host, cluster.fqdn):
        found = resolved.get(name)
        if found and len(found) == 1 and found[0] not in servers:
            return found[0]
    return None


def _first(names: list, limit: int = 50) -> str:
    """The first ``limit`` names, and how many more there are."""
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else "%s and %d more" % (shown, len(names) - limit)


def _unique_name(fqdn: str, taken: set) -> str:
    labels = [_NAME_RE.sub("-", label).strip("-") or "x" for label in fqdn.split(".")]
    # pool02, then pool02-fabrikam (its domain tells it apart), then longer prefixes.
    candidates = [labels[0]] + (["%s-%s" % (labels[0], labels[-2])] if len(labels) > 2 else [])
    candidates += ["-".join(labels[:count]) for count in range(2, len(labels) + 1)]
    for candidate in candidates:
        name = candidate[:63].strip("-")
        if name and name not in taken:
            taken.add(name)
            return name
    base, number = labels[0][:58], 2
    while "%s-%d" % (base, number) in taken:
        number += 1
    taken.add("%s-%d" % (base, number))
    return "%s-%d" % (base, number)


def topology_from_xml(document, addresses=None, simple_urls=None, reverse_proxies=None, options=None,
                      site=None) -> dict:
    """A lync_topology from a Topology Builder file or a published topology document."""
    return import_document(document, addresses, simple_urls, reverse_proxies, options, site)[0]


def import_document(document, addresses=None, simple_urls=None, reverse_proxies=None, options=None, site=None,
                    lookup=None) -> tuple:
    """(topology, validated): what topology_from_xml returns, and the same topology as
    validate_topology returned it, so that the port model is computed without validating twice.

    ``lookup``, when given, is called once with the names the import needs or uses (required
    first, in document order) that ``addresses`` has no key for, and returns FQDN -> addresses for
    those it found (a resolver); ``addresses`` wins over it."""
    if netaddr is None:
        raise MissingLibraryError("netaddr", "to import a Lync topology")
    if site is not None and not isinstance(site, str):
        raise TopologyDocumentError("site must be the name of a central site, got %r" % (site,))
    form, dummy, pools, directors, wac, domains, document_urls = _read(document, site)
    resolved = _addresses(addresses)
    needed = _needed(pools, directors, wac)
    if lookup is not None:
        ask = [name for name in needed["required"] + needed["optional"] if name not in resolved]
        if ask:
            found = _addresses(lookup(ask))
            resolved.update((name, value) for name, value in found.items() if name not in resolved)

    missing = [name for name in needed["required"] if not resolved.get(name)]
    if missing:
        raise TopologyDocumentError(
            "addresses has no address for %d name%s the import needs: %s (give them in addresses, or let "
            "internal DNS answer for them)" % (len(missing), "" if len(missing) == 1 else "s", _first(missing)))

    if simple_urls is None:
        if document_urls is None:
            raise TopologyDocumentError(
                "the published topology (Get-CsTopology -AsXml) carries no simple URLs: give simple_urls "
                "(meet and dialin, as Get-CsSimpleUrlConfiguration shows them)")
        simple_urls = {key: value for key, value in document_urls.items() if value}

    taken: set = set()

    def entry(cluster: _Cluster) -> dict:
        servers, seen = [], set()
        for machine in cluster.machines:
            for index, address in enumerate(resolved.get(machine, [])):
                if address in seen:
                    continue
                seen.add(address)
                servers.append({"address": address, "fqdn": machine} if index == 0 else address)
        if not cluster.machines:
            servers = list(resolved.get(cluster.fqdn, []))
        plain = [server["address"] if isinstance(server, dict) else server for server in servers]
        result = {"name": _unique_name(cluster.fqdn, taken), "external_web_fqdn": cluster.external_host}
        vip = _vip(cluster, resolved, plain)
        if vip is not None:
            result["vip"] = vip
        result["servers"] = servers
        return result

    topology = {"sip_domains": domains, "front_end_pools": [entry(cluster) for cluster in pools]}
    if directors:
        topology["directors"] = [entry(cluster) for cluster in directors]
    if wac:
        topology["office_web_apps"] = [{"name": _unique_name(host, taken), "fqdn": host, "servers": resolved[host]}
                                       for host in wac]
    if simple_urls:
        topology["simple_urls"] = simple_urls
    if reverse_proxies:
        topology["reverse_proxies"] = reverse_proxies
    if options:
        topology["options"] = options
    try:
        validated = validate_topology(topology)
    except TopologyError as exc:
        raise TopologyDocumentError(
            "the topology imported from the %s document is not valid: %s"
            % ("Topology Builder" if form == "builder" else "published", exc)) from None
    return topology, validated
