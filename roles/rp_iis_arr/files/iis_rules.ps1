# Disables the Windows Firewall rules the IIS feature creates (World Wide Web Services HTTP and
# HTTPS, open to any address): on a reverse proxy the collection's rules admit the listener
# exactly, and an enabled allow rule open to everyone would admit more (Windows admits what any
# allow rule matches). Supports check mode (-WhatIf).
[CmdletBinding(SupportsShouldProcess)]
param (
    [string[]]$Names = @('IIS-WebServerRole-HTTP-In-TCP', 'IIS-WebServerRole-HTTPS-In-TCP')
)

$ErrorActionPreference = 'Stop'
$enabled = @(Get-NetFirewallRule -Name $Names -ErrorAction SilentlyContinue | Where-Object { $_.Enabled -eq 'True' })
foreach ($rule in $enabled) {
    $Ansible.Changed = $true
    if ($PSCmdlet.ShouldProcess($rule.Name, 'disable the rule IIS created')) {
        Disable-NetFirewallRule -Name $rule.Name
    }
}
$Ansible.Result = @{ disabled = @($enabled | ForEach-Object { $_.Name }) }
