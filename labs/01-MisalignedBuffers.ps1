<#
.SYNOPSIS
    Lab 1, MisalignedBuffers: bounce buffers against aligned I/O, over transfer sizes and alignments.
.DESCRIPTION
    A buffer whose address is not 512-byte aligned cannot be granted to the backend as sectors, so the frontend
    copies it through a bounce buffer. Under the hardened design the lab runs each strategy the real drivers used
    -- the original GPLPV's 4 KiB buffer per SRB (PerSrb), later GPLPV's one 11-page buffer per device
    (DeviceBuffer), the Xen Project driver's per-segment page pool (SegmentPool); under a real driver's
    personality, that driver's own -- with transfers of 512 B to 64 KiB at offsets +0, +1 and +511. It checks that
    every byte survives and that misaligned I/O bounces all of its bytes; whether aligned I/O bounces too is the
    driver's BounceAlignment behaviour (GPLPV of February 2008 copies every transfer through its shadows' pages).
    It reports the cost per operation of each strategy (the "Bounce cost against transfer size" plot).
.PARAMETER Seed
    The seed every device and workload of the lab derives from ($env:XENVBD_LAB_SEED when not given, else 1).
.PARAMETER Personality
    The frontend personality the guest runs (Get-VbdPersonality lists them); the module's default when not given.
.PARAMETER DeviceOptions
    New-VbdDevice parameters added to every device the lab creates.
.EXAMPLE
    ./labs/01-MisalignedBuffers.ps1 -Seed 7
.EXAMPLE
    ./labs/01-MisalignedBuffers.ps1 -Personality LinuxBlkfront
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

$lab = New-VbdLabResult -Name MisalignedBuffers -Seed $Seed -Personality $Personality -DeviceOptions $DeviceOptions
$activity = "MisalignedBuffers under $($lab.Personality) (seed $Seed)"
# Whether an aligned buffer is granted as it is (Direct) or copied all the same (Bounced): each frontend's
# BounceAlignment behaviour (Get-VbdPersonality <name> -Detailed shows it and its source).
$expected = @{
    Hardened = 'Direct'; Gplpv2008a = 'Bounced'; Gplpv2008b = 'Direct'; Gplpv2012 = 'Direct'
    Gplpv2013 = 'Direct'; XenProject = 'Direct'; LinuxBlkfront = 'Direct'
}
$null = $lab.Expect('aligned buffers', $expected[$lab.Personality], 'BounceAlignment')
$sizes = 512, 4096, 16384, 65536
$alignments = 0, 1, 511
# The hardened design lets the lab choose the strategy; a real driver has its own (the device says which).
$strategies = if ($lab.Personality -eq 'Hardened') { 'PerSrb', 'DeviceBuffer', 'SegmentPool' } else { '' }

$step = 0
$alignedBounced = 0
foreach ($choice in $strategies) {
    $device = if ($choice) { New-VbdLabDevice $lab "misaligned-$choice" @{ Bounce = $choice } } else { New-VbdLabDevice $lab 'misaligned' }
    $strategy = "$($device.Frontend.Options.EffectiveBounce)"
    Write-Progress -Activity $activity -Status $strategy -PercentComplete (100 * $step++ / @($strategies).Count)
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
                $alignedBounced += $r.BytesBounced
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
    $aligned = $lab.Metrics["$strategy.65536.0.us_per_op"]
    $bounced = $lab.Metrics["$strategy.65536.511.us_per_op"]
    $passes = $lab.Metrics["$strategy.65536.511.bounce_passes_per_op"]
    $lab.Find("${strategy}: 64 KiB at +511 costs $([Math]::Round($bounced, 2)) us/op against $([Math]::Round($aligned, 2)) us/op aligned ($([Math]::Round($passes, 2)) bounce passes per op).")
}
$null = $lab.Observe('aligned buffers', $(if ($alignedBounced -gt 0) { 'Bounced' } else { 'Direct' }), "aligned I/O bounced $alignedBounced bytes")
Write-Progress -Activity $activity -Completed
$lab
