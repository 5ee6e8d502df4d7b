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

& (Join-Path $PSScriptRoot 'Invoke-OneLab.ps1') -Name MisalignedBuffers -Seed $Seed -ReportPath $ReportPath
exit $LASTEXITCODE
