<#
.SYNOPSIS
    Lab 7, HardCasesOnQemu: the three hard cases against a real QEMU xen-disk, and every divergence from the
    blkback model seen in the same run.
.DESCRIPTION
    Each case runs three times: on a device whose backend is a real QEMU (New-VbdDevice -Backend Qemu, the Xen
    stand-in preloaded), on a model device with -BackendPersonality Qemu72, and on one with LinuxBlkback (a 64-bit
    dom0, Protocol mode). The cases:
      misaligned buffers   a verified workload whose every buffer is 1, 3, 64 or 511 bytes past a sector boundary, under
                           each bounce strategy (PerSrb, DeviceBuffer, SegmentPool);
      bitness              an x86_32 and an x86_64 frontend in Probe mode (no protocol key: each backend reads its
                           default layout, so the probe may switch) and an x86_32 frontend in Announce mode;
      delayed responses    the stand-in delays 30 % of event deliveries by 1..10 ms from its seeded schedule; the
                           model devices get a Latency fault of the same share and range.
    The result names QEMU's version and lists every case whose outcome on real QEMU differs from LinuxBlkback's
    (a divergence, with its source-level reason from docs/INTEROP.md), and every case where the Qemu72 model
    differs from real QEMU (a gap in the model). Without qemu-system-xen the lab checks nothing and says why,
    with the install command.
    Under the Hardened design (this project's own frontend, the only one whose probe mode and bounce strategy can
    be chosen) every variant above runs. Under a real driver's personality its own fixed options run instead: its
    bounce strategy for the misaligned buffers, and its own announce-or-probe behaviour for an x86_32 and an x86_64
    frontend; the layout QEMU must end on follows from whether that driver writes the protocol key.
.PARAMETER Seed
    The seed every device and workload of the lab derives from ($env:XENVBD_LAB_SEED when not given, else 1).
.PARAMETER Personality
    The frontend personality every device runs (Get-VbdPersonality lists them); the module's default when not given.
.PARAMETER DeviceOptions
    New-VbdDevice parameters added to every device the lab creates.
.EXAMPLE
    ./labs/07-HardCasesOnQemu.ps1 -Seed 3
