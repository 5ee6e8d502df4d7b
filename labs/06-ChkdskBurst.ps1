<#
.SYNOPSIS
    Lab 6: ChkdskBurst.
.DESCRIPTION
    Large misaligned transfers through the GPLPV 2008 driver's multi-pass bounce path.
    Runs alone; prints the lab's findings and, if it fails, the command that replays it exactly.
.EXAMPLE
    ./labs/06-ChkdskBurst.ps1 -Seed 7
#>
[CmdletBinding()]
param(
    [UInt64] $Seed = 1,
    [string] $ReportPath
)

& (Join-Path $PSScriptRoot 'Invoke-OneLab.ps1') -Name ChkdskBurst -Seed $Seed -ReportPath $ReportPath
exit $LASTEXITCODE
