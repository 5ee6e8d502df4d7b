<#
.SYNOPSIS
    Lab 3, DelayedResponses: responses late by microseconds to seconds, the ABI probe itself under delay, and
    responses later than the frontend's watchdog.
.DESCRIPTION
    Three latency shapes (fixed 1 ms; exponential, mean 5 ms; long-tail Pareto from 1 ms, alpha 1.3, capped at
    2 s) on verified workloads, which every frontend survives; then a backend that holds back every response by
    500 ms from before the device connects (New-VbdDevice -NoConnect, Add-VbdFault, Connect-VbdDevice), so a
    frontend that probes (its Probe behaviour) sends two operation-0xff requests that wait too; then two responses
    later than the request timeout: what the reset does is the frontend's UnansweredRequests behaviour (the
    hardened design and the later drivers fail the SRBs and the class driver retries them, Invoke-VbdWorkload
    -RetryCount; GPLPV of 2008 resets nothing and waits; Linux blkfront has no timeout). Nothing may be lost or
    completed twice under any of them.
.PARAMETER Seed
    The seed every device and workload of the lab derives from ($env:XENVBD_LAB_SEED when not given, else 1).
.PARAMETER Personality
    The frontend personality the guest runs (Get-VbdPersonality lists them); the module's default when not given.
.PARAMETER DeviceOptions
    New-VbdDevice parameters added to every device the lab creates.
.EXAMPLE
    ./labs/03-DelayedResponses.ps1 -Seed 7
.EXAMPLE
    ./labs/03-DelayedResponses.ps1 -Personality LinuxBlkfront
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

$lab = New-VbdLabResult -Name DelayedResponses -Seed $Seed -Personality $Personality -DeviceOptions $DeviceOptions
$activity = "DelayedResponses under $($lab.Personality) (seed $Seed)"
# Each frontend's outcome in the two cases that depend on it (Get-VbdPersonality <name> -Detailed shows the
# behaviour and its source). Probe: Probed or NoProbe. UnansweredRequests: Retried (the reset fails SRBs and the
# class driver retries them), Waited (the reset does nothing; the late answers complete them), NoTimeout.
$expected = @{
    Hardened      = @{ Probe = 'Probed'; Watchdog = 'Retried' }
    Gplpv2008a    = @{ Probe = 'Probed'; Watchdog = 'Waited' }
    Gplpv2008b    = @{ Probe = 'Probed'; Watchdog = 'Waited' }
    Gplpv2012     = @{ Probe = 'Probed'; Watchdog = 'Retried' }
    Gplpv2013     = @{ Probe = 'NoProbe'; Watchdog = 'Retried' }
    XenProject    = @{ Probe = 'NoProbe'; Watchdog = 'Retried' }
    LinuxBlkfront = @{ Probe = 'NoProbe'; Watchdog = 'NoTimeout' }
}
$null = $lab.Expect('probe under delay', $expected[$lab.Personality].Probe, 'Probe')
$null = $lab.Expect('past the watchdog', $expected[$lab.Personality].Watchdog, 'UnansweredRequests')
$workload = @{ ReadFraction = 0.5; BlockSize = 4096; MisalignedFraction = 0.25; QueueDepth = 8; LengthBytes = 4MB; AssumeZeroedDisk = $true }

