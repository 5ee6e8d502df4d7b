#!/usr/bin/env pwsh
<#
.SYNOPSIS
    The module's benchmark target: a workload run through Invoke-VbdWorkload reaches >= 0.9 x the IOPS of the
    same WorkloadSpec run directly through the engine (WorkloadRunner.Run), in the same process.
.DESCRIPTION
    Imports ./XenVbd.psd1 (run `dotnet pwsh ./build.ps1` first) and runs one spec two ways, each on a fresh
    device created with the same options and seed:

      (a) module   Invoke-VbdWorkload -Device $d ...            (cmdlet binding, progress, result decoration)
      (b) engine   [XenVbd.Workload.WorkloadRunner]::Run(DeviceWorkloadTarget, WorkloadSpec)  with no progress sink,
                   the way the bench harness calls the engine. The engine lives in the module's private
                   AssemblyLoadContext, so its types come from the device object's .GetType().Assembly.

    A warm-up run of each path comes first (JIT), then -Repeat alternating timed pairs; the ratio is the
    median of the pairs' ratios (each pair saw one machine state), with their range. Both paths must give the same operations, errors, bytes, violations and
    virtual elapsed time (same seed => same run); otherwise the script exits 1. It exits 2 if the ratio is
    below -Target, 0 otherwise. Prints a markdown table row; -Json writes the numbers too.
.EXAMPLE
    dotnet pwsh ./bench/workload-ratio.ps1
.EXAMPLE
    dotnet pwsh ./bench/workload-ratio.ps1 -Count 20000 -Repeat 1     # a quick check
#>
[CmdletBinding()]
param(
    [long] $Count = 200000,
    [int] $QueueDepth = 8,
    [int] $BlockSize = 4096,
    [double] $ReadFraction = 0.5,
    [UInt64] $Seed = 1,
    [int] $Repeat = 7,
    [double] $Target = 0.9,
    [string] $Json
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
Import-Module (Join-Path $root 'XenVbd.psd1') -Force

$deviceArgs = @{ SizeBytes = 256MB; Seed = $Seed; QueueDepth = [Math]::Max(64, $QueueDepth) }

function New-RatioDevice([string] $Name) {
    Get-VbdDevice -Name $Name -ErrorAction SilentlyContinue | Remove-VbdDevice -Confirm:$false
    $d = New-VbdDevice -Name $Name @deviceArgs
    # As the stack harness does before it times anything: write the whole disk once, so neither path pays
    # for the sparse disk's first touches (chunk allocation and the OS faulting fresh pages in, which on
    # this VM cost up to a third of a run and swung each path's time by 2x). The timed run's results do
    # not depend on it: it verifies only what it wrote itself.
    $null = Invoke-VbdWorkload -Device $d -Pattern Sequential -ReadFraction 0 -BlockSize 1MB -QueueDepth 8 `
        -Count ($deviceArgs.SizeBytes / 1MB) -NoVerify -Seed $Seed -WorkloadName fill
    # The previous device's memory is garbage now; collect it here rather than during the timed run.
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    $d
}

function Invoke-ModulePath([long] $Ops) {
    $d = New-RatioDevice 'ratio-module'
    try {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $r = Invoke-VbdWorkload -Device $d -Pattern Random -ReadFraction $ReadFraction -BlockSize $BlockSize `
            -QueueDepth $QueueDepth -Count $Ops -Seed $Seed -WorkloadName ratio
        $sw.Stop()
        [pscustomobject]@{ Result = $r; Seconds = $sw.Elapsed.TotalSeconds }
    }
    finally { Remove-VbdDevice -Device $d -Confirm:$false }
}

function Invoke-EnginePath([long] $Ops) {
    $d = New-RatioDevice 'ratio-engine'
    try {
        $asm = $d.GetType().Assembly
        $specType = $asm.GetType('XenVbd.Workload.WorkloadSpec', $true)
        $sizes = $asm.GetType('XenVbd.Workload.BlockSizeDistribution', $true)::Fixed($BlockSize)
        $pattern = [Enum]::Parse($asm.GetType('XenVbd.Workload.IoPattern', $true), 'Random')
        # WorkloadSpec has init-only setters: set them by reflection, exactly as the cmdlet's initializer does.
        $spec = [Activator]::CreateInstance($specType)
        $values = [ordered]@{
            Name = 'ratio'; Pattern = $pattern; ReadFraction = $ReadFraction; BlockSizes = $sizes; QueueDepth = $QueueDepth
            Count = $Ops; Duration = [timespan]::FromSeconds(1); Seed = $Seed; Verify = $true; AssumeZeroedDisk = $false; FlushEvery = 0
            MisalignedFraction = 0.0; AlignmentOffsets = [int[]]@()
        }
        foreach ($k in $values.Keys) { $specType.GetProperty($k).SetValue($spec, $values[$k]) }
        $targetType = $asm.GetType('XenVbd.Workload.DeviceWorkloadTarget', $true)
        $target = [Activator]::CreateInstance($targetType, @($d.psobject.BaseObject, [int]$QueueDepth, [int]$sizes.MaxBytes, $null, $null))
        $runner = $asm.GetType('XenVbd.Workload.WorkloadRunner', $true)
        $run = $runner.GetMethod('Run', [type[]]@($asm.GetType('XenVbd.Workload.IWorkloadTarget', $true), $specType, $asm.GetType('XenVbd.Workload.WorkloadRunOptions', $true)))
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $r = $run.Invoke($null, @($target, $spec, $null))
        $sw.Stop()
        [pscustomobject]@{ Result = $r; Seconds = $sw.Elapsed.TotalSeconds }
    }
    finally { Remove-VbdDevice -Device $d -Confirm:$false }
}

