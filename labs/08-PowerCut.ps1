<#
.SYNOPSIS
    Lab 8, PowerCut: a guest writes, "flushes" as its driver does, and the power is cut; what survives is what
    the real host lets survive.
.DESCRIPTION
    Every device has a volatile write cache in front of its disk (New-VbdDevice -VolatileWriteCache): a write is
    in the cache when it completes and on the disk only once a flush covers it. A power cut (Add-VbdFault -Kind
    PowerCut) drops the cache and the I/O still in flight; the model's guest lives on and reads every extent
    back. Two cases:
      AckedThenFlush        four writes, each waited for (acknowledged), then SYNCHRONIZE CACHE as the driver
                            handles it, then the cut. GPLPV never puts a flush on the ring (2008a, 2008b and 2012:
                            SYNCHRONIZE CACHE is an error; 2013: a success at once, nothing sent), so the acknowledged
                            data is Lost. Linux blkfront, the Xen Project driver and the hardened design send
                            FLUSH_DISKCACHE, so what was acknowledged before it Survived.
      FlushBeforeComplete   on a backend that completes requests in any order (-ReorderCompletions): two writes
                            waited for, four more handed over without waiting (Invoke-Srb -NoWait), SYNCHRONIZE
                            CACHE at once, one READ elsewhere (so the backend has read every write from the ring,
                            whether or not the driver sent the flush), then the cut. The backend's FLUSH covers only the
                            writes completed before it was submitted (Linux: a REQ_PREFLUSH bio without drain), so
                            with a flushing driver the two acknowledged writes survive and the four in flight are
                            lost (InFlightLost); with GPLPV all six are Lost.
    Each expected outcome cites the driver's SynchronizeCache behaviour and where in its code it was read
    (Get-VbdPersonality <name> -Detailed).
.PARAMETER Seed
    The seed every device of the lab derives from ($env:XENVBD_LAB_SEED when not given, else 1).
.PARAMETER Personality
    The frontend personality the guest runs (Get-VbdPersonality lists them); the module's default when not given.
.PARAMETER DeviceOptions
    New-VbdDevice parameters added to every device the lab creates.
.EXAMPLE
    ./labs/08-PowerCut.ps1 -Personality LinuxBlkfront
.EXAMPLE
    Invoke-VbdLab -Name PowerCut -Personality *
