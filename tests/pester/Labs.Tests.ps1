# The lab scripts and Invoke-VbdLab: every shipped lab runs alone in a fresh pwsh as a user starts it,
# Invoke-VbdLab runs shipped labs and a user's own folder the same way, keeps results.json deterministic,
# and fails a lab that breaks the lab contract. The labs' own suites (labs/*.Tests.ps1) hold each lab's
# findings; this file holds the machinery.
BeforeDiscovery {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    $script:labScripts = Get-ChildItem (Join-Path $root 'labs') -Filter '0*.ps1' | Where-Object Name -notlike '*.Tests.ps1' |
        Sort-Object Name | ForEach-Object { @{ Path = $_.FullName; Name = $_.BaseName -replace '^\d+-', '' } }
}

BeforeAll {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    Import-Module (Join-Path $root 'XenVbd.psd1') -Force -ErrorAction Stop
    $ProgressPreference = 'SilentlyContinue'
    # The PowerShell running these tests, as a fresh child process (under `dotnet pwsh`: dotnet <PSHOME>/pwsh.dll).
    $exe = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    $pwsh = @(if (Test-Path -LiteralPath $exe) { $exe } else { (Get-Process -Id $PID).Path; Join-Path $PSHOME 'pwsh.dll' })
    function Invoke-FreshPwsh([string] $Command) {
        $prefix = @($pwsh | Select-Object -Skip 1)
        $output = & $pwsh[0] @prefix -NoProfile -NonInteractive -Command $Command 2>&1 | ForEach-Object { "$_" }
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Text = ($output -join "`n") }
    }
    function New-UserLab([string] $Folder, [string] $File, [string] $Body) {
        $null = New-Item -ItemType Directory -Force $Folder
        $path = Join-Path $Folder $File
        Set-Content -LiteralPath $path -Value $Body
        $path
    }
}

AfterAll {
    Remove-Module XenVbd -Force -ErrorAction SilentlyContinue
}

Describe 'Lab scripts run alone' {
    It 'every shipped lab runs in a fresh pwsh without the module imported, and passes under seed 5' {
        # One process for all six: each script imports the module beside it when it is not loaded yet.
        $calls = ($labScripts | ForEach-Object { "`$r = & '$($_.Path)' -Seed 5; '{0} {1} {2}' -f `$r.Name, `$r.Seed, `$r.Passed" }) -join '; '
        $run = Invoke-FreshPwsh "`$ProgressPreference = 'SilentlyContinue'; $calls"
        $run.ExitCode | Should -Be 0 -Because $run.Text
        foreach ($lab in $labScripts) { $run.Text | Should -Match "(?m)^$($lab.Name) 5 True$" }
    }

    It '<Name> takes its seed from XENVBD_LAB_SEED when none is given' -ForEach @($labScripts | Where-Object Name -eq 'RogueBackend') {
        $env:XENVBD_LAB_SEED = '11'
        try { $r = & $Path }
        finally { Remove-Item Env:XENVBD_LAB_SEED }
        $r.Seed | Should -Be 11
        $r.Passed | Should -BeTrue
    }
}

