# Keeps the bindings of the IIS site equal to the listener's (JSON from the
# lync.reverse_proxy.iis_bindings filter: 443 https, and 80 http when the model opens it, on the
# listener addresses only): other bindings of the site (such as *:80:) are removed, missing ones
# added, and each https binding gets the listener certificate (-Thumbprint, in LocalMachine\My)
# when it has another one or none - a renewed certificate is a change, reported as one. Supports
# check mode (-WhatIf through ansible.windows.win_powershell: nothing is bound, not even the
# certificate), reports a diff, and reports a change only when it makes one.
[CmdletBinding(SupportsShouldProcess)]
param (
    [Parameter(Mandatory = $true)]
    [string]$Site,
    [Parameter(Mandatory = $true)]
    [string]$Bindings,
    [Parameter(Mandatory = $true)]
    [string]$Thumbprint
)

$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false
Import-Module WebAdministration
# Assigned first: Windows PowerShell's ConvertFrom-Json writes a JSON array as one object.
$wantedBindings = ConvertFrom-Json -InputObject $Bindings
$wanted = @($wantedBindings | ForEach-Object {
        @{ ip = [string]$_.ip; port = [int]$_.port; protocol = [string]$_.protocol; information = '{0}:{1}:' -f $_.ip, $_.port }
    })
$current = @(Get-WebBinding -Name $Site)
$before = @($current | ForEach-Object { '{0} {1} {2}' -f $_.protocol, $_.bindingInformation, $_.certificateHash } | Sort-Object)
$after = @($wanted | ForEach-Object {
        $hash = if ($_.protocol -eq 'https') { $Thumbprint } else { '' }
        '{0} {1} {2}' -f $_.protocol, $_.information, $hash
    } | Sort-Object)
$Ansible.Diff = @{ before = ($before | ForEach-Object { "$_`n" }) -join ''; after = ($after | ForEach-Object { "$_`n" }) -join '' }

foreach ($binding in $current) {
    $match = @($wanted | Where-Object { $_.information -eq $binding.bindingInformation -and $_.protocol -eq $binding.protocol })
    if ($match.Count -gt 0) { continue }
    $Ansible.Changed = $true
    if ($PSCmdlet.ShouldProcess("$Site $($binding.protocol) $($binding.bindingInformation)", 'remove the binding')) {
        $binding | Remove-WebBinding
    }
}

foreach ($binding in $wanted) {
    $found = @($current | Where-Object { $_.bindingInformation -eq $binding.information -and $_.protocol -eq $binding.protocol })
    if ($found.Count -eq 0) {
        $Ansible.Changed = $true
        if ($PSCmdlet.ShouldProcess("$Site $($binding.protocol) $($binding.information)", 'add the binding')) {
            New-WebBinding -Name $Site -IPAddress $binding.ip -Port $binding.port -Protocol $binding.protocol
        }
    }
    if ($binding.protocol -ne 'https') { continue }
    $hash = if ($found.Count -gt 0) { [string]$found[0].certificateHash } else { '' }
    if ($hash -eq $Thumbprint) { continue }
    $Ansible.Changed = $true
    if ($PSCmdlet.ShouldProcess("$Site https $($binding.information)", "bind the listener certificate $Thumbprint")) {
        $target = Get-WebBinding -Name $Site -Protocol 'https' | Where-Object { $_.bindingInformation -eq $binding.information }
        if ($hash) {
            $target.RemoveSslCertificate()
        }
        $target.AddSslCertificate($Thumbprint, 'My')
    }
}
