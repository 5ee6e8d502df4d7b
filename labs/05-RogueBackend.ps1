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

& (Join-Path $PSScriptRoot 'Invoke-OneLab.ps1') -Name RogueBackend -Seed $Seed -ReportPath $ReportPath
exit $LASTEXITCODE