Describe 'Invoke-VbdLab' {
    It 'runs the eight shipped labs from the module''s Labs folder, in order, and every one passes' {
        $results = @(Invoke-VbdLab -Seed 1)
        $results.Name | Should -Be @('MisalignedBuffers', 'BitnessMatrix', 'DelayedResponses', 'Migration', 'RogueBackend', 'ChkdskBurst', 'HardCasesOnQemu', 'PowerCut')
        foreach ($r in $results) {
            $r.Passed | Should -BeTrue -Because ($r.Failures -join '; ')
            # The personality is part of the replay: it still replays the same run if the default ever changes.
            $r.ReplayCommand | Should -Be "Invoke-VbdLab -Name $($r.Name) -Seed 1 -Personality Gplpv2008b"
            $r.WallTime | Should -BeGreaterThan ([timespan]::Zero)
        }
        Get-VbdDevice | Should -BeNullOrEmpty -Because 'the labs remove their devices'
    }

    It 'ships the lab scripts and their suites in module/Labs as build.ps1 Publish lays them out' {
        $shipped = Join-Path $root 'module/Labs'
        $sources = @(Get-ChildItem (Join-Path $root 'labs') -Filter *.ps1 -File | Where-Object Name -notlike 'Invoke-*')
        @(Get-ChildItem $shipped -File).Name | Sort-Object | Should -Be ($sources.Name | Sort-Object)
        foreach ($f in $sources) {
            (Get-FileHash (Join-Path $shipped $f.Name)).Hash | Should -Be (Get-FileHash $f.FullName).Hash -Because "$($f.Name) is published as it is"
        }
    }

    It 'finds labs by number prefix and by wildcard' {
        (Invoke-VbdLab -Name 05).Name | Should -Be 'RogueBackend'
        @(Invoke-VbdLab -Name '*Burst').Name | Should -Be @('ChkdskBurst')
    }

    It 'the same seed gives a byte-identical results.json, another seed another one' {
        $a = Join-Path $TestDrive 'a'; $b = Join-Path $TestDrive 'b'; $c = Join-Path $TestDrive 'c'
        $null = Invoke-VbdLab -Name DelayedResponses, Migration -Seed 9 -ReportPath $a
        $null = Invoke-VbdLab -Name DelayedResponses, Migration -Seed 9 -ReportPath $b
        $null = Invoke-VbdLab -Name DelayedResponses, Migration -Seed 10 -ReportPath $c
        (Get-FileHash (Join-Path $a 'results.json')).Hash | Should -Be (Get-FileHash (Join-Path $b 'results.json')).Hash
        (Get-FileHash (Join-Path $a 'results.json')).Hash | Should -Not -Be (Get-FileHash (Join-Path $c 'results.json')).Hash
        foreach ($f in 'index.html', 'junit.xml', 'timings.json') { Join-Path $a $f | Should -Exist }
    }

    It 'passes -DeviceOptions to every device a lab creates' {
        # A 1 ms request timeout is shorter than the latency the lab injects: the hardened design's watchdog fires where it must not.
        $r = Invoke-VbdLab -Name DelayedResponses -Personality Hardened -DeviceOptions @{ RequestTimeout = '00:00:00.001' }
        $r.Passed | Should -BeFalse
        $r.Failures -join "`n" | Should -Match 'operations failed|timeouts|watchdog'
    }

    It 'writes LabNotFound for an unknown lab and LabPathNotFound for a folder without labs' {
        $null = Invoke-VbdLab -Name NoSuchLab -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'LabNotFound*'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $empty = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'empty')
        $null = Invoke-VbdLab -Path $empty -ErrorVariable errs2 -ErrorAction SilentlyContinue
        $errs2[0].FullyQualifiedErrorId | Should -BeLike 'LabPathNotFound*'
    }
}

