# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Windows renderings: firewall rule parameters per host, ARR data, and the PowerShell script,
which must parse (tree-sitter's PowerShell grammar: no pwsh can run here)."""

from __future__ import annotations

import os

import pytest
import tree_sitter_powershell
from tree_sitter import Language, Parser

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    PortModelError,
    arr_configuration,
    compute_model,
    iis_bindings,
    proxy_group,
    render_powershell,
    windows_firewall_rules,
)
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._collection import (
    CollectionFileError,
    role_file,
    windows_scripts,
)
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    COLLECTION_ROOT,
    full,
    golden_cases,
)

PARSER = Parser(Language(tree_sitter_powershell.language()))


def _walk(node):
    yield node
    for child in node.children:
        yield from _walk(child)


def _syntax_errors(text):
    tree = PARSER.parse(text.encode())
    errors = []

    def walk(node):
        if node.is_error or node.is_missing:
            errors.append((node.start_point[0] + 1, node.type))
        for child in node.children:
            walk(child)

    walk(tree.root_node)
    return errors


def test_front_end_server_admits_exactly_its_internal_flows():
    rules = windows_firewall_rules(compute_model(full()), ["10.0.10.11", "192.0.2.99"])
    assert [(r["name"], r["direction"], r["localport"], r["remoteip"], r["localip"]) for r in rules] == [
        ("lync.reverse_proxy/internal-http-pools/8080", "in", "8080", "10.0.1.5", "10.0.10.11"),
        ("lync.reverse_proxy/internal-https-pools/4443", "in", "4443", "10.0.1.5", "10.0.10.11"),
    ]
    assert all(r["group"] == "lync.reverse_proxy" and r["action"] == "allow" and r["protocol"] == "tcp" for r in rules)


def test_office_web_apps_server_and_unrelated_host():
    model = compute_model(full())
    assert [r["localport"] for r in windows_firewall_rules(model, ["10.0.30.11"])] == ["443"]
    assert windows_firewall_rules(model, ["192.0.2.99"]) == []
    with pytest.raises(PortModelError, match="host_addresses is empty"):
        windows_firewall_rules(model, [])


def test_reverse_proxy_rules():
    model = compute_model(full())
    inbound = windows_firewall_rules(model, [], reverse_proxy="rp01")
    assert [(r["direction"], r["localport"], r["remoteip"], r["localip"]) for r in inbound] == [
        ("in", "80", "any", "198.51.100.10"), ("in", "443", "any", "198.51.100.10")]
    egress = windows_firewall_rules(model, [], reverse_proxy="rp01", egress_filtering=True)
    outbound = [(r["direction"], r.get("remoteport")) for r in egress[2:]]
    assert outbound == [("out", "8080"), ("out", "4443"), ("out", "443")]
    assert egress[3]["remoteip"] == "10.0.10.10/31,10.0.10.12,10.0.20.10/31"


def test_arr_farms_and_rules():
    arr = arr_configuration(compute_model(full()), timeout=960)
    farms = {farm["name"]: farm for farm in arr["farms"]}
    assert sorted(farms) == ["lync-dir-dir01", "lync-fe-pool01", "lync-lyncdiscover", "lync-owa-owa01",
                             "lync-simple-urls"]
    assert (farms["lync-fe-pool01"]["http_port"], farms["lync-fe-pool01"]["https_port"]) == (8080, 4443)
    assert (farms["lync-owa-owa01"]["http_port"], farms["lync-owa-owa01"]["https_port"]) == (80, 443)
    # Members are names the back-end certificate carries: one address (here the VIP) is the
    # backend's published FQDN, resolved on the proxy by its hosts file to the VIP.
    assert farms["lync-fe-pool01"]["servers"] == ["webext.contoso.com"]
    assert farms["lync-simple-urls"]["servers"] == ["webdirext.contoso.com"]  # simple URLs go to the Director
    hosts = {entry["name"]: entry["address"] for entry in arr["hosts"]}
    assert hosts["webext.contoso.com"] == "10.0.10.10" and hosts["webdirext.contoso.com"] == "10.0.20.10"
    assert "10.0.10.10" not in [server for farm in arr["farms"] for server in farm["servers"]]
    assert all(farm["preserve_host_header"] and not farm["reverse_rewrite_host_in_response_headers"]
               for farm in arr["farms"])
    assert farms["lync-fe-pool01"]["timeout"] == "00:16:00"
    rules = {rule["name"]: rule for rule in arr["rules"]}
    assert rules["lync.reverse_proxy/meet.contoso.com/https"]["url"] == "https://lync-simple-urls/{R:0}"
    assert rules["lync.reverse_proxy/lyncdiscover.contoso.com/http"]["url"] == "http://lync-lyncdiscover/{R:0}"
    assert rules["lync.reverse_proxy/officewebapps01.contoso.com/http-redirect"]["action"] == "Redirect"
    with pytest.raises(PortModelError, match="timeout must be a positive number"):
        arr_configuration(compute_model(full()), timeout=0)


