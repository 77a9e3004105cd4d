# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Importing Lync's own topology documents: both forms, the addresses, the VIP rule, untrusted input."""

from __future__ import annotations

import base64
import copy
import json
import os

import pytest
import yaml

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    TopologyDocumentError,
    compute_model,
    needed_names,
    render_port_table,
    topology_from_xml,
)
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    EXAMPLE_TOPOLOGY,
    FIXTURES_DIR,
    GOLDEN_DIR,
    load_topology,
)

DOCUMENTS = FIXTURES_DIR / "topology"
OPTION3 = {"meet": ["https://lync.contoso.com/Meet", "https://lync.fabrikam.com/Meet"],
           "dialin": ["https://lync.contoso.com/Dialin"]}


def _text(name: str) -> str:
    return (DOCUMENTS / name).read_text(encoding="utf-8")


def _windows_bytes(name: str) -> bytes:
    """The document as Windows writes it: a UTF-8 byte order mark and CRLF line ends."""
    return b"\xef\xbb\xbf" + (DOCUMENTS / name).read_bytes().replace(b"\n", b"\r\n")


def _addresses(name: str) -> dict:
    return yaml.safe_load((DOCUMENTS / name).read_text(encoding="utf-8"))


def _golden(name: str, actual: dict) -> None:
    reference = GOLDEN_DIR / "import" / (name + ".ref")
    text = json.dumps(actual, indent=2) + "\n"
    if os.environ.get("LYNC_GOLDEN_UPDATE") == "1":
        reference.parent.mkdir(parents=True, exist_ok=True)
        reference.write_text(text, encoding="utf-8")
    assert reference.read_text(encoding="utf-8") == text, "differs from %s" % reference


def test_topology_builder_file_golden():
    topology = topology_from_xml(_windows_bytes("two_sites.tbxml"), _addresses("two_sites.addresses.yml"))
    assert topology == topology_from_xml(_text("two_sites.tbxml"), _addresses("two_sites.addresses.yml"))
    _golden("two_sites_tbxml", topology)
    compute_model(topology)  # port_model accepts it


def test_both_forms_give_the_same_topology():
    addresses = _addresses("two_sites.addresses.yml")
    builder = topology_from_xml(_text("two_sites.tbxml"), addresses)
    published = topology_from_xml(_text("two_sites.xml"), addresses, simple_urls=OPTION3)
    key = {"front_end_pools": lambda p: p["name"]}
    for topology in (builder, published):
        topology["front_end_pools"].sort(key=key["front_end_pools"])
    assert published == builder


def test_what_the_document_says_is_read_right():
    topology = topology_from_xml(_text("two_sites.tbxml"), _addresses("two_sites.addresses.yml"))
    assert topology["sip_domains"] == ["contoso.com", "fabrikam.com"]  # InternalDomain, lower-cased
    pools = {pool["name"]: pool for pool in topology["front_end_pools"]}
    assert sorted(pools) == ["pool01", "pool02", "pool02-fabrikam"]  # names from FQDNs, unique
    # HLB pool: its FQDN resolves to one address that is none of its servers: the VIP.
    assert pools["pool01"]["vip"] == "10.1.10.10"
    assert pools["pool01"]["servers"] == [{"address": "10.1.10.11", "fqdn": "fe01.corp.contoso.com"},
                                          {"address": "10.1.10.12", "fqdn": "fe02.corp.contoso.com"}]
    # DNS load balancing: the pool FQDN resolves to the servers themselves: no VIP.
    assert "vip" not in pools["pool02"]
    assert "vip" not in pools["pool02-fabrikam"]
    # The Director: IsDirector on its Registrar; the inside address of its external web FQDN is its VIP.
    assert [(d["name"], d["external_web_fqdn"], d["vip"]) for d in topology["directors"]] == [
        ("dir01", "webdirext.contoso.com", "10.1.20.10")]
    # Office Web Apps from the WacService's DiscoveryUrl; no Edge, SQL or Mediation anywhere.
    assert topology["office_web_apps"] == [{"name": "owa", "fqdn": "owa.corp.contoso.com",
                                            "servers": ["10.1.30.11", "10.1.30.12"]}]
    assert "edge" not in json.dumps(topology) and "sql01" not in json.dumps(topology)
    # Option 3 simple URLs, the Admin URL (internal only) left out.
    assert topology["simple_urls"] == OPTION3