$shapes = @(
    @{ Label = 'fixed 1 ms'; Fault = @{ Distribution = 'Fixed'; Delay = '00:00:00.001' } }
    @{ Label = 'exponential mean 5 ms'; Fault = @{ Distribution = 'Exponential'; Delay = '00:00:00.005'; MaxDelay = '00:00:02' } }
    @{ Label = 'pareto 1 ms alpha 1.3 max 2 s'; Fault = @{ Distribution = 'Pareto'; Delay = '00:00:00.001'; ParetoAlpha = 1.3; MaxDelay = '00:00:02' } }
)
$i = 0
foreach ($shape in $shapes) {
    $label = $shape.Label
    Write-Progress -Activity $activity -Status $label -PercentComplete (20 * $i++)
    $device = New-VbdLabDevice $lab "delay $label"
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

Write-Progress -Activity $activity -Status 'probe under delay' -PercentComplete 60
# Every response 500 ms late, the probe's included: the fault is added before the device connects, so the two
# op-0xff requests wait like any other, and read/write SRBs wait behind the probe.
$device = New-VbdLabDevice $lab 'delayed probe' @{ NoConnect = $true }
$slow = Add-VbdFault -Device $device -Kind Latency -Delay '00:00:00.5' -FaultName 'every response 500 ms late'
$device = Connect-VbdDevice -Device $device
$probe = $device.ProbeResult
$null = $lab.Check("$($device.State)" -eq 'Ready', "probe under delay: the device ended $($device.State)")
$null = $lab.Observe('probe under delay', $(if ($probe) { 'Probed' } else { 'NoProbe' }), "device $($device.State)")
if ($probe) {
    $ms = $probe.DurationTicks / 10000.0
    $lab.Metric('probe_under_delay.ms', $ms)
    $lab.Metric('probe_under_delay.round_trips', $probe.RoundTrips)
    $null = $lab.Check($ms -ge 500, "probe under delay: the probe took $([Math]::Round($ms, 2)) ms, less than the 500 ms every response was held back")
    $seen = (Get-VbdFault -Device $device | Where-Object Id -eq $slow.Id).Injected
    $null = $lab.Check($seen -ge 2, "probe under delay: only $seen request(s) were held back; the probe sends two")
    $lab.Find("Probe with every response 500 ms late: $($probe.RoundTrips) round trip(s) in $([Math]::Round($ms, 2)) ms, layout $($probe.Detected)$(if ($probe.Switched) { ' (switched)' }); the backend saw $seen request(s) by then.")
}
else {
    $lab.Find("No probe: $($lab.Personality) trusts the protocol key, so only reads and writes waited for the 500 ms.")
}
$r = Invoke-VbdWorkload -Device $device -WorkloadName 'slow backend' -Count 100 -Seed $lab.SeedFor('after probe') @workload
$null = $lab.CheckWorkload('slow backend', $r, $false)
$null = $lab.Check($r.Latency.P50Us -ge 500000, "slow backend: p50 $($r.Latency.P50Us) us is below the 500 ms delay")
Remove-VbdDevice -Device $device -Confirm:$false

Write-Progress -Activity $activity -Status 'past the watchdog' -PercentComplete 80
$device = New-VbdLabDevice $lab 'watchdog'
$timeout = $device.Options.RequestTimeout
$late = $timeout + (New-TimeSpan -Seconds 15)
$null = Add-VbdFault -Device $device -Kind Latency -FaultName 'later than the watchdog' -Start ($device.Now + (New-TimeSpan -Milliseconds 1)) `
    -MaxCount 2 -Delay $late
$r = Invoke-VbdWorkload -Device $device -WorkloadName 'past the watchdog' -Count 600 -Seed $lab.SeedFor('watchdog') `
    -RetryCount 8 -RetryDelay '00:00:00.010' @workload
# Whatever the reset does, the late answers come at last: every SRB completes once and every byte is right.
$null = $lab.CheckWorkload('past the watchdog', $r, $false)
$null = $lab.Check($r.Operations -eq 600, "past the watchdog: $($r.Operations) of 600 operations completed")
$watchdog = if ($r.Timeouts -eq 0) { 'NoTimeout' } elseif ($r.Retries -gt 0) { 'Retried' } else { 'Waited' }
$null = $lab.Observe('past the watchdog', $watchdog, "$($r.Timeouts) timeouts, $($r.Resets) resets, $($r.Retries) retries")
$lab.Metric('watchdog.timeouts', $r.Timeouts)
$lab.Metric('watchdog.resets', $r.Resets)
$lab.Metric('watchdog.retries', $r.Retries)
$lab.Find("Responses $($late.TotalSeconds) s late against a $($timeout.TotalSeconds) s watchdog: $($r.Timeouts) timeouts, $($r.Resets) resets, $($r.Retries) retries; $($r.Operations) ops, none lost or doubled.")
Remove-VbdDevice -Device $device -Confirm:$false
Write-Progress -Activity $activity -Completed
$lab
