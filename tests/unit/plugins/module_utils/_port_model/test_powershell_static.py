# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A static proof of the PowerShell this collection runs or renders, on its parse tree (tree-sitter's
PowerShell grammar; no PowerShell runs here):

- every change (IIS configuration writes, firewall rule changes, registry writes, certificate moves,
  file writes) sits inside ``if ($PSCmdlet.ShouldProcess(...))``, so -WhatIf and check mode hold;
- every IIS configuration path and property is one of the ARR / URL Rewrite schema's, as Microsoft
  documents them (webFarms/webFarm, server/applicationRequestRouting, applicationRequestRouting/
  protocol and its cache, system.webServer/proxy, system.webServer/rewrite/globalRules/rule with
  match, conditions and action);
- every cmdlet is called with parameters its documented parameter sets have.
"""

from __future__ import annotations

import re

import pytest
import tree_sitter_powershell
from tree_sitter import Language, Parser

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    PortModelError,
    arr_configuration,
    compute_model,
    render_powershell,
    windows_firewall_rules,
)
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    COLLECTION_ROOT,
    golden_cases,
)

PARSER = Parser(Language(tree_sitter_powershell.language()))

WRITES = re.compile(r"^((Set|Add|Clear|Remove)-WebConfiguration\w*|(New|Remove|Set|Enable|Disable)-NetFirewallRule"
                    r"|(Set|New|Remove)-ItemProperty|Move-Item|Remove-Item|Set-Content|Add-Content|Set-NetFirewallProfile)$",
                    re.I)
# Elements of the IIS configuration schema the scripts may address (ARR: webFarms; URL Rewrite:
# system.webServer/rewrite; the proxy section), and the properties each may set.
ELEMENTS = {"webFarms", "webFarm", "server", "applicationRequestRouting", "protocol", "cache", "system.webServer",
            "proxy", "rewrite", "globalRules", "rule", "match", "conditions", "add", "action"}
PROPERTIES = {"enabled", "preserveHostHeader", "reverseRewriteHostInResponseHeaders", "timeout", "httpPort",
              "httpsPort", "url", "type", "."}
COLLECTION_KEYS = {"name", "address", "patternSyntax", "stopProcessing", "input", "pattern"}
COMMON = {"-ErrorAction", "-WarningAction", "-Verbose", "-Debug", "-WhatIf", "-Confirm", "-ErrorVariable",
          "-OutVariable", "-InformationAction"}
# Parameters of each cmdlet's documented parameter sets (WebAdministration, NetSecurity,
# Microsoft.PowerShell.Management / Utility / Core), as far as these scripts could use them.
CMDLETS = {
    "Get-WebConfiguration": {"-PSPath", "-Filter", "-Location", "-Recurse", "-Metadata"},
    "Set-WebConfigurationProperty": {"-PSPath", "-Filter", "-Name", "-Value", "-Location", "-AtElement",
                                     "-AtIndex", "-AtName", "-Clr", "-Force"},
    "Add-WebConfigurationProperty": {"-PSPath", "-Filter", "-Name", "-Value", "-Location", "-AtIndex", "-Type",
                                     "-Clr", "-Force"},
    "Clear-WebConfiguration": {"-PSPath", "-Filter", "-Location", "-Clr", "-Force"},
    "Get-NetFirewallRule": {"-Name", "-DisplayName", "-Group", "-DisplayGroup", "-All", "-PolicyStore"},
    "New-NetFirewallRule": {"-Name", "-DisplayName", "-Group", "-Direction", "-Action", "-Protocol", "-LocalPort",
                            "-RemotePort", "-RemoteAddress", "-LocalAddress", "-Profile", "-Description", "-Enabled",
                            "-Program", "-PolicyStore"},
    "Remove-NetFirewallRule": {"-Name", "-DisplayName", "-Group", "-InputObject", "-PolicyStore"},
    "Disable-NetFirewallRule": {"-Name", "-DisplayName", "-Group", "-InputObject", "-PolicyStore"},
    "Get-Item": {"-Path", "-LiteralPath"},
    "Move-Item": {"-Path", "-LiteralPath", "-Destination", "-Force"},
    "Get-Content": {"-Path", "-LiteralPath", "-Encoding", "-Raw"},
    "Set-Content": {"-Path", "-LiteralPath", "-Value", "-Encoding", "-Force"},
    "Join-Path": {"-Path", "-ChildPath"},
    "Import-Module": {"-Name"},
    "ConvertFrom-Json": {"-InputObject"},
    "Where-Object": {"-FilterScript", "-Property"},
    "ForEach-Object": {"-Process"},
    "Sort-Object": {"-Property", "-Unique"},
    "Out-Null": {"-InputObject"},
    "Write-Output": {"-InputObject"},
}


def _text(source: bytes, node) -> str:
    return source[node.start_byte:node.end_byte].decode()


def _walk(node):
    yield node
    for child in node.children:
        yield from _walk(child)


def _commands(source: bytes, tree) -> list:
    """(name, {parameter: argument text}, node) of every command."""
    found = []
    for node in _walk(tree.root_node):
        if node.type != "command":
            continue
        names = [child for child in node.children if child.type == "command_name"]
        if not names:
            continue
        params, current = {}, None
        for elements in (child for child in node.children if child.type == "command_elements"):
            for child in elements.children:
                if child.type == "command_parameter":
                    current = _text(source, child)
                    params[current] = ""
                elif child.type != "command_argument_sep" and current is not None:
                    params[current] = _text(source, child)
                    current = None
        found.append((_text(source, names[0]), params, node))
    return found


def _functions(source: bytes, tree) -> set:
    return {_text(source, child) for node in _walk(tree.root_node) if node.type == "function_statement"
            for child in node.children if child.type == "function_name"}


def _guarded(source: bytes, node) -> bool:
    """Inside the block of an ``if`` whose condition asks $PSCmdlet.ShouldProcess."""
    child, parent = node, node.parent
    while parent is not None:
        if parent.type == "if_statement" and child.type == "statement_block":
            condition = next((c for c in parent.children if c.type == "pipeline"), None)
            if condition is not None and "$PSCmdlet.ShouldProcess(" in _text(source, condition):
                return True
        child, parent = parent, parent.parent
    return False


def _paths(text: str) -> list:
    """The configuration elements a filter text names (predicates and variables left out)."""
    text = re.sub(r"\[@[^\]]*\]", "", text)  # predicates, even when a concatenation builds them
    segments = []
    for single, double in re.findall(r"'([^']*)'|\"([^\"]*)\"", text):
        segments.extend(part for part in (single or double).split("/") if part and not part.startswith("$"))
    return segments


def _sources() -> dict:
    """Every script: the roles' files, and the rendered script of every golden case (proxy and server)."""
    scripts = {str(path.relative_to(COLLECTION_ROOT)): path.read_text(encoding="utf-8")
               for path in sorted((COLLECTION_ROOT / "roles").glob("*/files/*.ps1"))}
    for case, topology in sorted(golden_cases().items()):
        model = compute_model(topology)
        proxies = sorted({g["name"] for rule in model["rules"] for g in rule["destination_groups"]
                          if g["role"] == "reverse_proxy_listener" and g["name"]})
        try:
            arr = arr_configuration(model)
        except PortModelError:
            arr = None
        for proxy in proxies:
            scripts["%s proxy %s" % (case, proxy)] = render_powershell(
                windows_firewall_rules(model, [], reverse_proxy=proxy, egress_filtering=True), arr)
    return scripts