def test_the_external_web_fqdn_wins_over_the_pool_fqdn_for_the_vip():
    addresses = dict(_addresses("two_sites.addresses.yml"), **{"webext.contoso.com": ["10.1.10.100"]})
    pools = topology_from_xml(_text("two_sites.tbxml"), addresses)["front_end_pools"]
    assert pools[0]["vip"] == "10.1.10.100"


def test_a_name_with_several_addresses_is_no_vip():
    addresses = dict(_addresses("two_sites.addresses.yml"), **{"pool01.corp.contoso.com": ["10.1.10.10", "10.1.10.9"]})
    pools = topology_from_xml(_text("two_sites.tbxml"), addresses)["front_end_pools"]
    assert "vip" not in pools[0]


def test_one_site():
    topology = topology_from_xml(_text("two_sites.xml"), _addresses("two_sites.addresses.yml"), simple_urls=OPTION3,
                                 site="Busan")
    assert [pool["name"] for pool in topology["front_end_pools"]] == ["pool02", "pool02-fabrikam"]
    assert "directors" not in topology and "office_web_apps" not in topology
    assert needed_names(_text("two_sites.tbxml"), site="Busan")["required"] == [
        "fe21.corp.contoso.com", "fe22.corp.contoso.com", "pool02.corp.contoso.com",
        "fe31.corp.fabrikam.com", "pool02.corp.fabrikam.com"]


@pytest.mark.parametrize("document", ["two_sites.tbxml", "two_sites.xml"])
def test_an_unknown_site_lists_the_sites(document):
    with pytest.raises(TopologyDocumentError, match=r"site 'Daegu' is not a central site of the topology \(by name, "
                                                    r"in any case, or SiteId\); its sites: Seoul \(SiteId 1\), "
                                                    r"Busan \(SiteId 2\)"):
        topology_from_xml(_text(document), _addresses("two_sites.addresses.yml"), simple_urls=OPTION3, site="Daegu")


def test_every_missing_name_is_listed_at_once():
    addresses = _addresses("two_sites.addresses.yml")
    for name in ("fe02.corp.contoso.com", "POOL01.corp.contoso.com", "owa.corp.contoso.com"):
        del addresses[name]
    with pytest.raises(TopologyDocumentError) as caught:
        topology_from_xml(_text("two_sites.tbxml"), addresses)
    assert str(caught.value).startswith(
        "addresses has no address for 3 names the import needs: fe02.corp.contoso.com, pool01.corp.contoso.com, "
        "owa.corp.contoso.com")


def test_external_web_fqdns_are_optional_in_the_mapping():
    addresses = {k: v for k, v in _addresses("two_sites.addresses.yml").items() if not k.startswith("webdirext")}
    directors = topology_from_xml(_text("two_sites.tbxml"), addresses)["directors"]
    assert "vip" not in directors[0]  # its pool FQDN is its one server


def test_a_published_topology_needs_the_simple_urls():
    with pytest.raises(TopologyDocumentError, match="carries no simple URLs: give simple_urls"):
        topology_from_xml(_text("two_sites.xml"), _addresses("two_sites.addresses.yml"))


def test_reverse_proxies_and_options_are_passed_on_and_checked():
    proxies = [{"name": "rp01", "external_addresses": ["198.51.100.10"], "internal_addresses": ["10.1.1.5"]}]
    topology = topology_from_xml(_text("two_sites.tbxml"), _addresses("two_sites.addresses.yml"),
                                 reverse_proxies=proxies, options={"http_redirect": False})
    assert topology["reverse_proxies"] == proxies and topology["options"] == {"http_redirect": False}
    with pytest.raises(TopologyDocumentError, match=r"reverse_proxies\[0\].external_addresses \(rp01\): is empty"):
        topology_from_xml(_text("two_sites.tbxml"), _addresses("two_sites.addresses.yml"),
                          reverse_proxies=[dict(proxies[0], external_addresses=[])])


