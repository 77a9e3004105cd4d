# Keeps the lines of the hosts file that carry the marker (" # lync.reverse_proxy") equal to the
# entries given ("address name": the ARR farm members, by the names their certificates carry):
# lines the model no longer has are removed, missing ones added; lines without the marker are
# never touched, but those that name one of the entries' hosts are reported (Windows takes the
# first line for a name, so such a line would win over ours). The file is read and written as
# ansible.windows.win_hosts does (Get-Content, Set-Content). Supports check mode (-WhatIf through
# ansible.windows.win_powershell), reports a diff, and reports a change only when it makes one.
[CmdletBinding(SupportsShouldProcess)]
param (
    [string[]]$Entries = @(),
    [string]$Marker = 'lync.reverse_proxy',
    [string]$Path = ''
)

$ErrorActionPreference = 'Stop'
$Ansible.Changed = $false
if (-not $Path) {
    $Path = Join-Path -Path $env:SystemRoot -ChildPath 'System32\drivers\etc\hosts'
}
$suffix = ' # ' + $Marker
$lines = @()
if (Test-Path -LiteralPath $Path) {
    $lines = @(Get-Content -LiteralPath $Path)
}
$kept = @($lines | Where-Object { -not $_.EndsWith($suffix) })
$ours = @($lines | Where-Object { $_.EndsWith($suffix) })
$wanted = @($Entries | ForEach-Object { $_ + $suffix })
$names = @($Entries | ForEach-Object { ($_ -split '\s+')[1] })
$others = @($kept | Where-Object {
        $fields = @((($_ -replace '#.*$', '').Trim() -split '\s+') | Where-Object { $_ })
        $fields.Count -gt 1 -and @($fields[1..($fields.Count - 1)] | Where-Object { $names -contains $_ }).Count -gt 0
    })
$Ansible.Diff = @{ before = ($ours | ForEach-Object { "$_`n" }) -join ''; after = ($wanted | ForEach-Object { "$_`n" }) -join '' }
$Ansible.Result = @{ path = $Path; entries = $wanted; unmarked_lines_for_these_names = $others }
if (($ours -join "`n") -ne ($wanted -join "`n")) {
    $Ansible.Changed = $true
    if ($PSCmdlet.ShouldProcess($Path, "replace the lines marked '$suffix'")) {
        Set-Content -LiteralPath $Path -Value ($kept + $wanted)
    }
}
