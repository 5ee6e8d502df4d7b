<#
.SYNOPSIS
    Runs the default XenVbd lab set on the in-memory disk, prints a summary and writes a report folder.
.DESCRIPTION
    Imports the XenVbd module from the repository root and runs Invoke-VbdLab for the eight default labs with
    one seed, under the module's default frontend personality (Gplpv2008b, the GPLPV driver the Xen wiki's 2008 GPLPV page describes) or the ones -Personality names. Each lab states the outcome the real driver has in each
    of its cases (with the behaviour and its source) and passes when the model reproduces it. Prints a table
    (lab, PASS/FAIL, wall time, the outcome), the key findings of each lab in a few lines, and where the report
    is: -ReportPath gets index.html (plots: latency distribution, throughput and ring occupancy over time,
    bounce cost against transfer size; with several personalities, the labs side by side), results.json,
    junit.xml and timings.json. A failing lab prints what failed, its seed and the exact command that replays it.
    Exits 1 if any lab failed, 0 otherwise.
.EXAMPLE
    ./labs/Invoke-DefaultLab.ps1 -Seed 42 -ReportPath ./lab-report
.EXAMPLE
    ./labs/Invoke-DefaultLab.ps1 -Personality *      # every lab under every personality, side by side
.EXAMPLE
    ./labs/Invoke-DefaultLab.ps1 -Detailed      # every finding, not the condensed view
#>
[CmdletBinding()]
param(
    [UInt64] $Seed = 1,
    [string] $ReportPath = (Join-Path (Get-Location) 'lab-report'),
    # Frontend personalities (names or wildcards, * for all); the module's default when not given.
    [string[]] $Personality,
    [switch] $Detailed
)

$ErrorActionPreference = 'Stop'
$repo = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
Import-Module (Join-Path $repo 'XenVbd.psd1') -Force
$ReportPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($ReportPath)

# What each lab exercises.
$about = [ordered]@{
    MisalignedBuffers = 'misaligned buffers through the bounce buffer, against aligned I/O'
    BitnessMatrix     = 'frontend ABI x backend ABI x backend mode (x frontend mode)'
    DelayedResponses  = 'latency up to seconds, probe under delay, responses past the watchdog'
    Migration         = 'live workload while the backend moves to a dom0 of other bitness'
    RogueBackend      = 'a backend that lies: bad id, wrong op, rsp_prod jump, duplicate'
    ChkdskBurst       = 'large misaligned transfers through the bounce path'
    PowerCut          = 'write, flush as the driver does, cut the power: what survives'
}

function Get-KeyFindings($Result) {
    # A few lines a person reads; -Detailed (or the report) has every finding.
    $findings = @($Result.Findings | Where-Object { $_ -notmatch "`n" })
    if ($Detailed -or $findings.Count -le 3) { return $findings }
    if ($Result.Name -eq 'BitnessMatrix') {
        $refused = @($findings | Where-Object { $_ -match 'refused' })
        $switched = @($findings | Where-Object { $_ -match 'switched' })
        $intact = @($findings | Where-Object { $_ -match 'intact' })
        $mismatched = @($findings | Where-Object { $_ -match 'against a native' })
        $lines = @("{0} combinations: {1} ran with data intact, {2} refused to connect, {3} on the wrong layout; the probe switched layout in {4}." -f `
                $findings.Count, $intact.Count, $refused.Count, $mismatched.Count, $switched.Count)
        if ($refused.Count -gt 0) {
            $lines += 'refused (expected: an announced layout a native backend of the other bitness cannot read): ' +
                (($refused | ForEach-Object { ($_ -split ':')[0] }) -join '; ')
        }
        return $lines
    }
    return @($findings | Select-Object -First 2) + "... and $($findings.Count - 2) more (-Detailed, or the report)"
}

$lab = @{ Seed = $Seed; ReportPath = $ReportPath }
if ($Personality) { $lab.Personality = $Personality }
$side = $Personality.Count -gt 1 -or "$Personality" -match '[*?\[]'
$under = if ($Personality) { "frontend $($Personality -join ', ')" } else { 'frontend Gplpv2008b (the module''s default: the GPLPV driver the Xen wiki''s 2008 GPLPV page describes)' }
Write-Host ''
Write-Host "XenVbd default lab set: $($about.Count) labs, seed $Seed, in-memory disk, $under"
$started = Get-Date
$results = @(Invoke-VbdLab @lab)
$elapsed = (Get-Date) - $started

Write-Host ''
if ($side) {
    # Side by side: one row per lab and personality, the outcome the model showed (the real driver's when PASS).
    Write-Host ('  {0,-18} {1,-14} {2,-6} {3}' -f 'Lab', 'Personality', 'Result', 'Observed (the real driver''s when PASS)')
    Write-Host ('  {0,-18} {1,-14} {2,-6} {3}' -f '---', '-----------', '------', '--------')
}
else {
    Write-Host ('  {0,-18} {1,-6} {2,7}  {3}' -f 'Lab', 'Result', 'Time', 'Exercises')
    Write-Host ('  {0,-18} {1,-6} {2,7}  {3}' -f '---', '------', '----', '---------')
}
foreach ($r in $results) {
    $mark = if ($r.Passed) { 'PASS' } else { 'FAIL' }
    $colour = if ($r.Passed) { 'Green' } else { 'Red' }
    $what = if ($about.Contains($r.Name)) { $about[$r.Name] } else { '' }
    if ($side) {
        Write-Host ('  {0,-18} {1,-14} ' -f $r.Name, $r.Personality) -NoNewline
        Write-Host ('{0,-6}' -f $mark) -ForegroundColor $colour -NoNewline
        Write-Host (' {0}' -f $(if ($r.Passed) { $r.Observed } else { "$($r.Observed) (expected $($r.Expected))" }))
        continue
    }
    Write-Host ('  {0,-18} ' -f $r.Name) -NoNewline
    Write-Host ('{0,-6}' -f $mark) -ForegroundColor $colour -NoNewline
    Write-Host (' {0,6:0.0}s  {1}' -f $r.WallTime.TotalSeconds, $what)
}

Write-Host ''
Write-Host $(if ($side) { 'Failures' } else { 'Key findings (each case: the real driver''s outcome, the behaviour that decides it and where in its code)' })
foreach ($r in $results) {
    if ($side -and $r.Passed) { continue }
    Write-Host "  $($r.Name)$(if ($r.Personality) { " under $($r.Personality)" })"
    if (-not $side) {
        # One line per outcome and behaviour: the cases it covers (named when few), the behaviour and where in the code.
        foreach ($g in @($r.Outcomes) | Group-Object { "$($_.Observed)|$($_.Behaviour)|$($_.SourceText)" }) {
            $o = $g.Group[0]
            $cases = if ($g.Count -le 3) { ($g.Group.Case -join ', ') } else { "$($g.Count) cases" }
            Write-Host "    = $($o.Observed) ($cases): $($o.Behaviour), $($o.SourceText)"
        }
        foreach ($f in Get-KeyFindings $r) { Write-Host "    - $f" }
    }
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
Write-Host "Every personality side by side: Invoke-VbdLab -Personality *  (or labs/Invoke-DefaultLab.ps1 -Personality *)"
Write-Host "Write your own: Get-Help about_XenVbd_Labs  (labs/examples/SlowStorage.ps1 is the worked example)"
exit 0