def test_the_example_topology_comes_back_from_its_document():
    imported = topology_from_xml(_text("example.tbxml"), _addresses("example.addresses.yml"))
    example = copy.deepcopy(load_topology(EXAMPLE_TOPOLOGY))
    imported.update(reverse_proxies=example["reverse_proxies"], options=example["options"])
    for lang in ("en", "ko"):
        # The only difference: the Office Web Apps farm is named after its FQDN.
        expected = render_port_table(compute_model(example), "markdown", lang).replace("owa01", "officewebapps01")
        assert render_port_table(compute_model(imported), "markdown", lang) == expected
    assert compute_model(imported)["certificate_names"] == compute_model(example)["certificate_names"]


def test_a_utf16_file_as_slurp_gives_it():
    raw = _text("two_sites.tbxml").replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16")
    slurped = {"content": base64.b64encode(raw).decode("ascii"), "encoding": "base64", "source": "x.tbxml"}
    assert topology_from_xml(slurped, _addresses("two_sites.addresses.yml")) == topology_from_xml(
        _text("two_sites.tbxml"), _addresses("two_sites.addresses.yml"))


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Topology xmlns="urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008">&lol2;</Topology>"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Topology xmlns="urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008">&x;</Topology>"""


@pytest.mark.parametrize("document, words", [
    (BOMB, "refused before parsing: it has a document type declaration"),
    (EXTERNAL, "refused before parsing: it has a document type declaration"),
    ("<Topology xmlns='urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008'><Sites>",
     r"not well-formed XML \(line 1, column \d+\)"),
    ("", "the topology document is empty"),
    ("<html><body>not a topology</body></html>", "the document's root element is html, not a Lync topology"),
    ("<Topology xmlns='urn:example'/>", r"root element is \{urn:example\}Topology, not a Lync topology"),
    ("<Topology xmlns='urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008'/>",
     "no InternalDomains/InternalDomain"),
    ("<TopologyBuilder xmlns='urn:schema:Microsoft.Rtc.Management.Deploy.TopologyBuilder.2008'/>",
     "no NewTopology/PartialTopology"),
    (5, "expected the topology document as text, got int"),
])
def test_untrusted_and_bad_documents_get_a_clear_error(document, words):
    with pytest.raises(TopologyDocumentError, match=words):
        topology_from_xml(document, {})