#>
[CmdletBinding()]
param(
    # The seed everything in the lab derives from (QEMU itself runs in real time: its interleaving is not replayed).
    [UInt64] $Seed = $(if ($env:XENVBD_LAB_SEED) { [UInt64] $env:XENVBD_LAB_SEED } else { 1 }),

    # The frontend personality every device runs; the module's default when not given.
    [string] $Personality,

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

$LabName = 'HardCasesOnQemu'
$personalityAt = @{}
if ($Personality) { $personalityAt['Personality'] = $Personality }
$lab = New-VbdLabResult -Name $LabName -Seed $Seed @personalityAt
# Only the Hardened design lets a lab choose the probe mode and the bounce strategy; a real driver fixes both.
$hardened = $lab.Personality -eq 'Hardened'
$backends = [ordered]@{
    'QEMU'         = @{ Backend = 'Qemu' }
    'Qemu72 model' = @{ BackendPersonality = 'Qemu72'; BackendAbi = 'X86_64'; BackendMode = 'Protocol' }
    'LinuxBlkback' = @{ BackendPersonality = 'LinuxBlkback'; BackendAbi = 'X86_64'; BackendMode = 'Protocol' }
}

function New-LabDevice {
    # One device per case and backend, seeded from the case's name, with the caller's -DeviceOptions on top.
    param([string] $Case, [string] $On, [hashtable] $With = @{})
    $parameters = @{
        Name             = ($LabName + '-' + ("$Case $On" -replace '[^A-Za-z0-9]+', '-')).TrimEnd('-')
        SizeBytes        = 64MB
        Seed             = $lab.SeedFor($Case)
        QueueDepth       = 8
        GuestBufferBytes = 8MB
        Personality      = $lab.Personality
    }
    foreach ($key in $backends[$On].Keys) { $parameters[$key] = $backends[$On][$key] }
    foreach ($key in $With.Keys) { if ($hardened -or $key -notin 'Bounce', 'FrontendMode') { $parameters[$key] = $With[$key] } }
    foreach ($key in $DeviceOptions.Keys) { $parameters[$key] = $DeviceOptions[$key] }
    New-VbdDevice @parameters
}

# Can a QEMU device be made here? The cmdlet's own answer (by trying), with its install command.
$probe = $null
$qemuAt = @{}
if ($DeviceOptions.ContainsKey('QemuPath')) { $qemuAt['QemuPath'] = $DeviceOptions['QemuPath'] }
try {
    $probe = New-VbdDevice -Name "$LabName-availability" -Backend Qemu -SizeBytes 1MB @qemuAt
}
catch {
    $id = $_.FullyQualifiedErrorId -replace ',.*$', ''
    if ($id -notin 'QemuNotInstalled', 'XenStandinPrerequisiteMissing') { throw }
    $lab.Metric('skipped', 1)
    $lab.Find("SKIPPED: $($_.Exception.Message) $($_.ErrorDetails.RecommendedAction)")
    return $lab
}
$version = $probe.BackendHost.Version
$lab.Metric('skipped', 0)
$lab.Metric('qemu.major', $version.Major)
$lab.Metric('qemu.minor', $version.Minor)
$lab.Find("QEMU $($version.Number): $($version.Line)")
Remove-VbdDevice -Device $probe -Confirm:$false

# outcome[case][backend]: one short line each, compared across backends at the end.
$outcome = [ordered]@{}
function Set-Outcome([string] $Case, [string] $On, [string] $Text) {
    if (-not $outcome.Contains($Case)) { $outcome[$Case] = [ordered]@{} }
    $outcome[$Case][$On] = $Text
}

# 1. Misaligned buffers, all three bounce strategies.
# A real driver's flush is its own behaviour (GPLPV 2012 refuses SYNCHRONIZE CACHE; the flush labs cover it): here only
# the backends may differ, so only the Hardened runs flush.
$flushEvery = if ($hardened) { 50 } else { 0 }
$misaligned = @{ ReadFraction = 0.5; BlockSize = 4096; MisalignedFraction = 1.0; AlignmentOffsets = @(1, 3, 64, 511); QueueDepth = 4; LengthBytes = 8MB; FlushEvery = $flushEvery }
$step = 0
$strategies = if ($hardened) { 'PerSrb', 'DeviceBuffer', 'SegmentPool' } else { @('own') }
foreach ($bounce in $strategies) {
    $case = if ($hardened) { "misaligned $bounce" } else { "misaligned ($($lab.Personality)'s own strategy)" }
    foreach ($on in $backends.Keys) {
        Write-Progress -Activity "$LabName (seed $Seed)" -Status "$case on $on" -PercentComplete (4 * $step++)
        $device = New-LabDevice $case $on @{ Bounce = $bounce }
        $r = Invoke-VbdWorkload -Device $device -WorkloadName "$case on $on" -Count 200 -Seed $lab.SeedFor($case) @misaligned
        $null = $lab.CheckWorkload("$case on $on", $r, $false)
        if ($hardened) { $null = $lab.Check($r.BouncePasses -gt 0, "$case on ${on}: no bounce pass for buffers that are never aligned") }
        Set-Outcome $case $on "$($r.Operations) ops, $($r.Errors) errors, $($r.ViolationCount) violations, $(if ($r.BouncePasses -gt 0) { 'bounced' } else { 'not bounced' })"
        if ($on -eq 'QEMU') { $lab.Metric("$case.qemu.bounce_passes", $r.BouncePasses) }
        Remove-VbdDevice -Device $device -Confirm:$false
    }
}

# 2. Bitness: which layout each backend reads, so where the probe lands.
$bitness = if ($hardened) {
    @(
        @{ Case = 'bitness x86_32 Probe'; Abi = 'X86_32'; Mode = 'Probe' }
        @{ Case = 'bitness x86_64 Probe'; Abi = 'X86_64'; Mode = 'Probe' }
        @{ Case = 'bitness x86_32 Announce'; Abi = 'X86_32'; Mode = 'Announce' }
    )
}
else {
    # The driver's own behaviour decides whether it announces (writes protocol) or probes.
    @(
        @{ Case = 'bitness x86_32'; Abi = 'X86_32'; Mode = $null }
        @{ Case = 'bitness x86_64'; Abi = 'X86_64'; Mode = $null }
    )
}
$wroteProtocol = @{}
foreach ($b in $bitness) {
    foreach ($on in $backends.Keys) {
        Write-Progress -Activity "$LabName (seed $Seed)" -Status "$($b.Case) on $on" -PercentComplete (4 * $step++)
        $device = New-LabDevice $b.Case $on @{ FrontendAbi = $b.Abi; FrontendMode = $b.Mode }
        $null = $lab.Check($device.State.ToString() -eq 'Ready', "$($b.Case) on ${on}: the device is $($device.State), not Ready ($($device.FailureReason))")
        $w = Invoke-Srb -Device $device -Write -Lba 2048 -BlockCount 8 -BufferAlignment 3
        $ok = $w.Succeeded -and (Test-VbdIntegrity -Device $device)
        $null = $lab.Check($ok, "$($b.Case) on ${on}: a write did not read back intact on layout $($device.FrontendAbi)")
        $probed = $null -ne $device.ProbeResult
        $switched = $probed -and $device.ProbeResult.Switched
        if ($on -eq 'QEMU') { $wroteProtocol[$b.Case] = [bool](Get-VbdXenStore -Device $device | Where-Object { $_.Side -eq 'frontend' -and $_.Key -eq 'protocol' }) }
        Set-Outcome $b.Case $on ("layout $($device.FrontendAbi)" + $(if ($probed) { if ($switched) { ' (probe switched)' } else { ' (probe kept it)' } } else { ' (announced)' }) + $(if ($ok) { ', I/O intact' } else { ', I/O FAILED' }))
        Remove-VbdDevice -Device $device -Confirm:$false
    }
}
# What QEMU is known to do (docs/INTEROP.md, rows 2 and 3 of the table: xen_block_connect's native default, protocol honoured).
# With a protocol key QEMU reads that layout; without one, its native X86_64; either way the I/O must be intact.
foreach ($b in $bitness) {
    $got = $outcome[$b.Case]['QEMU']
    $want = if ($wroteProtocol[$b.Case]) { "layout $($b.Abi)" } else { 'layout X86_64' }
    $why = if ($wroteProtocol[$b.Case]) { "QEMU did not honour protocol=$($b.Abi)" } else { "without a protocol key QEMU reads its native X86_64" }
    $null = $lab.Check($got -like "$want *I/O intact", "$($b.Case): $why, but the frontend ended '$got'")
}

# 3. Delayed responses: the stand-in's seeded schedule on QEMU, a Latency fault of the same shape on the models.
$case = 'delayed responses'
$delayed = @{ ReadFraction = 0.5; BlockSize = 4096; MisalignedFraction = 0.25; QueueDepth = 8; LengthBytes = 8MB; FlushEvery = $flushEvery }
foreach ($on in $backends.Keys) {
    Write-Progress -Activity "$LabName (seed $Seed)" -Status "$case on $on" -PercentComplete (4 * $step++)
    if ($on -eq 'QEMU') {
        $device = New-LabDevice $case $on @{ QemuDelayPercent = 30; QemuDelayMaxMilliseconds = 10 }
    }
    else {
        $device = New-LabDevice $case $on
        $null = Add-VbdFault -Device $device -Kind Latency -FaultName 'as the stand-in delays' -Rate 0.3 -Distribution Uniform -Delay '00:00:00.001' -MaxDelay '00:00:00.010'
    }
    $r = Invoke-VbdWorkload -Device $device -WorkloadName "$case on $on" -Count 300 -Seed $lab.SeedFor($case) @delayed
    $null = $lab.CheckWorkload("$case on $on", $r, $false)
    $null = $lab.Check($r.Timeouts -eq 0, "$case on ${on}: $($r.Timeouts) requests timed out under delays of at most 10 ms")
    Set-Outcome $case $on "$($r.Operations) ops, $($r.Errors) errors, $($r.ViolationCount) violations, $($r.Timeouts) timeouts"
    if ($on -eq 'QEMU') {
        $lab.Metric("$case.qemu.p99_us", $r.Latency.P99Us)
        $lab.Find("Delayed responses on QEMU (stand-in schedule $($device.BackendHost.EventSchedule)): $($r.Operations) ops, p50 $([Math]::Round($r.Latency.P50Us / 1000, 2)) ms, p99 $([Math]::Round($r.Latency.P99Us / 1000, 2)) ms, nothing lost.")
    }
    Remove-VbdDevice -Device $device -Confirm:$false
}
Write-Progress -Activity "$LabName (seed $Seed)" -Completed

# Why real QEMU and Linux blkback differ, at the source (docs/INTEROP.md, "Divergences").
$reasons = @{
    'bitness x86_32 Probe' = 'no protocol key: QEMU reads its native x86_64 layout (xen_block_connect), Linux blkback its x86_32 default on x86 (connect_ring, BLKIF_PROTOCOL_DEFAULT)'
    'bitness x86_64 Probe' = 'no protocol key: QEMU reads its native x86_64 layout (xen_block_connect), Linux blkback its x86_32 default on x86 (connect_ring, BLKIF_PROTOCOL_DEFAULT)'
}
foreach ($b in $bitness) {
    if (-not $reasons.ContainsKey($b.Case) -and -not $wroteProtocol[$b.Case]) { $reasons[$b.Case] = $reasons['bitness x86_32 Probe'] }
}
$divergences = 0
$gaps = 0
foreach ($c in $outcome.Keys) {
    $o = $outcome[$c]
    if ($o['QEMU'] -ne $o['LinuxBlkback']) {
        $divergences++
        $why = if ($reasons.ContainsKey($c)) { $reasons[$c] } else { 'not in the divergence table of docs/INTEROP.md: investigate' }
        $lab.Find("DIVERGENCE ${c}: QEMU $($version.Number) '$($o['QEMU'])', LinuxBlkback model '$($o['LinuxBlkback'])'. Why: $why.")
    }
    if ($o['QEMU'] -ne $o['Qemu72 model']) {
        $gaps++
        $lab.Find("MODEL GAP ${c}: QEMU $($version.Number) '$($o['QEMU'])', Qemu72 model '$($o['Qemu72 model'])'.")
    }
}
$lab.Metric('divergences', $divergences)
$lab.Metric('model_gaps', $gaps)
$lab.Find("$($outcome.Count) cases on QEMU $($version.Number), the Qemu72 model and the LinuxBlkback model: $divergences divergence(s) between QEMU and LinuxBlkback, $gaps case(s) where the Qemu72 model differs from QEMU.")
$lab
