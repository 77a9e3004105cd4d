# Puts the certificates of the listener's chain and of the back ends' CA where Windows looks for
# them, decided by thumbprint in the stores themselves: each certificate of -Certificates (read on
# the controller, one by one, also from PEM bundles) that its LocalMachine store (Root or CA) lacks
# is added to it, and the PFX's CA certificates (-Chain) that its import left in LocalMachine\My
# are removed from My (they are in Root or CA by then; a certificate with a private key is never
# removed). Then the listener certificate (-Listener) must be in LocalMachine\My with its private
# key - except in check mode, where the PFX import has not run yet. Supports check mode (-WhatIf
# through ansible.windows.win_powershell) and reports a change only when it makes one.
[CmdletBinding(SupportsShouldProcess)]
param (
    [Parameter(Mandatory = $true)]
    [string]$Listener,
    [string]$Certificates = '[]',
    [string[]]$Chain = @()
)

$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false
$added = @()
$removed = @()

# Assigned first: Windows PowerShell's ConvertFrom-Json writes a JSON array as one object.
$wantedCertificates = ConvertFrom-Json -InputObject $Certificates
foreach ($wanted in @($wantedCertificates)) {
    if (Test-Path -LiteralPath "Cert:\LocalMachine\$($wanted.store)\$($wanted.thumbprint)") { continue }
    $Ansible.Changed = $true
    if ($PSCmdlet.ShouldProcess($wanted.subject, "add to LocalMachine\$($wanted.store)")) {
        $certificate = New-Object -TypeName System.Security.Cryptography.X509Certificates.X509Certificate2 -ArgumentList (, [Convert]::FromBase64String($wanted.der))
        $store = New-Object -TypeName System.Security.Cryptography.X509Certificates.X509Store -ArgumentList $wanted.store, 'LocalMachine'
        $store.Open('ReadWrite')
        try {
            $store.Add($certificate)
        }
        finally {
            $store.Close()
        }
    }
    $added += '{0} -> {1}' -f $wanted.subject, $wanted.store
}

foreach ($thumbprint in $Chain) {
    if ($thumbprint -eq $Listener) { continue }
    $found = Get-Item -LiteralPath "Cert:\LocalMachine\My\$thumbprint" -ErrorAction SilentlyContinue
    if ($null -eq $found -or $found.HasPrivateKey) { continue }
    $Ansible.Changed = $true
    if ($PSCmdlet.ShouldProcess($found.Subject, 'remove from LocalMachine\My (a CA certificate: it is in Root or CA)')) {
        Remove-Item -LiteralPath "Cert:\LocalMachine\My\$thumbprint"
    }
    $removed += $found.Subject
}

$certificate = Get-Item -LiteralPath "Cert:\LocalMachine\My\$Listener" -ErrorAction SilentlyContinue
$present = $null -ne $certificate -and $certificate.HasPrivateKey
if (-not $present -and -not $WhatIfPreference) {
    throw "the listener certificate $Listener is not in LocalMachine\My with its private key: the PFX import did not put it there"
}
$changes = @($added) + @($removed | ForEach-Object { "$_ -> removed from LocalMachine\My" })
$Ansible.Diff = @{ before = ''; after = ($changes | ForEach-Object { "$_`n" }) -join '' }
$Ansible.Result = @{ thumbprint = $Listener; listener_present = $present; added = $added; removed_from_my = $removed }
