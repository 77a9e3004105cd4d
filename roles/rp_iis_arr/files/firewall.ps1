# The listener's admission, besides the rules the role keeps with
# community.windows.win_firewall_rule: removes the rules of the collection's group whose names say
# they admit the listener (-Prefix) but that the model no longer has (-Keep), and, with
# -DisableIisRules, disables the Windows Firewall rules the IIS feature creates (World Wide Web
# Services HTTP and HTTPS, open to any address) - Windows admits what any enabled allow rule
# matches, so they would admit more than the listener rules. Run after the listener rules exist.
# Supports check mode (-WhatIf through ansible.windows.win_powershell) and reports a change only
# when it makes one.
[CmdletBinding(SupportsShouldProcess)]
param (
    [string[]]$Keep = @(),
    [string]$Group = 'lync.reverse_proxy',
    [string]$Prefix = 'lync.reverse_proxy/external-',
    [switch]$DisableIisRules,
    [string[]]$IisRules = @('IIS-WebServerRole-HTTP-In-TCP', 'IIS-WebServerRole-HTTPS-In-TCP')
)

$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false
$stale = @(Get-NetFirewallRule -Group $Group -ErrorAction SilentlyContinue |
        Where-Object { $_.DisplayName.StartsWith($Prefix) -and $Keep -notcontains $_.DisplayName })
foreach ($rule in $stale) {
    $Ansible.Changed = $true
    if ($PSCmdlet.ShouldProcess($rule.DisplayName, 'remove the listener rule the model no longer has')) {
        Remove-NetFirewallRule -Name $rule.Name
    }
}
$open = @()
if ($DisableIisRules) {
    $open = @(Get-NetFirewallRule -Name $IisRules -ErrorAction SilentlyContinue | Where-Object { $_.Enabled -eq 'True' })
}
foreach ($rule in $open) {
    $Ansible.Changed = $true
    if ($PSCmdlet.ShouldProcess($rule.Name, 'disable the rule IIS created')) {
        Disable-NetFirewallRule -Name $rule.Name
    }
}
$Ansible.Result = @{ removed = @($stale | ForEach-Object { $_.DisplayName }); disabled = @($open | ForEach-Object { $_.Name }) }