Describe 'A lab of the user''s own' {
    BeforeAll {
        $mine = Join-Path $TestDrive 'my-labs'
        $null = New-UserLab $mine 'Invoke-Mine.ps1' 'throw "a runner, not a lab"'
        $null = New-UserLab $mine '01-Tiny.Tests.ps1' 'throw "a Pester suite, not a lab"'
        $null = New-UserLab $mine 'Tiny.Helpers.ps1' 'throw "a helper the suites dot-source, not a lab"'
        $tiny = New-UserLab $mine '01-Tiny.ps1' @'
param([UInt64] $Seed = 1, [hashtable] $DeviceOptions = @{})
$lab = New-VbdLabResult -Name Tiny -Seed $Seed
$d = New-VbdDevice -Name tiny-lab -Seed $lab.SeedFor('device') @DeviceOptions
$r = Invoke-VbdWorkload -Device $d -Count 100 -Seed $lab.SeedFor('workload') -AssumeZeroedDisk
$null = $lab.CheckWorkload('tiny', $r, $false)
$lab.Metric('ops', $r.Operations)
$lab.Find("$($r.Operations) ops.")
$lab
'@
    }

    It 'runs from -Path like a shipped lab, skipping runners, Pester suites and their helpers, with a replay command naming it' {
        $results = @(Invoke-VbdLab -Path $mine -Seed 4)
        $results.Count | Should -Be 1
        $results[0].Name | Should -Be 'Tiny'
        $results[0].Passed | Should -BeTrue -Because ($results[0].Failures -join '; ')
        $results[0].Metrics['ops'] | Should -Be 100
        $results[0].ReplayCommand | Should -Be "Invoke-VbdLab -Name Tiny -Seed 4 -Personality Gplpv2008b -Path '$tiny'"
        Get-VbdDevice -Name tiny-lab -ErrorAction SilentlyContinue | Should -BeNullOrEmpty -Because 'Invoke-VbdLab removes what a lab leaves behind'
    }

    It 'runs from Get-ChildItem output piped in' {
        $results = @(Get-ChildItem $mine -Filter '0*-Tiny.ps1' | Invoke-VbdLab -Seed 4)
        $results.Name | Should -Be @('Tiny')
        $results[0].Passed | Should -BeTrue
    }

    It 'replays exactly from its replay command' {
        $a = Join-Path $TestDrive 'r1'; $b = Join-Path $TestDrive 'r2'
        $first = Invoke-VbdLab -Path $tiny -Seed 6 -ReportPath $a
        $null = Invoke-Expression ($first.ReplayCommand + " -ReportPath '$b'")
        (Get-FileHash (Join-Path $a 'results.json')).Hash | Should -Be (Get-FileHash (Join-Path $b 'results.json')).Hash
    }

    It 'fails a lab that throws, with the error and the line' {
        $p = New-UserLab (Join-Path $TestDrive 'throws') 'Boom.ps1' "param([UInt64] `$Seed)`n`$lab = New-VbdLabResult Boom `$Seed`nthrow 'the backend caught fire'"
        $r = Invoke-VbdLab -Path $p
        $r.Passed | Should -BeFalse
        $r.Failures -join "`n" | Should -Match 'the lab threw .*the backend caught fire.*Boom\.ps1:3'
    }

    It 'fails a lab that returns no result, names itself wrongly, ignores its seed or checks nothing' {
        $folder = Join-Path $TestDrive 'broken'
        $null = New-UserLab $folder 'Silent.ps1' 'param([UInt64] $Seed) $null = $Seed'
        $null = New-UserLab $folder 'Misnamed.ps1' 'param([UInt64] $Seed) $lab = New-VbdLabResult Other $Seed; $null = $lab.Check($true, "x"); $lab'
        $null = New-UserLab $folder 'Seedless.ps1' 'param([UInt64] $Seed) $lab = New-VbdLabResult Seedless 1; $null = $lab.Check($true, "x"); $lab'
        $null = New-UserLab $folder 'Idle.ps1' 'param([UInt64] $Seed) New-VbdLabResult Idle $Seed'
        $results = @(Invoke-VbdLab -Path $folder -Seed 2)
        $byName = @{}; foreach ($r in $results) { $byName[$r.Name] = $r }
        $results.Passed | Should -Not -Contain $true
        $byName['Silent'].Failures -join ' ' | Should -Match 'wrote no lab result'
        $byName['Other'].Failures -join ' ' | Should -Match "calls itself 'Other' but its file is 'Misnamed.ps1'"
        $byName['Seedless'].Failures -join ' ' | Should -Match 'ran with seed 1 instead of the 2'
        $byName['Idle'].Failures -join ' ' | Should -Match 'checked nothing'
    }
}

