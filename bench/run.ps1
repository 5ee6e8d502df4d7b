#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Runs the XenVbd benchmarks with their same-run baselines and writes the results table.
.DESCRIPTION
    1. Builds bench/c/ringloop.c (Xen's ring.h macros, -O2) for x86_64 (and x86_32 where it can
       run: natively or through qemu-i386, reported but not used as the baseline: emulation).
    2. Runs the whole-stack harness (Release) beside the copy limit and the C loop.
    3. Optionally (-Micro) runs the BenchmarkDotNet micro benchmarks.
    4. Writes bench/results/stack.json and bench/results/stack.md; docs/BENCHMARKS.md embeds the latter.
    5. Runs the device and campaign cost harness into bench/results/devices.{md,json}.
    6. Prints the published effects (multi-page ring, persistent grants, multi-queue) as the virtual-time
       service model reproduces them into bench/results/effects.md (deterministic, any machine).
.EXAMPLE
    dotnet pwsh ./bench/run.ps1            # whole stack, ~2.5 minutes
.EXAMPLE
    dotnet pwsh ./bench/run.ps1 -Quick     # the smoke run the test suite uses
#>
[CmdletBinding()]
param([switch]$Quick, [switch]$Micro)
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
$out = Join-Path $PSScriptRoot 'results'
New-Item -ItemType Directory -Force -Path $out | Out-Null

$cJson = Join-Path $out 'c-baseline.jsonl'
Remove-Item $cJson -ErrorAction SilentlyContinue
$header = '/usr/include/xen/io/ring.h'
if ((Get-Command gcc -ErrorAction SilentlyContinue) -and (Test-Path $header)) {
    $build = Join-Path $PSScriptRoot 'c/build'
    New-Item -ItemType Directory -Force -Path $build | Out-Null
    $ops = if ($Quick) { 200000 } else { 4000000 }
    foreach ($bits in 64, 32) {
        $exe = Join-Path $build "ringloop-m$bits"
        & gcc -O2 "-m$bits" -std=gnu11 -Wall -Wextra -Werror -D__XEN_INTERFACE_VERSION__=0x00040e00 (Join-Path $PSScriptRoot 'c/ringloop.c') -o $exe
        if ($LASTEXITCODE -ne 0) { Write-Warning "gcc -m$bits failed; skipping that baseline"; continue }
        foreach ($pattern in 'random', 'sequential') {
            # Kernels without ia32 emulation refuse -m32 programs outright (Exec format error): use qemu-i386 then.
            $line = $null
            try { $line = & $exe $ops 4096 $pattern 2>$null } catch { $line = $null }
            if (-not $line -and $bits -eq 32 -and (Get-Command qemu-i386 -ErrorAction SilentlyContinue)) {
                $line = & qemu-i386 $exe ([int]($ops / 8)) 4096 $pattern
                $line = $line -replace '"abi":"x86_32"', '"abi":"x86_32 (qemu-i386, informational)"'
            }
            if ($line) { Add-Content -Path $cJson -Value $line; Write-Host "C baseline: $line" }
        }
    }
} else {
    Write-Warning "gcc or $header missing: the C ring.h baseline is skipped (apt-get install libxen-dev gcc-multilib)."
}

& dotnet build (Join-Path $root 'bench/XenVbd.Bench/XenVbd.Bench.csproj') -c Release -nologo -v quiet
if ($LASTEXITCODE -ne 0) { throw 'bench build failed' }
$dll = Join-Path $root 'bench/XenVbd.Bench/bin/Release/net10.0/XenVbd.Bench.dll'
$harnessArgs = @('stack', '--out', (Join-Path $out 'stack.json'))
if ($Quick) { $harnessArgs += '--quick' }
if (Test-Path $cJson) { $harnessArgs += @('--c-baseline', $cJson) }
# The C targets are measured in alternating pairs with the stack rows (see PairedBaseline.cs).
$cExe = Join-Path $PSScriptRoot 'c/build/ringloop-m64'
if (Test-Path $cExe) { $harnessArgs += @('--c-exe', $cExe) }
$md = & dotnet $dll @harnessArgs
if ($LASTEXITCODE -ne 0) { throw 'stack harness failed' }
$md | Set-Content -Path (Join-Path $out 'stack.md')
$md | Write-Output

# Device memory, creation and campaign cases per second (bytes are deterministic; times need a quiet machine).
$deviceArgs = @('devices', '--out', (Join-Path $out 'devices.json'))
if ($Quick) { $deviceArgs += '--quick' }
$deviceRows = & dotnet $dll @deviceArgs
if ($LASTEXITCODE -ne 0) { throw 'device cost harness failed' }
$deviceRows | Set-Content -Path (Join-Path $out 'devices.md')
$deviceRows | Write-Output

# The published effects of multi-page rings, persistent grants and multi-queue in virtual time (deterministic).
$effectRows = & dotnet $dll effects
if ($LASTEXITCODE -ne 0) { throw 'published effects: a model ratio fell outside its published band' }
$effectRows | Set-Content -Path (Join-Path $out 'effects.md')
$effectRows | Write-Output

if ($Micro) {
    & dotnet $dll micro --filter '*' --job short
}

# The module's benchmark target: Invoke-VbdWorkload >= 0.9 x the engine's IOPS for the same spec (same process).
$ratioArgs = @{ Json = (Join-Path $out 'workload-ratio.json') }
if ($Quick) { $ratioArgs += @{ Count = 20000; Repeat = 1 } }
$ratioRows = & (Join-Path $PSScriptRoot 'workload-ratio.ps1') @ratioArgs
$ratioCode = $LASTEXITCODE
$ratioRows | Add-Content -Path (Join-Path $out 'stack.md')
$ratioRows | Write-Output
if ($ratioCode -eq 1) { throw 'workload-ratio.ps1: the module and engine runs gave different results' }
