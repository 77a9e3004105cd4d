# Keeps the IIS ARR server farms named lync-* (members by the names their certificates carry,
# resolved through the proxy's hosts file) and the URL Rewrite global rules named
# lync.reverse_proxy/* equal to the port model's ARR configuration (JSON from the
# lync.reverse_proxy.arr_configuration filter): missing ones are added, differing ones updated in
# place, ones the model no longer has removed; nothing else is touched. A rule keeps its conditions
# while it is updated, and a new rule is added disabled and enabled once it is complete, so no rule
# ever matches more than the model says. Supports check mode (-WhatIf through
# ansible.windows.win_powershell), reports a diff, and reports a change only when it makes one.
[CmdletBinding(SupportsShouldProcess)]
param (
    [Parameter(Mandatory = $true)]
    [string]$Configuration,
    [string]$Group = 'lync.reverse_proxy',
    [string]$FarmPrefix = 'lync-'
)

$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false
Import-Module WebAdministration
$AppHost = 'MACHINE/WEBROOT/APPHOST'
$desired = $Configuration | ConvertFrom-Json

function Get-FarmFilter([string]$Name) {
    "webFarms/webFarm[@name='$Name']"
}

function Get-RuleFilter([string]$Name) {
    "system.webServer/rewrite/globalRules/rule[@name='$Name']"
}

function Get-OurFarms {
    $farms = @{}
    foreach ($farm in @(Get-WebConfiguration -PSPath $AppHost -Filter 'webFarms/webFarm')) {
        if (-not $farm.name.StartsWith($FarmPrefix)) { continue }
        $filter = Get-FarmFilter $farm.name
        $servers = @{}
        foreach ($server in @(Get-WebConfiguration -PSPath $AppHost -Filter "$filter/server")) {
            $routing = Get-WebConfiguration -PSPath $AppHost -Filter "$filter/server[@address='$($server.address)']/applicationRequestRouting"
            $servers[[string]$server.address] = '{0}/{1}' -f $routing.httpPort, $routing.httpsPort
        }
        $protocol = Get-WebConfiguration -PSPath $AppHost -Filter "$filter/applicationRequestRouting/protocol"
        $cache = Get-WebConfiguration -PSPath $AppHost -Filter "$filter/applicationRequestRouting/protocol/cache"
        $farms[[string]$farm.name] = @{
            servers = $servers
            timeout = [string]$protocol.timeout
            cache = [bool]$cache.enabled
            host = '{0}/{1}' -f [bool]$protocol.preserveHostHeader, [bool]$protocol.reverseRewriteHostInResponseHeaders
        }
    }
    $farms
}

function Get-OurRules {
    $rules = @{}
    foreach ($rule in @(Get-WebConfiguration -PSPath $AppHost -Filter 'system.webServer/rewrite/globalRules/rule')) {
        if (-not $rule.name.StartsWith("$Group/")) { continue }
        $filter = Get-RuleFilter $rule.name
        $conditions = @{}
        foreach ($condition in @(Get-WebConfiguration -PSPath $AppHost -Filter "$filter/conditions/add")) {
            $conditions[[string]$condition.input] = [string]$condition.pattern
        }
        $match = Get-WebConfiguration -PSPath $AppHost -Filter "$filter/match"
        $action = Get-WebConfiguration -PSPath $AppHost -Filter "$filter/action"
        $rules[[string]$rule.name] = @{
            conditions = $conditions
            settings = '{0}/{1}/{2}/{3}' -f $rule.patternSyntax, [bool]$rule.stopProcessing, [bool]$rule.enabled, $match.url
            action = '{0} {1}' -f $action.type, $action.url
        }
    }
    $rules
}

function ConvertTo-RuleText($Rule) {
    $conditions = @($Rule.conditions.Keys | Sort-Object | ForEach-Object { '{0}={1}' -f $_, $Rule.conditions[$_] }) -join ';'
    '{0} {1} {2}' -f $Rule.settings, $conditions, $Rule.action
}

function ConvertTo-Text($Farms, $Rules) {
    $lines = @()
    foreach ($name in @($Farms.Keys | Sort-Object)) {
        $farm = $Farms[$name]
        $servers = @($farm.servers.Keys | Sort-Object | ForEach-Object { '{0}:{1}' -f $_, $farm.servers[$_] }) -join ' '
        $lines += 'farm {0} servers={1} timeout={2} cache={3} preserveHost/reverseRewrite={4}' -f $name, $servers, $farm.timeout, $farm.cache, $farm.host
    }
    foreach ($name in @($Rules.Keys | Sort-Object)) {
        $lines += 'rule {0} {1}' -f $name, (ConvertTo-RuleText $Rules[$name])
    }
    ($lines -join "`n") + "`n"
}