Describe 'The worked example of about_XenVbd_Labs' {
    It 'is shown in the help topic exactly as the file the tests run' {
        $topic = Get-Content -Raw (Join-Path $root 'en-US/about_XenVbd_Labs.help.txt')
        foreach ($file in 'labs/examples/SlowStorage.ps1', 'labs/examples/SlowStorage.Tests.ps1') {
            $pattern = '(?s)# --- begin ' + [regex]::Escape($file) + ' ---\r?\n(.*?)\r?\n# --- end ' + [regex]::Escape($file) + ' ---'
            $topic | Should -Match $pattern
            $shown = [regex]::Match($topic, $pattern).Groups[1].Value -replace "`r", ''
            $shown | Should -Be ((Get-Content -Raw (Join-Path $root $file)) -replace "`r", '').TrimEnd("`n") -Because "$file is listed in full"
        }
    }

    It 'passes through Invoke-VbdLab -Path and finds the split 64 KiB SRB' {
        $r = Invoke-VbdLab -Path (Join-Path $root 'labs/examples') -Seed 3
        $r.Name | Should -Be 'SlowStorage'
        $r.Passed | Should -BeTrue -Because ($r.Failures -join '; ')
        $r.Findings -join "`n" | Should -Match '64 KiB at 10 MB/s: .*400 ring requests for 200 SRBs'
    }

    It 'is found by Get-Help about_XenVbd_Labs after Import-Module' {
        $help = Get-Help about_XenVbd_Labs | Out-String
        $help | Should -Match 'THE ANATOMY OF A LAB'
        $help | Should -Match 'A WORKED EXAMPLE'
        $help | Should -Match 'CHOOSING SEEDS'
        $help | Should -Match 'READING THE REPORT'
    }
}

