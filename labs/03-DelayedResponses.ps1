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

& (Join-Path $PSScriptRoot 'Invoke-OneLab.ps1') -Name DelayedResponses -Seed $Seed -ReportPath $ReportPath
exit $LASTEXITCODE
