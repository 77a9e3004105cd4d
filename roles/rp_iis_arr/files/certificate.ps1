# Chooses the listener certificate among those a PFX import added to LocalMachine\My: the one with
# a private key (or the thumbprint given), and moves the chain certificates the PFX carried out of
# My: self-signed ones to Root, the others to CA (intermediate authorities). Supports check mode
# (-WhatIf through ansible.windows.win_powershell); returns the listener thumbprint.
[CmdletBinding(SupportsShouldProcess)]
param (
    [Parameter(Mandatory = $true)]
    [string[]]$Thumbprints,
    [string]$Thumbprint = ''
)

$ErrorActionPreference = 'Stop'
$certificates = @($Thumbprints | ForEach-Object { Get-Item -Path "Cert:\LocalMachine\My\$_" -ErrorAction SilentlyContinue } |
    Where-Object { $null -ne $_ })
if ($Thumbprint) {
    $listener = @($certificates | Where-Object { $_.Thumbprint -eq $Thumbprint.ToUpperInvariant() })
    if ($listener.Count -ne 1) { throw "the PFX did not import certificate $Thumbprint into LocalMachine\My" }
}
else {
    $listener = @($certificates | Where-Object { $_.HasPrivateKey })
    if ($listener.Count -ne 1) {
        throw "the PFX must carry exactly one certificate with a private key (found $($listener.Count)); give rp_iis_arr_certificate_thumbprint"
    }
}
$listener = $listener[0]
$Ansible.Result = @{ thumbprint = $listener.Thumbprint; moved = @() }
foreach ($certificate in $certificates) {
    if ($certificate.Thumbprint -eq $listener.Thumbprint -or $certificate.HasPrivateKey) { continue }
    $store = if ($certificate.Subject -eq $certificate.Issuer) { 'Root' } else { 'CA' }
    $Ansible.Changed = $true
    if ($PSCmdlet.ShouldProcess($certificate.Subject, "move from LocalMachine\My to LocalMachine\$store")) {
        Move-Item -Path "Cert:\LocalMachine\My\$($certificate.Thumbprint)" -Destination "Cert:\LocalMachine\$store"
    }
    $Ansible.Result.moved += '{0} -> {1}' -f $certificate.Subject, $store
}