#>
[CmdletBinding()]
param(
    # The seed everything in the lab derives from; the same seed replays the lab exactly.
    [UInt64] $Seed = $(if ($env:XENVBD_LAB_SEED) { [UInt64] $env:XENVBD_LAB_SEED } else { 1 }),

    # The frontend the guest runs (Get-VbdPersonality lists them); the module's default when not given.
    [string] $Personality,

    # New-VbdDevice parameters added to every device the lab creates (e.g. @{ BackendPersonality = 'Qemu10' }).
    [hashtable] $DeviceOptions = @{}
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
if (-not (Get-Command New-VbdLabDevice -ErrorAction SilentlyContinue)) {
    # Run alone: import the module this script ships with (labs/ in the repository, module/Labs when published).
    $manifest = @('../XenVbd.psd1', '../../XenVbd.psd1') | ForEach-Object { Join-Path $PSScriptRoot $_ } | Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
    if ($manifest) { Import-Module $manifest } else { Import-Module XenVbd }
}

$lab = New-VbdLabResult -Name PowerCut -Seed $Seed -Personality $Personality -DeviceOptions $DeviceOptions
# Each frontend's outcome, from its SynchronizeCache behaviour: OnRing drivers send FLUSH_DISKCACHE (or a barrier),
# GPLPV answers SYNCHRONIZE CACHE itself (an error, or a success) and sends nothing.
$flushes = @{ Hardened = $true; XenProject = $true; LinuxBlkfront = $true; Gplpv2008a = $false; Gplpv2008b = $false; Gplpv2012 = $false; Gplpv2013 = $false }
$expected = @{
    AckedThenFlush      = if ($flushes[$lab.Personality]) { 'Survived' } else { 'Lost' }
    FlushBeforeComplete = if ($flushes[$lab.Personality]) { 'InFlightLost' } else { 'Lost' }
}

$extentBlocks = 8
function New-Extent([int] $Index) {
    # Extent i: 8 blocks at LBA 64 * (i + 1), every byte (0x30 + i): one look at a block says whose it is.
    @{ Lba = 64 * ($Index + 1); Data = @(0x30 + $Index) * ($extentBlocks * 512) }
}

function Read-Survivor($Device, $Extent) {
    # After the cut the cache is empty: the READ goes to the disk and shows exactly what survived.
    $r = Invoke-Srb -Device $Device -Read -Lba $Extent.Lba -BlockCount $extentBlocks
    if (-not $r.Succeeded) { return 'Unreadable' }
    if (($r.Data -join ',') -eq ($Extent.Data -join ',')) { return 'Survived' }
    if (@($r.Data -ne 0).Count -eq 0) { return 'Lost' }
    return 'Torn'
}

function Invoke-Case([string] $Case, [int] $Acked, [int] $InFlight, [hashtable] $With) {
    $null = $lab.Expect($Case, $expected[$Case], 'SynchronizeCache')
    $device = New-VbdLabDevice $lab "powercut $Case" $With
    $extents = @(for ($i = 0; $i -lt $Acked + $InFlight; $i++) { New-Extent $i })
    for ($i = 0; $i -lt $Acked; $i++) {
        $w = Invoke-Srb -Device $device -Write -Lba $extents[$i].Lba -Data $extents[$i].Data
        $null = $lab.Check($w.Succeeded, "${Case}: write $i was not acknowledged ($($w.SrbStatus))")
    }
    for ($i = $Acked; $i -lt $extents.Count; $i++) {
        Invoke-Srb -Device $device -Write -Lba $extents[$i].Lba -Data $extents[$i].Data -NoWait
    }
    # The driver's own answer to SYNCHRONIZE CACHE: an error under the GPLPV drivers that never handled it.
    $flush = Invoke-Srb -Device $device -SynchronizeCache -ErrorAction SilentlyContinue
    # Requests still unread on the ring at the cut would be read after it, as if issued once the power was back; a
    # READ behind them makes the backend take them first (GPLPV's SYNCHRONIZE CACHE never ran the ring).
    if ($InFlight -gt 0) { $null = Invoke-Srb -Device $device -Read -Lba 0 -BlockCount 1 }
    $null = Add-VbdFault -Device $device -Kind PowerCut -MaxCount 1
    $survivors = @($extents | ForEach-Object { Read-Survivor $device $_ })
    $ackedKept = @($survivors[0..($Acked - 1)] | Where-Object { $_ -eq 'Survived' }).Count
    $inFlightKept = if ($InFlight -gt 0) { @($survivors[$Acked..($extents.Count - 1)] | Where-Object { $_ -eq 'Survived' }).Count } else { 0 }
    $kept = $ackedKept + $inFlightKept
    $observed = if ($kept -eq $extents.Count) { 'Survived' }
        elseif ($kept -eq 0 -and @($survivors | Where-Object { $_ -ne 'Lost' }).Count -eq 0) { 'Lost' }
        elseif ($ackedKept -eq $Acked -and $inFlightKept -eq 0 -and @($survivors[$Acked..($extents.Count - 1)] | Where-Object { $_ -ne 'Lost' }).Count -eq 0) { 'InFlightLost' }
        else { 'Mixed' }
    $evidence = "SYNCHRONIZE CACHE $($flush.SrbStatus); after the cut: " + ($survivors -join ', ')
    $null = $lab.Observe($Case, $observed, $evidence)
    $lab.Metric("$Case.acked_survived", $ackedKept)
    $lab.Metric("$Case.inflight_survived", $inFlightKept)
    $lab.Find("${Case}: $Acked acknowledged write(s)" + $(if ($InFlight) { " and $InFlight still in flight" } else { '' }) +
        ", SYNCHRONIZE CACHE $($flush.SrbStatus), power cut: $ackedKept acknowledged and $inFlightKept in-flight extent(s) survived ($observed).")
    Remove-VbdDevice -Device $device -Confirm:$false
}

Write-Progress -Activity "PowerCut under $($lab.Personality) (seed $Seed)" -Status AckedThenFlush -PercentComplete 0
Invoke-Case AckedThenFlush 4 0 @{ VolatileWriteCache = $true }
Write-Progress -Activity "PowerCut under $($lab.Personality) (seed $Seed)" -Status FlushBeforeComplete -PercentComplete 50
Invoke-Case FlushBeforeComplete 2 4 @{ VolatileWriteCache = $true; ReorderCompletions = $true }
Write-Progress -Activity "PowerCut under $($lab.Personality) (seed $Seed)" -Completed
$lab