@pytest.mark.parametrize("case, topology", sorted(golden_cases().items()))
def test_rendered_powershell_parses(case, topology):
    model = compute_model(topology)
    scripts = [render_powershell(windows_firewall_rules(model, [g["addresses"][0] for rule in model["rules"]
                                                                for g in rule["destination_groups"]
                                                                if g["addresses"] and rule["interface"] == "internal"]))]
    proxies = {g["name"] for rule in model["rules"] for g in rule["destination_groups"]
               if g["role"] == "reverse_proxy_listener" and g["name"] and "members" not in g
               and proxy_group(model, g["name"]) is None}  # a group's members are Linux (keepalived)
    for proxy in sorted(proxies):
        try:
            arr = arr_configuration(model)
        except PortModelError:
            arr = None  # several servers without a vip: refused for ARR (test_arr_members_need_names)
        scripts.append(render_powershell(windows_firewall_rules(model, [], reverse_proxy=proxy, egress_filtering=True),
                                         arr, windows_scripts()))
    for script in scripts:
        assert _syntax_errors(script) == [], case


@pytest.mark.parametrize("broken", [
    "New-NetFirewallRule -Name 'unclosed\n",
    "if ($x) { Write-Output 1\n",
    "$a = @('one', 'two'\n",
])
def test_the_syntax_check_catches_breakage(broken):
    assert _syntax_errors(broken)


def test_quotes_in_values_are_escaped():
    rules = windows_firewall_rules(compute_model(full()), ["10.0.10.11"])
    script = render_powershell(rules)
    assert "the pool''s web services" in script
    assert _syntax_errors(script) == []


def test_the_collection_powershell_files_parse():
    from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
        COLLECTION_ROOT,
    )

    scripts = sorted(COLLECTION_ROOT.glob("roles/*/files/*.ps1")) + sorted(COLLECTION_ROOT.glob("plugins/**/*.ps1"))
    assert scripts, "no PowerShell files found"
    for path in scripts:
        assert _syntax_errors(path.read_text(encoding="utf-8")) == [], path


def _pool_without_vip():
    topology = full()
    topology["front_end_pools"][0].pop("vip")
    servers = topology["front_end_pools"][0]["servers"]
    topology["front_end_pools"][0]["servers"] = [{"address": a, "fqdn": "fe%02d.corp.contoso.com" % i}
                                                 for i, a in enumerate(servers, 1)]
    return topology, servers


def test_a_pool_of_several_servers_without_a_vip_is_refused_with_microsofts_sentence():
    """ARR would balance the pool round-robin, without affinity or a health test; Microsoft
    supports only hardware load balancers for the Lync web services."""
    topology, servers = _pool_without_vip()
    with pytest.raises(PortModelError) as caught:
        arr_configuration(compute_model(topology))
    message = str(caught.value)
    assert message.startswith("Front End pool pool01 has %d servers and no vip" % len(servers))
    assert "round-robin with no affinity and no health test" in message
    assert ('"The only supported method to load balance HTTP and HTTPS traffic is by using hardware load '
            'balancers."') in message
    assert "give the vip of the pool's hardware load balancer" in message


def test_arr_members_are_server_names_without_a_vip_when_round_robin_is_accepted():
    topology, servers = _pool_without_vip()
    arr = arr_configuration(compute_model(topology), round_robin=True)
    farm = next(f for f in arr["farms"] if f["name"] == "lync-fe-pool01")
    assert farm["servers"] == ["fe%02d.corp.contoso.com" % i for i in range(1, len(servers) + 1)]
    hosts = {entry["name"]: entry["address"] for entry in arr["hosts"]}
    assert [hosts[name] for name in farm["servers"]] == servers
    assert [w for w in arr["warnings"] if w.startswith("Front End pool pool01 ")] == [
        w for w in arr["warnings"] if "Microsoft does not support" in w]
    assert len([w for w in arr["warnings"] if w.startswith("Front End pool pool01 ")]) == 1
    with pytest.raises(PortModelError, match="round_robin must be true or false"):
        arr_configuration(compute_model(topology), round_robin="yes")


