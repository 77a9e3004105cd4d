# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Windows renderings of the model: Windows Firewall rule parameters, the IIS ARR configuration,
and a PowerShell script that applies both. PRIVATE to the lync.reverse_proxy collection.

Every decision is made here, on the controller; what runs on Windows is either
community.windows.win_firewall_rule fed with these parameters, or the rendered script.
"""

from __future__ import annotations

import json
import os
from xml.sax.saxutils import quoteattr

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._address import host_text
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._errors import PortModelError
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._select import select_rules

__all__ = ["GROUP", "arr_configuration", "render_application_host", "render_powershell", "windows_firewall_rules"]

GROUP = "lync.reverse_proxy"
FARM_PREFIX = "lync-"
# The ARR script, relative to the collection's root.
ARR_SCRIPT = ("roles", "rp_iis_arr", "files", "arr.ps1")
_ANY = ["0.0.0.0/0", "::/0"]
# backend_kind -> (httpPort, httpsPort) of the ARR farm servers
_FARM_PORTS = {"front_end_pool": (8080, 4443), "director_pool": (8080, 4443), "office_web_apps": (80, 443)}


def _remote(cidrs: list) -> str:
    return "any" if sorted(cidrs) == sorted(_ANY) else ",".join(host_text(c) for c in cidrs)


def _rule(rule: dict, direction: str, remote: list, local: list) -> dict:
    params = {
        "name": "%s/%s/%d" % (GROUP, rule["id"], rule["port"]),
        "group": GROUP,
        "direction": direction,
        "action": "allow",
        "protocol": "tcp",
        "remoteip": _remote(remote),
        "localip": _remote(local),
        "profiles": ["domain", "private", "public"],
        "enabled": True,
        "description": "%s (%s)" % (rule["reason"], rule["source_ref"]),
    }
    params["localport" if direction == "in" else "remoteport"] = str(rule["port"])
    return params


def windows_firewall_rules(model: dict, host_addresses: list, reverse_proxy: str | None = None,
                           egress_filtering: bool = False) -> list:
    """community.windows.win_firewall_rule parameters for one Windows host.

    A reverse proxy (``reverse_proxy`` names it) admits the external rules to its listener and,
    with ``egress_filtering``, may send the internal rules. Any other host (Front End, Director,
    Office Web Apps server) admits the internal rules whose destinations are its own addresses.
    """
    mine = {str(a).split("/", 1)[0] for a in host_addresses or []}
    if not mine and reverse_proxy is None:
        raise PortModelError("host_addresses is empty: the host's own addresses decide which rules are its")
    params = []
    if reverse_proxy is not None:
        for rule in select_rules(model, reverse_proxy=reverse_proxy):
            if rule["interface"] == "external":
                params.append(_rule(rule, "in", rule["sources"], rule["destinations"]))
            elif egress_filtering:
                params.append(_rule(rule, "out", rule["destinations"], rule["sources"]))
        return params
    for rule in model["rules"]:
        if rule["interface"] != "internal":
            continue
        local = [a for group in rule["destination_groups"] for a in group["addresses"] if host_text(a) in mine]
        if local:
            params.append(_rule(rule, "in", rule["sources"], sorted(set(local), key=local.index)))
    return params


_KIND_LABELS = {"front_end_pool": "Front End pool", "director_pool": "Director pool",
                "office_web_apps": "Office Web Apps farm"}


def _members(route: dict) -> dict:
    """Farm member name -> address. ARR connects to a member by the name it is given and checks
    the back-end certificate against it, so members are names the certificate carries: one
    address (a VIP, or a single server) is the backend's published FQDN; several servers are
    their own FQDNs ({address, fqdn} servers). The proxy resolves them through its hosts file."""
    addresses = route["backend_addresses"]
    if len(addresses) == 1:
        return {route["backend_fqdn"]: addresses[0]}
    names = route.get("backend_names") or {}
    missing = [address for address in addresses if address not in names]
    if missing:
        raise PortModelError(
            "%s %s: IIS ARR connects to farm members by name and checks their certificates against it, but the "
            "pool has %d servers, no vip, and no fqdn for %s; give each server as {address, fqdn} (the name its "
            "certificate carries), or give the vip of its load balancer"
            % (_KIND_LABELS[route["backend_kind"]], route["backend"], len(addresses), ", ".join(missing)))
    return {names[address]: address for address in addresses}


def arr_configuration(model: dict, timeout: int = 960) -> dict:
    """IIS ARR server farms (one per published URL group, as Microsoft's guidance has it), their
    members by name with the hosts entries that resolve them, and URL Rewrite rules (one per
    published name and port)."""
    if not isinstance(timeout, int) or timeout < 1:
        raise PortModelError("timeout must be a positive number of seconds, got %r" % (timeout,))
    farms, rules, hosts = {}, [], {}
    for route in model["routes"]:
        if route["redirect_to_https"]:
            for name in route["host_names"]:
                rules.append({"name": "%s/%s/http-redirect" % (GROUP, name), "host": name, "https": False,
                              "action": "Redirect", "url": "https://{HTTP_HOST}/{R:0}"})
            continue
        # One farm per published URL group (the route without its scheme), shared by its 443
        # and port-80 routes: httpsPort for the first, httpPort for the second.
        farm = FARM_PREFIX + route["name"].split("-", 1)[1]
        http_port, https_port = _FARM_PORTS[route["backend_kind"]]
        members = _members(route)
        for name, address in members.items():
            if hosts.setdefault(name, address) != address:
                raise PortModelError("%s would resolve to %s and to %s on the proxy" % (name, hosts[name], address))
        farms.setdefault(farm, {
            "name": farm, "servers": sorted(members), "http_port": http_port,
            "https_port": https_port, "timeout": "%02d:%02d:%02d" % (timeout // 3600, timeout % 3600 // 60, timeout % 60),
            "disk_cache": False, "ssl_offload": False, "backend_fqdn": route["backend_fqdn"],
            # Requests routed to a farm use the farm's own protocol settings, not system.webServer/proxy.
            "preserve_host_header": True, "reverse_rewrite_host_in_response_headers": False,
        })
        scheme = "https" if route["backend_tls"] else "http"
        for name in route["host_names"]:
            rules.append({"name": "%s/%s/%s" % (GROUP, name, scheme), "host": name, "https": route["backend_tls"],
                          "action": "Rewrite", "url": "%s://%s/{R:0}" % (scheme, farm)})
    return {"farms": list(farms.values()), "rules": rules, "preserve_host_header": True,
            "hosts": [{"name": name, "address": hosts[name]} for name in sorted(hosts)]}


def _ps_string(value: str) -> str:
    return "'%s'" % str(value).replace("'", "''")


def _ps_array(values: list) -> str:
    return "@(%s)" % ", ".join(_ps_string(v) for v in values)


_DIRECTION = {"in": "Inbound", "out": "Outbound"}


def _block(out: list, target: str, action: str, lines: list) -> None:
    """``lines`` run only when the operator's -WhatIf / -Confirm lets them (ShouldProcess)."""
    out.append("if ($PSCmdlet.ShouldProcess(%s, %s)) {" % (_ps_string(target), _ps_string(action)))
    out.extend(("    " + line) if line else "" for line in lines)
    out.append("}")


def arr_script() -> str:
    """The rp_iis_arr role's ARR script (``roles/rp_iis_arr/files/arr.ps1``): the one PowerShell
    source for ARR, run by the role through win_powershell and embedded in the rendered script."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", *ARR_SCRIPT)
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        raise PortModelError("the ARR script %s is missing from the installed collection (%s)"
                             % ("/".join(ARR_SCRIPT), os.path.normpath(path))) from None


def _arr_lines(arr: dict) -> list:
    """The role's script as a script block, called with the model's configuration."""
    script = arr_script().rstrip("\n").splitlines()
    configuration = json.dumps(arr, indent=2, sort_keys=True).splitlines()
    if any(line.startswith("'@") for line in configuration):  # cannot happen with JSON; kept honest
        raise PortModelError("the ARR configuration cannot be quoted for PowerShell")
    return (["$Ansible = [pscustomobject]@{ Changed = $false; Diff = $null }",
             "$ArrConfiguration = @'"] + configuration + ["'@", "$ArrScript = {"] + script
            + ["}", "& $ArrScript -Configuration $ArrConfiguration -Group $Group -FarmPrefix %s" % _ps_string(FARM_PREFIX),
               "if ($Ansible.Changed) { Write-Output ('changed:' + \"`n\" + $Ansible.Diff.after) }"])


def render_powershell(firewall_rules: list, arr: dict | None = None) -> str:
    """A script a person can review and run (with -WhatIf first): our firewall rules (remove-then-add
    within our group) and, for a reverse proxy, the hosts entries of the farm members and the ARR
    farms and rewrite rules (remove-then-add of ours). Every change runs under ShouldProcess."""
    out = [
        "#Requires -RunAsAdministrator",
        "# Written by lync.reverse_proxy from the Lync reverse-proxy port model. Review it, run it with",
        "# -WhatIf to see what it would change, then run it as an administrator. Running it again gives",
        "# the same result: it removes what carries the collection's names and adds the model's rules",
        "# again; nothing else is touched.",
        "[CmdletBinding(SupportsShouldProcess)]",
        "param()",
        "$ErrorActionPreference = 'Stop'",
        "$Group = %s" % _ps_string(GROUP),
        "",
        "# Windows Firewall",
    ]
    firewall = ["Get-NetFirewallRule -Group $Group -ErrorAction SilentlyContinue | Remove-NetFirewallRule"]
    for rule in firewall_rules:
        port_key = "-LocalPort" if rule["direction"] == "in" else "-RemotePort"
        port = rule.get("localport") or rule.get("remoteport")
        args = [
            "-Name %s" % _ps_string(rule["name"]),
            "-DisplayName %s" % _ps_string(rule["name"]),
            "-Group $Group",
            "-Direction %s" % _DIRECTION[rule["direction"]],
            "-Action Allow",
            "-Protocol TCP",
            "%s %s" % (port_key, port),
            "-RemoteAddress %s" % ("Any" if rule["remoteip"] == "any" else _ps_array(rule["remoteip"].split(","))),
            "-LocalAddress %s" % ("Any" if rule["localip"] == "any" else _ps_array(rule["localip"].split(","))),
            "-Profile Any",
            "-Description %s" % _ps_string(rule["description"]),
        ]
        firewall.append("New-NetFirewallRule %s | Out-Null" % " `\n    ".join(args))
    _block(out, "Windows Firewall rules of group %s" % GROUP, "remove ours and add the model's", firewall)
    if arr:
        out.extend([
            "",
            "# The farm members by name (ARR checks the back-end certificates against them), resolved on this proxy",
            "$HostsFile = Join-Path $env:SystemRoot 'System32\\drivers\\etc\\hosts'",
            "$Marker = '# ' + $Group",
            "$Ours = %s" % _ps_array(["%s %s" % (entry["address"], entry["name"]) for entry in arr.get("hosts", [])]),
        ])
        _block(out, "hosts file", "replace the lines marked with the collection's name", [
            "$Kept = @(Get-Content -Path $HostsFile | Where-Object { -not $_.EndsWith($Marker) })",
            "Set-Content -Path $HostsFile -Encoding ASCII -Value ($Kept + @($Ours | ForEach-Object { $_ + ' ' + $Marker }))",
        ])
        out.extend([
            "",
            "# IIS Application Request Routing (server farms %s*) and URL Rewrite (global rules %s/*): the" % (
                FARM_PREFIX, GROUP),
            "# rp_iis_arr role's own script (roles/rp_iis_arr/files/arr.ps1) with the model's configuration;",
            "# it changes only what differs, every change under ShouldProcess (-WhatIf lists them).",
        ])
        out.extend(_arr_lines(arr))
    out.append("")
    out.append("Write-Output %s" % _ps_string("lync.reverse_proxy: %d firewall rules%s applied" % (
        len(firewall_rules), (", %d farms and %d rewrite rules" % (len(arr["farms"]), len(arr["rules"]))) if arr else "")))
    return "\n".join(out) + "\n"


def render_application_host(arr: dict) -> str:
    """The ARR configuration as the applicationHost.config elements it becomes, for a person to
    review beside Microsoft's guidance (what the role's script and the rendered script write)."""
    def attrs(**values) -> str:
        return " ".join("%s=%s" % (key, quoteattr(str(value).lower() if isinstance(value, bool) else str(value)))
                        for key, value in values.items())

    out = ["<!-- IIS applicationHost.config: the elements lync.reverse_proxy keeps (farms %s*, rules %s/*) -->"
           % (FARM_PREFIX, GROUP), "<webFarms>"]
    for farm in arr["farms"]:
        out.append("  <webFarm %s>" % attrs(name=farm["name"], enabled=True))
        for server in farm["servers"]:
            out.append("    <server %s>" % attrs(address=server, enabled=True))
            out.append("      <applicationRequestRouting %s />" % attrs(httpPort=farm["http_port"], httpsPort=farm["https_port"]))
            out.append("    </server>")
        out.append("    <applicationRequestRouting>")
        protocol = attrs(timeout=farm["timeout"], preserveHostHeader=farm["preserve_host_header"],
                         reverseRewriteHostInResponseHeaders=farm["reverse_rewrite_host_in_response_headers"])
        out.append("      <protocol %s>" % protocol)
        out.append("        <cache %s />" % attrs(enabled=farm["disk_cache"]))
        out.append("      </protocol>")
        out.append("    </applicationRequestRouting>")
        out.append("  </webFarm>")
    out.append("</webFarms>")
    out.append("<system.webServer>")
    proxy = attrs(enabled=True, preserveHostHeader=arr["preserve_host_header"], reverseRewriteHostInResponseHeaders=False)
    out.append("  <proxy %s />" % proxy)
    out.append("  <rewrite>")
    out.append("    <globalRules>")
    for rule in arr["rules"]:
        out.append("      <rule %s>" % attrs(name=rule["name"], patternSyntax="Wildcard", stopProcessing=True))
        out.append("        <match %s />" % attrs(url="*"))
        out.append("        <conditions>")
        out.append("          <add %s />" % attrs(input="{HTTP_HOST}", pattern=rule["host"]))
        out.append("          <add %s />" % attrs(input="{HTTPS}", pattern="on" if rule["https"] else "off"))
        out.append("        </conditions>")
        out.append("        <action %s />" % attrs(type=rule["action"], url=rule["url"]))
        out.append("      </rule>")
    out.append("    </globalRules>")
    out.append("  </rewrite>")
    out.append("</system.webServer>")
    out.append("<!-- %SystemRoot%\\System32\\drivers\\etc\\hosts on the proxy -->")
    out.extend("<!-- %s %s -->" % (entry["address"], entry["name"]) for entry in arr["hosts"])
    return "\n".join(out) + "\n"
