<#
.SYNOPSIS
    Lab 6, ChkdskBurst: chkdsk's large transfers (64 KiB to 1 MiB) from misaligned buffers, through the original
    GPLPV's per-SRB 4 KiB bounce buffer, and for comparison aligned.
.DESCRIPTION
    The original GPLPV bounced a misaligned SRB through one 4096-byte buffer, going through the SRB several times
    when it is larger. This lab sends chkdsk-sized sequential transfers, all misaligned and then all aligned,
    and checks that every byte survives, that large SRBs are split across ring requests, that a misaligned SRB
    takes several bounce passes and an aligned one none; it reports passes and ring requests per SRB.
.PARAMETER Seed
    The seed every device and workload of the lab derives from ($env:XENVBD_LAB_SEED when not given, else 1).
.PARAMETER DeviceOptions
    New-VbdDevice parameters added to every device the lab creates.
.EXAMPLE
    ./labs/06-ChkdskBurst.ps1 -Seed 7
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

$LabName = 'ChkdskBurst'
$lab = New-VbdLabResult -Name $LabName -Seed $Seed
foreach ($misaligned in $true, $false) {
    $label = if ($misaligned) { 'chkdsk misaligned' } else { 'chkdsk aligned' }
    Write-Progress -Activity "$LabName (seed $Seed)" -Status $label -PercentComplete $(if ($misaligned) { 0 } else { 50 })
    $device = New-LabDevice $label @{ Bounce = 'PerSrb' }
    $r = Invoke-VbdWorkload -Device $device -WorkloadName $label -Pattern Sequential -ReadFraction 0.5 -Profile ChkdskBurst `
        -MisalignedFraction $(if ($misaligned) { 1 } else { 0 }) -QueueDepth 2 -Count 120 -LengthBytes 32MB -Seed $lab.SeedFor($label) -AssumeZeroedDisk
    $null = $lab.CheckWorkload($label, $r, $false)
    $null = $lab.Check($r.RequestsSplit -gt 0, "${label}: no SRB was split across ring requests")
    if ($misaligned) {
        $null = $lab.Check($r.BouncePasses -gt $r.Operations, "${label}: $($r.BouncePasses) bounce passes for $($r.Operations) SRBs; large SRBs must take several")
    }
    else {
        $null = $lab.Check($r.BytesBounced -eq 0, "${label}: aligned transfers bounced $($r.BytesBounced) bytes")
    }
    $key = if ($misaligned) { 'misaligned' } else { 'aligned' }
    $passes = if ($r.Operations -eq 0) { 0 } else { [Math]::Round($r.BouncePasses / $r.Operations, 3) }
    $requests = if ($r.Operations -eq 0) { 0 } else { [Math]::Round($r.RingRequests / $r.Operations, 3) }
    $lab.Metric("$key.bounce_passes_per_srb", $passes)
    $lab.Metric("$key.requests_per_srb", $requests)
    $lab.Metric("$key.mb_per_s_virtual", [Math]::Round($r.BandwidthVirtual / 1e6, 3))
    $lab.Find("${label}: $($r.Operations) SRBs of 64 KiB..1 MiB, $([Math]::Round($passes, 2)) bounce passes and $([Math]::Round($requests, 2)) ring requests per SRB, $([Math]::Round($r.BandwidthVirtual / 1e6, 2)) MB/s virtual, data intact.")
    Remove-VbdDevice -Device $device -Confirm:$false
}
Write-Progress -Activity "$LabName (seed $Seed)" -Completed
$lab