def test_an_office_web_apps_farm_without_a_vip_is_a_warning():
    topology = full()
    topology["office_web_apps"][0]["servers"] = [{"address": "10.0.30.11", "fqdn": "owa01a.contoso.com"},
                                                 {"address": "10.0.30.12", "fqdn": "owa01b.contoso.com"}]
    arr = arr_configuration(compute_model(topology))
    assert arr["warnings"] == ["Office Web Apps farm owa01 has 2 servers and no vip: IIS ARR would balance its web "
                               "traffic itself, round-robin with no affinity and no health test; give the vip of the "
                               "farm's load balancer"]
    assert arr_configuration(compute_model(full()))["warnings"] == []
    script = render_powershell(windows_firewall_rules(compute_model(topology), [], reverse_proxy="rp01"), arr,
                               windows_scripts())
    assert "\n# WARNING: Office Web Apps farm owa01 has 2 servers and no vip" in script


def test_a_single_server_is_its_published_name():
    topology = full()
    topology["front_end_pools"][0].pop("vip")
    topology["front_end_pools"][0]["servers"] = ["10.0.10.11"]
    farm = next(f for f in arr_configuration(compute_model(topology))["farms"] if f["name"] == "lync-fe-pool01")
    assert farm["servers"] == ["webext.contoso.com"]


def test_arr_members_need_names():
    topology = full()
    topology["front_end_pools"][0].pop("vip")
    topology["front_end_pools"][0]["servers"][0] = {"address": topology["front_end_pools"][0]["servers"][0],
                                                    "fqdn": "fe01.corp.contoso.com"}
    with pytest.raises(PortModelError) as caught:
        arr_configuration(compute_model(topology), round_robin=True)
    assert str(caught.value).startswith("Front End pool pool01: IIS ARR connects to farm members by name")
    assert "no fqdn for 10.0.10.12" in str(caught.value) and "10.0.10.11" not in str(caught.value)


def test_the_script_runs_the_roles_scripts_with_the_model():
    """One PowerShell source for the hosts entries and ARR: the rendered script embeds the role's
    hosts.ps1 and arr.ps1 verbatim and calls them with what the role passes them."""
    import json  # pylint: disable=import-outside-toplevel

    model = compute_model(full())
    arr = arr_configuration(model)
    script = render_powershell(windows_firewall_rules(model, [], reverse_proxy="rp01"), arr, windows_scripts())
    for variable, name in (("HostsScript", "hosts.ps1"), ("ArrScript", "arr.ps1")):
        with open(os.path.join(COLLECTION_ROOT, "roles", "rp_iis_arr", "files", name), encoding="utf-8") as handle:
            text = handle.read()
        assert role_file("rp_iis_arr", name) == text
        block = script[script.index("$%s = {\n" % variable) + len("$%s = {\n" % variable):]
        assert block.startswith(text.rstrip("\n") + "\n}\n& $%s " % variable)
    embedded = script[script.index("$ArrConfiguration = @'\n") + len("$ArrConfiguration = @'\n"):script.index("\n'@\n")]
    assert json.loads(embedded) == arr
    assert "-Entries @('10.0.30.11 officewebapps01.contoso.com', '10.0.20.10 webdirext.contoso.com', " \
           "'10.0.10.10 webext.contoso.com') -Marker $Group\n" in script
    assert "[@address='10.0.10.10']" not in script
    with pytest.raises(CollectionFileError, match="roles/rp_iis_arr/files/absent.ps1 is missing from the installed"):
        role_file("rp_iis_arr", "absent.ps1")


def test_the_model_reads_no_file_of_the_collection():
    """The renderer is given the role's scripts; without them the ARR part is refused by name, and
    the scripts given are what it embeds (nothing read behind the caller's back)."""
    model = compute_model(full())
    rules = windows_firewall_rules(model, [], reverse_proxy="rp01")
    arr = arr_configuration(model)
    with pytest.raises(PortModelError, match=r"needs the rp_iis_arr role's hosts\.ps1 and arr\.ps1 \(scripts=\.\.\.\)"):
        render_powershell(rules, arr)
    with pytest.raises(PortModelError, match=r"needs the rp_iis_arr role's arr\.ps1 "):
        render_powershell(rules, arr, {"hosts.ps1": "# hosts"})
    script = render_powershell(rules, arr, {"hosts.ps1": "# given hosts", "arr.ps1": "# given arr"})
    assert "$HostsScript = {\n# given hosts\n}\n" in script and "$ArrScript = {\n# given arr\n}\n" in script
    assert "# given" not in render_powershell(rules)


