<#
.SYNOPSIS
    Runs the default XenVbd lab set on the in-memory disk, prints a summary and writes a report folder.
.DESCRIPTION
    Imports the XenVbd module from the repository root and runs Invoke-VbdLab for the seven default labs with
    one seed. Prints a table (lab, PASS/FAIL, wall time, what it exercised), the key findings of each lab
    in a few lines, and where the report is: -ReportPath gets index.html (plots: latency distribution,
    throughput and ring occupancy over time, bounce cost against transfer size), results.json, junit.xml and
    timings.json. A failing lab prints what failed, its seed and the exact command that replays it.
    Exits 1 if any lab failed, 0 otherwise.
.EXAMPLE
    ./labs/Invoke-DefaultLab.ps1 -Seed 42 -ReportPath ./lab-report
.EXAMPLE
    ./labs/Invoke-DefaultLab.ps1 -Detailed      # every finding, not the condensed view
#>
[CmdletBinding()]
param(
    [UInt64] $Seed = 1,
    [string] $ReportPath = (Join-Path (Get-Location) 'lab-report'),
    [switch] $Detailed
)

$ErrorActionPreference = 'Stop'
$repo = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
Import-Module (Join-Path $repo 'XenVbd.psd1') -Force
$ReportPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($ReportPath)

# What each lab exercises, in the words of the lab issue.
$about = [ordered]@{
    MisalignedBuffers = 'misaligned buffers: the three bounce strategies against aligned I/O'
    BitnessMatrix     = 'frontend ABI x backend ABI x backend mode x frontend mode'
    DelayedResponses  = 'latency up to seconds, probe under delay, watchdog reset and retry'
    Migration         = 'live workload while the backend moves to a dom0 of other bitness'
    RogueBackend      = 'every corruption kind: device goes Broken cleanly, no SRB completes twice'
    ChkdskBurst       = 'large misaligned transfers through the multi-pass bounce path'
}

function Get-KeyFindings($Result) {
    # A few lines a person reads; -Detailed (or the report) has every finding.
    $findings = @($Result.Findings | Where-Object { $_ -notmatch "`n" })
    if ($Detailed -or $findings.Count -le 5) { return $findings }
    if ($Result.Name -eq 'BitnessMatrix') {
        $refused = @($findings | Where-Object { $_ -match 'refused' })
        $switched = @($findings | Where-Object { $_ -match 'switched' })
        $intact = @($findings | Where-Object { $_ -match 'intact' })
        $lines = @("{0} combinations: {1} ran with data intact, {2} refused to connect; the probe switched layout in {3}." -f `
                $findings.Count, $intact.Count, $refused.Count, $switched.Count)
        if ($refused.Count -gt 0) {
            $lines += 'refused (expected: an announced layout a native backend of the other bitness cannot read): ' +
                (($refused | ForEach-Object { ($_ -split ':')[0] }) -join '; ')
        }
        return $lines
    }
    return @($findings | Select-Object -First 4) + "... and $($findings.Count - 4) more (-Detailed, or the report)"
}

Write-Host ''
Write-Host "XenVbd default lab set: $($about.Count) labs, seed $Seed, in-memory disk"
$started = Get-Date
$results = @(Invoke-VbdLab -Seed $Seed -ReportPath $ReportPath)
$elapsed = (Get-Date) - $started

Write-Host ''
Write-Host ('  {0,-18} {1,-6} {2,7}  {3}' -f 'Lab', 'Result', 'Time', 'Exercises')
Write-Host ('  {0,-18} {1,-6} {2,7}  {3}' -f '---', '------', '----', '---------')
foreach ($r in $results) {
    $mark = if ($r.Passed) { 'PASS' } else { 'FAIL' }
    $colour = if ($r.Passed) { 'Green' } else { 'Red' }
    $what = if ($about.Contains($r.Name)) { $about[$r.Name] } else { '' }
    Write-Host ('  {0,-18} ' -f $r.Name) -NoNewline
    Write-Host ('{0,-6}' -f $mark) -ForegroundColor $colour -NoNewline
    Write-Host (' {0,6:0.0}s  {1}' -f $r.WallTime.TotalSeconds, $what)
}

Write-Host ''
Write-Host 'Key findings'
foreach ($r in $results) {
    Write-Host "  $($r.Name)"
    foreach ($f in Get-KeyFindings $r) { Write-Host "    - $f" }
    foreach ($f in $r.Failures) { Write-Host "    ! $f" -ForegroundColor Red }
}

$failed = @($results | Where-Object { -not $_.Passed })
$index = Join-Path $ReportPath 'index.html'
Write-Host ''
Write-Host ('{0} passed, {1} failed in {2:0.0} s (seed {3})' -f ($results.Count - $failed.Count), $failed.Count, $elapsed.TotalSeconds, $Seed) `
    -ForegroundColor $(if ($failed.Count) { 'Red' } else { 'Green' })
if (Test-Path -LiteralPath $index) {
    Write-Host "Report: $index  (plots; results.json, junit.xml, timings.json beside it)"
}
else {
    Write-Host "Report: $ReportPath  (results.json, junit.xml, timings.json; the HTML page needs PowerShell 7)"
}

if ($failed.Count -gt 0) {
    Write-Host ''
    Write-Host 'Replay a failure exactly (same seed, same interleaving):' -ForegroundColor Yellow
    foreach ($r in $failed) {
        Write-Host ("  dotnet pwsh -c `"Import-Module '{0}'; {1}`"" -f (Join-Path $repo 'XenVbd.psd1'), $r.ReplayCommand) -ForegroundColor Yellow
    }
    exit 1
}
Write-Host "Replay or vary:  Import-Module ./XenVbd.psd1; Invoke-VbdLab -Name <lab> -Seed $Seed  (or labs/0N-<Lab>.ps1 -Seed $Seed)"
Write-Host "Write your own: Get-Help about_XenVbd_Labs  (labs/examples/SlowStorage.ps1 is the worked example)"
exit 0
