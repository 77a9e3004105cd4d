# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A static proof of the PowerShell this collection runs or renders, on its parse tree (tree-sitter's
PowerShell grammar; no PowerShell runs here):

- every change (IIS configuration writes, site bindings and certificate bindings, firewall rule
  changes, certificate store changes, file writes) sits inside ``if ($PSCmdlet.ShouldProcess(...))``,
  so -WhatIf and check mode hold;
- every IIS configuration path is walked level by level through the IIS schema as data
  (fixtures/iis_schema.yml, from Microsoft's documentation): each element a child of the one before,
  each predicate's attribute one of its element's, each property set one of its element's, each
  added entry's keys those of the collection's entry element - variables and the scripts' own
  path functions are followed to the text they stand for;
- the ``$Ansible.Changed`` contract of ansible.windows.win_powershell (Changed is true unless the
  script says otherwise): every script the roles run sets it to false on its no-change path (first,
  at the top) and to true only right before a change it makes (or, in check mode, would make);
- every cmdlet is called with parameters its documented parameter sets have.
"""

from __future__ import annotations

import re

import pytest
import tree_sitter_powershell
import yaml
from tree_sitter import Language, Parser

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model import (
    PortModelError,
    arr_configuration,
    compute_model,
    proxy_group,
    render_powershell,
    windows_firewall_rules,
)
from ansible_collections.lync.reverse_proxy.plugins.plugin_utils._collection import windows_scripts
from ansible_collections.lync.reverse_proxy.tests.unit.plugins.module_utils._port_model.topologies import (
    COLLECTION_ROOT,
    golden_cases,
)

PARSER = Parser(Language(tree_sitter_powershell.language()))
SCHEMA = yaml.safe_load((COLLECTION_ROOT / "tests" / "unit" / "plugins" / "module_utils" / "_port_model" / "fixtures"
                         / "iis_schema.yml").read_text(encoding="utf-8"))["sections"]

WRITES = re.compile(r"^((Set|Add|Clear|Remove)-WebConfiguration\w*|(New|Remove|Set|Enable|Disable)-NetFirewallRule"
                    r"|(New|Remove)-WebBinding|(Set|New|Remove)-ItemProperty|Move-Item|Remove-Item|Set-Content"
                    r"|Add-Content|Set-NetFirewallProfile)$", re.I)
# .NET methods that change something: a certificate store's Add / Remove, a site binding's certificate.
WRITE_METHODS = {"Add", "Remove", "AddSslCertificate", "RemoveSslCertificate"}
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
    "Get-WebBinding": {"-Name", "-Protocol", "-IPAddress", "-Port", "-HostHeader"},
    "New-WebBinding": {"-Name", "-Protocol", "-IPAddress", "-Port", "-HostHeader", "-SslFlags", "-Force"},
    "Remove-WebBinding": {"-Name", "-Protocol", "-IPAddress", "-Port", "-HostHeader", "-BindingInformation",
                          "-InputObject"},
    "Get-NetFirewallRule": {"-Name", "-DisplayName", "-Group", "-DisplayGroup", "-All", "-PolicyStore"},
    "New-NetFirewallRule": {"-Name", "-DisplayName", "-Group", "-Direction", "-Action", "-Protocol", "-LocalPort",
                            "-RemotePort", "-RemoteAddress", "-LocalAddress", "-Profile", "-Description", "-Enabled",
                            "-Program", "-PolicyStore"},
    "Remove-NetFirewallRule": {"-Name", "-DisplayName", "-Group", "-InputObject", "-PolicyStore"},
    "Disable-NetFirewallRule": {"-Name", "-DisplayName", "-Group", "-InputObject", "-PolicyStore"},
    "Get-Item": {"-Path", "-LiteralPath"},
    "Remove-Item": {"-Path", "-LiteralPath", "-Recurse", "-Force", "-DeleteKey"},
    "Test-Path": {"-Path", "-LiteralPath", "-PathType"},
    "Move-Item": {"-Path", "-LiteralPath", "-Destination", "-Force"},
    "Get-Content": {"-Path", "-LiteralPath", "-Encoding", "-Raw"},
    "Set-Content": {"-Path", "-LiteralPath", "-Value", "-Encoding", "-Force"},
    "Join-Path": {"-Path", "-ChildPath"},
    "New-Object": {"-TypeName", "-ArgumentList"},
    "Import-Module": {"-Name"},
    "ConvertFrom-Json": {"-InputObject"},
    "Where-Object": {"-FilterScript", "-Property"},
    "ForEach-Object": {"-Process"},
    "Sort-Object": {"-Property", "-Unique"},
    "Out-Null": {"-InputObject"},
    "Write-Output": {"-InputObject"},
}
CHANGED_FALSE = re.compile(r"^\$Ansible\.Changed\s*=\s*\$false$")
CHANGED_TRUE = re.compile(r"^\$Ansible\.Changed\s*=\s*\$true$")


def _text(source: bytes, node) -> str:
    return source[node.start_byte:node.end_byte].decode()


def _walk(node):
    yield node
    for child in node.children:
        yield from _walk(child)


def _root(tree):
    """A parse tree's root, or the node itself (the checks look into a tree or a part of one)."""
    return getattr(tree, "root_node", tree)


def _commands(source: bytes, tree) -> list:
    """(name, {parameter: argument text}, node) of every command."""
    found = []
    for node in _walk(_root(tree)):
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


def _method_writes(source: bytes, tree) -> list:
    """(method name, node) of every call of a method that changes something."""
    found = []
    for node in _walk(_root(tree)):
        if node.type == "invokation_expression":
            name = next((child for child in node.children if child.type == "member_name"), None)
            if name is not None and _text(source, name) in WRITE_METHODS:
                found.append((_text(source, name), node))
    return found


def _writes(source: bytes, tree) -> list:
    return ([(command, node) for command, dummy, node in _commands(source, tree) if WRITES.match(command)]
            + _method_writes(source, tree))


def _functions(source: bytes, tree) -> dict:
    """The script's own functions: name -> the text of the body when it is a single string (the
    scripts' path helpers), else None."""
    functions = {}
    for node in _walk(tree.root_node):
        if node.type == "function_statement":
            name = next(child for child in node.children if child.type == "function_name")
            body = next((child for child in node.children if child.type == "script_block"), None)
            text = _text(source, body).strip() if body is not None else ""
            functions[_text(source, name)] = text if re.match(r"^(['\"]).*\1$", text, re.S) else None
    return functions


def _function_of(node):
    while node is not None:
        if node.type == "function_statement":
            return node
        node = node.parent
    return None


def _is_should_process_if(source: bytes, node) -> bool:
    if node.type != "if_statement":
        return False
    condition = next((c for c in node.children if c.type == "pipeline"), None)
    return condition is not None and "$PSCmdlet.ShouldProcess(" in _text(source, condition)


def _guarded(source: bytes, node) -> bool:
    """Inside the block of an ``if`` whose condition asks $PSCmdlet.ShouldProcess."""
    child, parent = node, node.parent
    while parent is not None:
        if _is_should_process_if(source, parent) and child.type == "statement_block":
            return True
        child, parent = parent, parent.parent
    return False


# -- the sources ---------------------------------------------------------------------------------
def _role_scripts() -> dict:
    """Every script a role runs through ansible.windows.win_powershell: the role's files (by the
    lookup the task makes) and scripts written in the task itself."""
    scripts = {}
    for tasks_file in sorted((COLLECTION_ROOT / "roles").glob("*/tasks/*.yml")):
        role = tasks_file.parts[-3]
        pending = list(yaml.safe_load(tasks_file.read_text(encoding="utf-8")) or [])
        while pending:
            task = pending.pop(0)
            for key in ("block", "rescue", "always"):
                pending.extend(task.get(key) or [])
            module = task.get("ansible.windows.win_powershell")
            if module is None:
                continue
            script = module["script"]
            looked_up = re.fullmatch(r"\{\{ lookup\('ansible\.builtin\.file', '([\w.]+\.ps1)'\) \}\}", script.strip())
            if looked_up:
                path = COLLECTION_ROOT / "roles" / role / "files" / looked_up.group(1)
                scripts[str(path.relative_to(COLLECTION_ROOT))] = path.read_text(encoding="utf-8")
            else:
                assert "{{" not in script, "%s: %s: a script is a role file or plain text" % (tasks_file, task["name"])
                scripts["%s: %s" % (tasks_file.relative_to(COLLECTION_ROOT), task["name"])] = script
    return scripts


def _rendered_scripts() -> dict:
    """The rendered script of every golden case (reverse proxy, with ARR when the model has it)."""
    scripts = {}
    for case, topology in sorted(golden_cases().items()):
        model = compute_model(topology)
        proxies = sorted({g["name"] for rule in model["rules"] for g in rule["destination_groups"]
                          if g["role"] == "reverse_proxy_listener" and g["name"] and "members" not in g
                          and proxy_group(model, g["name"]) is None})  # a group's members are Linux (keepalived)
        try:
            arr = arr_configuration(model, round_robin=True)
        except PortModelError:
            arr = None
        for proxy in proxies:
            scripts["%s proxy %s" % (case, proxy)] = render_powershell(
                windows_firewall_rules(model, [], reverse_proxy=proxy, egress_filtering=True), arr, windows_scripts())
    return scripts


ROLE_SCRIPTS = _role_scripts()
SOURCES = dict(ROLE_SCRIPTS, **_rendered_scripts())


def test_every_role_script_is_checked():
    """Every .ps1 file of a role is run by one of its tasks (none lies unused), and the task-written
    scripts are found too."""
    files = {str(path.relative_to(COLLECTION_ROOT)) for path in (COLLECTION_ROOT / "roles").glob("*/files/*.ps1")}
    assert files == {name for name in ROLE_SCRIPTS if name.endswith(".ps1")}
    assert files == {"roles/rp_iis_arr/files/%s" % name for name in
                     ("arr.ps1", "bindings.ps1", "certificate.ps1", "firewall.ps1", "hosts.ps1")}
    assert [name for name in ROLE_SCRIPTS if not name.endswith(".ps1")] == [
        "roles/rp_windows_firewall/tasks/main.yml: Read the rules of our group"]


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


# -- ShouldProcess ------------------------------------------------------------------------------
def _unguarded(text: str) -> list:
    source = text.encode()
    tree = PARSER.parse(source)
    return ["line %d: %s" % (node.start_point[0] + 1, name) for name, node in _writes(source, tree)
            if not _guarded(source, node)]


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_change_asks_should_process(name):
    assert "[CmdletBinding(SupportsShouldProcess)]" in SOURCES[name]
    assert _unguarded(SOURCES[name]) == []
    source = SOURCES[name].encode()
    if not name.endswith(": Read the rules of our group"):
        assert _writes(source, PARSER.parse(source)), "no change at all in %s: the check would prove nothing" % name


@pytest.mark.parametrize("text, found", [
    ("Set-WebConfigurationProperty -PSPath $a -Filter 'webFarms' -Name 'enabled' -Value $true\n",
     ["line 1: Set-WebConfigurationProperty"]),
    ("$store.Add($certificate)\n", ["line 1: Add"]),
    ("if ($x) { $binding.AddSslCertificate($t, 'My') }\n", ["line 1: AddSslCertificate"]),
    ("if ($PSCmdlet.ShouldProcess('a', 'b')) { $binding.AddSslCertificate($t, 'My'); New-WebBinding -Name x }\n", []),
])
def test_the_check_catches_an_unguarded_change(text, found):
    assert _unguarded(text) == found


# -- the schema, by hierarchy -------------------------------------------------------------------
class _Resolver:
    """The text a filter argument stands for: string literals, the scripts' own path functions and
    variables (the last assignment before the use, in the same function) followed."""

    def __init__(self, source: bytes, tree):
        self.source = source
        self.functions = _functions(source, tree)
        self.assignments = []
        for node in _walk(tree.root_node):
            if node.type == "assignment_expression":
                left = _text(source, node.children[0]).strip()
                if re.fullmatch(r"\$\w+", left):
                    value = _text(source, node.children[-1]).strip()
                    self.assignments.append((left, value, node.start_byte, _function_of(node)))

    def variable(self, name: str, node) -> str:
        scope = _function_of(node)
        values = [value for left, value, start, function in self.assignments
                  if left == name and start < node.start_byte and function == scope]
        if not values:
            raise AssertionError("line %d: %s has no value to follow" % (node.start_point[0] + 1, name))
        return self.resolve(values[-1], node)

    def resolve(self, text: str, node) -> str:
        text = text.strip()
        while text.startswith("(") and text.endswith(")"):
            text = text[1:-1].strip()
        call = re.fullmatch(r"([A-Z][\w-]+)\s+.*", text, re.S)
        if call and call.group(1) in self.functions:
            body = self.functions[call.group(1)]
            assert body is not None, "line %d: %s is not a path function" % (node.start_point[0] + 1, call.group(1))
            return self.resolve(body, node)
        if re.fullmatch(r"\$\w+", text):
            return self.variable(text, node)
        literal = re.fullmatch(r"(['\"])(.*)\1", text, re.S)
        assert literal, "line %d: cannot follow %s" % (node.start_point[0] + 1, text)
        value = literal.group(2)
        if literal.group(1) == '"':
            value = re.sub(r"\[@(\w+)=[^\]]*\]", r"[@\1]", value)  # a predicate's value does not matter
            value = re.sub(r"\$(\w+)", lambda m: self.variable("$" + m.group(1), node), value)
        return value


def _path(text: str) -> list:
    """(segment, [predicate attributes]) of a configuration path."""
    segments = []
    for part in re.sub(r"\[@(\w+)[^\]]*\]", r"[@\1]", text).strip("/").split("/"):
        name = part.split("[", 1)[0]
        segments.append((name, re.findall(r"\[@(\w+)\]", part)))
    return segments


def _element(path: list, where: str) -> dict:
    """The schema element at the end of ``path``, walked level by level from its section."""
    names = [name for name, dummy in path]
    section = next((key for key in sorted(SCHEMA, key=len, reverse=True)
                    if names[:len(key.split("/"))] == key.split("/")), None)
    assert section is not None, "%s: %s is no section of the schema" % (where, "/".join(names))
    element = SCHEMA[section]
    depth = len(section.split("/"))
    for name, predicates in path[depth - 1:depth] + path[depth:]:
        if name != section.split("/")[-1]:
            children = element.get("children", {})
            assert name in children, "%s: %s has no child element %s (it has %s)" % (
                where, "/".join(names[:names.index(name)]), name, ", ".join(sorted(children)) or "none")
            element = children[name]
        unknown = [attribute for attribute in predicates if attribute not in element["attributes"]]
        assert not unknown, "%s: %s has no attribute %s" % (where, name, ", ".join(unknown))
    return element


def _schema_problems(text: str) -> list:
    """Every configuration path, property and added entry of a script, against the schema."""
    source = text.encode()
    tree = PARSER.parse(source)
    resolver = _Resolver(source, tree)
    problems, checked = [], []
    for command, params, node in _commands(source, tree):
        if not re.match(r"^(Get|Set|Add|Clear)-WebConfiguration", command):
            continue
        checked.append(node)
        where = "line %d" % (node.start_point[0] + 1)
        try:
            element = _element(_path(resolver.resolve(params.get("-Filter", "''"), node)), where)
            name = params.get("-Name", "").strip("'\"")
            if command.startswith("Add-") and name == ".":
                assert "entries" in element, "%s: %s adds an entry to an element that is no collection" % (where, command)
                entry = element["children"][element["entries"]]
                keys = set(re.findall(r"(\w+)\s*=", params.get("-Value", "")))
                assert keys, "%s: the added entry names no attribute" % where
                assert keys <= set(entry["attributes"]), "%s: %s has no attribute %s" % (
                    where, element["entries"], ", ".join(sorted(keys - set(entry["attributes"]))))
                assert "key" not in entry or entry["key"] in keys, "%s: the added %s lacks its key %s" % (
                    where, element["entries"], entry.get("key"))
            elif name:
                assert name in element["attributes"], "%s: no attribute %s here (%s)" % (
                    where, name, ", ".join(element["attributes"]))
        except AssertionError as problem:
            problems.append(str(problem))
    # Strings that name configuration paths elsewhere (the path functions) use the schema's elements too.
    for node in _walk(tree.root_node):
        if node.type != "string_literal" or any(c.start_byte <= node.start_byte < c.end_byte for c in checked):
            continue
        literal = _text(source, node)[1:-1]
        if re.match(r"^/?(webFarms|system\.webServer)(/|$)", literal):
            try:
                _element(_path(re.sub(r"\$\w+", "x", literal)), "string %r" % literal)
            except AssertionError as problem:
                problems.append(str(problem))
    return problems


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_configuration_paths_and_properties_are_the_schemas_level_by_level(name):
    assert _schema_problems(SOURCES[name]) == []


def test_the_arr_script_addresses_every_level_it_means_to():
    """The walk reaches the deepest levels (a check that followed nothing would pass anything)."""
    source = SOURCES["roles/rp_iis_arr/files/arr.ps1"].encode()
    tree = PARSER.parse(source)
    resolver = _Resolver(source, tree)
    paths = {"/".join(name for name, dummy in _path(resolver.resolve(params["-Filter"], node)))
             for command, params, node in _commands(source, tree) if "-Filter" in params}
    assert {"webFarms/webFarm/server/applicationRequestRouting", "webFarms/webFarm/applicationRequestRouting/protocol",
            "webFarms/webFarm/applicationRequestRouting/protocol/cache", "system.webServer/proxy",
            "system.webServer/rewrite/globalRules/rule/conditions/add", "system.webServer/rewrite/globalRules/rule/match",
            "system.webServer/rewrite/globalRules/rule/action"} <= paths


@pytest.mark.parametrize("text, words", [
    # a property at the wrong level: httpPort is the server's, not the farm's
    ("Set-WebConfigurationProperty -PSPath $a -Filter \"webFarms/webFarm[@name='x']/applicationRequestRouting\" "
     "-Name 'httpPort' -Value 1\n", "no attribute httpPort here"),
    # an element at the wrong level: cache is under protocol
    ("Get-WebConfiguration -PSPath $a -Filter \"webFarms/webFarm[@name='x']/applicationRequestRouting/cache\"\n",
     "webFarms/webFarm/applicationRequestRouting has no child element cache"),
    # a misspelt element, through a variable and a path function
    ("function Get-F([string]$N) {\n    \"webFarms/webFarm[@name='$N']\"\n}\n$f = Get-F 'x'\n"
     "Get-WebConfiguration -PSPath $a -Filter \"$f/applicationRequestRouting/protocol/cachee\"\n",
     "has no child element cachee"),
    # a predicate on an attribute the element lacks
    ("Clear-WebConfiguration -PSPath $a -Filter \"system.webServer/rewrite/globalRules/rule[@nam='x']\"\n",
     "rule has no attribute nam"),
    # an added entry without its key, and one with a foreign attribute
    ("Add-WebConfigurationProperty -PSPath $a -Filter 'webFarms' -Name '.' -Value @{ enabled = $true }\n",
     "lacks its key name"),
    ("Add-WebConfigurationProperty -PSPath $a -Filter \"system.webServer/rewrite/globalRules/rule[@name='x']/conditions\" "
     "-Name '.' -Value @{ input = 'a'; pattern = 'b'; url = 'c' }\n", "add has no attribute url"),
    # a condition set on the rule itself
    ("Set-WebConfigurationProperty -PSPath $a -Filter \"system.webServer/rewrite/globalRules/rule[@name='x']\" "
     "-Name 'pattern' -Value 'b'\n", "no attribute pattern here"),
    # a variable that cannot be followed
    ("Get-WebConfiguration -PSPath $a -Filter \"$nowhere/server\"\n", "$nowhere has no value to follow"),
])
def test_the_schema_check_finds_a_wrong_level(text, words):
    problems = _schema_problems(text)
    assert len(problems) == 1 and words in problems[0], problems


# -- the $Ansible.Changed contract ------------------------------------------------------------------
def _statements(node) -> list:
    return [child for child in node.children if child.type != "comment"]


def _changed_problems(text: str) -> list:
    """ansible.windows.win_powershell reports a change unless the script sets $Ansible.Changed to
    false: it must do so first, at the top; it may set it to true only as the statement right before
    an ``if ($PSCmdlet.ShouldProcess(...))`` that changes something, so that check mode reports what
    a run would change; and every such ``if`` must have it."""
    source = text.encode()
    tree = PARSER.parse(source)
    problems = []
    top = next((child for child in tree.root_node.children if child.type == "statement_list"), None)
    top_statements = _statements(top) if top is not None else []
    first_false = next((index for index, statement in enumerate(top_statements)
                        if CHANGED_FALSE.match(_text(source, statement).strip())), None)
    first_change = next((index for index, statement in enumerate(top_statements)
                         if _writes(source, statement) or "ShouldProcess(" in _text(source, statement)), None)
    if first_false is None:
        problems.append("no top-level '$Ansible.Changed = $false'")
    elif first_change is not None and first_change < first_false:
        problems.append("line %d: a change comes before '$Ansible.Changed = $false'"
                        % (top_statements[first_change].start_point[0] + 1))
    writes = [node for dummy, node in _writes(source, tree)]
    for node in _walk(tree.root_node):
        if node.type == "assignment_expression" and _text(source, node.children[0]).strip() == "$Ansible.Changed":
            statement = node.parent
            line = "line %d" % (node.start_point[0] + 1)
            if CHANGED_FALSE.match(_text(source, node).strip()):
                if statement.parent != top or top_statements.index(statement) != first_false:
                    problems.append("%s: '$Ansible.Changed = $false' other than first, at the top" % line)
                continue
            if not CHANGED_TRUE.match(_text(source, node).strip()):
                problems.append("%s: $Ansible.Changed set to something other than $true or $false" % line)
                continue
            siblings = _statements(statement.parent)
            following = siblings[siblings.index(statement) + 1] if siblings.index(statement) + 1 < len(siblings) else None
            if following is None or not _is_should_process_if(source, following) or not any(
                    following.start_byte <= write.start_byte < following.end_byte for write in writes):
                problems.append("%s: '$Ansible.Changed = $true' not right before the ShouldProcess of a change" % line)
    for node in _walk(tree.root_node):
        if _is_should_process_if(source, node) and any(node.start_byte <= w.start_byte < node.end_byte for w in writes):
            siblings = _statements(node.parent)
            index = siblings.index(node)
            if index == 0 or not CHANGED_TRUE.match(_text(source, siblings[index - 1]).strip()):
                problems.append("line %d: a change without '$Ansible.Changed = $true' right before it"
                                % (node.start_point[0] + 1))
    return problems


@pytest.mark.parametrize("name", sorted(ROLE_SCRIPTS))
def test_every_role_script_keeps_the_changed_contract(name):
    assert _changed_problems(ROLE_SCRIPTS[name]) == []


GOOD = """[CmdletBinding(SupportsShouldProcess)]
param ()
$Ansible.Changed = $false
foreach ($x in $y) {
    if ($x.ok) { continue }
    $Ansible.Changed = $true
    if ($PSCmdlet.ShouldProcess($x, 'fix')) {
        Set-Content -LiteralPath $x -Value 1
    }
}
"""


@pytest.mark.parametrize("text, words", [
    (GOOD, None),
    (GOOD.replace("$Ansible.Changed = $false\n", ""), "no top-level '$Ansible.Changed = $false'"),
    (GOOD.replace("    $Ansible.Changed = $true\n", ""), "a change without '$Ansible.Changed = $true' right before it"),
    (GOOD.replace("    if ($x.ok) { continue }\n    $Ansible.Changed = $true\n",
                  "    $Ansible.Changed = $true\n    if ($x.ok) { continue }\n"), "not right before the ShouldProcess"),
    (GOOD.replace("$Ansible.Changed = $false\n", "$Ansible.Changed = $false\n$Ansible.Changed = $a -ne $b\n"),
     "set to something other than $true or $false"),
    (GOOD.replace("$Ansible.Changed = $false\nforeach", "Set-Content -LiteralPath $z -Value 2\n$Ansible.Changed = $false\nforeach"),
     "a change comes before '$Ansible.Changed = $false'"),
    (GOOD.replace("        Set-Content -LiteralPath $x -Value 1\n", "        Write-Output $x\n"),
     "not right before the ShouldProcess of a change"),
    (GOOD.replace("    if ($x.ok) { continue }\n", "    if ($x.ok) { $Ansible.Changed = $false; continue }\n"),
     "other than first, at the top"),
])
def test_the_changed_contract_check_can_fail(text, words):
    problems = _changed_problems(text)
    if words is None:
        assert problems == []
    else:
        assert any(words in problem for problem in problems), problems


# -- cmdlets -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(SOURCES))
def test_cmdlets_get_documented_parameters(name):
    source = SOURCES[name].encode()
    tree = PARSER.parse(source)
    own = set(_functions(source, tree))
    for command, params, node in _commands(source, tree):
        if command in own:
            continue
        assert command in CMDLETS, "line %d: %s is not a cmdlet this check knows" % (node.start_point[0] + 1, command)
        unknown = set(params) - CMDLETS[command] - COMMON
        assert not unknown, "line %d: %s %s" % (node.start_point[0] + 1, command, sorted(unknown))
