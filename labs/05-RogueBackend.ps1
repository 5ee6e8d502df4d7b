<#
.SYNOPSIS
    Lab 5, RogueBackend: a backend that lies; the frontend must go Broken cleanly.
.DESCRIPTION
    After 100 completed operations of a verified workload the backend tells one lie (Invoke-VbdWorkload
    -AtCompletion/-Action adds the fault with -MaxCount 1): a response id nobody has pending (BadId), an
    operation that does not match the request (WrongOp), rsp_prod running more than a ring ahead (RspProdJump),
    the same response twice (Duplicate). The frontend must mark the device Broken and complete every SRB exactly
    once -- those after the lie with an error -- with nothing stuck and no data corrupted.
.PARAMETER Seed
    The seed every device and workload of the lab derives from ($env:XENVBD_LAB_SEED when not given, else 1).
.PARAMETER DeviceOptions
    New-VbdDevice parameters added to every device the lab creates.
.EXAMPLE
    ./labs/05-RogueBackend.ps1 -Seed 7
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

$LabName = 'RogueBackend'
$lab = New-VbdLabResult -Name $LabName -Seed $Seed
$kinds = 'BadId', 'WrongOp', 'RspProdJump', 'Duplicate'
$i = 0
foreach ($kind in $kinds) {
    Write-Progress -Activity "$LabName (seed $Seed)" -Status $kind -PercentComplete (25 * $i++)
    $device = New-LabDevice "rogue $kind"
    $r = Invoke-VbdWorkload -Device $device -WorkloadName "rogue $kind" -BlockSize 4096 -QueueDepth 8 -Count 400 -LengthBytes 2MB `
        -Seed $lab.SeedFor($kind) -AssumeZeroedDisk -AtCompletion 100 -Action { $null = Add-VbdFault -Device $device -Kind $kind -MaxCount 1 }
    $null = $lab.CheckWorkload("rogue $kind", $r, $true)
    $injected = @(Get-VbdFault -Device $device | Where-Object Kind -eq $kind | ForEach-Object Injected) | Measure-Object -Sum
    $null = $lab.Check($injected.Sum -eq 1, "${kind}: injected $($injected.Sum) times instead of once")
    $null = $lab.Check("$($device.State)" -eq 'Broken', "${kind}: the device ended $($device.State), not Broken")
    $null = $lab.Check($r.Errors -gt 0, "${kind}: no SRB failed after the backend lied")
    $null = $lab.Check($r.Operations -eq 400, "${kind}: $($r.Operations) of 400 SRBs completed")
    $lab.Metric("$kind.errors", $r.Errors)
    $lab.Metric("$kind.completed", $r.Operations)
    $reason = if ($device.Frontend.FailureReason) { $device.Frontend.FailureReason } else { 'no reason given' }
    $lab.Find("${kind}: device $($device.State) ($reason); $($r.Operations) SRBs completed once each, $($r.Errors) with an error, $($r.Stuck) stuck.")
    Remove-VbdDevice -Device $device -Confirm:$false
}
Write-Progress -Activity "$LabName (seed $Seed)" -Completed
$lab
