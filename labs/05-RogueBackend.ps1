<#
.SYNOPSIS
    Lab 5: RogueBackend.
.DESCRIPTION
    Every corruption kind from a lying backend; the device goes Broken cleanly and no SRB completes twice.
    Runs alone; prints the lab's findings and, if it fails, the command that replays it exactly.
.EXAMPLE
    ./labs/05-RogueBackend.ps1 -Seed 7
#>
[CmdletBinding()]
param(
    [UInt64] $Seed = 1,
    [string] $ReportPath
)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path (Join-Path $PSScriptRoot '..') 'XenVbd.psd1') -Force

$arguments = @{ Name = 'RogueBackend'; Seed = $Seed }
if ($ReportPath) { $arguments.ReportPath = $ReportPath }
$result = Invoke-VbdLab @arguments

$result.Findings | ForEach-Object { Write-Host "  $_" }
if ($result.Passed) {
    Write-Host "PASS RogueBackend (seed $Seed)"
    exit 0
}
$result.Failures | ForEach-Object { Write-Host "  ! $_" -ForegroundColor Red }
Write-Host "FAIL RogueBackend; replay: $($result.ReplayCommand)" -ForegroundColor Yellow
exit 1
