<#
.SYNOPSIS
    Lab 2, BitnessMatrix: frontend ABI x backend ABI x backend mode x frontend mode, 24 machines.
.DESCRIPTION
    A 32-bit and a 64-bit domain lay ring entries out differently (108 and 112 bytes). For every combination of
    frontend ABI (x86_32, x86_64), backend ABI, backend mode (Protocol: reads the frontend's protocol key, x86_32
    without one; Native: its own layout whatever the frontend says) and frontend mode (Probe: GPLPV's two
    operation-0xff requests; Announce: writes the protocol key; AnnounceAndProbe), the lab creates a device and
    checks that it either agrees on a layout -- directly or by the probe switching -- and keeps every byte of a
    verified workload, or refuses honestly (LayoutMismatch): never connects and corrupts. It reports the probe's
    round trips and whether it switched for each machine.
.PARAMETER Seed
    The seed every device and workload of the lab derives from ($env:XENVBD_LAB_SEED when not given, else 1).
.PARAMETER DeviceOptions
    New-VbdDevice parameters added to every device the lab creates.
.EXAMPLE
    ./labs/02-BitnessMatrix.ps1 -Seed 7
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

$LabName = 'BitnessMatrix'
$lab = New-VbdLabResult -Name $LabName -Seed $Seed
# The original page's small-I/O mix without chkdsk bursts: this lab is about layouts, not transfer sizes.
$smallWindowsSizes = @{ 512 = 0.90; 4096 = 0.08; 8192 = 0.02 }
function Short([string] $Abi) { if ($Abi -eq 'X86_32') { '32' } else { '64' } }

$working = 0; $refused = 0; $switched = 0; $i = 0
foreach ($fe in 'X86_32', 'X86_64') {
    foreach ($be in 'X86_32', 'X86_64') {
        foreach ($bm in 'Protocol', 'Native') {
            foreach ($fm in 'Probe', 'Announce', 'AnnounceAndProbe') {
                $label = "fe $(Short $fe) $fm / be $(Short $be) $bm"
                Write-Progress -Activity "$LabName (seed $Seed)" -Status $label -PercentComplete (100 * $i++ / 24)
                $device = New-LabDevice "matrix $label" @{ FrontendAbi = $fe; FrontendMode = $fm; BackendAbi = $be; BackendMode = $bm }
                $probe = $device.ProbeResult
                $key = "$(Short $fe).$fm.$(Short $be).$bm"
                $lab.Metric("$key.probe_round_trips", $(if ($probe) { $probe.RoundTrips } else { 0 }))
                $lab.Metric("$key.switched", $(if ($probe -and $probe.Switched) { 1 } else { 0 }))
                # Announce never probes; the probe modes always do.
                $null = $lab.Check(($null -eq $probe) -eq ($fm -eq 'Announce'), "${label}: the frontend $(if ($probe) { 'probed' } else { 'did not probe' }) in $fm mode")
                if ("$($device.State)" -ne 'Ready') {
                    $refused++
                    $null = $lab.Check("$($device.State)" -eq 'LayoutMismatch', "${label}: ended in $($device.State) instead of Ready or an honest LayoutMismatch")
                    $lab.Find("${label}: refused ($($device.State)).")
                    Remove-VbdDevice -Device $device -Confirm:$false
                    continue
                }
                $working++
                if ($probe -and $probe.Switched) { $switched++ }
                # A native backend dictates the layout; the frontend must end on it.
                if ($bm -eq 'Native') {
                    $null = $lab.Check("$($device.FrontendAbi)" -eq $be, "${label}: ring $($device.FrontendAbi) against a native $be backend")
                }
                $r = Invoke-VbdWorkload -Device $device -WorkloadName $label -BlockSizeMix $smallWindowsSizes -MisalignedFraction 0.2 `
                    -QueueDepth 4 -Count 200 -LengthBytes 2MB -Seed $lab.SeedFor($key) -AssumeZeroedDisk
                $null = $lab.CheckWorkload($label, $r, $false)
                $how = if ($null -eq $probe) { ', no probe' } else { ", probe $($probe.RoundTrips) round trips$(if ($probe.Switched) { ', switched' })" }
                $lab.Find("${label}: ring $(Short $device.FrontendAbi)$how, $($r.Operations) ops intact.")
                Remove-VbdDevice -Device $device -Confirm:$false
            }
        }
    }
}
$lab.Metric('combinations.working', $working)
$lab.Metric('combinations.refused', $refused)
$lab.Metric('combinations.switched', $switched)
$null = $lab.Check($working -ge 16, "only $working of 24 combinations connected")
$null = $lab.Check($switched -gt 0, 'the probe never had to switch layouts')
Write-Progress -Activity "$LabName (seed $Seed)" -Completed
$lab