Describe 'The cmdlets the labs gained' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'New-VbdDevice -NoConnect leaves the device unconnected until Connect-VbdDevice, which runs the probe under the faults' {
        $d = New-VbdDevice -Name nc -NoConnect
        $d.IsConnected | Should -BeFalse
        { Invoke-Srb -Device $d -Read -Lba 0 -BlockCount 1 -ErrorAction Stop } | Should -Throw '*not connected yet*'
        $null = Add-VbdFault -Device $d -Kind Latency -Delay 00:00:00.2
        $d = Connect-VbdDevice -Device $d
        $d.IsConnected | Should -BeTrue
        "$($d.State)" | Should -Be 'Ready'
        $d.ProbeResult.DurationTicks | Should -BeGreaterOrEqual ([timespan]::FromMilliseconds(200).Ticks)
        $null = Connect-VbdDevice -Device $d -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'AlreadyConnected*'
    }

    It 'without -NoConnect the probe runs before the fault exists and is fast' {
        $d = New-VbdDevice -Name fast
        $d.ProbeResult.DurationTicks | Should -BeLessThan ([timespan]::FromMilliseconds(200).Ticks)
    }

    It 'Invoke-VbdWorkload -AtCompletion/-Action runs at the given completions, and its faults are counted' {
        $d = New-VbdDevice -Name at
        $seen = [System.Collections.Generic.List[long]]::new()
        $r = Invoke-VbdWorkload -Device $d -Count 300 -AtCompletion 50, 120 -Action { $seen.Add($_); $null = Add-VbdFault -Device $d -Kind Latency -Delay 00:00:00.001 -MaxCount 10 }
        @($seen) | Should -Be @(50, 120)
        $r.FaultsByKind['Latency'] | Should -Be 20
    }

    It 'a failing -Action stops the workload cleanly with WorkloadActionFailed' {
        $d = New-VbdDevice -Name boom
        $r = Invoke-VbdWorkload -Device $d -Count 1000 -AtCompletion 10 -Action { throw 'no' } -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'WorkloadActionFailed*'
        $errs[0].Exception.Message | Should -Match 'after \d+ completions.*no'
        $r.Operations | Should -BeLessThan 1000
        $r.Stuck | Should -Be 0
    }

    It '-AtCompletion without -Action, and a bad -BlockSizeMix, give InvalidWorkload' {
        $d = New-VbdDevice -Name inv
        $null = Invoke-VbdWorkload -Device $d -AtCompletion 5 -ErrorVariable e1 -ErrorAction SilentlyContinue
        $e1[0].FullyQualifiedErrorId | Should -BeLike 'InvalidWorkload*'
        $null = Invoke-VbdWorkload -Device $d -BlockSizeMix @{ 1000 = 1 } -ErrorVariable e2 -ErrorAction SilentlyContinue
        $e2[0].FullyQualifiedErrorId | Should -BeLike 'InvalidWorkload*'
        $e2[0].Exception.Message | Should -Match 'BlockSizeMix'
    }

    It '-BlockSizeMix draws only the sizes given, and -OffsetBytes/-LengthBytes keep the workload in its region' {
        $d = New-VbdDevice -Name mix
        $r = Invoke-VbdWorkload -Device $d -BlockSizeMix @{ 512 = 1; 8192 = 1 } -OffsetBytes 8MB -LengthBytes 1MB -Count 200 -AssumeZeroedDisk
        $r.ViolationCount | Should -Be 0
        ($r.BytesRead + $r.BytesWritten) % 512 | Should -Be 0
        $r.BytesRead + $r.BytesWritten | Should -BeGreaterThan (200 * 512)
        $r.BytesRead + $r.BytesWritten | Should -BeLessThan (200 * 8192)
    }

    It 'Reset-VbdDevice from -Action resets the bus at that point; retries resend what was in flight' {
        # The hardened design's reset: every SRB in flight completes with BUS RESET (GPLPV 2008b's reset does nothing).
        $d = New-VbdDevice -Name reset-at -Personality Hardened
        $r = Invoke-VbdWorkload -Device $d -Count 500 -AssumeZeroedDisk -RetryCount 4 -AtCompletion 100, 300 -Action { Reset-VbdDevice -Device $d -Confirm:$false }
        $r.Resets | Should -Be 2
        $r.Retries | Should -BeGreaterThan 0
        $r.Errors | Should -Be 0
        $r.ViolationCount | Should -Be 0
        $r.Operations | Should -Be 500
    }

    It 'Get-VbdMigration lists each move of a Migration fault' {
        # The hardened design re-probes on the new connection (GPLPV 2008b keeps the stale layout: the Migration lab).
        $d = New-VbdDevice -Name mig -Personality Hardened -BackendMode Native
        $null = Invoke-VbdWorkload -Device $d -Count 300 -AtCompletion 100 -Action { Add-VbdFault -Device $d -Kind Migration -MigrateTo X86_32 }
        $m = @(Get-VbdMigration -Device $d)
        $m.Count | Should -Be 1
        "$($m[0].NewBackendAbi)" | Should -Be 'X86_32'
        $m[0].Reprobed | Should -BeTrue
        "$($m[0].FrontendAbiAfter)" | Should -Be 'X86_32'
        $m[0].DeviceName | Should -Be 'mig'
    }

    It '-RetryCount lets a workload ride out a response later than the watchdog' {
        $d = New-VbdDevice -Name retry -Personality Hardened -RequestTimeout 00:00:01
        $null = Add-VbdFault -Device $d -Kind Latency -Delay 00:00:03 -MaxCount 1
        $r = Invoke-VbdWorkload -Device $d -Count 200 -RetryCount 4 -RetryDelay 00:00:00.010
        $r.FaultsByKind['Latency'] | Should -Be 1
        $r.Timeouts | Should -BeGreaterThan 0
        $r.Retries | Should -BeGreaterThan 0
        $r.Errors | Should -Be 0
        $r.Operations | Should -Be 200
        # Without the class driver's retries the timed-out SRB fails.
        $bare = New-VbdDevice -Name noretry -Personality Hardened -RequestTimeout 00:00:01
        $null = Add-VbdFault -Device $bare -Kind Latency -Delay 00:00:03 -MaxCount 1
        (Invoke-VbdWorkload -Device $bare -Count 200).Errors | Should -Be 1
    }
}
