# Device cmdlets: New/Get/Remove-VbdDevice, Invoke-Srb, Set-BackendAbi, Get-VbdRing, Get-VbdXenStore,
# Get-VbdStatistic, Reset-VbdDevice, Export-VbdTrace, Test-VbdIntegrity; their errors, views and tab completion.
BeforeAll {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    Import-Module (Join-Path $root 'XenVbd.psd1') -Force -ErrorAction Stop
    . (Join-Path $PSScriptRoot 'WhatIfCapture.ps1')   # Invoke-WithCapturedHost: -WhatIf's host lines are asserted, not printed

    function Get-Failure([scriptblock] $Script) {
        try { & $Script; return $null } catch { return $_ }
    }
}

AfterAll {
    Get-VbdDevice | Remove-VbdDevice -Confirm:$false
    Remove-Module XenVbd -Force -ErrorAction SilentlyContinue
}

Describe 'New-VbdDevice' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'creates a connected in-memory device with defaults and a free vbdN name' {
        $d = New-VbdDevice
        $d.GetType().FullName | Should -Be 'XenVbd.Device.VbdDevice'
        $d.Name | Should -Be 'vbd0'
        $d.State.ToString() | Should -Be 'Ready'
        $d.Storage.SizeBytes | Should -Be 64MB
        (New-VbdDevice).Name | Should -Be 'vbd1'
    }

    It 'passes every option to the engine' {
        $d = New-VbdDevice -Name opts -SizeBytes 8MB -LogicalSectorSize 4096 -PhysicalSectorSize 4096 -ReadOnly `
            -Personality Hardened -FrontendAbi x86_32-abi -FrontendMode Announce -BackendAbi 32 -BackendMode Protocol -Bounce SegmentPool `
            -MaxRingPageOrder 2 -MaxIndirectSegments 32 -FeatureFlush:$false -FeatureBarrier:$false -FeatureDiscard:$false -Seed 42 -RequestTimeout 00:00:05
        $o = $d.Options
        $o.SizeBytes | Should -Be 8MB
        $o.LogicalSectorSize | Should -Be 4096
        $o.ReadOnly | Should -BeTrue
        $o.FrontendAbi.ToString() | Should -Be 'X86_32'
        $o.FrontendMode.ToString() | Should -Be 'Announce'
        $o.Bounce.ToString() | Should -Be 'SegmentPool'
        $o.MaxRingPageOrder | Should -Be 2
        $o.MaxIndirectSegments | Should -Be 32
        $o.FeatureFlush | Should -BeFalse
        $o.FeatureDiscard | Should -BeFalse
        $o.Seed | Should -Be 42
        $o.RequestTimeout | Should -Be ([timespan]'00:00:05')
        (Get-VbdXenStore -Device $d -Key mode -Side Backend).Value | Should -Be 'r'
    }

    It 'passes -QueueDepth, -GuestBufferBytes, -BackendServiceTime and -VolatileWriteCache to the engine' {
        $d = New-VbdDevice -Name engine -SizeBytes 8MB -QueueDepth 16 -GuestBufferBytes 4MB -BackendServiceTime 00:00:00.0001 -VolatileWriteCache
        $d.Options.QueueDepth | Should -Be 16
        $d.Options.GuestBufferBytes | Should -Be 4MB
        $d.Options.BackendServiceTime | Should -Be ([timespan]::FromTicks(1000))
        $d.Options.VolatileWriteCache | Should -BeTrue
        $d.Storage.GetType().Name | Should -Be 'WriteCacheDisk'
        $plain = New-VbdDevice -Name plain -SizeBytes 8MB
        $plain.Options.VolatileWriteCache | Should -BeFalse
        $plain.Storage.GetType().Name | Should -Not -Be 'WriteCacheDisk'
        $plain.Options.QueueDepth | Should -Be 64
        $plain.Options.GuestBufferBytes | Should -Be 8MB
    }

    It 'sizes the guest buffer from -QueueDepth so a large workload fits, and -GuestBufferBytes overrides it' {
        $auto = New-VbdDevice -Name auto -SizeBytes 32MB -QueueDepth 16
        $auto.Options.GuestBufferBytes | Should -BeGreaterThan (2 * 16 * 1MB)
        $r = Invoke-VbdWorkload -Device $auto -Profile ChkdskBurst -QueueDepth 16 -Count 40 -Seed 5
        $r.Operations | Should -Be 40
        $r.ViolationCount | Should -Be 0

        $small = New-VbdDevice -Name small -SizeBytes 32MB -QueueDepth 16 -GuestBufferBytes 8MB
        $small.Options.GuestBufferBytes | Should -Be 8MB
        $e = Get-Failure { Invoke-VbdWorkload -Device $small -Profile ChkdskBurst -QueueDepth 16 -Count 40 -ErrorAction Stop }
        $e.FullyQualifiedErrorId | Should -Be 'InvalidWorkload,XenVbd.PowerShell.Cmdlets.InvokeVbdWorkloadCommand'
        $e.ErrorDetails.RecommendedAction | Should -Match 'GuestBufferBytes'
    }

    It 'a slower backend service time lowers the virtual IOPS' {
        $fast = New-VbdDevice -Name fast -SizeBytes 16MB -BackendServiceTime 0
        $slow = New-VbdDevice -Name slow -SizeBytes 16MB -BackendServiceTime 00:00:00.001
        $f = Invoke-VbdWorkload -Device $fast -Count 200 -QueueDepth 1 -Seed 2
        $s = Invoke-VbdWorkload -Device $slow -Count 200 -QueueDepth 1 -Seed 2
        $s.VirtualElapsed | Should -BeGreaterThan $f.VirtualElapsed
        $s.VirtualElapsed | Should -BeGreaterOrEqual ([timespan]::FromMilliseconds(200))
    }

    It 'shows the new options in the device list view' {
        $text = New-VbdDevice -Name listed -SizeBytes 8MB -QueueDepth 4 -VolatileWriteCache | Format-List | Out-String -Width 200
        $text | Should -Match 'QueueDepth\s+:\s+4'
        $text | Should -Match 'GuestBufferBytes\s+:\s+\d+'
        $text | Should -Match 'BackendServiceTime\s+:\s+00:00:00'
        $text | Should -Match 'VolatileWriteCache\s+:\s+True'
        $text | Should -Match 'Disk\s+:\s+\(in memory\)'
    }

    It 'passes -UntrustedBackend and -ReconnectAfterUnansweredTimeouts to the engine, off by default' {
        $d = New-VbdDevice -Name guarded -SizeBytes 8MB -UntrustedBackend -ReconnectAfterUnansweredTimeouts 3
        $d.Options.UntrustedBackend | Should -BeTrue
        $d.Options.ReconnectAfterUnansweredTimeouts | Should -Be 3
        $d.Frontend.Options.UntrustedBackend | Should -BeTrue
        $d.Frontend.Options.ReconnectAfterUnansweredTimeouts | Should -Be 3
        # Untrusted: even an aligned write is bounced through frontend pages.
        (Invoke-Srb -Device $d -Write -Lba 0 -BlockCount 8).Result.BytesBounced | Should -Be 4096
        $plain = New-VbdDevice -Name trusting -SizeBytes 8MB
        $plain.Options.UntrustedBackend | Should -BeFalse
        $plain.Options.ReconnectAfterUnansweredTimeouts | Should -Be 0
        (Invoke-Srb -Device $plain -Write -Lba 0 -BlockCount 8).Result.BytesBounced | Should -Be 0
        $text = $d | Format-List | Out-String -Width 200
        $text | Should -Match 'UntrustedBackend\s+:\s+True'
        $text | Should -Match 'ReconnectAfterUnansweredTimeouts\s+:\s+3'
        $text | Should -Match 'ForcedReconnects\s+:\s+0'
        $plain | Format-List | Out-String -Width 200 | Should -Match 'ReconnectAfterUnansweredTimeouts\s+:\s+0\s'
    }

    It 'with -ReconnectAfterUnansweredTimeouts, reconnects after that many lost responses in a row and reports it' {
        $d = New-VbdDevice -Name flaky -Personality Hardened -SizeBytes 8MB -ReconnectAfterUnansweredTimeouts 2 -RequestTimeout 00:00:01
        Add-VbdFault -Device $d -Kind Drop -MaxCount 2 | Out-Null
        $first = Invoke-Srb -Device $d -Write -Lba 1 -BlockCount 1 -ErrorAction SilentlyContinue -ErrorVariable lost
        $first.Result.SrbStatus.ToString() | Should -BeLike 'Timeout*'
        $lost[0].FullyQualifiedErrorId | Should -BeLike 'SrbFailed,*'
        (Get-VbdStatistic -Device $d).ForcedReconnects | Should -Be 0
        (Invoke-Srb -Device $d -Write -Lba 2 -BlockCount 1 -ErrorAction SilentlyContinue).Result.SrbStatus.ToString() | Should -BeLike 'Timeout*'
        (Invoke-Srb -Device $d -Write -Lba 3 -BlockCount 1).Result.IsSuccess | Should -BeTrue
        $s = Get-VbdStatistic -Device $d
        $s.ForcedReconnects | Should -Be 1
        $s.Reconnects | Should -Be 1
        $s.Timeouts | Should -Be 2
        $d.Frontend.Generation | Should -Be 2
        $text = $s | Out-String -Width 200
        $text | Should -Match 'Bounces\s+Timeouts'
        ($text -split "`n" | Where-Object { $_ -match '^flaky\s' }) | Should -Match '\s2\s*$'
        ($d | Format-List | Out-String -Width 200) | Should -Match 'ForcedReconnects\s+:\s+1'

        # Without the policy the same faults leave the device where blkfront would: no reconnect of its own.
        $off = New-VbdDevice -Name steady -Personality Hardened -SizeBytes 8MB -RequestTimeout 00:00:01
        Add-VbdFault -Device $off -Kind Drop -MaxCount 2 | Out-Null
        1..2 | ForEach-Object { Invoke-Srb -Device $off -Write -Lba $_ -BlockCount 1 -ErrorAction SilentlyContinue } | Out-Null
        (Get-VbdStatistic -Device $off).ForcedReconnects | Should -Be 0
        $off.Frontend.Generation | Should -Be 1
    }

    It 'probes and switches a 64-bit frontend to a native 32-bit backend' {
        $d = New-VbdDevice -Name legacy -FrontendAbi X86_64 -BackendAbi X86_32 -BackendMode Native
        $d.FrontendAbi.ToString() | Should -Be 'X86_32'
        $d.ProbeResult.Switched | Should -BeTrue
    }

    It 'takes parameters from the pipeline by property name' {
        $d = [pscustomobject]@{ Name = 'piped'; SizeBytes = 4MB; BackendAbi = 'x86_32-abi' } | New-VbdDevice
        $d.Name | Should -Be 'piped'
        $d.BackendAbi.ToString() | Should -Be 'X86_32'
    }

    It 'uses, creates and locks a raw image file' {
        $image = Join-Path $TestDrive 'disk.img'
        $d = New-VbdDevice -Name img -ImagePath $image -SizeBytes 2MB
        (Get-Item $image).Length | Should -Be 2MB
        $err = Get-Failure { New-VbdDevice -Name img2 -ImagePath $image -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'ImageLocked,XenVbd.PowerShell.Cmdlets.NewVbdDeviceCommand'
        $err.CategoryInfo.Category | Should -Be 'ResourceBusy'
        Remove-VbdDevice -Device $d
        (New-VbdDevice -Name img3 -ImagePath $image).Storage.SizeBytes | Should -Be 2MB
    }

    It 'names the holder of a locked image in this session and says what to do' {
        $image = Join-Path $TestDrive 'held.img'
        $null = New-VbdDevice -Name holder -ImagePath $image -SizeBytes 1MB
        $err = Get-Failure { New-VbdDevice -Name second -ImagePath $image -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'ImageLocked,XenVbd.PowerShell.Cmdlets.NewVbdDeviceCommand'
        if ($IsLinux) { $err.Exception.Message | Should -Match "this process \(pid $PID\b" }
        $err.ErrorDetails.RecommendedAction | Should -Match 'Remove-VbdDevice'
        $err.ErrorDetails.RecommendedAction | Should -Match '-ImagePath'
    }

    It 'names another process that holds the image by its pid' -Skip:(-not ($IsLinux -and (Get-Command flock -CommandType Application -ErrorAction SilentlyContinue))) {
        # flock(1) takes the same flock(2) lock .NET takes for FileShare.None and keeps it while its child sleeps.
        $image = Join-Path $TestDrive 'other.img'
        [IO.File]::WriteAllBytes($image, [byte[]]::new(1MB))
        $holder = Start-Process -FilePath flock -ArgumentList '-n', $image, 'sleep', '60' -PassThru
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while (-not ((Get-Content /proc/locks) -match "FLOCK\s+\S+\s+WRITE\s+$($holder.Id) ") -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $err = Get-Failure { New-VbdDevice -Name other -ImagePath $image -ErrorAction Stop }
            $err.FullyQualifiedErrorId | Should -Be 'ImageLocked,XenVbd.PowerShell.Cmdlets.NewVbdDeviceCommand'
            $err.Exception.Message | Should -Match "process $($holder.Id) \(flock\) holds it"
            $err.ErrorDetails.RecommendedAction | Should -Match "process $($holder.Id)"
        }
        finally {
            # The sleeping child inherits the locked descriptor: stop it as well as flock itself.
            Get-Process | Where-Object { $_.Parent.Id -eq $holder.Id } | Stop-Process -Force
            Stop-Process -Id $holder.Id -Force -ErrorAction SilentlyContinue
        }
    }

    It 'builds the backend as -BackendPersonality <Personality> (default LinuxBlkback) and shows it' -ForEach @(
        @{ Personality = 'LinuxBlkback'; Flush = '1'; Barrier = '1' }
        @{ Personality = 'LinuxBlkback2008'; Flush = $null; Barrier = '1' }
        @{ Personality = 'Qemu72'; Flush = '1'; Barrier = $null }
        @{ Personality = 'Qemu10'; Flush = '1'; Barrier = $null }
    ) {
        $d = New-VbdDevice -Name "pers-$Personality" -SizeBytes 4MB -BackendPersonality $Personality -ReorderCompletions
        $d.BackendPersonality.ToString() | Should -Be $Personality
        $d.Options.ReorderCompletions | Should -BeTrue
        $d.State.ToString() | Should -Be 'Ready'
        (Get-VbdXenStore -Device $d -Key feature-flush-cache -Side Backend -ErrorAction SilentlyContinue).Value | Should -Be $Flush
        (Get-VbdXenStore -Device $d -Key feature-barrier -Side Backend -ErrorAction SilentlyContinue).Value | Should -Be $Barrier
        Invoke-Srb -Device $d -Write -Lba 8 -BlockCount 8 | Out-Null
        Test-VbdIntegrity -Device $d | Should -BeTrue
        ($d | Format-List | Out-String) | Should -Match "BackendPersonality\s*:\s*$Personality"
        (New-VbdDevice -Name "pers-default-$Personality" -SizeBytes 4MB).BackendPersonality.ToString() | Should -Be 'LinuxBlkback'
    }

    It 'completes -BackendPersonality and rejects an unknown one at binding' {
        $line = 'New-VbdDevice -BackendPersonality Q'
        $names = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        @($names | Sort-Object) | Should -Be @('Qemu10', 'Qemu72')
        { New-VbdDevice -Name bad -BackendPersonality Xen2003 -ErrorAction Stop } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,XenVbd.PowerShell.Cmdlets.NewVbdDeviceCommand'
        Get-VbdDevice -Name bad* | Should -BeNullOrEmpty
    }

    It 'does nothing with -WhatIf' {
        $r = Invoke-WithCapturedHost { New-VbdDevice -Name whatif -WhatIf; '---'; Get-VbdDevice -Name whatif* }
        $r.Errors | Should -BeNullOrEmpty
        $r.Output | Should -Be '---'
        $r.HostText | Should -Match 'What if: Performing the operation "Create virtual block device" on target "whatif \(in-memory disk'
    }

    Context 'bad input' {
        It '<Case> gives <Id> (<Category>)' -ForEach @(
            @{ Case = 'a size not a multiple of the sector'; Id = 'SizeNotMultipleOfSector'; Category = 'InvalidArgument'; Script = { New-VbdDevice -Name bad -SizeBytes 1000 -ErrorAction Stop } }
            @{ Case = 'a zero size'; Id = 'SizeNotMultipleOfSector'; Category = 'InvalidArgument'; Script = { New-VbdDevice -Name bad -SizeBytes 0 -ErrorAction Stop } }
            @{ Case = 'a 4K disk of 6 KiB'; Id = 'SizeNotMultipleOfSector'; Category = 'InvalidArgument'; Script = { New-VbdDevice -Name bad -SizeBytes 6KB -LogicalSectorSize 4096 -ErrorAction Stop } }
            @{ Case = 'physical smaller than logical'; Id = 'InvalidDeviceOptions'; Category = 'InvalidArgument'; Script = { New-VbdDevice -Name bad -LogicalSectorSize 4096 -PhysicalSectorSize 512 -ErrorAction Stop } }
            @{ Case = 'a wildcard in the name'; Id = 'InvalidDeviceName'; Category = 'InvalidArgument'; Script = { New-VbdDevice -Name 'bad*' -ErrorAction Stop } }
            @{ Case = 'a folder as image'; Id = 'ImageNotADisk'; Category = 'InvalidData'; Script = { New-VbdDevice -Name bad -ImagePath $TestDrive -ErrorAction Stop } }
            @{ Case = 'an image of 1000 bytes'; Id = 'ImageNotADisk'; Category = 'InvalidData'; Script = { $f = Join-Path $TestDrive 'odd.img'; [IO.File]::WriteAllBytes($f, [byte[]]::new(1000)); New-VbdDevice -Name bad -ImagePath $f -ErrorAction Stop } }
            @{ Case = 'an empty image'; Id = 'ImageNotADisk'; Category = 'InvalidData'; Script = { $f = Join-Path $TestDrive 'empty.img'; [IO.File]::WriteAllBytes($f, [byte[]]::new(0)); New-VbdDevice -Name bad -ImagePath $f -ErrorAction Stop } }
            @{ Case = 'a negative backend service time'; Id = 'InvalidDeviceOptions'; Category = 'InvalidArgument'; Script = { New-VbdDevice -Name bad -BackendServiceTime '-00:00:01' -ErrorAction Stop } }
            @{ Case = 'an image in a missing folder'; Id = 'ImageNotFound'; Category = 'ObjectNotFound'; Script = { New-VbdDevice -Name bad -ImagePath (Join-Path $TestDrive 'no/such/dir/x.img') -ErrorAction Stop } }
        ) {
            $err = Get-Failure $Script
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -Be "$Id,XenVbd.PowerShell.Cmdlets.NewVbdDeviceCommand"
            $err.CategoryInfo.Category | Should -Be $Category
            $err.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
            $err.Exception.Message | Should -Not -Match '\bat XenVbd\.'
            Get-VbdDevice -Name bad* | Should -BeNullOrEmpty
        }

        It 'rejects a duplicate name and leaves the first device alone' {
            $first = New-VbdDevice -Name dup -SizeBytes 4MB
            Invoke-Srb -Device $first -Write -Lba 0 -BlockCount 1 | Out-Null
            $err = Get-Failure { New-VbdDevice -Name DUP -ErrorAction Stop }
            $err.FullyQualifiedErrorId | Should -Be 'DuplicateDeviceName,XenVbd.PowerShell.Cmdlets.NewVbdDeviceCommand'
            $err.CategoryInfo.Category | Should -Be 'ResourceExists'
            (Get-VbdDevice -Name dup).Storage.SizeBytes | Should -Be 4MB
            Test-VbdIntegrity -Name dup | Should -BeTrue
        }

        It 'rejects <Case> at binding' -ForEach @(
            @{ Case = 'a queue depth of 0'; Script = { New-VbdDevice -Name bad -QueueDepth 0 -ErrorAction Stop } }
            @{ Case = 'a queue depth above 4096'; Script = { New-VbdDevice -Name bad -QueueDepth 5000 -ErrorAction Stop } }
            @{ Case = 'a guest buffer below 4 KiB'; Script = { New-VbdDevice -Name bad -GuestBufferBytes 1000 -ErrorAction Stop } }
            @{ Case = 'a guest buffer above 1 GiB'; Script = { New-VbdDevice -Name bad -GuestBufferBytes 2000000000 -ErrorAction Stop } }
            @{ Case = 'a service time that is not a TimeSpan'; Script = { New-VbdDevice -Name bad -BackendServiceTime 'soon' -ErrorAction Stop } }
            @{ Case = 'a negative -ReconnectAfterUnansweredTimeouts'; Script = { New-VbdDevice -Name bad -ReconnectAfterUnansweredTimeouts -1 -ErrorAction Stop } }
            @{ Case = '-ReconnectAfterUnansweredTimeouts above 100'; Script = { New-VbdDevice -Name bad -ReconnectAfterUnansweredTimeouts 101 -ErrorAction Stop } }
            @{ Case = '-ReconnectAfterUnansweredTimeouts that is not a number'; Script = { New-VbdDevice -Name bad -ReconnectAfterUnansweredTimeouts often -ErrorAction Stop } }
        ) {
            $err = Get-Failure $Script
            $err.FullyQualifiedErrorId | Should -Match '^(ParameterArgumentValidationError|ParameterArgumentTransformationError|CannotConvertArgumentNoMessage),XenVbd.PowerShell.Cmdlets.NewVbdDeviceCommand$'
            $err.CategoryInfo.Category | Should -BeIn 'InvalidData', 'InvalidArgument'
            Get-VbdDevice -Name bad* | Should -BeNullOrEmpty
        }

        It 'rejects a sector size other than 512 or 4096 at binding' {
            { New-VbdDevice -Name bad -LogicalSectorSize 1024 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,XenVbd.PowerShell.Cmdlets.NewVbdDeviceCommand'
        }
    }
}

Describe 'Get-VbdDevice and Remove-VbdDevice' {
    BeforeEach {
        'alpha', 'beta', 'gamma' | ForEach-Object { New-VbdDevice -Name $_ -SizeBytes 4MB } | Out-Null
    }
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'gets all devices in name order' {
        (Get-VbdDevice).Name | Should -Be @('alpha', 'beta', 'gamma')
    }

    It 'gets by name, case-insensitively, by wildcard and from the pipeline' {
        (Get-VbdDevice -Name BETA).Name | Should -Be 'beta'
        (Get-VbdDevice -Name '*a').Name | Should -Be @('alpha', 'beta', 'gamma')
        (Get-VbdDevice -Name 'g*').Name | Should -Be 'gamma'
        ('alpha', 'gamma' | Get-VbdDevice).Name | Should -Be @('alpha', 'gamma')
        ([pscustomobject]@{ DeviceName = 'beta' } | Get-VbdDevice).Name | Should -Be 'beta'
    }

    It 'writes DeviceNotFound for an unknown name and keeps going' {
        $found = Get-VbdDevice -Name nope, alpha -ErrorVariable errs -ErrorAction SilentlyContinue
        $found.Name | Should -Be 'alpha'
        $errs[0].FullyQualifiedErrorId | Should -Be 'DeviceNotFound,XenVbd.PowerShell.Cmdlets.GetVbdDeviceCommand'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Get-VbdDevice -Name 'zz*' | Should -BeNullOrEmpty
    }

    It 'removes by name, by wildcard and from the pipeline' {
        Remove-VbdDevice -Name alpha
        Get-VbdDevice -Name 'b*' | Remove-VbdDevice
        (Get-VbdDevice).Name | Should -Be 'gamma'
    }

    It 'honours -WhatIf' {
        $r = Invoke-WithCapturedHost { 'alpha', 'beta', 'gamma' | ForEach-Object { $null = New-VbdDevice -Name $_ }; Remove-VbdDevice -Name '*' -WhatIf; (Get-VbdDevice).Count }
        $r.Output | Should -Be 3
        foreach ($n in 'alpha', 'beta', 'gamma') { $r.HostText | Should -Match "What if: Performing the operation `"Close the frontend and backend and remove the device`" on target `"$n`"" }
    }

    It 'reports a removed device object and an unknown name' {
        $d = Get-VbdDevice -Name alpha
        Remove-VbdDevice -Device $d
        $err = Get-Failure { Remove-VbdDevice -Device $d -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'DeviceRemoved,XenVbd.PowerShell.Cmdlets.RemoveVbdDeviceCommand'
        $err = Get-Failure { Remove-VbdDevice -Name nope -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'DeviceNotFound,XenVbd.PowerShell.Cmdlets.RemoveVbdDeviceCommand'
        (Get-VbdDevice).Count | Should -Be 2
    }

    It 'asks for a device when none is given' {
        $err = Get-Failure { Remove-VbdDevice -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'DeviceNotSpecified,XenVbd.PowerShell.Cmdlets.RemoveVbdDeviceCommand'
        (Get-VbdDevice).Count | Should -Be 3
    }

    It 'renders the default device table' {
        $text = Get-VbdDevice | Out-String -Width 160
        $text | Should -Match 'Name\s+State\s+SizeMiB\s+GuestAbi\s+BackendAbi\s+BackendMode\s+Probe'
        # A probing frontend writes no protocol key, so a Protocol-mode backend assumes x86_32 and the probe switches.
        $text | Should -Match 'alpha\s+Ready\s+4\s+X86_64\s+X86_64\s+Protocol\s+switched X86_32'
    }

    It 'completes device names on -Name and -Device' {
        foreach ($line in 'Get-VbdRing -Name g', 'Invoke-Srb -Name g', 'Remove-VbdDevice -Name g', 'Get-VbdDevice -Name g') {
            $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $r.CompletionMatches.CompletionText | Should -Be 'gamma' -Because $line
        }
        $all = TabExpansion2 -inputScript 'Get-VbdStatistic -Name ' -cursorColumn 'Get-VbdStatistic -Name '.Length
        $all.CompletionMatches.CompletionText | Should -Be @('alpha', 'beta', 'gamma')
        $all.CompletionMatches[0].ToolTip | Should -Match 'Ready'
    }
}

Describe 'Invoke-Srb' {
    # The hardened design: SYNCHRONIZE CACHE and UNMAP go to the ring and succeed (GPLPV 2008b refuses both).
    BeforeAll { $d = New-VbdDevice -Name srb -Personality Hardened -SizeBytes 4MB }
    AfterAll { Remove-VbdDevice -Name srb }

    It 'declares its output type and the parameter sets' {
        (Get-Command Invoke-Srb).OutputType.Name | Should -Contain 'XenVbd.PowerShell.VbdSrbResult'
        (Get-Command Invoke-Srb).ParameterSets.Name | Sort-Object | Should -Be (@('Cdb', 'Inquiry', 'ModeSense', 'Read', 'ReadCapacity', 'ReportLuns', 'RequestSense', 'SynchronizeCache', 'TestUnitReady', 'Unmap', 'Write') | Sort-Object)
    }

    It 'writes and reads back through a misaligned buffer, bouncing both' {
        $w = Invoke-Srb -Device $d -Write -Lba 8 -BlockCount 4 -BufferAlignment 3
        $w.Succeeded | Should -BeTrue
        $w.Command | Should -Be 'WRITE(10)'
        $w.Bytes | Should -Be 2048
        $w.BouncePasses | Should -BeGreaterThan 0
        $r = Invoke-Srb -Device $d -Read -Lba 8 -BlockCount 4 -BufferAlignment 511
        $r.Succeeded | Should -BeTrue
        $r.DataLength | Should -Be 2048
        $r.BouncePasses | Should -BeGreaterThan 0
        [Text.Encoding]::ASCII.GetString($r.Data, 0, 16) | Should -Be 'XenVbd LBA 8 | X'
        [Text.Encoding]::ASCII.GetString($r.Data, 512, 16) | Should -Be 'XenVbd LBA 9 | X'
        $aligned = Invoke-Srb -Device $d -Read -Lba 8 -BlockCount 4
        $aligned.BouncePasses | Should -Be 0
        $aligned.Latency | Should -BeOfType [timespan]
    }

    It 'writes -Data, infers the block count and pads to -BlockCount' {
        $bytes = [byte[]](1..1024 | ForEach-Object { $_ % 251 })
        (Invoke-Srb -Device $d -Write -Lba 100 -Data $bytes).BlockCount | Should -Be 2
        (Invoke-Srb -Device $d -Read -Lba 100 -BlockCount 2).Data | Should -Be $bytes
        (Invoke-Srb -Device $d -Write -Lba 200 -Data ([byte[]](7, 7, 7)) -BlockCount 1).Succeeded | Should -BeTrue
        $back = (Invoke-Srb -Device $d -Read -Lba 200 -BlockCount 1).Data
        $back[0..3] | Should -Be @(7, 7, 7, 0)
    }

    It 'uses the 16-byte CDB for large transfers' {
        $r = Invoke-Srb -Device $d -Read -Lba 4294967296 -BlockCount 1 -ErrorAction SilentlyContinue
        $r.Command | Should -Be 'READ(16)'
        $r.CdbHex | Should -Be '88 00 00 00 00 01 00 00 00 00 00 00 00 01 00 00'
        $r.SenseKey.ToString() | Should -Be 'IllegalRequest'
    }

    It 'runs <Set>' -ForEach @(
        @{ Set = 'Inquiry'; Params = @{ Inquiry = $true }; Command = 'INQUIRY'; MinData = 36 }
        @{ Set = 'Inquiry -VpdPage'; Params = @{ Inquiry = $true; VpdPage = 0x80 }; Command = 'INQUIRY VPD 0x80'; MinData = 4 }
        @{ Set = 'ReadCapacity'; Params = @{ ReadCapacity = $true }; Command = 'READ CAPACITY(10)'; MinData = 8 }
        @{ Set = 'ReadCapacity -Sixteen'; Params = @{ ReadCapacity = $true; Sixteen = $true }; Command = 'READ CAPACITY(16)'; MinData = 32 }
        @{ Set = 'TestUnitReady'; Params = @{ TestUnitReady = $true }; Command = 'TEST UNIT READY'; MinData = 0 }
        @{ Set = 'the default set'; Params = @{}; Command = 'TEST UNIT READY'; MinData = 0 }
        @{ Set = 'RequestSense'; Params = @{ RequestSense = $true }; Command = 'REQUEST SENSE'; MinData = 18 }
        @{ Set = 'ModeSense'; Params = @{ ModeSense = $true }; Command = 'MODE SENSE(10)'; MinData = 8 }
        @{ Set = 'ModeSense -PageCode'; Params = @{ ModeSense = $true; PageCode = 8 }; Command = 'MODE SENSE(10)'; MinData = 8 }
        @{ Set = 'SynchronizeCache'; Params = @{ SynchronizeCache = $true }; Command = 'SYNCHRONIZE CACHE(10)'; MinData = 0 }
        @{ Set = 'Unmap'; Params = @{ Unmap = $true; Lba = 64; BlockCount = 8 }; Command = 'UNMAP'; MinData = 0 }
        @{ Set = 'ReportLuns'; Params = @{ ReportLuns = $true }; Command = 'REPORT LUNS'; MinData = 16 }
        @{ Set = 'Cdb'; Params = @{ Cdb = [byte[]](0x12, 0, 0, 0, 36, 0); DataInLength = 36 }; Command = 'INQUIRY'; MinData = 36 }
        @{ Set = 'Cdb with -DataOutLength'; Params = @{ Cdb = [byte[]](0x2A, 0, 0, 0, 0, 1, 0, 0, 1, 0); DataOutLength = 512 }; Command = 'WRITE(10)'; MinData = 0 }
    ) {
        $r = Invoke-Srb -Device $d @Params
        $r.Command | Should -Be $Command
        $r.Succeeded | Should -BeTrue
        $r.SrbStatus.ToString() | Should -Be 'Success'
        $r.ScsiStatus.ToString() | Should -Be 'Good'
        $r.DataLength | Should -BeGreaterOrEqual $MinData
    }

    It 'takes the device from the pipeline, by name and by position' {
        ($d | Invoke-Srb -Inquiry).DeviceName | Should -Be 'srb'
        (Invoke-Srb srb -Inquiry).DeviceName | Should -Be 'srb'
        ([pscustomobject]@{ DeviceName = 'srb' } | Invoke-Srb -Inquiry).DeviceName | Should -Be 'srb'
    }

    It 'returns CHECK CONDITION for an LBA past the end, plus a SrbFailed error' {
        $r = Invoke-Srb -Device $d -Read -Lba 8192 -BlockCount 1 -ErrorVariable errs -ErrorAction SilentlyContinue
        $r.Succeeded | Should -BeFalse
        $r.ScsiStatus.ToString() | Should -Be 'CheckCondition'
        $r.SrbStatus.ToString() | Should -Be 'Error'
        $r.AutosenseValid | Should -BeTrue
        $r.SenseKey.ToString() | Should -Be 'IllegalRequest'
        $r.Asc | Should -Be 0x21
        $r.Ascq | Should -Be 0
        $r.SenseCode | Should -Be '21/00'
        $list = $r | Format-List | Out-String -Width 80
        $list | Should -Match 'SenseCode\s+: 21/00'
        $list | Should -Not -Match 'Asc\s+: 33'
        $r.SenseKeyName | Should -Be 'ILLEGAL REQUEST'
        $r.AdditionalSenseName | Should -Be 'LOGICAL BLOCK ADDRESS OUT OF RANGE'
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'SrbFailed,XenVbd.PowerShell.Cmdlets.InvokeSrbCommand'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errs[0].TargetObject | Should -Be $r
        $errs[0].ErrorDetails.RecommendedAction | Should -Match '8192 blocks'
        { Invoke-Srb -Device $d -Read -Lba 8192 -BlockCount 1 -ErrorAction Stop } | Should -Throw -ErrorId 'SrbFailed,XenVbd.PowerShell.Cmdlets.InvokeSrbCommand'
        (Invoke-Srb -Device $d).Succeeded | Should -BeTrue
    }

    It 'maps a backend error to MEDIUM ERROR, ReadError for a read and WriteError for a write' {
        $m = New-VbdDevice -Name srb-medium -SizeBytes 1MB
        try {
            $null = Add-VbdFault -Device $m -Kind Error
            $null = Invoke-Srb -Device $m -Read -Lba 0 -BlockCount 1 -ErrorVariable readErrs -ErrorAction SilentlyContinue
            $null = Invoke-Srb -Device $m -Write -Lba 0 -BlockCount 1 -ErrorVariable writeErrs -ErrorAction SilentlyContinue
            $readErrs[0].TargetObject.SenseKey.ToString() | Should -Be 'MediumError'
            $readErrs[0].CategoryInfo.Category | Should -Be 'ReadError'
            $writeErrs[0].CategoryInfo.Category | Should -Be 'WriteError'
        }
        finally {
            Remove-VbdDevice -Name srb-medium -Confirm:$false
        }
    }

    It 'maps a write to a read-only disk to PermissionDenied' {
        $ro = New-VbdDevice -Name srb-ro -SizeBytes 1MB -ReadOnly
        try {
            $r = Invoke-Srb -Device $ro -Write -Lba 0 -BlockCount 1 -ErrorVariable errs -ErrorAction SilentlyContinue
            $r.SenseKey.ToString() | Should -Be 'DataProtect'
            $errs[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        }
        finally { Remove-VbdDevice -Device $ro }
    }

    Context 'bad input: nothing is sent' {
        BeforeEach { $before = (Get-VbdStatistic -Device $d).SrbsSubmitted }
        AfterEach { (Get-VbdStatistic -Device $d).SrbsSubmitted | Should -Be $before }

        It '<Case> gives <Id>' -ForEach @(
            @{ Case = 'a 3-byte CDB'; Id = 'CdbTooShort'; Script = { Invoke-Srb -Name srb -Cdb 0x12, 0, 0 -ErrorAction Stop } }
            @{ Case = 'a READ(10) opcode in 6 bytes'; Id = 'CdbTooShort'; Script = { Invoke-Srb -Name srb -Cdb 0x28, 0, 0, 0, 0, 0 -DataInLength 512 -ErrorAction Stop } }
            @{ Case = 'a 17-byte CDB'; Id = 'CdbTooLong'; Script = { Invoke-Srb -Name srb -Cdb ([byte[]]::new(17)) -ErrorAction Stop } }
            @{ Case = 'data both ways'; Id = 'DataLengthMismatch'; Script = { Invoke-Srb -Name srb -Cdb 0x12, 0, 0, 0, 36, 0 -Data 1, 2 -DataInLength 36 -ErrorAction Stop } }
            @{ Case = '-Data and -DataOutLength disagreeing'; Id = 'DataLengthMismatch'; Script = { Invoke-Srb -Name srb -Cdb 0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0 -Data 1, 2 -DataOutLength 512 -ErrorAction Stop } }
            @{ Case = '-Write without a length'; Id = 'BlockCountMissing'; Script = { Invoke-Srb -Name srb -Write -Lba 0 -ErrorAction Stop } }
            @{ Case = '-Data not a whole block'; Id = 'DataLengthMismatch'; Script = { Invoke-Srb -Name srb -Write -Lba 0 -Data 1, 2, 3 -ErrorAction Stop } }
            @{ Case = '-Data longer than -BlockCount'; Id = 'DataLengthMismatch'; Script = { Invoke-Srb -Name srb -Write -Lba 0 -BlockCount 1 -Data ([byte[]]::new(1024)) -ErrorAction Stop } }
            @{ Case = 'an unknown device'; Id = 'DeviceNotFound'; Script = { Invoke-Srb -Name nosuch -Inquiry -ErrorAction Stop } }
            @{ Case = 'no device'; Id = 'DeviceNotSpecified'; Script = { Invoke-Srb -Inquiry -ErrorAction Stop } }
        ) {
            $err = Get-Failure $Script
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -Be "$Id,XenVbd.PowerShell.Cmdlets.InvokeSrbCommand"
            $err.CategoryInfo.Category | Should -BeIn @('InvalidArgument', 'ObjectNotFound')
            $err.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        }

        It 'rejects -BufferAlignment <Value> at binding' -ForEach @(@{ Value = 512 }, @{ Value = -1 }) {
            { Invoke-Srb -Name srb -Read -Lba 0 -BlockCount 1 -BufferAlignment $Value -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,XenVbd.PowerShell.Cmdlets.InvokeSrbCommand'
        }

        It 'rejects a negative LBA at binding' {
            { Invoke-Srb -Name srb -Read -Lba -1 -BlockCount 1 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,XenVbd.PowerShell.Cmdlets.InvokeSrbCommand'
        }
    }

    It 'renders the default SRB table' {
        $text = Invoke-Srb -Device $d -Read -Lba 1 -BlockCount 2 -BufferAlignment 9 | Out-String -Width 200
        $text | Should -Match 'DeviceName\s+Command\s+Lba\s+SrbStatus\s+Bytes\s+Reqs\s+Bounce\s+LatencyUs\s+Sense'
        $text | Should -Match 'srb\s+READ\(10\)\s+1\s+Success\s+1024\s+1\s+1\s+[\d.,]+'
        $bad = Invoke-Srb -Device $d -Read -Lba 99999 -BlockCount 1 -ErrorAction SilentlyContinue | Out-String -Width 200
        $bad | Should -Match 'Error\s+.*ILLEGAL REQUEST: LOGICAL BLOCK ADDRESS OUT OF RANGE \(21/00\)'
    }
}

Describe 'Set-BackendAbi' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'moves a device to a 64-bit dom0 and reports the re-probe' {
        $d = New-VbdDevice -Name mig -Personality Hardened -FrontendAbi X86_64 -BackendAbi X86_32 -BackendMode Native
        Invoke-Srb -Device $d -Write -Lba 0 -BlockCount 16 -BufferAlignment 1 | Out-Null
        $m = Set-BackendAbi -Device $d -Abi X86_64 -Mode Native
        $m.GetType().FullName | Should -Be 'XenVbd.Device.MigrationResult'
        $m.DeviceName | Should -Be 'mig'
        $m.OldBackendAbi.ToString() | Should -Be 'X86_32'
        $m.NewBackendAbi.ToString() | Should -Be 'X86_64'
        $m.FrontendAbiBefore.ToString() | Should -Be 'X86_32'
        $m.FrontendAbiAfter.ToString() | Should -Be 'X86_64'
        $m.Reprobed | Should -BeTrue
        $d.FrontendAbi.ToString() | Should -Be 'X86_64'
        Test-VbdIntegrity -Device $d | Should -BeTrue
    }

    It 'keeps the current mode when -Mode is omitted, and binds by position and pipeline' {
        $d = New-VbdDevice -Name mig2 -Personality Hardened -BackendAbi X86_64 -BackendMode Native
        (Set-BackendAbi mig2 32).NewBackendMode.ToString() | Should -Be 'Native'
        ($d | Set-BackendAbi -Abi x86_64-abi -Mode Protocol).NewBackendMode.ToString() | Should -Be 'Protocol'
    }

    It 'moves to a dom0 of another -BackendPersonality and keeps the current one when omitted' {
        $d = New-VbdDevice -Name migp -Personality Hardened -SizeBytes 4MB
        Invoke-Srb -Device $d -Write -Lba 8 -BlockCount 4 | Out-Null                  # something for the integrity check to read back
        $m = Set-BackendAbi -Device $d -Abi X86_64 -Mode Protocol -BackendPersonality Qemu72
        $m.OldBackendPersonality.ToString() | Should -Be 'LinuxBlkback'
        $m.NewBackendPersonality.ToString() | Should -Be 'Qemu72'
        # QEMU 7.2 takes a frontend without a protocol key to be native (x86_64); Linux had said x86_32.
        $m.FrontendAbiBefore.ToString() | Should -Be 'X86_32'
        $m.FrontendAbiAfter.ToString() | Should -Be 'X86_64'
        $d.BackendPersonality.ToString() | Should -Be 'Qemu72'
        (Set-BackendAbi -Device $d -Abi X86_64).NewBackendPersonality.ToString() | Should -Be 'Qemu72'
        { Set-BackendAbi -Device $d -Abi 64 -BackendPersonality Nope -ErrorAction Stop } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,XenVbd.PowerShell.Cmdlets.SetBackendAbiCommand'
        Test-VbdIntegrity -Device $d | Should -BeTrue
    }

    It 'honours -WhatIf' {
        $r = Invoke-WithCapturedHost {
            $d = New-VbdDevice -Name mig3 -BackendAbi X86_64
            @(Set-BackendAbi -Device $d -Abi X86_32 -Mode Native -WhatIf).Count
            $d.BackendAbi.ToString()
        }
        $r.Output | Should -Be @(0, 'X86_64')
        $r.HostText | Should -Match 'What if: .*X86_32 backend in Native mode" on target "mig3"'
    }

    It 'rejects an unknown ABI at binding and an unknown device' {
        New-VbdDevice -Name mig4 | Out-Null
        { Set-BackendAbi -Name mig4 -Abi x86_16 -ErrorAction Stop } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,XenVbd.PowerShell.Cmdlets.SetBackendAbiCommand'
        (Get-Failure { Set-BackendAbi -Name nope -Abi 64 -ErrorAction Stop }).FullyQualifiedErrorId | Should -Be 'DeviceNotFound,XenVbd.PowerShell.Cmdlets.SetBackendAbiCommand'
    }

    It 'renders the migration table' {
        $d = New-VbdDevice -Name mig5 -Personality Hardened -BackendAbi X86_32 -BackendMode Native
        $text = Set-BackendAbi -Device $d -Abi X86_64 -Mode Native | Out-String -Width 200
        $text | Should -Match 'DeviceName\s+Backend\s+FrontendRing\s+Reprobed\s+Resubmitted\s+State'
        $text | Should -Match 'mig5\s+X86_32 -> X86_64\s+X86_32 -> X86_64\s+True'
    }
}

Describe 'Get-VbdRing' {
    BeforeAll { $d = New-VbdDevice -Name ring -FrontendAbi X86_64 -BackendAbi X86_32 -BackendMode Native -MaxRingPageOrder 1 }
    AfterAll { Remove-VbdDevice -Name ring }

    It 'returns the frontend ring snapshot with the switched layout' {
        Invoke-Srb -Device $d -Write -Lba 0 -BlockCount 8 | Out-Null
        $r = Get-VbdRing -Device $d
        $r.GetType().FullName | Should -Be 'XenVbd.Frontend.RingSnapshot'
        $r.DeviceName | Should -Be 'ring'
        $r.Abi.ToString() | Should -Be 'X86_32'
        $r.Size | Should -BeIn 32, 64
        $r.ReqProd | Should -BeGreaterThan 0
        $r.RspCons | Should -Be $r.RspProd
    }

    It 'returns every device without -Name, and the slots in flight with -InFlight' {
        @(Get-VbdRing).Count | Should -Be @(Get-VbdDevice).Count
        Get-VbdRing -Name ring -InFlight | Should -BeNullOrEmpty
        (Get-Command Get-VbdRing).OutputType.Name | Should -Contain 'XenVbd.Frontend.RingSlotInfo'
    }

    It 'draws the ring in the default view' {
        $text = Get-VbdRing -Name ring | Out-String -Width 120
        $text | Should -Match 'Device ring'
        $text | Should -Match 'Ring X86_32: \d+ pages?, \d+ entries x 108 bytes, 0 in flight'
        $text | Should -Match 'req_prod \d+\s+req_event \d+\s+rsp_prod \d+\s+rsp_event \d+\s+rsp_cons \d+'
        $text | Should -Match '\|\.{32}\|'
        $text | Should -Match '\*'
        $text | Should -Match 'no requests in flight'
    }

    It 'draws requests in flight and the producer/consumer marks' {
        # Engine types live in the module's private load context: reach them through an object, not a type literal.
        $live = Get-VbdRing -Name ring
        $engine = $live.GetType().Assembly
        $slotType = $engine.GetType('XenVbd.Frontend.RingSlotInfo')
        $indices = $live.Shared.GetType()::new(37, 38, 34, 35)
        $snapshot = $live.GetType()::new($live.Abi.GetType()::X86_64, 0, 32, $indices, 37, 33, [Array]::CreateInstance($slotType, 0))
        $drawing = [XenVbd.PowerShell.RingView]::Draw($snapshot)
        $drawing | Should -Match '32 entries x 112 bytes'
        ($drawing -split "`n")[2] | Should -Match '^\s+0 \|\.rRRR\.+\|'
        ($drawing -split "`n")[3] | Should -Match '^\s+C\s{3}P'
    }

    It 'renders the indices table' {
        $text = Get-VbdRing -Name ring | Format-Table | Out-String -Width 160
        $text | Should -Match 'DeviceName\s+Abi\s+Order\s+Queue\s+ReqProd\s+ReqEvent\s+RspProd\s+RspEvent\s+RspCons'
    }

    It 'renders the in-flight table' {
        $slotType = (Get-VbdRing -Name ring).GetType().Assembly.GetType('XenVbd.Frontend.RingSlotInfo')
        $slot = $slotType::new(5, 5, 3, 1, 2048, 2, $false, 120)
        $slot | Add-Member DeviceName 'ring'
        $text = $slot | Out-String -Width 160
        $text | Should -Match 'DeviceName\s+Queue\s+Slot\s+RingIndex\s+Id\s+Operation\s+Sector\s+Segs\s+AgeUs\s+Orphaned'
        $text | Should -Match 'ring\s+0\s+5\s+5\s+3\s+\S+\s+2048\s+2\s+12\s+False'
    }
}

Describe 'Get-VbdXenStore' {
    BeforeAll { $d = New-VbdDevice -Name xs -Personality Hardened -FrontendMode Announce -SizeBytes 8MB }
    AfterAll { Remove-VbdDevice -Name xs }

    It 'returns both halves with decoded states' {
        $keys = Get-VbdXenStore -Device $d
        ($keys.Side | Select-Object -Unique) | Should -Be @('Frontend', 'Backend')
        $state = $keys | Where-Object Key -eq 'state'
        $state.Count | Should -Be 2
        $state.State | ForEach-Object { $_.ToString() | Should -Be 'Connected' }
        ($keys | Where-Object Key -eq 'protocol').Value | Should -Be 'x86_64-abi'
        ($keys | Where-Object Key -eq 'sectors').Value | Should -Be '16384'
        $keys[0].SideState.ToString() | Should -Be 'Connected'
    }

    It 'filters by key wildcard and side' {
        (Get-VbdXenStore xs feature-* -Side Backend).Key | Should -Contain 'feature-flush-cache'
        (Get-VbdXenStore xs -Key state -Side Frontend).Count | Should -Be 1
    }

    It 'renders grouped by half with its XenBus state' {
        $text = Get-VbdXenStore -Name xs -Key state | Out-String -Width 160
        $text | Should -Match 'xs Frontend /local/domain/1/device/vbd/\d+\s+\(4 Connected\)'
        $text | Should -Match 'xs Backend\s+/local/domain/0/backend/vbd/1/\d+\s+\(4 Connected\)'
        $text | Should -Match 'state\s+4\s+Connected'
    }
}

Describe 'Get-VbdStatistic, Reset-VbdDevice, Export-VbdTrace, Test-VbdIntegrity' {
    BeforeAll { $d = New-VbdDevice -Name misc -SizeBytes 8MB }
    AfterAll { Remove-VbdDevice -Name misc }

    It 'counts SRBs and bounces' {
        Invoke-Srb -Device $d -Write -Lba 0 -BlockCount 8 -BufferAlignment 1 | Out-Null
        $s = Get-VbdStatistic -Name misc
        $s.GetType().FullName | Should -Be 'XenVbd.Frontend.FrontendStatistics'
        $s.DeviceName | Should -Be 'misc'
        $s.SrbsCompleted | Should -BeGreaterThan 0
        $s.BouncePasses | Should -BeGreaterThan 0
        $text = $s | Out-String -Width 200
        $text | Should -Match 'DeviceName\s+Srbs\s+Failed\s+Requests\s+ReadMiB\s+WrittenMiB\s+Bounces\s+Timeouts'
        $s.ForcedReconnects | Should -Be 0
        @(Get-VbdStatistic).Count | Should -Be @(Get-VbdDevice).Count
    }

    It 'resets with ShouldProcess and -PassThru, keeping the data' {
        $r = Invoke-WithCapturedHost { $null = New-VbdDevice -Name misc; @(Reset-VbdDevice -Name misc -WhatIf).Count; (Get-VbdStatistic misc).Resets }
        $r.Output | Should -Be @(0, 0)
        $r.HostText | Should -Match 'What if: Performing the operation "Reset the device .*" on target "misc"'
        (Get-VbdStatistic misc).Resets | Should -Be 0
        (Reset-VbdDevice -Name misc -PassThru).Name | Should -Be 'misc'
        (Get-VbdStatistic misc).Resets | Should -Be 1
        Reset-VbdDevice -Device $d | Should -BeNullOrEmpty
        Test-VbdIntegrity misc | Should -BeTrue
    }

    It 'exports JSON lines and a Chrome trace' {
        $jsonl = Join-Path $TestDrive 't.jsonl'
        $file = Export-VbdTrace -Name misc -Path $jsonl
        $file.FullName | Should -Be $jsonl
        $first = Get-Content $jsonl -TotalCount 1 | ConvertFrom-Json
        $first.PSObject.Properties.Name | Should -Contain 't_us'
        $chrome = Join-Path $TestDrive 't.json'
        Export-VbdTrace -Device $d -Path $chrome | Out-Null
        (Get-Content -Raw $chrome | ConvertFrom-Json) | Should -Not -BeNullOrEmpty
        $forced = Join-Path $TestDrive 'forced.txt'
        Export-VbdTrace misc $forced -Format JsonLines | Out-Null
        (Get-Content $forced -TotalCount 1 | ConvertFrom-Json).kind | Should -Not -BeNullOrEmpty
    }

    It 'honours -NoClobber, -WhatIf and a missing folder' {
        $path = Join-Path $TestDrive 'keep.jsonl'
        Set-Content $path 'keep'
        $err = Get-Failure { Export-VbdTrace -Name misc -Path $path -NoClobber -ErrorAction Stop }
        $err.FullyQualifiedErrorId | Should -Be 'TraceExportFailed,XenVbd.PowerShell.Cmdlets.ExportVbdTraceCommand'
        $err.CategoryInfo.Category | Should -Be 'ResourceExists'
        Get-Content $path | Should -Be 'keep'
        $r = Invoke-WithCapturedHost { param($Path) $null = New-VbdDevice -Name misc; @(Export-VbdTrace -Name misc -Path $Path -WhatIf).Count } -ArgumentList (Join-Path $TestDrive 'w.jsonl')
        $r.Output | Should -Be 0
        $r.HostText | Should -Match 'What if: Performing the operation "Write \d+ trace events of .misc. as JsonLines"'
        Test-Path (Join-Path $TestDrive 'w.jsonl') | Should -BeFalse
        $err = Get-Failure { Export-VbdTrace -Name misc -Path (Join-Path $TestDrive 'no/dir/t.jsonl') -ErrorAction Stop }
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'detects data that changed behind the session''s back' {
        $img = Join-Path $TestDrive 'int.img'
        $dev = New-VbdDevice -Name int -ImagePath $img -SizeBytes 1MB
        try {
            Invoke-Srb -Device $dev -Write -Lba 3 -BlockCount 3 | Out-Null
            Test-VbdIntegrity -Device $dev | Should -BeTrue
            # Overwrite LBA 4 through the device with other bytes, but as a raw CDB that bypasses nothing: it is tracked too.
            Invoke-Srb -Device $dev -Cdb 0x2A, 0, 0, 0, 0, 4, 0, 0, 1, 0 -Data ([byte[]]::new(512)) | Out-Null
            Test-VbdIntegrity -Device $dev | Should -BeTrue
            # Change the disk under the device (the backend's storage) so the read-back differs.
            $dev.Storage.Write(5 * 512, [byte[]]::new(512))
            Test-VbdIntegrity -Device $dev -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } |
                ForEach-Object Message | Should -Contain 'int: LBA 5 does not hold what this session wrote.'
            Test-VbdIntegrity -Device $dev | Should -BeFalse
        }
        finally { Remove-VbdDevice -Device $dev }
    }

    It 'returns one bool per device and declares it' {
        (Get-Command Test-VbdIntegrity).OutputType.Name | Should -Contain 'System.Boolean'
        @(Test-VbdIntegrity) | ForEach-Object { $_ | Should -BeOfType [bool] }
    }
}