function Get-Fingerprint($r) {
    '{0} ops, {1} errors, {2} violations, {3} B read, {4} B written, {5} virtual' -f $r.Operations, $r.Errors, $r.ViolationCount, $r.BytesRead, $r.BytesWritten, $r.VirtualElapsed
}

Write-Host ("spec: random {0} B, read fraction {1}, QD {2}, {3} ops, verify on, seed {4}; {5} timed pair(s) after a warm-up" -f `
        $BlockSize, $ReadFraction, $QueueDepth, $Count, $Seed, $Repeat)
$warm = [Math]::Min($Count, 20000)
$null = Invoke-EnginePath $warm
$null = Invoke-ModulePath $warm

$module = @(); $engine = @()
for ($i = 0; $i -lt $Repeat; $i++) {
    $engine += Invoke-EnginePath $Count
    $module += Invoke-ModulePath $Count
}

$bad = $false
$reference = Get-Fingerprint $engine[0].Result
foreach ($run in @($engine) + @($module)) {
    $fp = Get-Fingerprint $run.Result
    if ($fp -ne $reference) { Write-Host "MISMATCH: $fp  vs  $reference" -ForegroundColor Red; $bad = $true }
}
if ($engine[0].Result.ViolationCount -ne 0) { Write-Host "integrity violations: $($engine[0].Result.ViolationCount)" -ForegroundColor Red; $bad = $true }
if ($engine[0].Result.Operations -ne $Count) { Write-Host "ran $($engine[0].Result.Operations) of $Count operations" -ForegroundColor Red; $bad = $true }

# Each pair ran back to back, so its ratio saw one machine state; the median of the pairs' ratios does not
# move with this VM's slow and fast spells the way a best-of of each side does.
$pairRatios = @(for ($i = 0; $i -lt $Repeat; $i++) { $engine[$i].Seconds / $module[$i].Seconds }) | Sort-Object
$ratio = if ($Repeat % 2 -eq 1) { $pairRatios[[int][Math]::Floor($Repeat / 2)] } else { ($pairRatios[$Repeat / 2 - 1] + $pairRatios[$Repeat / 2]) / 2 }
$iopsEngine = $Count / (@($engine.Seconds) | Sort-Object)[[int][Math]::Floor(($Repeat - 1) / 2)]
$iopsModule = $Count / (@($module.Seconds) | Sort-Object)[[int][Math]::Floor(($Repeat - 1) / 2)]

Write-Host "results (both paths): $reference"
Write-Host ''
Write-Output '| workload (4 KiB random r/w, QD 8, verify) | engine IOPS (wall, median) | Invoke-VbdWorkload IOPS (wall, median) | ratio (median of pairs) | pair range | target |'
Write-Output '|---|---:|---:|---:|---|---:|'
Write-Output ('| {0} ops, seed {1}, {7} pairs | {2:N0} | {3:N0} | {4:0.000} | {8:0.000}–{9:0.000} | >= {5} {6} |' -f $Count, $Seed, $iopsEngine, $iopsModule, $ratio, $Target, $(if ($ratio -ge $Target) { 'met' } else { 'MISSED' }), $Repeat, $pairRatios[0], $pairRatios[-1])

if ($Json) {
    [pscustomobject]@{
        count = $Count; queueDepth = $QueueDepth; blockSize = $BlockSize; readFraction = $ReadFraction; seed = $Seed
        engineSeconds = @($engine.Seconds); moduleSeconds = @($module.Seconds)
        engineIops = $iopsEngine; moduleIops = $iopsModule; pairRatios = @($pairRatios); ratio = $ratio; target = $Target; results = $reference; identical = -not $bad
    } | ConvertTo-Json | Set-Content -LiteralPath $Json
}

if ($bad) { exit 1 }
if ($ratio -lt $Target) { exit 2 }
exit 0
