# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Windows renderings of the model: Windows Firewall rule parameters, the IIS ARR configuration,
and a PowerShell script that applies both. PRIVATE to the lync.reverse_proxy collection.

Every decision is made here, on the controller; what runs on Windows is either
community.windows.win_firewall_rule fed with these parameters, or the rendered script.
"""

from __future__ import annotations

from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._compute import host_text
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._errors import PortModelError
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model._select import select_rules

__all__ = ["GROUP", "arr_configuration", "render_powershell", "windows_firewall_rules"]

GROUP = "lync.reverse_proxy"
FARM_PREFIX = "lync-"
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


def arr_configuration(model: dict, timeout: int = 960) -> dict:
    """IIS ARR server farms (one per published URL group, as Microsoft's guidance has it) and URL
    Rewrite rules (one per published name and port)."""
    if not isinstance(timeout, int) or timeout < 1:
        raise PortModelError("timeout must be a positive number of seconds, got %r" % (timeout,))
    farms, rules = {}, []
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
        farms.setdefault(farm, {
            "name": farm, "servers": list(route["backend_addresses"]), "http_port": http_port,
            "https_port": https_port, "timeout": "%02d:%02d:%02d" % (timeout // 3600, timeout % 3600 // 60, timeout % 60),
            "disk_cache": False, "ssl_offload": False, "backend_fqdn": route["backend_fqdn"],
        })
        scheme = "https" if route["backend_tls"] else "http"
        for name in route["host_names"]:
            rules.append({"name": "%s/%s/%s" % (GROUP, name, scheme), "host": name, "https": route["backend_tls"],
                          "action": "Rewrite", "url": "%s://%s/{R:0}" % (scheme, farm)})
    return {"farms": list(farms.values()), "rules": rules, "preserve_host_header": True}


def _ps_string(value: str) -> str:
    return "'%s'" % str(value).replace("'", "''")


def _ps_array(values: list) -> str:
    return "@(%s)" % ", ".join(_ps_string(v) for v in values)


_DIRECTION = {"in": "Inbound", "out": "Outbound"}


def render_powershell(firewall_rules: list, arr: dict | None = None) -> str:
    """A script a person can review and run: our firewall rules (remove-then-add within our
    group) and, for a reverse proxy, the ARR farms and rewrite rules (remove-then-add of ours)."""
    out = [
        "#Requires -RunAsAdministrator",
        "# Written by lync.reverse_proxy from the Lync reverse-proxy port model. Review, then run it",
        "# as an administrator. Running it again gives the same result: it removes what carries the",
        "# collection's names and adds the model's rules again; nothing else is touched.",
        "$ErrorActionPreference = 'Stop'",
        "$Group = %s" % _ps_string(GROUP),
        "",
        "# Windows Firewall",
        "Get-NetFirewallRule -Group $Group -ErrorAction SilentlyContinue | Remove-NetFirewallRule",
    ]
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
        out.append("New-NetFirewallRule %s | Out-Null" % " `\n    ".join(args))
    if arr:
        out.extend([
            "",
            "# IIS Application Request Routing (server farms) and URL Rewrite (global rules)",
            "Import-Module WebAdministration",
            "$AppHost = 'MACHINE/WEBROOT/APPHOST'",
            "$Farms = %s" % _ps_array([farm["name"] for farm in arr["farms"]]),
            "Get-WebConfiguration -PSPath $AppHost -Filter 'system.webServer/rewrite/globalRules/rule' |",
            "    Where-Object { $_.name -like ($Group + '/*') } |",
            "    ForEach-Object { Clear-WebConfiguration -PSPath $AppHost -Filter (\"system.webServer/rewrite/globalRules/rule[@name='\" + $_.name + \"']\") }",
            "Get-WebConfiguration -PSPath $AppHost -Filter 'webFarms/webFarm' |",
            "    Where-Object { $_.name -like '%s*' } |" % FARM_PREFIX,
            "    ForEach-Object { Clear-WebConfiguration -PSPath $AppHost -Filter (\"webFarms/webFarm[@name='\" + $_.name + \"']\") }",
            "Set-WebConfigurationProperty -PSPath $AppHost -Filter 'system.webServer/proxy' -Name 'enabled' -Value $true",
            "Set-WebConfigurationProperty -PSPath $AppHost -Filter 'system.webServer/proxy' -Name 'preserveHostHeader' -Value $true",
            "Set-WebConfigurationProperty -PSPath $AppHost -Filter 'system.webServer/proxy' -Name 'reverseRewriteHostInResponseHeaders' -Value $false",
        ])
        for farm in arr["farms"]:
            base = "\"webFarms/webFarm[@name='%s']\"" % farm["name"]
            out.append("")
            out.append("# farm %s (%s)" % (farm["name"], farm["backend_fqdn"]))
            out.append("Add-WebConfigurationProperty -PSPath $AppHost -Filter 'webFarms' -Name '.' -Value @{ name = %s }"
                       % _ps_string(farm["name"]))
            for server in farm["servers"]:
                out.append("Add-WebConfigurationProperty -PSPath $AppHost -Filter %s -Name '.' -Value @{ address = %s }"
                           % (base, _ps_string(server)))
                server_filter = "\"webFarms/webFarm[@name='%s']/server[@address='%s']/applicationRequestRouting\"" % (
                    farm["name"], server)
                out.append("Set-WebConfigurationProperty -PSPath $AppHost -Filter %s -Name 'httpPort' -Value %d"
                           % (server_filter, farm["http_port"]))
                out.append("Set-WebConfigurationProperty -PSPath $AppHost -Filter %s -Name 'httpsPort' -Value %d"
                           % (server_filter, farm["https_port"]))
            protocol = "\"webFarms/webFarm[@name='%s']/applicationRequestRouting/protocol\"" % farm["name"]
            out.append("Set-WebConfigurationProperty -PSPath $AppHost -Filter %s -Name 'timeout' -Value %s"
                       % (protocol, _ps_string(farm["timeout"])))
            out.append("Set-WebConfigurationProperty -PSPath $AppHost -Filter (%s + '/cache') -Name 'enabled' -Value $false"
                       % protocol)
        for rule in arr["rules"]:
            rule_filter = "\"system.webServer/rewrite/globalRules/rule[@name='%s']\"" % rule["name"]
            out.append("")
            out.append("# %s -> %s" % (rule["host"], rule["url"]))
            out.append("Add-WebConfigurationProperty -PSPath $AppHost -Filter 'system.webServer/rewrite/globalRules' "
                       "-Name '.' -Value @{ name = %s; patternSyntax = 'Wildcard'; stopProcessing = $true }"
                       % _ps_string(rule["name"]))
            out.append("Set-WebConfigurationProperty -PSPath $AppHost -Filter (%s + '/match') -Name 'url' -Value '*'"
                       % rule_filter)
            out.append("Add-WebConfigurationProperty -PSPath $AppHost -Filter (%s + '/conditions') -Name '.' "
                       "-Value @{ input = '{HTTP_HOST}'; pattern = %s }" % (rule_filter, _ps_string(rule["host"])))
            out.append("Add-WebConfigurationProperty -PSPath $AppHost -Filter (%s + '/conditions') -Name '.' "
                       "-Value @{ input = '{HTTPS}'; pattern = %s }" % (rule_filter, _ps_string("on" if rule["https"] else "off")))
            out.append("Set-WebConfigurationProperty -PSPath $AppHost -Filter (%s + '/action') -Name 'type' -Value %s"
                       % (rule_filter, _ps_string(rule["action"])))
            out.append("Set-WebConfigurationProperty -PSPath $AppHost -Filter (%s + '/action') -Name 'url' -Value %s"
                       % (rule_filter, _ps_string(rule["url"])))
    out.append("")
    out.append("Write-Output %s" % _ps_string("lync.reverse_proxy: %d firewall rules%s applied" % (
        len(firewall_rules), (", %d farms and %d rewrite rules" % (len(arr["farms"]), len(arr["rules"]))) if arr else "")))
    return "\n".join(out) + "\n"
