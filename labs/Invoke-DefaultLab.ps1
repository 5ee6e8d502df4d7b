<#
.SYNOPSIS
    Runs the default XenVbd lab set on the in-memory disk, prints a summary and writes a report folder.
.DESCRIPTION
    Imports the XenVbd module from the repository root, runs Invoke-VbdLab for the six default labs with
    one seed, prints one line per lab (and, for a failing lab, what failed and the exact command that
    replays it), writes results.json / junit.xml / timings.json / index.html into -ReportPath, and exits
    non-zero if any lab failed.
.EXAMPLE
    ./labs/Invoke-DefaultLab.ps1 -Seed 42 -ReportPath ./lab-report
#>
[CmdletBinding()]
param(
    [UInt64] $Seed = 1,
    [string] $ReportPath = (Join-Path (Get-Location) 'lab-report')
)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path (Join-Path $PSScriptRoot '..') 'XenVbd.psd1') -Force

$started = Get-Date
$results = @(Invoke-VbdLab -Seed $Seed -ReportPath $ReportPath)
$elapsed = (Get-Date) - $started

foreach ($r in $results) {
    $mark = if ($r.Passed) { 'PASS' } else { 'FAIL' }
    Write-Host ('{0}  {1,-18} seed {2}' -f $mark, $r.Name, $r.Seed)
    foreach ($f in $r.Findings) { if ($f -notmatch "`n") { Write-Host "      $f" } }
    if (-not $r.Passed) {
        foreach ($f in $r.Failures) { Write-Host "   !  $f" -ForegroundColor Red }
        Write-Host "      replay: $($r.ReplayCommand)" -ForegroundColor Yellow
    }
}

$failed = @($results | Where-Object { -not $_.Passed })
Write-Host ('{0} passed, {1} failed in {2:0.0} s; report: {3}' -f ($results.Count - $failed.Count), $failed.Count, $elapsed.TotalSeconds, $ReportPath)
if ($failed.Count -gt 0) { exit 1 }
exit 0