def test_truncated_document_is_a_clear_error():
    text = _text("two_sites.tbxml")
    with pytest.raises(TopologyDocumentError, match="not well-formed XML"):
        topology_from_xml(text[: len(text) // 2], {})


def test_a_pool_without_external_web_fqdn_is_named():
    text = _text("two_sites.tbxml").replace('<ExternalSettings Host="webext-busan.contoso.com" />', "")
    with pytest.raises(TopologyDocumentError, match="Front End pool pool02.corp.contoso.com has no external web "
                                                    "services FQDN"):
        topology_from_xml(text, _addresses("two_sites.addresses.yml"))


def test_bad_addresses_are_named():
    with pytest.raises(TopologyDocumentError, match=r"addresses\['fe01.corp.contoso.com'\]: '10.1.10.300' is not an IP"):
        topology_from_xml(_text("two_sites.tbxml"), dict(_addresses("two_sites.addresses.yml"),
                                                         **{"fe01.corp.contoso.com": ["10.1.10.300"]}))


# --- The layout Topology Builder writes ----------------------------------------------------------------
#
# The samples follow what real documents in public repositories show (checked, not copied):
# the Topology Builder XPaths of AutomatedLab's SfBAutomatedLab module (Import-SfBTopology and
# Get-SfBTopologyClusterService read ``NewTopology/PartialTopology/Services/Service[@InstalledOn]``
# beside ``PartialTopology/CentralSites/CentralSite/Clusters/Cluster[@UniqueId]``, take a Machine
# without Fqdn as its cluster's FQDN, and read ``InternalDomains`` and the site's ``Name`` in the
# Topology.2008 namespace), and a Skype for Business 2019 published topology (``Topology`` root,
# ``Service[@ServiceVersion="8"]`` with ``ServiceId`` and ``InstalledOn/ClusterId``,
# ``WebService/ExternalSettings[@Host]``) from a public SfB build script (SKYPE-CONFIG-4.ps1).


def test_services_beside_the_sites_are_matched_by_unique_id_across_sites():
    """two_sites.tbxml keeps every service in PartialTopology/Services (Busan's pools included)."""
    text = _text("two_sites.tbxml")
    assert "<Services>" in text and text.index("</CentralSites>") < text.index("<Services>")
    topology = topology_from_xml(text, _addresses("two_sites.addresses.yml"))
    assert sorted(pool["name"] for pool in topology["front_end_pools"]) == ["pool01", "pool02", "pool02-fabrikam"]
    busan = topology_from_xml(text, _addresses("two_sites.addresses.yml"), site="busan")  # any case
    assert [pool["name"] for pool in busan["front_end_pools"]] == ["pool02", "pool02-fabrikam"]
    assert topology_from_xml(text, _addresses("two_sites.addresses.yml"), site="2") == busan  # the SiteId


def test_braced_unique_ids_and_services_inside_a_site_are_read_too():
    text = _text("two_sites.tbxml").replace('UniqueId="c1a5e700-0000-4000-8000-000000000011"',
                                            'UniqueId="{c1a5e700-0000-4000-8000-000000000011}"')
    pools = topology_from_xml(text, _addresses("two_sites.addresses.yml"))["front_end_pools"]
    assert "pool02" in [pool["name"] for pool in pools]


SE_ADDRESSES = {"sfb-se01.corp.northwind.example": ["10.20.0.11"], "owa.corp.northwind.example": ["10.20.0.21"]}


def test_a_standard_edition_server_keeps_its_name():
    """standard_edition.tbxml: a single-machine cluster whose Machine has no Fqdn (SfB 2019)."""
    raw = _windows_bytes("standard_edition.tbxml")
    topology = topology_from_xml(raw, SE_ADDRESSES)
    assert topology_from_xml((DOCUMENTS / "standard_edition.tbxml").read_bytes(), SE_ADDRESSES) == topology
    assert topology["front_end_pools"] == [{"name": "sfb-se01", "external_web_fqdn": "sfbweb.northwind.example",
                                            "servers": [{"address": "10.20.0.11",
                                                         "fqdn": "sfb-se01.corp.northwind.example"}]}]
    assert topology["sip_domains"] == ["northwind.example"]
    assert topology["office_web_apps"][0]["fqdn"] == "owa.corp.northwind.example"
    assert topology["simple_urls"] == {"meet": ["https://meet.northwind.example"],
                                       "dialin": ["https://dialin.northwind.example"]}
    assert "edge" not in json.dumps(topology)
    compute_model(topology)


def test_utf16_as_powershell_out_file_writes_it():
    """Windows PowerShell 5.1's Out-File: UTF-16 LE with a BOM, the declaration still saying utf-8."""
    text = _windows_bytes("standard_edition.tbxml").decode("utf-8-sig")
    assert 'encoding="utf-8"' in text and "\r\n" in text
    raw = b"\xff\xfe" + text.encode("utf-16-le")
    slurped = {"content": base64.b64encode(raw).decode("ascii"), "encoding": "base64"}
    assert topology_from_xml(slurped, SE_ADDRESSES) == topology_from_xml(text, SE_ADDRESSES)
    # UTF-8 bytes that declare UTF-16 are read as what they are.
    wrong = text.replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-8")
    assert topology_from_xml(wrong, SE_ADDRESSES) == topology_from_xml(text, SE_ADDRESSES)


def test_utf16_passed_as_text_says_to_use_slurp():
    text = (DOCUMENTS / "standard_edition.tbxml").read_text(encoding="utf-8-sig")
    raw = b"\xff\xfe" + text.encode("utf-16-le")
    as_lookup_gives_it = raw.decode("utf-8", errors="surrogateescape")  # lookup('file') of that file
    with pytest.raises(TopologyDocumentError, match="read the file with ansible.builtin.slurp"):
        topology_from_xml(as_lookup_gives_it, SE_ADDRESSES)


def test_truncated_only_where_the_document_ends():
    text = _text("two_sites.tbxml")
    with pytest.raises(TopologyDocumentError, match="is it truncated"):
        topology_from_xml(text[: len(text) // 2], {})
    broken = text.replace("<Clusters>", "<Clusters><Oops></Clusters>", 1)
    with pytest.raises(TopologyDocumentError, match="mismatched tag") as caught:
        topology_from_xml(broken, {})
    assert "truncated" not in str(caught.value)


def test_no_front_end_pool_names_what_was_found():
    text = _text("standard_edition.tbxml").replace('RoleName="WebServices"', 'RoleName="WebServicesX"')
    with pytest.raises(TopologyDocumentError) as caught:
        topology_from_xml(text, SE_ADDRESSES)
    message = str(caught.value)
    assert "found 3 clusters" in message
    assert "sfb-se01.corp.northwind.example (FileStore, Registrar, UserServices, WebServicesX)" in message
    assert "sfb-edge01.corp.northwind.example (EdgeServer)" in message


def test_elements_outside_lyncs_namespaces_or_places_are_not_read():
    text = _text("standard_edition.tbxml")
    # An InternalDomain of another namespace, and one outside InternalDomains, are not SIP domains.
    foreign = text.replace("<CentralSites>", '<x:InternalDomains xmlns:x="urn:example"><x:InternalDomain '
                           'Name="evil.example" /></x:InternalDomains><InternalDomain Name="stray.example" />'
                           "<CentralSites>", 1)
    assert topology_from_xml(foreign, SE_ADDRESSES)["sip_domains"] == ["northwind.example"]


@pytest.mark.parametrize("url, words", [
    ("owa.corp.northwind.example/hosting/discovery", "has no http\\(s\\) scheme and host"),
    ("https://user:pw@owa.corp.northwind.example/hosting/discovery", "carries credentials"),
    ("https://owa.corp.northwind.example:8443/hosting/discovery", "names port 8443"),
    ("https://[fd00::1/hosting/discovery", "is not a valid URL"),
])
def test_a_discovery_url_that_cannot_be_published_names_the_farm(url, words):
    text = _text("standard_edition.tbxml").replace("https://owa.corp.northwind.example/hosting/discovery", url)
    with pytest.raises(TopologyDocumentError, match="Office Web Apps farm owa.corp.northwind.example .*" + words):
        topology_from_xml(text, SE_ADDRESSES)


def test_a_long_list_of_missing_names_stops_at_50():
    with pytest.raises(TopologyDocumentError) as caught:
        topology_from_xml(_text("two_sites.tbxml"), {})
    base = len(needed_names(_text("two_sites.tbxml"))["required"])
    assert "for %d names" % base in str(caught.value) and "more" not in str(caught.value)
    pools = "".join(
        '<Cluster UniqueId="00000000-0000-4000-8000-%012d" Fqdn="p%d.corp.contoso.com"><Machines>'
        '<Machine Fqdn="m%d.corp.contoso.com" /></Machines></Cluster>' % (n, n, n) for n in range(60))
    services = "".join(
        '<Service RoleName="WebServices" InstalledOn="00000000-0000-4000-8000-%012d"><WebService '
        'xmlns="urn:schema:Microsoft.Rtc.Management.Deploy.ServiceRoles.2008"><ExternalSettings Host="w%d.contoso.com" />'
        "</WebService></Service>" % (n, n) for n in range(60))
    text = _text("two_sites.tbxml").replace("<Clusters>", "<Clusters>" + pools, 1).replace(
        "<Services>", "<Services>" + services, 1)
    with pytest.raises(TopologyDocumentError) as caught:
        topology_from_xml(text, {})
    message = str(caught.value)
    total = base + 2 * 60  # each added pool: its machine and its cluster FQDN
    assert "for %d names" % total in message and message.count(".corp.") == 50
    assert message.endswith("and %d more (give them in addresses, or let internal DNS answer for them)" % (total - 50))
