<#
.SYNOPSIS
    Lab 4, Migration: a live workload while the backend moves to a dom0 of the other bitness and back.
.DESCRIPTION
    The backends are old ones that ignore the protocol key (BackendMode Native), so only a probe can tell the
    frontend which layout the new dom0 uses. After 1000, 2000 and 3000 completed operations of a verified
    workload, the lab adds a Migration fault (Invoke-VbdWorkload -AtCompletion/-Action): the backend moves to an
    x86_32, then an x86_64, then an x86_32 dom0 (Get-VbdMigration lists what each move did). A frontend that probes
    on every connect (the hardened design, GPLPV of February 2008) re-probes, switches the ring layout, resubmits
    what was in flight and keeps every byte. GPLPV of November 2008 and 2012 keep the probe's result across the
    resume, and the drivers that never probe trust a protocol key these backends ignore: their ring keeps the
    stale layout, and the checkers (hang detector on the virtual clock, integrity) say what the I/O did then.
.PARAMETER Seed
    The seed every device and workload of the lab derives from ($env:XENVBD_LAB_SEED when not given, else 1).
.PARAMETER Personality
    The frontend personality the guest runs (Get-VbdPersonality lists them); the module's default when not given.
.PARAMETER DeviceOptions
    New-VbdDevice parameters added to every device the lab creates.
.EXAMPLE
    ./labs/04-Migration.ps1 -Seed 7
.EXAMPLE
    ./labs/04-Migration.ps1 -Personality LinuxBlkfront
#>
[CmdletBinding()]
param(
    # The seed everything in the lab derives from; the same seed replays the lab exactly.
    [UInt64] $Seed = $(if ($env:XENVBD_LAB_SEED) { [UInt64] $env:XENVBD_LAB_SEED } else { 1 }),

    # The frontend the guest runs (Get-VbdPersonality lists them); the module's default when not given.
    [string] $Personality,

    # New-VbdDevice parameters added to every device the lab creates (e.g. @{ RequestTimeout = '00:00:10' }).
    [hashtable] $DeviceOptions = @{}
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
if (-not (Get-Command New-VbdLabDevice -ErrorAction SilentlyContinue)) {
    # Run alone: import the module this script ships with (labs/ in the repository, module/Labs when published).
    $manifest = @('../XenVbd.psd1', '../../XenVbd.psd1') | ForEach-Object { Join-Path $PSScriptRoot $_ } | Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
    if ($manifest) { Import-Module $manifest } else { Import-Module XenVbd }
}

$lab = New-VbdLabResult -Name Migration -Seed $Seed -Personality $Personality -DeviceOptions $DeviceOptions
# Each frontend's layout after moving to a dom0 of the other bitness, and the behaviour that decides it
# (Get-VbdPersonality <name> -Detailed): Reprobed when it probes again on the new connection, StaleLayout when it
# keeps the layout it had (the probe's result kept across resume, or no probe and a protocol key the backend ignores).
$expected = @{
    Hardened      = 'Reprobed', 'ProbeResultAcrossResume'
    Gplpv2008a    = 'Reprobed', 'ProbeResultAcrossResume'
    Gplpv2008b    = 'StaleLayout', 'ProbeResultAcrossResume'
    Gplpv2012     = 'StaleLayout', 'ProbeResultAcrossResume'
    Gplpv2013     = 'StaleLayout', 'Probe'
    XenProject    = 'StaleLayout', 'Probe'
    LinuxBlkfront = 'StaleLayout', 'Probe'
}
$outcome, $behaviour = $expected[$lab.Personality]
$null = $lab.Expect('layout after the moves', $outcome, $behaviour)

Write-Progress -Activity "Migration under $($lab.Personality) (seed $Seed)" -Status 'migrating' -PercentComplete 0
$device = New-VbdLabDevice $lab 'migration' @{ FrontendAbi = 'X86_64'; BackendAbi = 'X86_64'; BackendMode = 'Native' }
# Moves are planned by completed-operation count so they land mid-flight whatever the timing model does.
$moveAt = 1000, 2000, 3000
$moveTo = 'X86_32', 'X86_64', 'X86_32'
$r = Invoke-VbdWorkload -Device $device -WorkloadName 'live migration' -ReadFraction 0.5 -BlockSize 4096 -MisalignedFraction 0.2 `
    -QueueDepth 8 -Count 4000 -LengthBytes 4MB -Seed $lab.SeedFor('migration') -AssumeZeroedDisk `
    -AtCompletion $moveAt -Action { $null = Add-VbdFault -Device $device -Kind Migration -MigrateTo $moveTo[$moveAt.IndexOf([int] $_)] -Start $device.Now }
$migrations = @(Get-VbdMigration -Device $device)
foreach ($m in $migrations) {
    $lab.Find("Moved to an $($m.NewBackendAbi) $($m.NewBackendMode) dom0: re-probed $($m.Reprobed), ring $($m.FrontendAbiBefore) -> $($m.FrontendAbiAfter), $($m.SrbsResubmitted) SRBs resubmitted, state $($m.State).")
}
$stale = @($migrations | Where-Object { "$($_.FrontendAbiAfter)" -ne "$($_.NewBackendAbi)" })
$observed = if ($migrations.Count -eq 0) { 'NoMove' } elseif ($stale.Count -gt 0) { 'StaleLayout' } elseif (@($migrations | Where-Object Reprobed).Count -eq $migrations.Count) { 'Reprobed' } else { 'Switched' }
$evidence = if ($stale.Count -gt 0) { "ring $($stale[0].FrontendAbiAfter) against an $($stale[0].NewBackendAbi) Native dom0; " } else { '' }
$null = $lab.Observe('layout after the moves', $observed, $evidence + $lab.Evidence($r))

if ($outcome -eq 'Reprobed') {
    # The frontend follows every move: all three happen mid-flight and not a byte is lost.
    $null = $lab.CheckWorkload('live migration', $r, $false)
    $null = $lab.Check($migrations.Count -eq $moveAt.Count, "$($migrations.Count) of $($moveAt.Count) migrations happened")
    for ($i = 0; $i -lt $migrations.Count; $i++) {
        $m = $migrations[$i]
        $null = $lab.Check($i -ge $moveTo.Count -or "$($m.NewBackendAbi)" -eq $moveTo[$i], "migration $($i + 1) went to $($m.NewBackendAbi), not $($moveTo[$i])")
        $null = $lab.Check("$($m.State)" -eq 'Ready', "migration to $($m.NewBackendAbi): the device ended $($m.State)")
    }
}
else {
    # The stale layout is the real driver's failure: the lab records what the I/O did then, and that nothing completed twice.
    $lab.AddWorkload('live migration', $r)
    $null = $lab.Check($r.DoubleCompletions -eq 0, "live migration: $($r.DoubleCompletions) completions were reported twice")
}
$lab.Metric('migrations', $migrations.Count)
$lab.Metric('probes', $r.Probes)
$lab.Metric('abi_switches', $r.AbiSwitches)
$lab.Metric('stuck', $r.Stuck)
$lab.Find("$($r.Operations) ops across $($migrations.Count) migrations, $($r.ViolationCount) integrity violations, $($r.Errors) failed, $($r.Stuck) never completed.")
Remove-VbdDevice -Device $device -Confirm:$false
Write-Progress -Activity "Migration under $($lab.Personality) (seed $Seed)" -Completed
$lab
