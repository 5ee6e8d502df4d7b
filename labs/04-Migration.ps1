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

& (Join-Path $PSScriptRoot 'Invoke-OneLab.ps1') -Name Migration -Seed $Seed -ReportPath $ReportPath
exit $LASTEXITCODE
