<#
.SYNOPSIS
    Runs one lab by name and reports it the way every numbered lab script does.
.DESCRIPTION
    The numbered scripts (01-MisalignedBuffers.ps1 ... 06-ChkdskBurst.ps1) are thin wrappers around
    this one, so each stays runnable alone while the run/print/exit logic lives in one place.
    Prints the lab's findings; on failure, the failures and the command that replays it exactly.
    Exits 0 when the lab passes, 1 when it fails.
.EXAMPLE
    ./labs/Invoke-OneLab.ps1 -Name RogueBackend -Seed 7
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Name,
    [UInt64] $Seed = 1,
    [string] $ReportPath
)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path (Join-Path $PSScriptRoot '..') 'XenVbd.psd1') -Force

$arguments = @{ Name = $Name; Seed = $Seed }
if ($ReportPath) { $arguments.ReportPath = $ReportPath }
$result = Invoke-VbdLab @arguments

$result.Findings | ForEach-Object { Write-Host "  $_" }
if ($result.Passed) {
    Write-Host "PASS $Name (seed $Seed)"
    exit 0
}
$result.Failures | ForEach-Object { Write-Host "  ! $_" -ForegroundColor Red }
Write-Host "FAIL $Name; replay: $($result.ReplayCommand)" -ForegroundColor Yellow
exit 1