$currentFarms = Get-OurFarms
$currentRules = Get-OurRules
$wantedFarms = @{}
foreach ($farm in @($desired.farms)) {
    $servers = @{}
    foreach ($server in @($farm.servers)) { $servers[[string]$server] = '{0}/{1}' -f $farm.http_port, $farm.https_port }
    $hostHeader = '{0}/{1}' -f [bool]$farm.preserve_host_header, [bool]$farm.reverse_rewrite_host_in_response_headers
    $wantedFarms[[string]$farm.name] = @{ servers = $servers; timeout = [string]$farm.timeout; cache = $false; host = $hostHeader; spec = $farm }
}
$wantedRules = @{}
foreach ($rule in @($desired.rules)) {
    $https = if ($rule.https) { 'on' } else { 'off' }
    $wantedRules[[string]$rule.name] = @{
        conditions = @{ '{HTTP_HOST}' = [string]$rule.host; '{HTTPS}' = $https }
        settings = 'Wildcard/True/True/*'
        action = '{0} {1}' -f $rule.action, $rule.url
        spec = $rule
    }
}
$Ansible.Diff = @{ before = ConvertTo-Text $currentFarms $currentRules; after = ConvertTo-Text $wantedFarms $wantedRules }

# The proxy keeps the Host header; responses are not rewritten back.
$proxy = Get-WebConfiguration -PSPath $AppHost -Filter 'system.webServer/proxy'
if (-not $proxy.enabled -or -not $proxy.preserveHostHeader -or $proxy.reverseRewriteHostInResponseHeaders) {
    $Ansible.Changed = $true
    if ($PSCmdlet.ShouldProcess('system.webServer/proxy', 'enable, preserve the Host header')) {
        Set-WebConfigurationProperty -PSPath $AppHost -Filter 'system.webServer/proxy' -Name 'enabled' -Value $true
        Set-WebConfigurationProperty -PSPath $AppHost -Filter 'system.webServer/proxy' -Name 'preserveHostHeader' -Value $true
        Set-WebConfigurationProperty -PSPath $AppHost -Filter 'system.webServer/proxy' -Name 'reverseRewriteHostInResponseHeaders' -Value $false
    }
}

# Rules the model no longer has go first (they route to farms that may go next).
foreach ($name in @($currentRules.Keys)) {
    if ($wantedRules.ContainsKey($name)) { continue }
    $Ansible.Changed = $true
    if ($PSCmdlet.ShouldProcess($name, 'remove rewrite rule')) {
        Clear-WebConfiguration -PSPath $AppHost -Filter (Get-RuleFilter $name)
    }
}

foreach ($name in @($currentFarms.Keys)) {
    if ($wantedFarms.ContainsKey($name)) { continue }
    $Ansible.Changed = $true
    if ($PSCmdlet.ShouldProcess($name, 'remove server farm')) {
        Clear-WebConfiguration -PSPath $AppHost -Filter (Get-FarmFilter $name)
    }
}

foreach ($name in @($wantedFarms.Keys)) {
    $wanted = $wantedFarms[$name]
    $filter = Get-FarmFilter $name
    $current = $currentFarms[$name]
    if ($null -eq $current) {
        $Ansible.Changed = $true
        if ($PSCmdlet.ShouldProcess($name, 'add server farm')) {
            Add-WebConfigurationProperty -PSPath $AppHost -Filter 'webFarms' -Name '.' -Value @{ name = $name }
        }
        $current = @{ servers = @{}; timeout = ''; cache = $true; host = '' }
    }
    foreach ($address in @($current.servers.Keys)) {
        if ($wanted.servers.ContainsKey($address)) { continue }
        $Ansible.Changed = $true
        if ($PSCmdlet.ShouldProcess("$name/$address", 'remove server')) {
            Clear-WebConfiguration -PSPath $AppHost -Filter "$filter/server[@address='$address']"
        }
    }
    foreach ($address in @($wanted.servers.Keys)) {
        if ($current.servers[$address] -eq $wanted.servers[$address]) { continue }
        $Ansible.Changed = $true
        if ($PSCmdlet.ShouldProcess("$name/$address", 'add or update server')) {
            if (-not $current.servers.ContainsKey($address)) {
                Add-WebConfigurationProperty -PSPath $AppHost -Filter $filter -Name '.' -Value @{ address = $address }
            }
            $routing = "$filter/server[@address='$address']/applicationRequestRouting"
            Set-WebConfigurationProperty -PSPath $AppHost -Filter $routing -Name 'httpPort' -Value $wanted.spec.http_port
            Set-WebConfigurationProperty -PSPath $AppHost -Filter $routing -Name 'httpsPort' -Value $wanted.spec.https_port
        }
    }
    if ($current.timeout -ne $wanted.timeout -or $current.cache -or $current.host -ne $wanted.host) {
        $Ansible.Changed = $true
        if ($PSCmdlet.ShouldProcess($name, 'set time-out, Host header kept, responses not rewritten, disk cache off')) {
            # Requests routed to a farm use the farm's protocol settings, not system.webServer/proxy.
            Set-WebConfigurationProperty -PSPath $AppHost -Filter "$filter/applicationRequestRouting/protocol" -Name 'timeout' -Value $wanted.timeout
            Set-WebConfigurationProperty -PSPath $AppHost -Filter "$filter/applicationRequestRouting/protocol" -Name 'preserveHostHeader' -Value ([bool]$wanted.spec.preserve_host_header)
            Set-WebConfigurationProperty -PSPath $AppHost -Filter "$filter/applicationRequestRouting/protocol" -Name 'reverseRewriteHostInResponseHeaders' -Value ([bool]$wanted.spec.reverse_rewrite_host_in_response_headers)
            Set-WebConfigurationProperty -PSPath $AppHost -Filter "$filter/applicationRequestRouting/protocol/cache" -Name 'enabled' -Value $false
        }
    }
}

