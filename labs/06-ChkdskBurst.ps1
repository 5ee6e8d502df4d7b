<#
.SYNOPSIS
    Lab 6, ChkdskBurst: chkdsk's large transfers (64 KiB to 1 MiB) from misaligned buffers through the
    frontend's bounce buffer, and for comparison aligned.
.DESCRIPTION
    The original GPLPV bounced a misaligned SRB through one 4096-byte buffer, going through the SRB several times
    when it is larger. This lab sends chkdsk-sized sequential transfers, all misaligned and then all aligned,
    and checks that every byte survives and that large SRBs are split across ring requests. How a misaligned
    SRB is bounced is the frontend's BounceStrategy behaviour: 4 KiB passes (GPLPV of November 2008, and the
    hardened design's PerSrb), or a pass per ring request of up to 11 pages (GPLPV 2012 and 2013's device buffer,
    the shadow pages of GPLPV of February 2008, the Xen Project driver's and Linux's page per segment). Whether an aligned one is bounced is
    its BounceAlignment behaviour. It reports bounce passes and ring requests per SRB.
.PARAMETER Seed
    The seed every device and workload of the lab derives from ($env:XENVBD_LAB_SEED when not given, else 1).
.PARAMETER Personality
    The frontend personality the guest runs (Get-VbdPersonality lists them); the module's default when not given.
.PARAMETER DeviceOptions
    New-VbdDevice parameters added to every device the lab creates.
.EXAMPLE
    ./labs/06-ChkdskBurst.ps1 -Seed 7
.EXAMPLE
    ./labs/06-ChkdskBurst.ps1 -Personality LinuxBlkfront
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

$lab = New-VbdLabResult -Name ChkdskBurst -Seed $Seed -Personality $Personality -DeviceOptions $DeviceOptions
$activity = "ChkdskBurst under $($lab.Personality) (seed $Seed)"
# How each frontend bounces a misaligned chkdsk SRB (its BounceStrategy behaviour) and whether it bounces an
# aligned one (BounceAlignment); Get-VbdPersonality <name> -Detailed shows each with its source. The hardened
# design runs the lab on PerSrb, the original GPLPV's buffer.
# By4KiB: one 4096-byte pass at a time; By11Pages: a pass per ring request of up to 11 pages (a device buffer, a
# shadow's pages or a page per segment); Direct: an aligned SRB is granted as it is; Bounced: copied all the same.
$expected = @{
    Hardened      = 'By4KiB', 'Direct'
    Gplpv2008a    = 'By11Pages', 'Bounced'
    Gplpv2008b    = 'By4KiB', 'Direct'
    Gplpv2012     = 'By11Pages', 'Direct'
    Gplpv2013     = 'By11Pages', 'Direct'
    XenProject    = 'By11Pages', 'Direct'
    LinuxBlkfront = 'By11Pages', 'Direct'
}
$null = $lab.Expect('chkdsk misaligned', $expected[$lab.Personality][0], 'BounceStrategy')
$null = $lab.Expect('chkdsk aligned', $expected[$lab.Personality][1], 'BounceAlignment')
foreach ($misaligned in $true, $false) {
    $label = if ($misaligned) { 'chkdsk misaligned' } else { 'chkdsk aligned' }
    Write-Progress -Activity $activity -Status $label -PercentComplete $(if ($misaligned) { 0 } else { 50 })
    $device = New-VbdLabDevice $lab $label $(if ($lab.Personality -eq 'Hardened') { @{ Bounce = 'PerSrb' } } else { @{} })
    $r = Invoke-VbdWorkload -Device $device -WorkloadName $label -Pattern Sequential -ReadFraction 0.5 -Profile ChkdskBurst `
        -MisalignedFraction $(if ($misaligned) { 1 } else { 0 }) -QueueDepth 2 -Count 120 -LengthBytes 32MB -Seed $lab.SeedFor($label) -AssumeZeroedDisk
    $null = $lab.CheckWorkload($label, $r, $false)
    $null = $lab.Check($r.RequestsSplit -gt 0, "${label}: no SRB was split across ring requests")
    $bytesPerPass = if ($r.BouncePasses -eq 0) { 0 } else { $r.BytesBounced / $r.BouncePasses }
    if ($misaligned) {
        $null = $lab.Check($r.BytesBounced -ge $r.BytesRead + $r.BytesWritten, "${label}: bounced only $($r.BytesBounced) of $($r.BytesRead + $r.BytesWritten) bytes")
        $how = if ($bytesPerPass -eq 0) { 'Direct' } elseif ($bytesPerPass -le 4096) { 'By4KiB' } else { 'By11Pages' }
    }
    else {
        $how = if ($r.BytesBounced -gt 0) { 'Bounced' } else { 'Direct' }
    }
    $null = $lab.Observe($label, $how, "$($r.BouncePasses) bounce passes of $([Math]::Round($bytesPerPass)) bytes on average, $($r.RingRequests) ring requests for $($r.Operations) SRBs")
    $key = if ($misaligned) { 'misaligned' } else { 'aligned' }
    $passes = if ($r.Operations -eq 0) { 0 } else { [Math]::Round($r.BouncePasses / $r.Operations, 3) }
    $requests = if ($r.Operations -eq 0) { 0 } else { [Math]::Round($r.RingRequests / $r.Operations, 3) }
    $lab.Metric("$key.bounce_passes_per_srb", $passes)
    $lab.Metric("$key.requests_per_srb", $requests)
    $lab.Metric("$key.bytes_per_bounce_pass", [Math]::Round($bytesPerPass, 1))
    $lab.Metric("$key.mb_per_s_virtual", [Math]::Round($r.BandwidthVirtual / 1e6, 3))
    $lab.Find("${label}: $($r.Operations) SRBs of 64 KiB..1 MiB, $([Math]::Round($passes, 2)) bounce passes and $([Math]::Round($requests, 2)) ring requests per SRB, $([Math]::Round($r.BandwidthVirtual / 1e6, 2)) MB/s virtual, data intact.")
    Remove-VbdDevice -Device $device -Confirm:$false
}
Write-Progress -Activity $activity -Completed
$lab
