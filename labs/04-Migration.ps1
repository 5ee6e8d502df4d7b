<#
.SYNOPSIS
    Lab 4, Migration: a live workload while the backend moves to a dom0 of the other bitness and back.
.DESCRIPTION
    The backends are old ones that ignore the protocol key (BackendMode Native), so only the probe can tell the
    frontend which layout the new dom0 uses. After 1000, 2000 and 3000 completed operations of a verified
    workload, the lab adds a Migration fault (Invoke-VbdWorkload -AtCompletion/-Action): the backend moves to an
    x86_32, then an x86_64, then an x86_32 dom0. Each move must re-probe, switch the ring layout, resubmit what
    was in flight, and keep every byte (Get-VbdMigration lists what each move did).
.PARAMETER Seed
    The seed every device and workload of the lab derives from ($env:XENVBD_LAB_SEED when not given, else 1).
.PARAMETER DeviceOptions
    New-VbdDevice parameters added to every device the lab creates.
.EXAMPLE
    ./labs/04-Migration.ps1 -Seed 7
#>
[CmdletBinding()]
param(
    # The seed everything in the lab derives from; the same seed replays the lab exactly.
    [UInt64] $Seed = $(if ($env:XENVBD_LAB_SEED) { [UInt64] $env:XENVBD_LAB_SEED } else { 1 }),

    # New-VbdDevice parameters added to every device the lab creates (e.g. @{ RequestTimeout = '00:00:10' }).
    [hashtable] $DeviceOptions = @{}
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
if (-not (Get-Command New-VbdLabResult -ErrorAction SilentlyContinue)) {
    # Run alone: import the module this script ships with (labs/ in the repository, module/Labs when published).
    $manifest = @('../XenVbd.psd1', '../../XenVbd.psd1') | ForEach-Object { Join-Path $PSScriptRoot $_ } |
        Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
    if ($manifest) { Import-Module $manifest } else { Import-Module XenVbd }
}

function New-LabDevice {
    # One in-memory device per step, seeded from the step's name, with the caller's -DeviceOptions on top.
    param([string] $Step, [hashtable] $With = @{})
    $parameters = @{
        Name             = ($LabName + '-' + ($Step -replace '[^A-Za-z0-9]+', '-')).TrimEnd('-')
        SizeBytes        = 64MB
        Seed             = $lab.SeedFor($Step)
        QueueDepth       = 8
        GuestBufferBytes = 8MB
    }
    foreach ($key in $With.Keys) { $parameters[$key] = $With[$key] }
    foreach ($key in $DeviceOptions.Keys) { $parameters[$key] = $DeviceOptions[$key] }
    New-VbdDevice @parameters
}

$LabName = 'Migration'
$lab = New-VbdLabResult -Name $LabName -Seed $Seed
Write-Progress -Activity "$LabName (seed $Seed)" -Status 'migrating' -PercentComplete 0
$device = New-LabDevice 'migration' @{ FrontendAbi = 'X86_64'; BackendAbi = 'X86_64'; BackendMode = 'Native' }
# Moves are planned by completed-operation count so they land mid-flight whatever the timing model does.
$moveAt = 1000, 2000, 3000
$moveTo = 'X86_32', 'X86_64', 'X86_32'

$r = Invoke-VbdWorkload -Device $device -WorkloadName 'live migration' -ReadFraction 0.5 -BlockSize 4096 -MisalignedFraction 0.2 `
    -QueueDepth 8 -Count 4000 -LengthBytes 4MB -Seed $lab.SeedFor('migration') -AssumeZeroedDisk `
    -AtCompletion $moveAt -Action { $null = Add-VbdFault -Device $device -Kind Migration -MigrateTo $moveTo[$moveAt.IndexOf([int] $_)] -Start $device.Now }
$null = $lab.CheckWorkload('live migration', $r, $false)
$migrations = @(Get-VbdMigration -Device $device)
$null = $lab.Check($migrations.Count -eq $moveAt.Count, "$($migrations.Count) of $($moveAt.Count) migrations happened")
$expected = $moveTo
for ($i = 0; $i -lt $migrations.Count; $i++) {
    $m = $migrations[$i]
    $null = $lab.Check($i -ge $expected.Count -or "$($m.NewBackendAbi)" -eq $expected[$i], "migration $($i + 1) went to $($m.NewBackendAbi), not $($expected[$i])")
    $null = $lab.Check($m.Reprobed, "migration to $($m.NewBackendAbi): the frontend did not probe again")
    $null = $lab.Check("$($m.FrontendAbiAfter)" -eq "$($m.NewBackendAbi)", "migration to $($m.NewBackendAbi): the ring stayed $($m.FrontendAbiAfter)")
    $null = $lab.Check("$($m.State)" -eq 'Ready', "migration to $($m.NewBackendAbi): the device ended $($m.State)")
    $lab.Find("Moved to an $($m.NewBackendAbi) $($m.NewBackendMode) dom0: re-probed $($m.Reprobed), ring $($m.FrontendAbiBefore) -> $($m.FrontendAbiAfter), $($m.SrbsResubmitted) SRBs resubmitted, state $($m.State).")
}
$lab.Metric('migrations', $migrations.Count)
$lab.Metric('probes', $r.Probes)
$lab.Metric('abi_switches', $r.AbiSwitches)
$lab.Find("$($r.Operations) ops across $($migrations.Count) migrations, $($r.ViolationCount) integrity violations.")
Remove-VbdDevice -Device $device -Confirm:$false
Write-Progress -Activity "$LabName (seed $Seed)" -Completed
$lab
