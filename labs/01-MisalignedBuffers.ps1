<#
.SYNOPSIS
    Lab 1: MisalignedBuffers.
.DESCRIPTION
    The three bounce strategies against aligned I/O over sizes and alignments; cost per strategy.
    Runs alone; prints the lab's findings and, if it fails, the command that replays it exactly.
.EXAMPLE
    ./labs/01-MisalignedBuffers.ps1 -Seed 7
#>
[CmdletBinding()]
param(
    [UInt64] $Seed = 1,
    [string] $ReportPath
)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path (Join-Path $PSScriptRoot '..') 'XenVbd.psd1') -Force

$arguments = @{ Name = 'MisalignedBuffers'; Seed = $Seed }
if ($ReportPath) { $arguments.ReportPath = $ReportPath }
$result = Invoke-VbdLab @arguments

$result.Findings | ForEach-Object { Write-Host "  $_" }
if ($result.Passed) {
    Write-Host "PASS MisalignedBuffers (seed $Seed)"
    exit 0
}
$result.Failures | ForEach-Object { Write-Host "  ! $_" -ForegroundColor Red }
Write-Host "FAIL MisalignedBuffers; replay: $($result.ReplayCommand)" -ForegroundColor Yellow
exit 1
