<#
.SYNOPSIS
    Lab 5, RogueBackend: a backend that lies; each frontend reacts as its real driver does.
.DESCRIPTION
    After 100 completed operations of a verified workload the backend tells one lie (Invoke-VbdWorkload
    -AtCompletion/-Action adds the fault with -MaxCount 1): a response id nobody has pending (BadId: the id's top
    bit flipped), an operation that does not match the request (WrongOp), rsp_prod running more than a ring ahead
    (RspProdJump), the same response twice (Duplicate), the answer to one request carrying the id of another the
    backend has in flight (SwappedId). What happens then is the frontend's ResponseChecks
    behaviour: the hardened design goes Broken and completes every SRB once; Linux blkfront flags the response and
    leaves the outstanding I/O hanging; GPLPV never checks, so an id past its shadow array (or a free shadow's
    NULL SRB) stops the device in the model where the real driver would read foreign memory, and a lie it cannot
    see goes unnoticed; the Xen Project driver ignores ids it did not submit. A swapped id is one every frontend
    accepts when the operations match (a pending request): that SRB completes early, the request actually served
    is never answered, and the named request's own answer comes later to a free shadow (GPLPV: its NULL SRB) or a
    request no longer waiting. The checkers (hang detector on the virtual clock, exactly-once, integrity) name
    what they saw, and the lab names which answer carried which id; the lab passes when the outcome is the driver's.
.PARAMETER Seed
    The seed every device and workload of the lab derives from ($env:XENVBD_LAB_SEED when not given, else 1).
.PARAMETER Personality
    The frontend personality the guest runs (Get-VbdPersonality lists them); the module's default when not given.
.PARAMETER DeviceOptions
    New-VbdDevice parameters added to every device the lab creates.
.EXAMPLE
    ./labs/05-RogueBackend.ps1 -Seed 7
.EXAMPLE
    ./labs/05-RogueBackend.ps1 -Personality LinuxBlkfront
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

$lab = New-VbdLabResult -Name RogueBackend -Seed $Seed -Personality $Personality -DeviceOptions $DeviceOptions
# Each frontend's outcome for each lie, from its ResponseChecks behaviour (Get-VbdPersonality <name> -Detailed shows
# it and where in the driver's code it was read). Broken: the device gives up and every SRB completes once; Hangs:
# flagged, the outstanding I/O never completes; Stopped: the driver would index past its shadow array or follow a
# free shadow's NULL SRB, so the model stops the device; Intact: unnoticed; Errors: ignored until the reset fails it.
$expected = @{
    Hardened      = @{ BadId = 'Broken'; WrongOp = 'Broken'; RspProdJump = 'Broken'; Duplicate = 'Broken'; SwappedId = 'Broken' }
    # No mask: the flipped top bit indexes far past the 32 (2008a) or 64 (2008b) shadows.
    # A swapped id: the named SRB completes on the other's answer and its shadow is freed; its own answer then
    # finds that shadow's SRB pointer NULL (every generation clears it on the free list), which the model stops at.
    Gplpv2008a    = @{ BadId = 'Stopped'; WrongOp = 'Intact'; RspProdJump = 'Stopped'; Duplicate = 'Stopped'; SwappedId = 'Stopped' }
    Gplpv2008b    = @{ BadId = 'Stopped'; WrongOp = 'Intact'; RspProdJump = 'Stopped'; Duplicate = 'Stopped'; SwappedId = 'Stopped' }
    # id & 0x3FF masks the flipped top bit off: the response completes its own SRB, unnoticed.
    Gplpv2012     = @{ BadId = 'Intact'; WrongOp = 'Intact'; RspProdJump = 'Stopped'; Duplicate = 'Stopped'; SwappedId = 'Stopped' }
    Gplpv2013     = @{ BadId = 'Intact'; WrongOp = 'Intact'; RspProdJump = 'Stopped'; Duplicate = 'Stopped'; SwappedId = 'Stopped' }
    # An id it did not submit is ignored: that SRB's answer never comes and the reset after the timeout fails it.
    # A swapped id completes the named SRB; its own answer is then unknown and ignored, and the served one is reset.
    XenProject    = @{ BadId = 'Errors'; WrongOp = 'Intact'; RspProdJump = 'Intact'; Duplicate = 'Intact'; SwappedId = 'Errors' }
    # A swapped id completes the named request (or, with another operation, is a wrong operation); its own answer
    # then references no pending request.
    LinuxBlkfront = @{ BadId = 'Hangs'; WrongOp = 'Hangs'; RspProdJump = 'Hangs'; Duplicate = 'Hangs'; SwappedId = 'Hangs' }
}
$kinds = 'BadId', 'WrongOp', 'RspProdJump', 'Duplicate', 'SwappedId'
$i = 0
foreach ($kind in $kinds) {
    Write-Progress -Activity "RogueBackend under $($lab.Personality) (seed $Seed)" -Status $kind -PercentComplete (20 * $i++)
    $null = $lab.Expect($kind, $expected[$lab.Personality][$kind], 'ResponseChecks')
    $device = New-VbdLabDevice $lab "rogue $kind"
    $r = Invoke-VbdWorkload -Device $device -WorkloadName "rogue $kind" -BlockSize 4096 -QueueDepth 8 -Count 400 -LengthBytes 2MB `
        -Seed $lab.SeedFor($kind) -AssumeZeroedDisk -AtCompletion 100 -Action { $null = Add-VbdFault -Device $device -Kind $kind -MaxCount 1 }
    $rules = @(Get-VbdFault -Device $device | Where-Object Kind -eq $kind)
    $injected = @($rules | ForEach-Object Injected) | Measure-Object -Sum
    $null = $lab.Check($injected.Sum -eq 1, "${kind}: injected $($injected.Sum) times instead of once")
    $null = $lab.ObserveWorkload($kind, $r, "$($device.State)", $device.FailureReason)
    $lab.Metric("$kind.errors", $r.Errors)
    $lab.Metric("$kind.completed", $r.Operations)
    $lab.Metric("$kind.stuck", $r.Stuck)
    $reason = if ($device.FailureReason) { $device.FailureReason } else { 'no reason given' }
    $lab.Find("${kind}: device $($device.State) ($reason); $($r.Operations) SRBs completed once each, $($r.Errors) with an error, $($r.Stuck) stuck.")
    # Which answer carried which id: the named request's SRB completed on it, the served one was never answered.
    foreach ($swap in @($rules | Where-Object { $null -ne $_.LastSwap } | ForEach-Object LastSwap)) { $lab.Find("${kind}: $swap.") }
    Remove-VbdDevice -Device $device -Confirm:$false
}
Write-Progress -Activity "RogueBackend under $($lab.Personality) (seed $Seed)" -Completed
$lab
