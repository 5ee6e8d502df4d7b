# Add/Get/Remove-VbdFault, Invoke-VbdWorkload and Invoke-VbdLab as cmdlets (the labs' own assertions live with the labs).
BeforeAll {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    Import-Module (Join-Path $root 'XenVbd.psd1') -Force -ErrorAction Stop
    . (Join-Path $PSScriptRoot 'WhatIfCapture.ps1')   # Invoke-WithCapturedHost: -WhatIf's host lines are asserted, not printed
    function Get-Failure([scriptblock] $Script) { try { & $Script; return $null } catch { return $_ } }
}

AfterAll {
    Get-VbdDevice | Remove-VbdDevice -Confirm:$false
    Remove-Module XenVbd -Force -ErrorAction SilentlyContinue
}

Describe 'Fault cmdlets' {
    BeforeEach { $d = New-VbdDevice -Name f -SizeBytes 16MB }
    AfterEach { Remove-VbdDevice -Name f }

    It 'adds rules with ids, targets and latency, and they fire' {
        $lat = Add-VbdFault -Device $d -Kind Latency -Delay 00:00:00.003 -FaultName slow
        $lat.GetType().FullName | Should -Be 'XenVbd.Faults.FaultRule'
        $lat.DeviceName | Should -Be 'f'
        $lat.Kind.ToString() | Should -Be 'Latency'
        $lat.Latency.ToString() | Should -Match '3 ms'
        $err = Add-VbdFault f Error -Rate 0.25 -Operation Read -FirstSector 8 -EndSector 64 -MaxCount 3 -Start 00:00:01 -Period 00:00:02 -ActiveFor 00:00:01
        $err.Id | Should -Not -Be $lat.Id
        $err.Target.FirstSector | Should -Be 8
        $err.MaxCount | Should -Be 3
        $r = Invoke-Srb -Device $d -Read -Lba 100 -BlockCount 1
        $r.Latency | Should -BeGreaterOrEqual ([timespan]::FromMilliseconds(3))
        (Get-VbdFault -Device $d -Id $lat.Id).Injected | Should -BeGreaterThan 0
    }

    It 'lists, filters and removes rules; -WhatIf changes nothing' {
        $a = Add-VbdFault f Latency
        $b = Add-VbdFault f Drop -Rate 0.01
        (Get-VbdFault -Name f).Id | Should -Be @($a.Id, $b.Id)
        @(Get-VbdFault).Count | Should -BeGreaterOrEqual 2
        $r = Invoke-WithCapturedHost { $null = New-VbdDevice -Name f; $a = Add-VbdFault f Latency; $null = Add-VbdFault f Drop -Rate 0.01; Remove-VbdFault f $a.Id -WhatIf; @(Get-VbdFault f).Count }
        $r.Output | Should -Be 2
        $r.HostText | Should -Match 'What if: '
        @(Get-VbdFault f).Count | Should -Be 2
        Get-VbdFault f -Id $a.Id | Remove-VbdFault
        (Get-VbdFault f).Id | Should -Be $b.Id
        Remove-VbdFault -Device $d -All
        Get-VbdFault f | Should -BeNullOrEmpty
    }

    It 'reports an unknown rule id and a rejected rule' {
        $e = Get-Failure { Remove-VbdFault f 999 -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be 'FaultNotFound,XenVbd.PowerShell.Cmdlets.RemoveVbdFaultCommand'
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        { Add-VbdFault f Latency -Rate 2 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,XenVbd.PowerShell.Cmdlets.AddVbdFaultCommand'
        $e = Get-Failure { Add-VbdFault f Latency -FirstSector 100 -EndSector 10 -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -BeLike '*,XenVbd.PowerShell.Cmdlets.AddVbdFaultCommand'
        Get-VbdFault f | Should -BeNullOrEmpty
    }

    It 'PowerCut drops unflushed writes on a device with -VolatileWriteCache; flushed ones survive' {
        # SYNCHRONIZE CACHE reaching the disk is the hardened design's (GPLPV 2008b refuses it, so nothing survives there).
        $c = New-VbdDevice -Name cut -Personality Hardened -SizeBytes 16MB -VolatileWriteCache
        try {
            $flushed = [byte[]]::new(512); $flushed[0] = 0xAA; $flushed[511] = 0x55
            $volatile = [byte[]]::new(512); $volatile[0] = 0xCC; $volatile[511] = 0x33
            Invoke-Srb -Device $c -Write -Lba 100 -BlockCount 1 -Data $flushed | Out-Null
            Invoke-Srb -Device $c -SynchronizeCache | Out-Null
            Invoke-Srb -Device $c -Write -Lba 200 -BlockCount 1 -Data $volatile | Out-Null
            $c.Storage.DirtyBytes | Should -BeGreaterThan 0
            (Invoke-Srb -Device $c -Read -Lba 200 -BlockCount 1).Data[0] | Should -Be 0xCC   # served from the cache

            $rule = Add-VbdFault -Device $c -Kind PowerCut -MaxCount 1
            $rule.Kind.ToString() | Should -Be 'PowerCut'
            (Invoke-Srb -Device $c -Read -Lba 100 -BlockCount 1).Data | Should -Be $flushed
            (Get-VbdFault -Device $c -Id $rule.Id).Injected | Should -Be 1
            $c.Storage.DirtyBytes | Should -Be 0
            $lost = (Invoke-Srb -Device $c -Read -Lba 200 -BlockCount 1).Data
            $lost[0] | Should -Be 0
            $lost[511] | Should -Be 0
            Test-VbdIntegrity -Device $c -WarningAction SilentlyContinue | Should -BeFalse   # the session remembers the lost write
        }
        finally { Remove-VbdDevice -Name cut }
    }

    It 'refuses a PowerCut rule on a device without a volatile write cache, saying why' {
        $e = Get-Failure { Add-VbdFault -Device $d -Kind PowerCut -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be 'PowerCutNeedsWriteCache,XenVbd.PowerShell.Cmdlets.AddVbdFaultCommand'
        $e.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $e.Exception.Message | Should -Match 'no volatile write cache'
        $e.ErrorDetails.RecommendedAction | Should -Match '-VolatileWriteCache'
        Get-VbdFault -Device $d | Should -BeNullOrEmpty
    }

    It 'keeps a rule acting after Set-BackendAbi moves the backend to the other bitness' {
        $rule = Add-VbdFault -Device $d -Kind Error -Operation Read
        (Invoke-Srb -Device $d -Read -Lba 0 -BlockCount 1 -ErrorAction SilentlyContinue).Succeeded | Should -BeFalse
        $before = (Get-VbdFault f -Id $rule.Id).Injected

        $m = Set-BackendAbi -Device $d -Abi X86_32 -Mode Native
        $m.FrontendAbiAfter.ToString() | Should -Be 'X86_32'
        (Get-VbdFault f).Id | Should -Be $rule.Id
        $r = Invoke-Srb -Device $d -Read -Lba 0 -BlockCount 1 -ErrorAction SilentlyContinue -ErrorVariable failed
        $r.Succeeded | Should -BeFalse -Because 'Get-VbdFault still lists the rule, so it must still act on the new backend'
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'SrbFailed,*'
        (Get-VbdFault f -Id $rule.Id).Injected | Should -BeGreaterThan $before

        Remove-VbdFault f -All
        (Invoke-Srb -Device $d -Read -Lba 0 -BlockCount 1).Succeeded | Should -BeTrue
    }

    It 'renders the rule table' {
        Add-VbdFault f Latency -Delay 00:00:00.002 -Rate 0.5 | Out-Null
        $text = Get-VbdFault f | Out-String -Width 200
        $text | Should -Match 'DeviceName\s+Id\s+Kind\s+Rate\s+Limit\s+Injected\s+FaultName\s+Target'
        $text | Should -Match 'f\s+\d+\s+Latency\s+0[.,]5'
    }
}

Describe 'Invoke-VbdWorkload' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'runs a verified misaligned workload with no violations' {
        $d = New-VbdDevice -Name wl -SizeBytes 32MB
        Invoke-Srb -Device $d -Write -Lba 0 -BlockCount 1 | Out-Null
        $r = Invoke-VbdWorkload -Device $d -Count 400 -BlockSize 4096 -MisalignedFraction 0.5 -AlignmentOffsets 3, 9 -QueueDepth 4 -Seed 3
        $r.GetType().FullName | Should -Be 'XenVbd.Workload.WorkloadResult'
        $r.DeviceName | Should -Be 'wl'
        $r.Operations | Should -Be 400
        $r.ViolationCount | Should -Be 0
        $r.MisalignedOperations | Should -BeGreaterThan 0
        $r.BouncePasses | Should -BeGreaterThan 0
        (Test-VbdIntegrity -Device $d -Detailed -WarningAction SilentlyContinue).Outcome.ToString() | Should -Be NothingChecked   # the workload overwrote the session's blocks: nothing left to check
    }

    It 'runs the WindowsMix profile and renders the result table' {
        $d = New-VbdDevice -Name wl2 -SizeBytes 32MB
        $text = Invoke-VbdWorkload wl2 -Profile WindowsMix -QueueDepth 2 -Count 300 -Pattern Sequential -ReadFraction 0.3 -FlushEvery 50 | Out-String -Width 200
        $text | Should -Match 'Name\s+Operations\s+Iops\s+MBps\s+P50Us\s+P99Us\s+Errors\s+ViolationCount'
        $text | Should -Match 'wl2\s+300\s'
    }

    It 'rejects a queue too large for the guest buffers' {
        New-VbdDevice -Name wl3 -SizeBytes 32MB | Out-Null
        $e = Get-Failure { Invoke-VbdWorkload wl3 -Profile ChkdskBurst -QueueDepth 64 -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be 'InvalidWorkload,XenVbd.PowerShell.Cmdlets.InvokeVbdWorkloadCommand'
        $e.ErrorDetails.RecommendedAction | Should -Match 'QueueDepth'
    }
}

Describe 'Invoke-VbdLab' {
    It 'runs one lab, returns its result and writes the report folder' {
        $report = Join-Path $TestDrive 'report'
        $r = Invoke-VbdLab -Name Migration -Seed 3 -ReportPath $report
        $r.GetType().FullName | Should -Be 'XenVbd.Lab.LabResult'
        $r.Name | Should -Be 'Migration'
        $r.Seed | Should -Be 3
        $r.Passed | Should -BeTrue
        $r.ReplayCommand | Should -Be 'Invoke-VbdLab -Name Migration -Seed 3 -Personality Gplpv2008b'
        (Get-ChildItem $report).Name | Should -Contain 'results.json'
        (Get-ChildItem $report).Name | Should -Contain 'junit.xml'
        if ($PSEdition -eq 'Core') {
            # The HTML page with its interactive charts (uPlot embedded in the page).
            $html = Get-Content -Raw (Join-Path $report 'index.html')
            $html | Should -Match '<div class="chart" data-spec="chart-1">'
            $html | Should -Match 'leeoniya/uPlot \(v1\.6\.32\)'

        }
        $r | Out-String -Width 200 | Should -Match 'PASS\s+Gplpv2008b\s+Migration\s+StaleLayout\s+StaleLayout'
        $r | Format-Table -View XenVbd.Lab.LabResult.Checks | Out-String -Width 200 | Should -Match 'PASS\s+Migration\s+3'
    }

    It 'writes LabNotFound for an unknown lab, and completes lab names' {
        $e = Get-Failure { Invoke-VbdLab -Name NoSuchLab -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be 'LabNotFound,XenVbd.PowerShell.Cmdlets.InvokeVbdLabCommand'
        $e.ErrorDetails.RecommendedAction | Should -Match 'Migration'
        $c = TabExpansion2 -inputScript 'Invoke-VbdLab -Name Rog' -cursorColumn 'Invoke-VbdLab -Name Rog'.Length
        $c.CompletionMatches.CompletionText | Should -Be 'RogueBackend'
    }
}
