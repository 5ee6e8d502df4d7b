<#
.SYNOPSIS
    Lab 2: BitnessMatrix.
.DESCRIPTION
    Frontend ABI x backend ABI x backend mode x frontend mode; probe outcome, round trips, data intact.
    Runs alone; prints the lab's findings and, if it fails, the command that replays it exactly.
.EXAMPLE
    ./labs/02-BitnessMatrix.ps1 -Seed 7
#>
[CmdletBinding()]
param(
    [UInt64] $Seed = 1,
    [string] $ReportPath
)

& (Join-Path $PSScriptRoot 'Invoke-OneLab.ps1') -Name BitnessMatrix -Seed $Seed -ReportPath $ReportPath
exit $LASTEXITCODE
