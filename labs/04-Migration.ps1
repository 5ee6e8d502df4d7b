<#
.SYNOPSIS
    Lab 4: Migration.
.DESCRIPTION
    A live workload while the backend moves to a dom0 of the other bitness; re-probe; data intact.
    Runs alone; prints the lab's findings and, if it fails, the command that replays it exactly.
.EXAMPLE
    ./labs/04-Migration.ps1 -Seed 7
#>
[CmdletBinding()]
param(
    [UInt64] $Seed = 1,
    [string] $ReportPath
)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path (Join-Path $PSScriptRoot '..') 'XenVbd.psd1') -Force

$arguments = @{ Name = 'Migration'; Seed = $Seed }
if ($ReportPath) { $arguments.ReportPath = $ReportPath }
$result = Invoke-VbdLab @arguments

$result.Findings | ForEach-Object { Write-Host "  $_" }
if ($result.Passed) {
    Write-Host "PASS Migration (seed $Seed)"
    exit 0
}
$result.Failures | ForEach-Object { Write-Host "  ! $_" -ForegroundColor Red }
Write-Host "FAIL Migration; replay: $($result.ReplayCommand)" -ForegroundColor Yellow
exit 1