foreach ($name in @($wantedRules.Keys)) {
    $wanted = $wantedRules[$name]
    $rule = $wanted.spec
    $filter = Get-RuleFilter $name
    $current = $currentRules[$name]
    if ($null -eq $current) {
        # Added disabled, completed, then enabled: a rule without its conditions would match every request.
        $Ansible.Changed = $true
        if ($PSCmdlet.ShouldProcess($name, 'add rewrite rule')) {
            Add-WebConfigurationProperty -PSPath $AppHost -Filter 'system.webServer/rewrite/globalRules' -Name '.' -Value @{ name = $name; enabled = $false; patternSyntax = 'Wildcard'; stopProcessing = $true }
            Set-WebConfigurationProperty -PSPath $AppHost -Filter "$filter/match" -Name 'url' -Value '*'
            foreach ($variable in @($wanted.conditions.Keys | Sort-Object)) {
                Add-WebConfigurationProperty -PSPath $AppHost -Filter "$filter/conditions" -Name '.' -Value @{ input = $variable; pattern = $wanted.conditions[$variable] }
            }
            Set-WebConfigurationProperty -PSPath $AppHost -Filter "$filter/action" -Name 'type' -Value $rule.action
            Set-WebConfigurationProperty -PSPath $AppHost -Filter "$filter/action" -Name 'url' -Value $rule.url
            Set-WebConfigurationProperty -PSPath $AppHost -Filter $filter -Name 'enabled' -Value $true
        }
        continue
    }
    if ((ConvertTo-RuleText $current) -eq (ConvertTo-RuleText $wanted)) { continue }
    # Updated in place: the wanted conditions are set (or added) first, conditions the model does
    # not have are removed last - each only narrows what the rule matches until then.
    $Ansible.Changed = $true
    if ($PSCmdlet.ShouldProcess($name, 'update rewrite rule in place')) {
        foreach ($variable in @($wanted.conditions.Keys | Sort-Object)) {
            if (-not $current.conditions.ContainsKey($variable)) {
                Add-WebConfigurationProperty -PSPath $AppHost -Filter "$filter/conditions" -Name '.' -Value @{ input = $variable; pattern = $wanted.conditions[$variable] }
            }
            elseif ($current.conditions[$variable] -ne $wanted.conditions[$variable]) {
                Set-WebConfigurationProperty -PSPath $AppHost -Filter "$filter/conditions/add[@input='$variable']" -Name 'pattern' -Value $wanted.conditions[$variable]
            }
        }
        Set-WebConfigurationProperty -PSPath $AppHost -Filter $filter -Name 'patternSyntax' -Value 'Wildcard'
        Set-WebConfigurationProperty -PSPath $AppHost -Filter $filter -Name 'stopProcessing' -Value $true
        Set-WebConfigurationProperty -PSPath $AppHost -Filter "$filter/match" -Name 'url' -Value '*'
        Set-WebConfigurationProperty -PSPath $AppHost -Filter "$filter/action" -Name 'type' -Value $rule.action
        Set-WebConfigurationProperty -PSPath $AppHost -Filter "$filter/action" -Name 'url' -Value $rule.url
        foreach ($variable in @($current.conditions.Keys)) {
            if (-not $wanted.conditions.ContainsKey($variable)) {
                Clear-WebConfiguration -PSPath $AppHost -Filter "$filter/conditions/add[@input='$variable']"
            }
        }
        Set-WebConfigurationProperty -PSPath $AppHost -Filter $filter -Name 'enabled' -Value $true
    }
}
