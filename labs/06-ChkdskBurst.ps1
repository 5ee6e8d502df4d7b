<#
.SYNOPSIS
    Lab 6: ChkdskBurst.
.DESCRIPTION
    Large misaligned transfers through the seed's multi-pass bounce path.
    Runs alone; prints the lab's findings and, if it fails, the command that replays it exactly.
.EXAMPLE
    ./labs/06-ChkdskBurst.ps1 -Seed 7
#>
[CmdletBinding()]
param(
    [UInt64] $Seed = 1,
    [string] $ReportPath
)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path (Join-Path $PSScriptRoot '..') 'XenVbd.psd1') -Force

$arguments = @{ Name = 'ChkdskBurst'; Seed = $Seed }
if ($ReportPath) { $arguments.ReportPath = $ReportPath }
$result = Invoke-VbdLab @arguments

$result.Findings | ForEach-Object { Write-Host "  $_" }
if ($result.Passed) {
    Write-Host "PASS ChkdskBurst (seed $Seed)"
    exit 0
}
$result.Failures | ForEach-Object { Write-Host "  ! $_" -ForegroundColor Red }
Write-Host "FAIL ChkdskBurst; replay: $($result.ReplayCommand)" -ForegroundColor Yellow
exit 1
