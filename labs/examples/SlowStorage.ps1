<#
.SYNOPSIS
    A lab of your own, the worked example of about_XenVbd_Labs: a slow disk behind dom0.
.DESCRIPTION
    The disk behind blkback serves each request at 10 MB/s. No SRB may complete before its largest ring request's
    bytes could have been read at that rate, every ring request must be slowed, and no byte may be lost.
#>
[CmdletBinding()]
param(
    [UInt64] $Seed = $(if ($env:XENVBD_LAB_SEED) { [UInt64] $env:XENVBD_LAB_SEED } else { 1 }),
    [hashtable] $DeviceOptions = @{}
)
$ErrorActionPreference = 'Stop'

# 1. The result: the lab's name (the file name) and the seed it was given.
$lab = New-VbdLabResult -Name SlowStorage -Seed $Seed
$rate = 10MB

foreach ($size in 4096, 65536) {
    # 2. A fresh device per step, seeded from the step's name; the caller's -DeviceOptions on top.
    $device = New-VbdDevice -Name "SlowStorage-$size" -Seed $lab.SeedFor("device $size") @DeviceOptions

    # 3. The fault: the disk serves $rate bytes per second.
    $null = Add-VbdFault -Device $device -Kind SlowStorage -BytesPerSecond $rate

    # 4. A verified workload, and the promises every lab workload keeps.
    $label = "$($size / 1KB) KiB at 10 MB/s"
    $r = Invoke-VbdWorkload -Device $device -WorkloadName $label -BlockSize $size -QueueDepth 8 -Count 200 `
        -Seed $lab.SeedFor("workload $size") -AssumeZeroedDisk
    $null = $lab.CheckWorkload($label, $r, $false)

    # 5. What this lab is about: no SRB completes before its bytes could have been read. An SRB larger than
    #    one ring request (11 segments of 4 KiB) is split, and the disk serves the pieces side by side, so the
    #    floor is the largest piece's time, not the whole SRB's.
    $floorUs = [Math]::Min($size, 11 * 4KB) / $rate * 1e6
    $null = $lab.Check($r.Latency.P50Us -ge $floorUs, "${label}: p50 $($r.Latency.P50Us) us is below the $([Math]::Round($floorUs, 1)) us the bytes take")
    $null = $lab.Check($r.FaultsByKind['SlowStorage'] -eq $r.RingRequests, "${label}: $($r.FaultsByKind['SlowStorage']) slowed requests for $($r.RingRequests) ring requests")

    # 6. Numbers for results.json, a point for the report's plot, a sentence for the summary.
    $lab.Metric("$size.p50_us", $r.Latency.P50Us)
    $lab.Point('Latency against transfer size at 10 MB/s', 'p50', $size, $r.Latency.P50Us)
    $lab.Find("${label}: p50 $([Math]::Round($r.Latency.P50Us / 1000, 2)) ms (its largest ring request alone takes $([Math]::Round($floorUs / 1000, 2)) ms), $($r.RingRequests) ring requests for $($r.Operations) SRBs, data intact.")
    Remove-VbdDevice -Device $device -Confirm:$false
}

# 7. The result goes to the pipeline: Invoke-VbdLab collects it.
$lab
