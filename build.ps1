#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, publishes and tests XenVbd; runs the default lab and the benchmarks.

.DESCRIPTION
    Run with the PowerShell pinned in .config/dotnet-tools.json:

        dotnet tool restore
        dotnet pwsh ./build.ps1                 # Build + Publish (the default)
        dotnet pwsh ./build.ps1 -Task Test      # build, publish, then every test suite
        dotnet pwsh ./build.ps1 -Task Lab       # build, publish, then labs/Invoke-DefaultLab.ps1
        dotnet pwsh ./build.ps1 -Task Bench     # bench/run.ps1
        dotnet pwsh ./build.ps1 -Task Soak      # the 1,000,000-case frontend soak (minutes; -SoakCases 100000 for less)
        dotnet pwsh ./build.ps1 -Task Clean
        dotnet pwsh ./build.ps1 -Task Format    # dotnet format: apply the house style (.editorconfig)

    Build    dotnet restore + dotnet build -c Release of XenVbd.sln (warnings are errors).
    Publish  lays the module out next to XenVbd.psd1:
               module/Core/XenVbd.PowerShell.dll (+ help)   net10.0, loaded by PowerShell 7
               module/Core/deps/*.dll                       XenVbd.Core, Polly.Core, ...: the private AssemblyLoadContext
               module/Desktop/*.dll                         netstandard2.0, loaded by Windows PowerShell 5.1
               module/Labs/*.ps1                            the lab scripts and their Pester suites (Invoke-VbdLab)
    Test     (a) dotnet test of the solution's xunit projects (counts from TRX files),
             (b) Pester 6 over tests/pester and the labs' own suites (labs/*.Tests.ps1) in a fresh pwsh,
             (c) tests/interop/run.sh when it exists and gcc + Xen's headers are installed,
             (d) tests/mono: the netstandard2.0 engine under Mono when mono is installed,
             (e) a smoke run of the benchmark harness.
             Prints one line per suite, then exactly one final line "N passed, N failed[, N skipped]"
             and exits 1 if anything failed.
    Soak     builds fuzz/XenVbd.Fuzz and runs its frontend soak (-SoakCases generated rogue-backend cases on
             every core, devices restored from snapshots; see docs/RELIABILITY.md): cases, failures, wall and
             CPU time, cases/s. Not part of Test. Exits 1 if a case failed (inputs kept in soak-failures/).
    Format   dotnet format of the solution: whitespace, code style and analyzer fixes as .editorconfig
             asks (one command for code merged from another branch); FormatCheck only verifies
             (--verify-no-changes), as .ci/run does.
    Test and Lab run Build and Publish first.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Publish', 'Test', 'Lab', 'Bench', 'Soak', 'Clean', 'Format', 'FormatCheck')]
    [string[]] $Task = @('Build', 'Publish'),

    [ValidateRange(1, [long]::MaxValue)]
    [long] $SoakCases = 1000000,

    [string] $Configuration = 'Release'
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$Root = $PSScriptRoot
$Solution = Join-Path $Root 'XenVbd.sln'
$ModuleProject = Join-Path $Root 'XenVbd.PowerShell/XenVbd.PowerShell.csproj'
$ModuleDir = Join-Path $Root 'module'
$OutDir = Join-Path $Root 'out'
$PesterVersion = '6.2.0'

# dotnet's first-run banner and telemetry notice would interleave with our output.
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'

function Write-Step([string] $Text) { Write-Host "==> $Text" -ForegroundColor Cyan }

function Invoke-Native {
    # Runs a native command, streaming its output; throws on a non-zero exit code.
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @(), [switch] $AllowFailure)
    & $FilePath @ArgumentList | Out-Host
    $code = $LASTEXITCODE
    if ($code -ne 0 -and -not $AllowFailure) {
        throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $code."
    }
    return $code
}

function Get-PwshCommand {
    # The PowerShell running this script, as a command line for a fresh child process
    # (under `dotnet pwsh` that is `dotnet <PSHOME>/pwsh.dll`).
    $dll = Join-Path $PSHOME 'pwsh.dll'
    $exe = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    if (Test-Path -LiteralPath $exe) { return , @($exe) }
    if (Test-Path -LiteralPath $dll) { return , @((Get-Process -Id $PID).Path, $dll) }
    return , @('pwsh')
}

function Invoke-ChildPwsh {
    param([Parameter(Mandatory)] [string[]] $Arguments, [switch] $AllowFailure)
    $cmd = Get-PwshCommand
    $rest = @($cmd | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive') + $Arguments
    return Invoke-Native -FilePath $cmd[0] -ArgumentList $rest -AllowFailure:$AllowFailure
}

function Invoke-Build {
    Write-Step "dotnet restore / build ($Configuration)"
    $null = Invoke-Native dotnet @('restore', $Solution, '--nologo')
    $null = Invoke-Native dotnet @('build', $Solution, '-c', $Configuration, '--no-restore', '--nologo', '-v', 'minimal')
}

function Invoke-Format {
    # Whitespace, code style and analyzer fixes, as .editorconfig and the analyzers ask: one command for code
    # merged from elsewhere.
    param([switch] $Check)
    $verify = if ($Check) { @('--verify-no-changes') } else { @() }
    Write-Step ($Check ? 'dotnet format --verify-no-changes' : 'dotnet format (applies the house style)')
    $null = Invoke-Native dotnet (@('format', $Solution) + $verify)
}

function Invoke-Publish {
    Write-Step 'publish module layout into module/Core and module/Desktop'
    foreach ($target in @(@{ Tfm = 'net10.0'; Edition = 'Core'; Isolate = $true },
                          @{ Tfm = 'netstandard2.0'; Edition = 'Desktop'; Isolate = $false })) {
        $staging = Join-Path $OutDir "publish/$($target.Tfm)"
        if (Test-Path $staging) { Remove-Item -Recurse -Force $staging }
        $null = Invoke-Native dotnet @('publish', $ModuleProject, '-c', $Configuration, '-f', $target.Tfm,
            '--no-build', '--nologo', '-v', 'quiet', '-o', $staging)

        $dest = Join-Path $ModuleDir $target.Edition
        if (Test-Path $dest) { Remove-Item -Recurse -Force $dest }
        $null = New-Item -ItemType Directory -Force $dest
        $deps = if ($target.Isolate) { New-Item -ItemType Directory -Force (Join-Path $dest 'deps') } else { Get-Item $dest }

        foreach ($file in Get-ChildItem -LiteralPath $staging -File) {
            if ($file.Name -like '*.deps.json') { continue }
            if ($file.Name -eq 'System.Management.Automation.dll') { continue }   # the host supplies it
            $isCmdletAssembly = $file.Name -like 'XenVbd.PowerShell.*'
            Copy-Item -LiteralPath $file.FullName -Destination ($isCmdletAssembly ? $dest : $deps.FullName)
        }
        # Native libraries of a dependency (none today) keep their runtimes/<rid>/native layout;
        # the engine's load context looks for them there.
        $runtimes = Join-Path $staging 'runtimes'
        if ($target.Isolate -and (Test-Path -LiteralPath $runtimes)) {
            Copy-Item -LiteralPath $runtimes -Destination $deps.FullName -Recurse -Force
        }
        # One short line per edition (a list of every file made a line of ~1,900 characters).
        $files = @(Get-ChildItem -Recurse -File $dest)
        Write-Host ("    module/{0}: {1} files, {2:0.0} MB" -f $target.Edition, $files.Count, (($files | Measure-Object Length -Sum).Sum / 1MB))
    }
    # The lab scripts, their Pester suites and the helper those suites dot-source (LabSuite.Helpers.ps1, which
    # Invoke-VbdLab skips as it skips *.Tests.ps1) ship with the module (Invoke-VbdLab runs module/Labs);
    # labs/Invoke-*.ps1 are the repository's runners, not labs.
    $labs = Join-Path $ModuleDir 'Labs'
    if (Test-Path $labs) { Remove-Item -Recurse -Force $labs }
    $null = New-Item -ItemType Directory -Force $labs
    Get-ChildItem -LiteralPath (Join-Path $Root 'labs') -Filter *.ps1 -File | Where-Object Name -notlike 'Invoke-*' |
        Copy-Item -Destination $labs
    Write-Host ("    module/Labs: {0}" -f ((Get-ChildItem -File $labs).Name -join ', '))
    # The Xen stand-in ships as source (New-VbdDevice -Backend Qemu compiles it on first use, per source hash, into the
    # user's cache: built against the machine's own libxen-dev, and the module stays usable where gcc is absent at build).
    $native = Join-Path $ModuleDir 'native/xen-standin'
    if (Test-Path $native) { Remove-Item -Recurse -Force $native }
    $null = New-Item -ItemType Directory -Force $native
    Copy-Item -LiteralPath (Join-Path $Root 'XenVbd.PowerShell/native/xen-standin/xen-standin.c'), (Join-Path $Root 'tests/interop/shm/shm.h') -Destination $native
    # shm.h includes "../common.h" (its place in tests/interop): the same relative place in the module.
    Copy-Item -LiteralPath (Join-Path $Root 'tests/interop/common.h') -Destination (Split-Path -Parent $native)
    Write-Host ("    module/native/xen-standin: {0}" -f ((Get-ChildItem -File $native).Name -join ', '))
}

function Get-TrxCounts([string] $Directory) {
    $totals = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0; Files = 0 }
    foreach ($trx in Get-ChildItem -LiteralPath $Directory -Filter *.trx -Recurse -ErrorAction SilentlyContinue) {
        [xml] $xml = Get-Content -Raw -LiteralPath $trx.FullName
        $c = $xml.TestRun.ResultSummary.Counters
        $totals.Files++
        $totals.Passed += [int] $c.passed
        $totals.Failed += [int] $c.failed + [int] $c.error + [int] $c.timeout + [int] $c.aborted
        # The TRX logger leaves notExecuted at 0 for a skipped test; only the result's own outcome says it was skipped.
        $skippedHere = @($xml.TestRun.Results.UnitTestResult | Where-Object { $_.outcome -eq 'NotExecuted' }).Count
        $totals.Skipped += [Math]::Max([int] $c.notExecuted, $skippedHere)
    }
    return $totals
}

function Invoke-XunitSuite {
    Write-Step 'xunit: dotnet test XenVbd.sln'
    $results = Join-Path $OutDir 'TestResults/xunit'
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    # LogFilePrefix gives each assembly its own <prefix>_<tfm>_<timestamp with ms>.trx.
    $lines = [System.Collections.Generic.List[string]]::new()
    & dotnet test $Solution -c $Configuration --no-build --nologo --logger 'trx;LogFilePrefix=xunit' --results-directory $results 2>&1 |
        ForEach-Object { $line = "$_"; $lines.Add($line); Write-Host $line }
    $code = $LASTEXITCODE
    $counts = Get-TrxCounts $results

    # Cross-check with the console's per-assembly summaries ("Passed!  - Failed: 0, Passed: 23, Skipped: 0, ...").
    $console = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0; Files = 0 }
    foreach ($line in $lines) {
        if ($line -match '^\s*(?:Passed|Failed)!\s+-\s+Failed:\s+(\d+),\s+Passed:\s+(\d+),\s+Skipped:\s+(\d+)') {
            $console.Files++; $console.Failed += [int] $Matches[1]; $console.Passed += [int] $Matches[2]; $console.Skipped += [int] $Matches[3]
        }
    }
    if ($console.Files -gt 0 -and ($console.Passed + $console.Failed) -gt ($counts.Passed + $counts.Failed)) {
        Write-Warning "TRX files ($($counts.Files)) report fewer results than the console ($($console.Files) assemblies); using the console summaries."
        $counts = $console
    }
    if ($code -ne 0 -and $counts.Failed -eq 0) {
        # The run broke before reporting (crash, build missing): count it, never hide it.
        Write-Warning "dotnet test exited with $code without a failed test in its results."
        $counts.Failed = 1
    }
    return [pscustomobject]@{ Suite = 'xunit'; Passed = $counts.Passed; Failed = $counts.Failed; Skipped = $counts.Skipped; Note = "$($counts.Files) test assemblies" }
}

function Get-PesterModulePath {
    $cache = (& dotnet nuget locals global-packages -l) -replace '^global-packages:\s*', ''
    $path = Join-Path $cache.Trim() "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path -LiteralPath $path)) {
        throw "Pester $PesterVersion is not in the NuGet cache ($path). It is downloaded by the restore of tests/XenVbd.PowerShell.Tests (PackageDownload); run './build.ps1 -Task Build'."
    }
    return $path
}

function Invoke-PesterSuite {
    Write-Step "Pester $PesterVersion over tests/pester and labs (fresh pwsh, imports ./XenVbd.psd1)"
    $pester = Get-PesterModulePath
    $results = Join-Path $OutDir 'TestResults/pester'
    $null = New-Item -ItemType Directory -Force $results
    $summary = Join-Path $results 'summary.json'
    if (Test-Path $summary) { Remove-Item -Force $summary }

    $runner = @'
param($PesterPath, $TestPath, $ResultDir, $SummaryPath)
$ErrorActionPreference = 'Stop'
if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }   # CI logs: no ANSI colour codes
Import-Module -Name $PesterPath -RequiredVersion 6.2.0 -Force
$config = New-PesterConfiguration
$config.Run.Path = @($TestPath -split [IO.Path]::PathSeparator)
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Normal'
$config.Output.RenderMode = 'Plaintext'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = Join-Path $ResultDir 'pester.xml'
$result = Invoke-Pester -Configuration $config
[pscustomobject]@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount + $result.NotRunCount
} | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath
'@
    $runnerPath = Join-Path $results 'run-pester.ps1'
    Set-Content -LiteralPath $runnerPath -Value $runner
    $code = Invoke-ChildPwsh -Arguments @('-File', $runnerPath, $pester, ((Join-Path $Root 'tests/pester'), (Join-Path $Root 'labs') -join [IO.Path]::PathSeparator), $results, $summary) -AllowFailure
    if (Test-Path $summary) {
        $s = Get-Content -Raw $summary | ConvertFrom-Json
        if ($null -eq $s.Passed -or $null -eq $s.Failed) {
            # Invoke-Pester returned no run object: never report that as "0 failed".
            Write-Warning "Pester's summary has no counts (exit code $code)."
            return [pscustomobject]@{ Suite = 'pester'; Passed = 0; Failed = 1; Skipped = 0; Note = 'no counts in the summary' }
        }
        return [pscustomobject]@{ Suite = 'pester'; Passed = [int] $s.Passed; Failed = [int] $s.Failed; Skipped = [int] $s.Skipped; Note = '' }
    }
    Write-Warning "Pester did not report a result (exit code $code)."
    return [pscustomobject]@{ Suite = 'pester'; Passed = 0; Failed = 1; Skipped = 0; Note = 'runner failed' }
}

function Invoke-InteropSuite {
    $script = Join-Path $Root 'tests/interop/run.sh'
    $skip = { param($why) Write-Host "    interop: SKIPPED - $why"; [pscustomobject]@{ Suite = 'interop'; Passed = 0; Failed = 0; Skipped = 1; Note = "skipped: $why" } }
    if (-not (Test-Path -LiteralPath $script)) { return & $skip 'tests/interop/run.sh does not exist yet' }
    if (-not (Get-Command gcc -CommandType Application -ErrorAction SilentlyContinue)) { return & $skip 'gcc is not installed (apt-get install gcc gcc-multilib)' }
    if (-not (Test-Path -LiteralPath '/usr/include/xen/io/ring.h')) { return & $skip "Xen's headers are missing: /usr/include/xen/io/ring.h (apt-get install libxen-dev)" }

    Write-Step 'C interop: bash tests/interop/run.sh'
    $lines = [System.Collections.Generic.List[string]]::new()
    & bash $script 2>&1 | ForEach-Object { $line = "$_"; $lines.Add($line); Write-Host $line }
    $code = $LASTEXITCODE
    $summary = $lines | Where-Object { $_ -match '^\s*(\d+) passed, (\d+) failed' } | Select-Object -Last 1
    if ($summary -and $summary -match '^\s*(\d+) passed, (\d+) failed(?:, (\d+) skipped)?') {
        $failed = [int] $Matches[2]
        if ($code -ne 0 -and $failed -eq 0) { $failed = 1 }
        return [pscustomobject]@{ Suite = 'interop'; Passed = [int] $Matches[1]; Failed = $failed; Skipped = [int] ($Matches[3] ?? 0); Note = '' }
    }
    Write-Warning "tests/interop/run.sh printed no 'N passed, N failed' line (exit code $code)."
    return [pscustomobject]@{ Suite = 'interop'; Passed = 0; Failed = 1; Skipped = 0; Note = 'no summary line' }
}

function Invoke-BenchSmokeSuite {
    # A short run of the whole-stack harness: every scenario must complete its SRBs (the harness
    # throws on a failed SRB or a probe that does not switch). Timings are not asserted: machines are noisy.
    $dll = Join-Path $Root "bench/XenVbd.Bench/bin/$Configuration/net10.0/XenVbd.Bench.dll"
    if (-not (Test-Path -LiteralPath $dll)) {
        Write-Warning "bench harness not built at $dll"
        return [pscustomobject]@{ Suite = 'bench'; Passed = 0; Failed = 1; Skipped = 0; Note = 'harness not built' }
    }
    Write-Step 'bench smoke: XenVbd.Bench stack --quick'
    $rows = & dotnet $dll stack --quick 2>&1 | ForEach-Object { "$_" }
    $code = $LASTEXITCODE
    $scenarios = @($rows | Where-Object { $_ -match '^\| (?!scenario|target|---).+\| [\d,]+ \|' })
    if ($code -ne 0 -or $scenarios.Count -eq 0) {
        $rows | Select-Object -Last 20 | ForEach-Object { Write-Host $_ }
        return [pscustomobject]@{ Suite = 'bench'; Passed = 0; Failed = 1; Skipped = 0; Note = "harness exit code $code" }
    }
    return [pscustomobject]@{ Suite = 'bench'; Passed = $scenarios.Count; Failed = 0; Skipped = 0; Note = 'smoke run, scenarios completed' }
}

function Invoke-MonoSuite {
    # The engine's netstandard2.0 build (what the module's Desktop edition loads in Windows PowerShell 5.1)
    # run on a .NET Framework runtime: tests/mono is a net472 program run with Mono. Mono is optional here;
    # CI (.ci/run, XENVBD_REQUIRE_INTEROP=1) installs it and must not skip.
    $project = Join-Path $Root 'tests/mono/XenVbd.MonoTests.csproj'
    if (-not (Get-Command mono -CommandType Application -ErrorAction SilentlyContinue)) {
        $why = 'mono is not installed (apt-get install mono-complete)'
        if ($env:XENVBD_REQUIRE_INTEROP -eq '1') {
            Write-Host "    mono: FAILED - $why, and XENVBD_REQUIRE_INTEROP=1"
            return [pscustomobject]@{ Suite = 'mono'; Passed = 0; Failed = 1; Skipped = 0; Note = "required: $why" }
        }
        Write-Host "    mono: SKIPPED - $why"
        return [pscustomobject]@{ Suite = 'mono'; Passed = 0; Failed = 0; Skipped = 1; Note = "skipped: $why" }
    }
    Write-Step 'mono: the netstandard2.0 engine under Mono (tests/mono)'
    $code = Invoke-Native dotnet @('build', $project, '-c', $Configuration, '--nologo', '-v', 'quiet') -AllowFailure
    $exe = Join-Path $Root "tests/mono/bin/$Configuration/net472/XenVbd.MonoTests.exe"
    $coreDll = Join-Path $Root "tests/mono/bin/$Configuration/net10.0/XenVbd.MonoTests.dll"
    if ($code -ne 0 -or -not (Test-Path -LiteralPath $exe) -or -not (Test-Path -LiteralPath $coreDll)) {
        return [pscustomobject]@{ Suite = 'mono'; Passed = 0; Failed = 1; Skipped = 0; Note = "build failed (exit code $code)" }
    }
    $lines = @(& mono $exe 2>&1 | ForEach-Object { $line = "$_"; Write-Host $line; $line })
    $code = $LASTEXITCODE
    # A seed must replay the same run on both runtimes: the same checks on .NET 10 must print the same digests.
    $coreLines = @(& dotnet $coreDll 2>&1 | ForEach-Object { "$_" })
    $digests = @($lines | Where-Object { $_ -match '^\s+\w+ digest: ' })
    $coreDigests = @($coreLines | Where-Object { $_ -match '^\s+\w+ digest: ' })
    $check = 'the workload and retry digests are the same as on .NET 10 (one seed, one run)'
    $diff = @(Compare-Object -ReferenceObject $coreDigests -DifferenceObject $digests -SyncWindow 0)
    if ($digests.Count -gt 0 -and $digests.Count -eq $coreDigests.Count -and $diff.Count -eq 0) {
        $digestLine = "PASS $check"
    } else {
        $digestLine = "FAIL ${check}: .NET 10 printed [$($coreDigests.Trim() -join '; ')], Mono [$($digests.Trim() -join '; ')]"
    }
    Write-Host $digestLine
    $passed = @($lines | Where-Object { $_ -like 'PASS *' }).Count
    $failed = @($lines | Where-Object { $_ -like 'FAIL *' }).Count
    $summary = $lines | Where-Object { $_ -match '^(\d+) passed, (\d+) failed$' } | Select-Object -Last 1
    $counted = $summary -and $summary -match '^(\d+) passed, (\d+) failed$'
    if (-not $counted -or [int] $Matches[1] -ne $passed -or [int] $Matches[2] -ne $failed -or ($code -ne 0 -and $failed -eq 0)) {
        # A crash (a missing assembly, an unsupported API under Mono) must not read as a pass.
        return [pscustomobject]@{ Suite = 'mono'; Passed = $passed; Failed = [math]::Max(1, $failed); Skipped = 0; Note = "exit code $code, summary '$summary'" }
    }
    if ($digestLine -like 'PASS *') { $passed++ } else { $failed++ }
    return [pscustomobject]@{ Suite = 'mono'; Passed = $passed; Failed = $failed; Skipped = 0; Note = 'netstandard2.0 engine, net472 host, digests compared with .NET 10' }
}

function Invoke-Test {
    $suites = @(
        Invoke-XunitSuite
        Invoke-PesterSuite
        Invoke-InteropSuite
        Invoke-MonoSuite
        Invoke-BenchSmokeSuite
    )
    Write-Host ''
    foreach ($s in $suites) {
        $note = if ($s.Note) { "  ($($s.Note))" } else { '' }
        Write-Host ("  {0,-8} {1} passed, {2} failed, {3} skipped{4}" -f $s.Suite, $s.Passed, $s.Failed, $s.Skipped, $note)
    }
    $passed = ($suites | Measure-Object Passed -Sum).Sum
    $failed = ($suites | Measure-Object Failed -Sum).Sum
    $skipped = ($suites | Measure-Object Skipped -Sum).Sum
    $final = "$passed passed, $failed failed"
    if ($skipped -gt 0) { $final += ", $skipped skipped" }
    return [pscustomobject]@{ Failed = $failed; Line = $final }
}

function Invoke-OptionalScript([string] $Relative, [string] $What) {
    $path = Join-Path $Root $Relative
    if (-not (Test-Path -LiteralPath $path)) {
        Write-Warning "$Relative does not exist yet: no $What to run."
        return $false
    }
    Write-Step "$What`: $Relative"
    $null = Invoke-ChildPwsh -Arguments @('-File', $path)
    return $true
}

function Invoke-Clean {
    Write-Step 'clean'
    $null = Invoke-Native dotnet @('clean', $Solution, '-c', $Configuration, '--nologo', '-v', 'quiet') -AllowFailure
    foreach ($dir in @($ModuleDir, $OutDir)) {
        if (Test-Path $dir) { Remove-Item -Recurse -Force $dir }
    }
}

# Test and Lab need a fresh build and the published module.
$steps = [System.Collections.Generic.List[string]]::new()
foreach ($t in $Task) {
    if ($t -in 'Test', 'Lab', 'Bench') { foreach ($dep in 'Build', 'Publish') { if (-not $steps.Contains($dep)) { $steps.Add($dep) } } }
    if (-not $steps.Contains($t)) { $steps.Add($t) }
}

$exitCode = 0
$finalLine = $null
try {
    Push-Location $Root
    foreach ($step in $steps) {
        switch ($step) {
            'Clean' { Invoke-Clean }
            'Format' { Invoke-Format }
            'FormatCheck' { Invoke-Format -Check }
            'Build' { Invoke-Build }
            'Publish' { Invoke-Publish }
            'Test' {
                $result = Invoke-Test
                $finalLine = $result.Line
                if ($result.Failed -gt 0) { $exitCode = 1 }
            }
            'Lab' {
                if (-not (Invoke-OptionalScript 'labs/Invoke-DefaultLab.ps1' 'lab')) {
                    Write-Step 'smoke check instead: import the module and show the x86_64 wire layout'
                    $null = Invoke-ChildPwsh -Arguments @('-Command', "Import-Module '$Root/XenVbd.psd1' -ErrorAction Stop; Get-BlkifLayout -Abi X86_64 | Format-Table | Out-String -Width 120")
                }
            }
            'Bench' { $null = Invoke-OptionalScript 'bench/run.ps1' 'benchmark' }
            'Soak' {
                Write-Step "soak: fuzz/XenVbd.Fuzz soak frontend $SoakCases"
                & dotnet build (Join-Path $Root 'fuzz/XenVbd.Fuzz/XenVbd.Fuzz.csproj') -c $Configuration -nologo -v quiet
                if ($LASTEXITCODE -ne 0) { throw 'the soak runner did not build' }
                & dotnet (Join-Path $Root "fuzz/XenVbd.Fuzz/bin/$Configuration/net10.0/XenVbd.Fuzz.dll") soak frontend $SoakCases
                if ($LASTEXITCODE -ne 0) { $exitCode = 1 }
            }
        }
    }
}
catch {
    Write-Host "build.ps1: $($_.Exception.Message)" -ForegroundColor Red
    $exitCode = 1
    if ('Test' -in $steps -and -not $finalLine) { $finalLine = '0 passed, 1 failed' }
}
finally {
    Pop-Location
}

if ($finalLine) {
    # The last line of the output, plain, for CI and people alike.
    Write-Host $finalLine
}
exit $exitCode
