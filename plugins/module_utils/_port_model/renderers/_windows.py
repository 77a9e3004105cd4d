# Copyright (c) lync.reverse_proxy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Windows renderings of the model: the IIS ARR configuration, the IIS site bindings of the
listener, and a PowerShell script that applies them with the Windows Firewall rules.
PRIVATE to the lync.reverse_proxy collection.

The Windows Firewall rule parameters are a firewall backend like the others (``_windows_firewall``,
reached through ``_firewall.render_firewall``; ``_firewall.windows_firewall_rules``). Every decision
is made on the controller; what runs on Windows is community.windows.win_firewall_rule fed with
those parameters, the rp_iis_arr role's scripts (roles/rp_iis_arr/files/*.ps1) fed with this data,
or the rendered script, which embeds the same role scripts.
"""

from __future__ import annotations

import json
import re
from xml.sax.saxutils import quoteattr

from ansible_collections.lync.reverse_proxy.plugins.module_utils._names import WINDOWS_FIREWALL_GROUP
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._address import host_text
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._errors import PortModelError
from ansible_collections.lync.reverse_proxy.plugins.module_utils._port_model.model._select import proxy_group, select_rules

__all__ = ["GROUP", "arr_configuration", "iis_bindings", "render_application_host", "render_powershell"]

# The Windows Firewall group of our rules; the script and the rp_iis_arr role's scripts mark what
# they own with it too.
GROUP = WINDOWS_FIREWALL_GROUP
FARM_PREFIX = "lync-"
# The listener rules' names start with this (rule ids of the external interface).
LISTENER_RULE_PREFIX = GROUP + "/external-"
# The rp_iis_arr role's scripts (roles/rp_iis_arr/files) that the rendered script embeds.
ROLE_SCRIPTS = ("hosts.ps1", "arr.ps1")
# Microsoft's sentence on load balancing the Lync web services (Gg429712, reverse proxy publishing).
HLB_ONLY = "The only supported method to load balance HTTP and HTTPS traffic is by using hardware load balancers."
# backend_kind -> (httpPort, httpsPort) of the ARR farm servers
_FARM_PORTS = {"front_end_pool": (8080, 4443), "director_pool": (8080, 4443), "office_web_apps": (80, 443)}


_KIND_LABELS = {"front_end_pool": "Front End pool", "director_pool": "Director pool",
                "office_web_apps": "Office Web Apps farm"}


def _members(route: dict, round_robin: bool, warnings: list) -> dict:
    """Farm member name -> address. ARR connects to a member by the name it is given and checks
    the back-end certificate against it, so members are names the certificate carries: one
    address (a VIP, or a single server) is the backend's published FQDN; several servers are
    their own FQDNs ({address, fqdn} servers). The proxy resolves them through its hosts file.

    Several servers without a VIP make ARR the load balancer: round-robin, no affinity, no health
    test. Microsoft supports only hardware load balancers for the Lync web services, so a Front End
    or Director pool like that is refused unless ``round_robin`` accepts it (then it is a warning);
    an Office Web Apps farm like that is always a warning."""
    addresses = route["backend_addresses"]
    if len(addresses) == 1:
        return {route["backend_fqdn"]: addresses[0]}
    label = "%s %s" % (_KIND_LABELS[route["backend_kind"]], route["backend"])
    unsupported = (
        "%s has %d servers and no vip: IIS ARR would balance its web traffic itself, round-robin with no affinity "
        "and no health test" % (label, len(addresses)))
    if route["backend_kind"] == "office_web_apps":
        sentence = "%s; give the vip of the farm's load balancer" % unsupported
    else:
        sentence = ("%s, which Microsoft does not support for Lync web traffic (\"%s\"); give the vip of the pool's "
                    "hardware load balancer" % (unsupported, HLB_ONLY))
        if not round_robin:
            raise PortModelError(sentence + " (or round_robin true to accept it for a lab)")
    if sentence not in warnings:
        warnings.append(sentence)
    names = route.get("backend_names") or {}
    missing = [address for address in addresses if address not in names]
    if missing:
        raise PortModelError(
            "%s: IIS ARR connects to farm members by name and checks their certificates against it, but the "
            "pool has %d servers, no vip, and no fqdn for %s; give each server as {address, fqdn} (the name its "
            "certificate carries), or give the vip of its load balancer"
            % (label, len(addresses), ", ".join(missing)))
    return {names[address]: address for address in addresses}


def arr_configuration(model: dict, timeout: int = 960, round_robin: bool = False) -> dict:
    """IIS ARR server farms (one per published URL group, as Microsoft's guidance has it), their
    members by name with the hosts entries that resolve them, URL Rewrite rules (one per
    published name and port), and the warnings a person must read (see _members)."""
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1:
        raise PortModelError("timeout must be a positive number of seconds, got %r" % (timeout,))
    if not isinstance(round_robin, bool):
        raise PortModelError("round_robin must be true or false, got %r" % (round_robin,))
    farms, rules, hosts, warnings = {}, [], {}, []
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
        members = _members(route, round_robin, warnings)
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
            "hosts": [{"name": name, "address": hosts[name]} for name in sorted(hosts)], "warnings": warnings}


def iis_bindings(model: dict, reverse_proxy: str) -> list:
    """The IIS site bindings of one reverse proxy's listener: 443 (https) on each listener address,
    and 80 (http) when the model opens it; IPv6 addresses in brackets, as IIS writes them. The
    rp_iis_arr role's bindings.ps1 keeps the site's bindings equal to these (and binds the listener
    certificate to each https one); any other binding of the site (``*:80:``) is removed."""
    rules = select_rules(model, interface="external", reverse_proxy=reverse_proxy)
    group = proxy_group(model, reverse_proxy)
    if group is not None:
        raise PortModelError(
            "reverse proxy %r is a member of reverse_proxy_groups %s, whose virtual addresses keepalived (VRRP) hands "
            "over, which runs on Linux; a Windows reverse proxy with IIS ARR cannot be a member (take it out of the "
            "group, or use Linux proxies with HAProxy or nginx)" % (reverse_proxy, group["name"]))
    addresses = list(dict.fromkeys(host_text(address) for rule in rules for address in rule["destinations"]))
    if not addresses:
        raise PortModelError("reverse proxy %r has no listener addresses in the model: give its external_addresses"
                             % (reverse_proxy,))
    ports = {rule["port"] for rule in rules}
    bindings = []
    for port, protocol in ((443, "https"), (80, "http")):
        if port in ports:
            bindings.extend({"ip": "[%s]" % address if ":" in address else address, "port": port, "protocol": protocol}
                            for address in addresses)
    return bindings


# PowerShell ends a single-quoted string at any of these (about_Quoting_Rules: the ASCII apostrophe
# and the typographic single quotes); each is escaped by doubling it.
_PS_QUOTES = re.compile("(['\u2018\u2019\u201a\u201b])")


def _ps_string(value: str) -> str:
    return "'%s'" % _PS_QUOTES.sub(r"\1\1", str(value))


def _ps_array(values: list) -> str:
    return "@(%s)" % ", ".join(_ps_string(v) for v in values)


_DIRECTION = {"in": "Inbound", "out": "Outbound"}


def _block(out: list, target: str, action: str, lines: list) -> None:
    """``lines`` run only when the operator's -WhatIf / -Confirm lets them (ShouldProcess)."""
    out.append("if ($PSCmdlet.ShouldProcess(%s, %s)) {" % (_ps_string(target), _ps_string(action)))
    out.extend(("    " + line) if line else "" for line in lines)
    out.append("}")


def _embedded(scripts: dict, variable: str, name: str, call: str) -> list:
    """The role's script ``name`` as the script block ``$<variable>``, called with ``call``, and what
    it changed said afterwards (the script sets $Ansible.Changed and $Ansible.Diff as under
    win_powershell)."""
    return (["$%s = {" % variable] + scripts[name].rstrip("\n").splitlines()
            + ["}", "& $%s %s" % (variable, call),
               "if ($Ansible.Changed) { Write-Output ('changed:' + \"`n\" + $Ansible.Diff.after) }"])


def _here_string(lines: list) -> list:
    """Lines as a single-quoted here-string: it ends at a line that starts with a quote and @."""
    if any(_PS_QUOTES.match(line[:1]) and line[1:2] == "@" for line in lines):  # cannot happen with JSON; kept honest
        raise PortModelError("the ARR configuration cannot be quoted for PowerShell")
    return ["@'"] + lines + ["'@"]


def render_powershell(firewall_rules: list, arr: dict | None = None, scripts: dict | None = None) -> str:
    """A script a person can review and run (with -WhatIf first): our firewall rules (removed and
    added again within our group) and, for a reverse proxy, the hosts entries of the farm members
    and the ARR farms and rewrite rules - the rp_iis_arr role's own hosts.ps1 and arr.ps1, which
    compare and change only what differs, given in ``scripts`` (name: text; the caller reads them
    from the role). Every change runs under ShouldProcess."""
    others = sorted({str(rule.get("group", GROUP)) for rule in firewall_rules} - {GROUP})
    if others:
        raise PortModelError("the script keeps the Windows Firewall rules of group %s (and the rp_iis_arr role's "
                             "names under it), not of group %s" % (GROUP, ", ".join(others)))
    if arr:
        missing = [name for name in ROLE_SCRIPTS if not isinstance((scripts or {}).get(name), str)]
        if missing:
            raise PortModelError("the ARR part of the script needs the rp_iis_arr role's %s (scripts=...)"
                                 % " and ".join(missing))
    out = [
        "#Requires -RunAsAdministrator",
        "# Written by lync.reverse_proxy from the Lync reverse-proxy port model. Review it, run it with",
        "# -WhatIf to see what it would change, then run it as an administrator. Running it again gives",
        "# the same result: the firewall rules of the collection's group are removed and the model's",
        "# added again; the hosts entries, farms and rewrite rules that carry the collection's names are",
        "# compared with the model and only what differs is changed; nothing else is touched.",
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
        entries = _ps_array(["%s %s" % (entry["address"], entry["name"]) for entry in arr.get("hosts", [])])
        out.extend(["", "# What the role's scripts report (win_powershell gives them $Ansible)",
                    "$Ansible = [pscustomobject]@{ Changed = $false; Diff = $null; Result = $null }", ""])
        out.extend("# WARNING: " + warning for warning in arr.get("warnings", []))
        out.extend([
            "# The farm members by name (ARR checks the back-end certificates against them), resolved on this",
            "# proxy: the rp_iis_arr role's own script (roles/rp_iis_arr/files/hosts.ps1).",
        ])
        out.extend(_embedded(scripts, "HostsScript", "hosts.ps1", "-Entries %s -Marker $Group" % entries))
        out.extend([
            "",
            "# IIS Application Request Routing (server farms %s*) and URL Rewrite (global rules %s/*): the" % (
                FARM_PREFIX, GROUP),
            "# rp_iis_arr role's own script (roles/rp_iis_arr/files/arr.ps1) with the model's configuration;",
            "# it changes only what differs, every change under ShouldProcess (-WhatIf lists them).",
        ])
        configuration = json.dumps(arr, indent=2, sort_keys=True).splitlines()
        here = _here_string(configuration)
        out.append("$ArrConfiguration = " + here[0])
        out.extend(here[1:])
        out.extend(_embedded(scripts, "ArrScript", "arr.ps1",
                             "-Configuration $ArrConfiguration -Group $Group -FarmPrefix %s" % _ps_string(FARM_PREFIX)))
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
        out.append("      <rule %s>" % attrs(name=rule["name"], enabled=True, patternSyntax="Wildcard", stopProcessing=True))
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
