<#
.SYNOPSIS
    Lab 1, MisalignedBuffers: the three bounce strategies against aligned I/O, over transfer sizes and alignments.
.DESCRIPTION
    A buffer whose address is not 512-byte aligned cannot be granted to the backend as sectors, so the frontend
    copies it through a bounce buffer. This lab runs each strategy the real drivers used -- the original GPLPV's
    4 KiB buffer per SRB (PerSrb), later GPLPV's one 11-page buffer per device (DeviceBuffer), the Xen Project
    driver's per-segment page pool (SegmentPool) -- with transfers of 512 B to 64 KiB at offsets +0, +1 and +511.
    It checks that every byte survives, that aligned I/O never bounces, that misaligned I/O bounces all of its
    bytes, and reports the cost per operation of each strategy (the "Bounce cost against transfer size" plot).
.PARAMETER Seed
    The seed every device and workload of the lab derives from ($env:XENVBD_LAB_SEED when not given, else 1).
.PARAMETER DeviceOptions
    New-VbdDevice parameters added to every device the lab creates.
.EXAMPLE
    ./labs/01-MisalignedBuffers.ps1 -Seed 7
.EXAMPLE
    Invoke-VbdLab -Name MisalignedBuffers -Seed 7 -ReportPath ./lab-report
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

$LabName = 'MisalignedBuffers'
$lab = New-VbdLabResult -Name $LabName -Seed $Seed
$sizes = 512, 4096, 16384, 65536
$alignments = 0, 1, 511
$strategies = 'PerSrb', 'DeviceBuffer', 'SegmentPool'

$step = 0
foreach ($strategy in $strategies) {
    Write-Progress -Activity "$LabName (seed $Seed)" -Status $strategy -PercentComplete (100 * $step++ / $strategies.Count)
    $device = New-LabDevice "misaligned-$strategy" @{ Bounce = $strategy }
    $region = 0
    foreach ($size in $sizes) {
        foreach ($alignment in $alignments) {
            $label = "$strategy $size B +$alignment"
            $workload = @{
                WorkloadName       = $label
                Pattern            = 'Random'
                ReadFraction       = 0.5
                BlockSize          = $size
                MisalignedFraction = $(if ($alignment -eq 0) { 0 } else { 1 })
                QueueDepth         = 4
                Count              = 96
                # A fresh region per run: the device is shared, and each run verifies against a disk it alone wrote.
                OffsetBytes        = ($region++) * 4MB
                LengthBytes        = 4MB
                Seed               = $lab.SeedFor("$strategy/$size/$alignment")
                AssumeZeroedDisk   = $true
            }
            if ($alignment -ne 0) { $workload.AlignmentOffsets = $alignment }
            $r = Invoke-VbdWorkload -Device $device @workload
            $null = $lab.CheckWorkload($label, $r, $false)
            $moved = $r.BytesRead + $r.BytesWritten
            if ($alignment -eq 0) {
                $null = $lab.Check($r.BytesBounced -eq 0, "${label}: aligned I/O bounced $($r.BytesBounced) bytes")
            }
            else {
                $null = $lab.Check($r.BytesBounced -ge $moved, "${label}: misaligned I/O bounced only $($r.BytesBounced) of $moved bytes")
                $null = $lab.Check($r.MisalignedOperations -eq $r.Operations, "${label}: only $($r.MisalignedOperations) of $($r.Operations) operations were misaligned")
            }
            $usPerOp = if ($r.Operations -eq 0) { 0 } else { $r.VirtualElapsed.TotalMilliseconds * 1000 / $r.Operations }
            $series = if ($alignment -ne 0) { "$strategy +$alignment" } elseif ($strategy -eq 'PerSrb') { 'aligned' } else { "aligned ($strategy)" }
            $lab.Point('Bounce cost against transfer size', $series, $size, $usPerOp)
            $lab.Metric("$strategy.$size.$alignment.us_per_op", [Math]::Round($usPerOp, 3))
            $lab.Metric("$strategy.$size.$alignment.bounce_passes_per_op", $(if ($r.Operations -eq 0) { 0 } else { [Math]::Round($r.BouncePasses / $r.Operations, 3) }))
        }
    }
    Remove-VbdDevice -Device $device -Confirm:$false
}

foreach ($strategy in $strategies) {
    $aligned = $lab.Metrics["$strategy.65536.0.us_per_op"]
    $bounced = $lab.Metrics["$strategy.65536.511.us_per_op"]
    $passes = $lab.Metrics["$strategy.65536.511.bounce_passes_per_op"]
    $lab.Find("${strategy}: 64 KiB at +511 costs $([Math]::Round($bounced, 2)) us/op against $([Math]::Round($aligned, 2)) us/op aligned ($([Math]::Round($passes, 2)) bounce passes per op).")
}
Write-Progress -Activity "$LabName (seed $Seed)" -Completed
$lab
