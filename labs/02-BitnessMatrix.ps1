<#
.SYNOPSIS
    Lab 2, BitnessMatrix: frontend ABI x backend ABI x backend mode (x frontend mode under the hardened design).
.DESCRIPTION
    A 32-bit and a 64-bit domain lay ring entries out differently (108 and 112 bytes). For every combination of
    frontend ABI (x86_32, x86_64), backend ABI, backend mode (Protocol: reads the frontend's protocol key, x86_32
    without one; Native: its own layout whatever the frontend says) and, under the hardened design, frontend mode
    (Probe: GPLPV's two operation-0xff requests; Announce: writes the protocol key; AnnounceAndProbe), the lab
    creates a device and runs a verified workload. Whether the frontend finds a Native backend of the other
    bitness is its Probe behaviour: a driver that probes switches to the backend's layout and keeps every byte
    (Works); the hardened design without the probe reads block 0 and refuses honestly (Refused); a driver that
    only announces its layout stays on it against a backend that ignores the key (Mismatch), and the lab
    records what the I/O did then. It reports the probe's round trips and whether it switched for each machine.
.PARAMETER Seed
    The seed every device and workload of the lab derives from ($env:XENVBD_LAB_SEED when not given, else 1).
.PARAMETER Personality
    The frontend personality the guest runs (Get-VbdPersonality lists them); the module's default when not given.
.PARAMETER DeviceOptions
    New-VbdDevice parameters added to every device the lab creates.
.EXAMPLE
    ./labs/02-BitnessMatrix.ps1 -Seed 7
.EXAMPLE
    ./labs/02-BitnessMatrix.ps1 -Personality LinuxBlkfront
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

$lab = New-VbdLabResult -Name BitnessMatrix -Seed $Seed -Personality $Personality -DeviceOptions $DeviceOptions
$activity = "BitnessMatrix under $($lab.Personality) (seed $Seed)"
# Whether the frontend probes (its Probe behaviour, Get-VbdPersonality <name> -Detailed): only a probe finds a
# Native backend of the other bitness. The hardened design probes unless its mode is Announce.
$probes = @{ Gplpv2008a = $true; Gplpv2008b = $true; Gplpv2012 = $true; Gplpv2013 = $false; XenProject = $false; LinuxBlkfront = $false }
$hardened = $lab.Personality -eq 'Hardened'
# The Xen wiki's 2008 GPLPV page's small-I/O mix without chkdsk bursts: this lab is about layouts, not transfer sizes.
$smallWindowsSizes = @{ 512 = 0.90; 4096 = 0.08; 8192 = 0.02 }
function Short([string] $Abi) { if ($Abi -eq 'X86_32') { '32' } else { '64' } }

# A real driver fixes its own mode: one machine per ABI pair and backend mode; the hardened design adds the mode.
$modes = if ($hardened) { 'Probe', 'Announce', 'AnnounceAndProbe' } else { '' }
$machines = @(foreach ($fe in 'X86_32', 'X86_64') { foreach ($be in 'X86_32', 'X86_64') { foreach ($bm in 'Protocol', 'Native') { foreach ($fm in $modes) {
                    @{ Fe = $fe; Be = $be; Bm = $bm; Fm = $fm } } } } })
$working = 0; $switched = 0; $i = 0
foreach ($m in $machines) {
    $fe, $be, $bm, $fm = $m.Fe, $m.Be, $m.Bm, $m.Fm
    $label = if ($fm) { "fe $(Short $fe) $fm / be $(Short $be) $bm" } else { "fe $(Short $fe) / be $(Short $be) $bm" }
    Write-Progress -Activity $activity -Status $label -PercentComplete (100 * $i++ / $machines.Count)
    $probing = if ($hardened) { $fm -ne 'Announce' } else { $probes[$lab.Personality] }
    $outcome = if ($bm -eq 'Protocol' -or $fe -eq $be -or $probing) { 'Works' } elseif ($hardened) { 'Refused' } else { 'Mismatch' }
    $null = $lab.Expect($label, $outcome, 'Probe')
    $with = @{ FrontendAbi = $fe; BackendAbi = $be; BackendMode = $bm }
    if ($fm) { $with.FrontendMode = $fm }
    $device = New-VbdLabDevice $lab "matrix $label" $with
    $probe = $device.ProbeResult
    $key = if ($fm) { "$(Short $fe).$fm.$(Short $be).$bm" } else { "$(Short $fe).$(Short $be).$bm" }
    $lab.Metric("$key.probe_round_trips", $(if ($probe) { $probe.RoundTrips } else { 0 }))
    $lab.Metric("$key.switched", $(if ($probe -and $probe.Switched) { 1 } else { 0 }))
    $null = $lab.Check(($null -ne $probe) -eq $probing, "${label}: the frontend $(if ($probe) { 'probed' } else { 'did not probe' })")
    if ("$($device.State)" -ne 'Ready') {
        $null = $lab.Observe($label, $(if ("$($device.State)" -eq 'LayoutMismatch') { 'Refused' } else { "$($device.State)" }), "device $($device.State)")
        $lab.Find("${label}: refused ($($device.State)).")
        Remove-VbdDevice -Device $device -Confirm:$false
        continue
    }
    $r = Invoke-VbdWorkload -Device $device -WorkloadName $label -BlockSizeMix $smallWindowsSizes -MisalignedFraction 0.2 `
        -QueueDepth 4 -Count 200 -LengthBytes 2MB -Seed $lab.SeedFor($key) -AssumeZeroedDisk
    $how = if ($null -eq $probe) { ', no probe' } else { ", probe $($probe.RoundTrips) round trips$(if ($probe.Switched) { ', switched' })" }
    if ($bm -eq 'Native' -and "$($device.FrontendAbi)" -ne $be) {
        # Connected on the wrong layout: the real driver's failure when it is the expected one; the checkers say what the I/O did.
        $lab.AddWorkload($label, $r)
        $null = $lab.Observe($label, 'Mismatch', "ring $(Short $device.FrontendAbi) against a native $(Short $be) dom0; $($lab.Evidence($r))")
        $lab.Find("${label}: ring $(Short $device.FrontendAbi) against a native $(Short $be) dom0$how; $($lab.Evidence($r)).")
    }
    else {
        $working++
        if ($probe -and $probe.Switched) { $switched++ }
        $intact = $lab.CheckWorkload($label, $r, $false)
        $null = $lab.Observe($label, $(if ($intact) { 'Works' } else { 'Failed' }), $lab.Evidence($r))
        $lab.Find("${label}: ring $(Short $device.FrontendAbi)$how, $($r.Operations) ops intact.")
    }
    Remove-VbdDevice -Device $device -Confirm:$false
}
$lab.Metric('combinations.working', $working)
$lab.Metric('combinations.refused', @($lab.Outcomes | Where-Object Observed -eq 'Refused').Count)
$lab.Metric('combinations.mismatched', @($lab.Outcomes | Where-Object Observed -eq 'Mismatch').Count)
$lab.Metric('combinations.switched', $switched)
if ($hardened -or $probes[$lab.Personality]) {
    $null = $lab.Check($switched -gt 0, 'the probe never had to switch layouts')
}
Write-Progress -Activity $activity -Completed
$lab
