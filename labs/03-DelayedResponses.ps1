<#
.SYNOPSIS
    Lab 3, DelayedResponses: responses late by microseconds to seconds, the ABI probe itself under delay, and
    responses later than the frontend's watchdog.
.DESCRIPTION
    Three latency shapes (fixed 1 ms; exponential, mean 5 ms; long-tail Pareto from 1 ms, alpha 1.3, capped at
    2 s) on verified workloads; then a backend that holds back every response by 500 ms from before the device
    connects (New-VbdDevice -NoConnect, Add-VbdFault, Connect-VbdDevice), so the probe's two operation-0xff
    requests wait too and read/write SRBs wait behind the probe; then two responses later than the frontend's
    request timeout, which must fire the watchdog, reset the ring and, with the class driver's retries
    (Invoke-VbdWorkload -RetryCount), lose and double nothing.
.PARAMETER Seed
    The seed every device and workload of the lab derives from ($env:XENVBD_LAB_SEED when not given, else 1).
.PARAMETER DeviceOptions
    New-VbdDevice parameters added to every device the lab creates.
.EXAMPLE
    ./labs/03-DelayedResponses.ps1 -Seed 7
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

$LabName = 'DelayedResponses'
$lab = New-VbdLabResult -Name $LabName -Seed $Seed
$workload = @{ ReadFraction = 0.5; BlockSize = 4096; MisalignedFraction = 0.25; QueueDepth = 8; LengthBytes = 4MB; AssumeZeroedDisk = $true }

$shapes = @(
    @{ Label = 'fixed 1 ms'; Fault = @{ Distribution = 'Fixed'; Delay = '00:00:00.001' } }
    @{ Label = 'exponential mean 5 ms'; Fault = @{ Distribution = 'Exponential'; Delay = '00:00:00.005'; MaxDelay = '00:00:02' } }
    @{ Label = 'pareto 1 ms alpha 1.3 max 2 s'; Fault = @{ Distribution = 'Pareto'; Delay = '00:00:00.001'; ParetoAlpha = 1.3; MaxDelay = '00:00:02' } }
)
$i = 0
foreach ($shape in $shapes) {
    $label = $shape.Label
    Write-Progress -Activity "$LabName (seed $Seed)" -Status $label -PercentComplete (20 * $i++)
    $device = New-LabDevice "delay $label"
    $fault = $shape.Fault
    $null = Add-VbdFault -Device $device -Kind Latency -FaultName $label @fault
    $r = Invoke-VbdWorkload -Device $device -WorkloadName $label -Count 400 -Seed $lab.SeedFor($label) @workload
    $null = $lab.CheckWorkload($label, $r, $false)
    $null = $lab.Check($r.FaultsByKind['Latency'] -ge $r.Operations, "${label}: only $($r.FaultsByKind['Latency']) of $($r.Operations) responses were delayed")
    $lab.Metric("$label.p50_us", $r.Latency.P50Us)
    $lab.Metric("$label.p99_us", $r.Latency.P99Us)
    $lab.Metric("$label.p9999_us", $r.Latency.P9999Us)
    $lab.Find("${label}: clat p50 $([Math]::Round($r.Latency.P50Us / 1000, 2)) ms, p99 $([Math]::Round($r.Latency.P99Us / 1000, 2)) ms, max $([Math]::Round($r.Latency.MaxUs / 1000, 2)) ms over $($r.Operations) ops, data intact.")
    Remove-VbdDevice -Device $device -Confirm:$false
}
# The fixed shape delays every response by exactly its delay, so no completion can be faster than that.
$null = $lab.Check($lab.Metrics['fixed 1 ms.p50_us'] -ge 1000, "fixed 1 ms: p50 $($lab.Metrics['fixed 1 ms.p50_us']) us is below the 1 ms delay")

Write-Progress -Activity "$LabName (seed $Seed)" -Status 'probe under delay' -PercentComplete 60
# Every response 500 ms late, the probe's included: the fault is added before the device connects, so the two
# op-0xff requests wait like any other, and read/write SRBs wait behind the probe.
$device = New-LabDevice 'delayed probe' @{ NoConnect = $true }
$slow = Add-VbdFault -Device $device -Kind Latency -Delay '00:00:00.5' -FaultName 'every response 500 ms late'
$device = Connect-VbdDevice -Device $device
$probe = $device.ProbeResult
$null = $lab.Check("$($device.State)" -eq 'Ready', "probe under delay: the device ended $($device.State)")
$null = $lab.Check($null -ne $probe, 'probe under delay: the frontend did not probe')
if ($probe) {
    $ms = $probe.DurationTicks / 10000.0
    $lab.Metric('probe_under_delay.ms', $ms)
    $lab.Metric('probe_under_delay.round_trips', $probe.RoundTrips)
    $null = $lab.Check($ms -ge 500, "probe under delay: the probe took $([Math]::Round($ms, 2)) ms, less than the 500 ms every response was held back")
    $seen = (Get-VbdFault -Device $device | Where-Object Id -eq $slow.Id).Injected
    $null = $lab.Check($seen -ge 2, "probe under delay: only $seen request(s) were held back; the probe sends two")
    $lab.Find("Probe with every response 500 ms late: $($probe.RoundTrips) round trip(s) in $([Math]::Round($ms, 2)) ms, layout $($probe.Detected)$(if ($probe.Switched) { ' (switched)' }); the backend saw $seen request(s) by then.")
}
$r = Invoke-VbdWorkload -Device $device -WorkloadName 'slow backend' -Count 100 -Seed $lab.SeedFor('after probe') @workload
$null = $lab.CheckWorkload('slow backend', $r, $false)
$null = $lab.Check($r.Latency.P50Us -ge 500000, "slow backend: p50 $($r.Latency.P50Us) us is below the 500 ms delay")
Remove-VbdDevice -Device $device -Confirm:$false

Write-Progress -Activity "$LabName (seed $Seed)" -Status 'past the watchdog' -PercentComplete 80
$device = New-LabDevice 'watchdog'
$timeout = $device.Options.RequestTimeout
$late = $timeout + (New-TimeSpan -Seconds 15)
$null = Add-VbdFault -Device $device -Kind Latency -FaultName 'later than the watchdog' -Start ($device.Now + (New-TimeSpan -Milliseconds 1)) `
    -MaxCount 2 -Delay $late
$r = Invoke-VbdWorkload -Device $device -WorkloadName 'past the watchdog' -Count 600 -Seed $lab.SeedFor('watchdog') `
    -RetryCount 8 -RetryDelay '00:00:00.010' @workload
$null = $lab.CheckWorkload('past the watchdog', $r, $false)
$null = $lab.Check($r.Timeouts -gt 0, "past the watchdog: the frontend's watchdog never fired")
$null = $lab.Check($r.Resets -gt 0, 'past the watchdog: the frontend never reset the ring')
$null = $lab.Check($r.Retries -gt 0, 'past the watchdog: nothing was retried')
$null = $lab.Check($r.Operations -eq 600, "past the watchdog: $($r.Operations) of 600 operations completed")
$lab.Metric('watchdog.timeouts', $r.Timeouts)
$lab.Metric('watchdog.resets', $r.Resets)
$lab.Metric('watchdog.retries', $r.Retries)
$lab.Find("Responses $($late.TotalSeconds) s late against a $($timeout.TotalSeconds) s watchdog: $($r.Timeouts) timeouts, $($r.Resets) resets, $($r.Retries) retries; $($r.Operations) ops, none lost or doubled.")
Remove-VbdDevice -Device $device -Confirm:$false
Write-Progress -Activity "$LabName (seed $Seed)" -Completed
$lab