# PowerShell's single quotation marks (about_Quoting_Rules: "PowerShell treats smart quotation marks
# ... as normal quotation marks for strings"): any of them opens and closes a verbatim string, and two
# in a row are one quote inside it. tree-sitter's grammar knows only the ASCII one, so the rule is
# read here on its own.
SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"


def _read_verbatim(text, start):
    """The value of the verbatim string that starts at ``start``, and the index after it."""
    assert text[start] in SINGLE_QUOTES
    value, index = [], start + 1
    while index < len(text):
        if text[index] in SINGLE_QUOTES:
            if index + 1 < len(text) and text[index + 1] in SINGLE_QUOTES:
                value.append(text[index])
                index += 2
                continue
            return "".join(value), index + 1
        value.append(text[index])
        index += 1
    raise AssertionError("unterminated string")


@pytest.mark.parametrize("value", ["pool\u2019s \u2018web\u2019 \u201aservices\u201b", "it's", "plain", "\u2019\u2019'"])
def test_typographic_single_quotes_are_escaped(value):
    """A value with any of PowerShell's single quotation marks reads back as itself."""
    rules = windows_firewall_rules(compute_model(full()), ["10.0.10.11"])
    script = render_powershell([dict(rules[0], description=value)])
    start = script.index("-Description ") + len("-Description ")
    read, end = _read_verbatim(script, start)
    assert read == value
    assert script[end:].startswith(" | Out-Null")
    assert _syntax_errors(script) == []


def test_the_quote_reader_catches_ascii_only_escaping():
    value = "pool\u2019s web services"
    ascii_only = "'%s'" % value.replace("'", "''")
    read, end = _read_verbatim(ascii_only, 0)
    assert read != value and end < len(ascii_only)


def test_iis_bindings_are_the_listener_addresses():
    model = compute_model(full())
    assert iis_bindings(model, "rp01") == [
        {"ip": "198.51.100.10", "port": 443, "protocol": "https"},
        {"ip": "198.51.100.10", "port": 80, "protocol": "http"},
    ]
    topology = full()
    topology["reverse_proxies"][0]["external_addresses"].append("2001:db8:100::10")
    topology["options"] = {"http_redirect": False, "mobile_autodiscover_over_http": False}
    assert iis_bindings(compute_model(topology), "rp01") == [
        {"ip": "198.51.100.10", "port": 443, "protocol": "https"},
        {"ip": "[2001:db8:100::10]", "port": 443, "protocol": "https"},
    ]
    with pytest.raises(PortModelError, match="rp09"):
        iis_bindings(model, "rp09")


@pytest.mark.parametrize("address", ["198.51.100.10", "10.0.1.5"])
def test_a_reverse_proxy_taken_for_a_server_is_refused(address):
    """The role removes the rules of its group it does not compute: a proxy taken for a server
    would lose its listener rules."""
    with pytest.raises(PortModelError) as caught:
        windows_firewall_rules(compute_model(full()), [address, "192.0.2.1"])
    assert str(caught.value) == ("%s is an address of reverse proxy rp01: give reverse_proxy=rp01 for it (its "
                                 "listener rules and egress rules), not host_addresses" % address)


def test_the_application_host_fragment_is_well_formed_and_says_what_the_scripts_write():
    import xml.etree.ElementTree as ET  # pylint: disable=import-outside-toplevel
    from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (  # pylint: disable=import-outside-toplevel
        render_application_host,
    )
    arr = arr_configuration(compute_model(full()))
    root = ET.fromstring("<config>%s</config>" % render_application_host(arr))
    farms = root.findall("webFarms/webFarm")
    assert [farm.get("name") for farm in farms] == [farm["name"] for farm in arr["farms"]]
    for farm in farms:
        protocol = farm.find("applicationRequestRouting/protocol")
        assert protocol.get("preserveHostHeader") == "true" and protocol.find("cache").get("enabled") == "false"
        assert all(not server.get("address")[0].isdigit() for server in farm.findall("server"))  # names, not IPs
    assert len(root.findall("system.webServer/rewrite/globalRules/rule")) == len(arr["rules"])