SOURCES = _sources()


def test_every_role_script_is_checked():
    assert {name for name in SOURCES if name.startswith("roles/")} == {
        "roles/rp_iis_arr/files/arr.ps1", "roles/rp_iis_arr/files/certificate.ps1",
        "roles/rp_iis_arr/files/iis_rules.ps1"}


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_script_parses(name):
    """No syntax error anywhere (the checks below read the parse tree, so they need a whole one)."""
    tree = PARSER.parse(SOURCES[name].encode())
    errors = ["line %d" % (node.start_point[0] + 1) for node in _walk(tree.root_node)
              if node.type == "ERROR" or node.is_missing]
    assert errors == []


def test_a_syntax_error_is_found():
    tree = PARSER.parse(b"if ($PSCmdlet.ShouldProcess('x', 'y')) {\n    Set-Content -Path $a -Value (1 +\n")
    assert any(node.type == "ERROR" or node.is_missing for node in _walk(tree.root_node))


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_change_asks_should_process(name):
    source = SOURCES[name].encode()
    tree = PARSER.parse(source)
    assert "[CmdletBinding(SupportsShouldProcess)]" in SOURCES[name]
    unguarded = ["line %d: %s" % (node.start_point[0] + 1, command) for command, dummy, node in _commands(source, tree)
                 if WRITES.match(command) and not _guarded(source, node)]
    assert unguarded == []
    writes = [command for command, dummy, dummy2 in _commands(source, tree) if WRITES.match(command)]
    assert writes, "no change at all in %s: the check would prove nothing" % name


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_configuration_paths_and_properties_are_the_schemas(name):
    source = SOURCES[name].encode()
    tree = PARSER.parse(source)
    for command, params, node in _commands(source, tree):
        if not re.match(r"^(Get|Set|Add|Clear)-WebConfiguration", command):
            continue
        unknown = [segment for segment in _paths(params.get("-Filter", "")) if segment not in ELEMENTS]
        assert unknown == [], "line %d: %s" % (node.start_point[0] + 1, unknown)
        if "-Name" in params:
            assert params["-Name"].strip("'\"") in PROPERTIES, "line %d: %s" % (node.start_point[0] + 1, params["-Name"])
        if command.startswith("Add-") and params.get("-Value", "").startswith("@{"):
            keys = set(re.findall(r"(\w+)\s*=", params["-Value"]))
            assert keys <= COLLECTION_KEYS, "line %d: %s" % (node.start_point[0] + 1, keys - COLLECTION_KEYS)
    # Strings that name configuration paths elsewhere (the filter helpers) use the schema's elements too.
    for literal in re.findall(r"['\"]((?:webFarms|system\.webServer)[^'\"]*)['\"]", SOURCES[name]):
        literal = re.sub(r"\[@[^\]]*(\]|$)", "", literal)  # a predicate the string leaves open
        assert [s for s in _paths("'%s'" % literal) if s not in ELEMENTS] == [], literal


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_cmdlets_get_documented_parameters(name):
    source = SOURCES[name].encode()
    tree = PARSER.parse(source)
    own = _functions(source, tree)
    for command, params, node in _commands(source, tree):
        if command in own:
            continue
        assert command in CMDLETS, "line %d: %s is not a cmdlet this check knows" % (node.start_point[0] + 1, command)
        unknown = set(params) - CMDLETS[command] - COMMON
        assert not unknown, "line %d: %s %s" % (node.start_point[0] + 1, command, sorted(unknown))


def test_the_check_catches_an_unguarded_change():
    text = "[CmdletBinding(SupportsShouldProcess)]\nparam()\nSet-WebConfigurationProperty -PSPath $a -Filter 'webFarms' -Name 'enabled' -Value $true\n"
    source = text.encode()
    commands = _commands(source, PARSER.parse(source))
    assert [c for c, dummy, node in commands if WRITES.match(c) and not _guarded(source, node)] == [
        "Set-WebConfigurationProperty"]
    assert _paths("\"webFarms/webFarm[@name='x']/applicationRequestRouting/protocol/cachee\"")[-1] == "cachee"
