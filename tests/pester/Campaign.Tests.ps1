# Invoke-VbdCampaign and Merge-VbdCampaign: matrices from parameters and data files, errors, shards run as
# separate processes merged byte-identically with a single run, shrinking and replay, views within 80 columns.
BeforeAll {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    $script:Manifest = Join-Path $root 'XenVbd.psd1'
    Import-Module $Manifest -Force -ErrorAction Stop
    . (Join-Path $PSScriptRoot 'WhatIfCapture.ps1')   # Invoke-WithCapturedHost: -WhatIf's host lines are asserted, not printed
    function Get-Failure([scriptblock] $Script) { try { & $Script; return $null } catch { return $_ } }
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ("xenvbd-campaign-pester-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $Work | Out-Null
    # Three axes, two fault plans (one fails some cases with read errors), one workload, two seeds: 32 cases.
    $script:Psd1 = Join-Path $Work 'matrix.psd1'
    Set-Content -LiteralPath $Psd1 -Value @'
@{
    Name = 'pester'
    FrontendAbi = 'X86_32', 'X86_64'
    FrontendMode = 'Probe', 'Announce'
    Bounce = 'PerSrb', 'SegmentPool'
    FaultPlans = @{
        none = @()
        errors = @{ Kind = 'Error'; Rate = 0.1; Operation = 'Read' }
    }
    Workloads = @{ w = @{ Count = 40; BlockSizes = 4096, 16384; MisalignedFraction = 0.3; QueueDepth = 4; LengthBytes = 1048576 } }
    Seeds = 3, 4
}
'@
    $script:Json = Join-Path $Work 'matrix.json'
    Set-Content -LiteralPath $Json -Value @'
{ "Seeds": [3, 4], "Workloads": { "w": { "QueueDepth": 4, "LengthBytes": 1048576, "Count": 40, "BlockSizes": [4096, 16384], "MisalignedFraction": 0.3 } },
  "FaultPlans": { "errors": [{ "Kind": "Error", "Operation": "Read", "Rate": 0.1 }], "none": [] },
  "Axes": { "Bounce": ["PerSrb", "SegmentPool"], "FrontendMode": ["Probe", "Announce"], "FrontendAbi": ["X86_32", "X86_64"] }, "Name": "pester" }
'@
    function Get-PwshCommand {
        $dll = Join-Path $PSHOME 'pwsh.dll'
        $exe = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
        if (Test-Path -LiteralPath $exe) { return , @($exe) }
        if (Test-Path -LiteralPath $dll) { return , @((Get-Process -Id $PID).Path, $dll) }
        return , @('pwsh')
    }
}

AfterAll {
    Remove-Item -Recurse -Force -LiteralPath $Work -ErrorAction SilentlyContinue
    Remove-Module XenVbd -Force -ErrorAction SilentlyContinue
}

Describe 'Invoke-VbdCampaign' {
    It 'runs every case of a parameter matrix and streams one result per case' {
        $r = @(Invoke-VbdCampaign -FrontendAbi X86_32, X86_64 -BackendMode Protocol, Native -Workload @{ w = @{ Count = 30 } } -SeedCount 2 -ThrottleLimit 2)
        $r.Count | Should -Be 8
        $r[0].PSObject.TypeNames[0] | Should -Be 'XenVbd.Campaign.CampaignResult'
        ($r.Index | Sort-Object) | Should -Be (0..7)
        $r | Where-Object { $_.Configuration -notmatch '^FrontendAbi=X86_(32|64) BackendMode=(Protocol|Native)$' } | Should -BeNullOrEmpty
    }

    It 'reads the same matrix from a PowerShell data file and from JSON, to the same bytes' {
        $a = Join-Path $Work 'psd1'
        $b = Join-Path $Work 'json'
        Invoke-VbdCampaign -Path $Psd1 -NoShrink -OutputDirectory $a | Out-Null
        Get-Item $Json | Invoke-VbdCampaign -NoShrink -OutputDirectory $b | Out-Null
        foreach ($f in 'results.jsonl', 'junit.xml', 'campaign.html') {
            (Get-FileHash (Join-Path $a $f)).Hash | Should -Be (Get-FileHash (Join-Path $b $f)).Hash -Because $f
        }
        $lines = Get-Content (Join-Path $a 'results.jsonl')
        $lines.Count | Should -Be 33
        ($lines[0] | ConvertFrom-Json).Cases | Should -Be 32
        ([xml](Get-Content -Raw (Join-Path $a 'junit.xml'))).testsuites.tests | Should -Be '32'
        Get-Content -Raw (Join-Path $a 'campaign.html') | Should -Match 'IoErrors'
    }

    It 'refuses a bad matrix, shard or file with an error that names it' {
        $e = Get-Failure { Invoke-VbdCampaign -Axis @{ Bouncy = 'PerSrb' } -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'InvalidCampaignMatrix,*'
        $e.CategoryInfo.Category | Should -Be 'InvalidData'
        $e.Exception.Message | Should -Match "no campaign axis 'Bouncy'"
        $e = Get-Failure { Invoke-VbdCampaign -FaultPlan @{ x = @{ Kind = 'Drop'; Rate = 3 } } -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'InvalidCampaignMatrix,*'
        $e = Get-Failure { Invoke-VbdCampaign -Shard 5/4 -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'InvalidShard,*'
        $e = Get-Failure { Invoke-VbdCampaign -Path (Join-Path $Work 'absent.psd1') -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'CampaignFileNotFound,*'
        $e = Get-Failure { Invoke-VbdCampaign -Case 99 -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'InvalidCampaignMatrix,*'
    }

    It 'refuses FrontendMode or Bounce swept beside a real driver''s personality, and notes them under the default one' {
        $w = @{ w = @{ Count = 10 } }
        $e = Get-Failure { Invoke-VbdCampaign -Bounce PerSrb, SegmentPool -Axis @{ Personality = 'Hardened', 'Gplpv2012' } -Workload $w -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'PersonalityFixesAxis,*'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.Exception.Message | Should -Match '^Bounce \(PerSrb, SegmentPool\) is swept beside Personality Gplpv2012: '
        $e = Get-Failure { Invoke-VbdCampaign -FrontendMode Probe -Axis @{ Personality = 'LinuxBlkfront' } -Workload $w -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'PersonalityFixesAxis,*'
        # Under Hardened alone they are the design's to choose; without a Personality axis a warning says whose they are.
        @(Invoke-VbdCampaign -Bounce PerSrb, SegmentPool -Axis @{ Personality = 'Hardened' } -Workload $w -NoShrink -WarningVariable none).Count | Should -Be 2
        $none | Should -BeNullOrEmpty
        @(Invoke-VbdCampaign -Bounce PerSrb, SegmentPool -Workload $w -NoShrink -WarningVariable warned -WarningAction SilentlyContinue).Count | Should -Be 2
        "$warned" | Should -Match "^Bounce is swept, but every case runs the default personality Gplpv2008b, which uses its own Bounce: add Personality = 'Hardened'"
    }

    It 'shrinks a failure into a replay file that -Replay runs to the same failure' {
        $out = Join-Path $Work 'shrink'
        $r = @(Invoke-VbdCampaign -Name s -FaultPlan @{ errors = @{ Kind = 'Error'; Rate = 0.2; Operation = 'Read' } } -Workload @{ w = @{ Count = 40; BlockSizes = 4096, 65536 } } -OutputDirectory $out)
        $repro = @($r | Where-Object { $_.PSObject.TypeNames[0] -eq 'XenVbd.Campaign.CampaignReproduction' })
        $repro.Count | Should -Be 1
        $repro[0].Failure | Should -Be 'IoErrors'
        $repro[0].IsMinimal | Should -BeTrue
        $repro[0].Minimal.Case.Workload.Count | Should -BeLessThan 40
        $repro[0].Minimal.Case.Faults[0].MaxCount | Should -Be 1
        Test-Path $repro[0].Path | Should -BeTrue
        $again = & ([scriptblock]::Create($repro[0].ReplayCommand)) 3>&1
        $again | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | Should -BeNullOrEmpty
        ($again | Where-Object Failure).Failure | Should -Be 'IoErrors'
        $e = Get-Failure { Invoke-VbdCampaign -Replay (Join-Path $out 'results.jsonl') -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'InvalidReplayFile,*'
    }

    It 'keeps every finished case in the files when stopped (Ctrl+C), and a merge refuses the stopped run' {
        $dir = Join-Path $Work 'stopped'
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$Manifest'; Invoke-VbdCampaign -Name stop -SeedCount 5000 -Workload @{ w = @{ Count = 20 } } -ThrottleLimit 2 -NoShrink -OutputDirectory '$dir'")
        $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $handle = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output)
        $deadline = [DateTime]::UtcNow.AddMinutes(5)
        while ($output.Count -lt 5 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        $ps.Stop()
        $ps.Dispose()
        $lines = Get-Content (Join-Path $dir 'results.jsonl')
        $header = $lines[0] | ConvertFrom-Json
        $header.Cases | Should -Be 5000
        $header.Results | Should -BeGreaterOrEqual 5
        $header.Results | Should -BeLessThan 5000
        $lines.Count | Should -Be ($header.Results + 1)
        $lines | Select-Object -Skip 1 | ForEach-Object { ($_ | ConvertFrom-Json).Outcome | Should -BeIn 'Passed', 'Failed', 'Invalid' }
        $e = Get-Failure { Merge-VbdCampaign -Path $dir -OutputDirectory (Join-Path $Work 'stopped-merged') -ErrorAction Stop }
        $e.Exception.Message | Should -Match 'incomplete'
    }

    It 'shows results and reports within 80 columns' {
        $r = Invoke-VbdCampaign -Path $Psd1 -Case 0, 1, 31 -NoShrink
        $text = $r | Format-Table | Out-String -Width 80
        $text | Should -Match 'Index\s+Outcome\s+Failure'
        ($text -split "`n" | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -BeNullOrEmpty
        @($r).Count | Should -Be 3
    }
}

Describe 'Shards across processes and Merge-VbdCampaign' {
    It 'merges four shards run as separate processes into exactly the single run''s files' {
        $single = Join-Path $Work 'single'
        Invoke-VbdCampaign -Path $Psd1 -NoShrink -ThrottleLimit 1 -OutputDirectory $single | Out-Null
        $cmd = Get-PwshCommand
        $procs = foreach ($i in 1..4) {
            $dir = Join-Path $Work "shard$i"
            $script = "Import-Module '$Manifest'; Invoke-VbdCampaign -Path '$Psd1' -Shard $i/4 -NoShrink -ThrottleLimit $i -OutputDirectory '$dir' | Out-Null"
            $args = @($cmd | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $script)
            Start-Process -FilePath $cmd[0] -ArgumentList $args -PassThru -NoNewWindow
        }
        foreach ($p in $procs) { $p.WaitForExit(); $p.ExitCode | Should -Be 0 }
        $merged = Join-Path $Work 'merged'
        $report = Get-ChildItem -Path (Join-Path $Work 'shard*') -Filter results.jsonl -Recurse | Merge-VbdCampaign -OutputDirectory $merged
        $report.TotalCases | Should -Be 32
        $report.IsComplete | Should -BeTrue
        foreach ($f in 'results.jsonl', 'junit.xml', 'campaign.html') {
            [IO.File]::ReadAllBytes((Join-Path $merged $f)) | Should -Be ([IO.File]::ReadAllBytes((Join-Path $single $f))) -Because $f
        }
    }

    It 'refuses a missing shard and writes nothing with -WhatIf' {
        $e = Get-Failure { Merge-VbdCampaign -Path (Join-Path $Work 'shard1'), (Join-Path $Work 'shard2') -OutputDirectory (Join-Path $Work 'partial') -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'CampaignMergeRefused,*'
        $e.Exception.Message | Should -Match '3/4, 4/4 is missing'
        $r = Invoke-WithCapturedHost { param($Shards, $Out) Merge-VbdCampaign -Path $Shards -OutputDirectory $Out -WhatIf } -ArgumentList (Join-Path $Work 'shard*'), (Join-Path $Work 'whatif')
        $r.Errors | Should -BeNullOrEmpty
        $r.HostText | Should -Match 'What if: '
        Test-Path (Join-Path $Work 'whatif') | Should -BeFalse
        $e = Get-Failure { Merge-VbdCampaign -Path $Psd1 -OutputDirectory (Join-Path $Work 'bad') -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike 'InvalidCampaignResults,*'
    }
}
