<#
.SYNOPSIS
    Lab 3: DelayedResponses.
.DESCRIPTION
    Latency distributions up to seconds, the probe under a slow backend, responses later than the watchdog: reset and retry, nothing lost or doubled.
    Runs alone; prints the lab's findings and, if it fails, the command that replays it exactly.
.EXAMPLE
    ./labs/03-DelayedResponses.ps1 -Seed 7
#>
[CmdletBinding()]
param(
    [UInt64] $Seed = 1,
    [string] $ReportPath
)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path (Join-Path $PSScriptRoot '..') 'XenVbd.psd1') -Force

$arguments = @{ Name = 'DelayedResponses'; Seed = $Seed }
if ($ReportPath) { $arguments.ReportPath = $ReportPath }
$result = Invoke-VbdLab @arguments

$result.Findings | ForEach-Object { Write-Host "  $_" }
if ($result.Passed) {
    Write-Host "PASS DelayedResponses (seed $Seed)"
    exit 0
}
$result.Failures | ForEach-Object { Write-Host "  ! $_" -ForegroundColor Red }
Write-Host "FAIL DelayedResponses; replay: $($result.ReplayCommand)" -ForegroundColor Yellow
exit 1
