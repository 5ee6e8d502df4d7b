# Persistent grants and multi-queue from PowerShell: New-VbdDevice -PersistentGrants / -BackendMaxQueues / -Queues,
# the keys both sides write, the per-queue rings on Get-VbdRing and the counters on Get-VbdStatistic.
BeforeAll {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    Import-Module (Join-Path $root 'XenVbd.psd1') -Force -ErrorAction Stop
}

AfterAll {
    Get-VbdDevice | Remove-VbdDevice -Confirm:$false
    Remove-Module XenVbd -Force -ErrorAction SilentlyContinue
}

Describe 'New-VbdDevice -PersistentGrants and -BackendMaxQueues' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'offers feature-persistent and four queues by default, as Linux blkback does' {
        $d = New-VbdDevice -Name pg-default -SizeBytes 8MB
        $d.Options.PersistentGrants | Should -BeTrue
        (Get-VbdXenStore -Device $d -Side Backend -Key feature-persistent).Value | Should -Be '1'
        (Get-VbdXenStore -Device $d -Side Backend -Key multi-queue-max-queues).Value | Should -Be '4'
    }

    It 'turns them off and sets the queue limit' {
        $d = New-VbdDevice -Name pg-off -SizeBytes 8MB -PersistentGrants:$false -BackendMaxQueues 2
        $d.Options.PersistentGrants | Should -BeFalse
        (Get-VbdXenStore -Device $d -Side Backend -Key feature-persistent).Value | Should -Be '0'
        (Get-VbdXenStore -Device $d -Side Backend -Key multi-queue-max-queues).Value | Should -Be '2'
    }

    It 'refuses a queue limit out of range at binding' {
        { New-VbdDevice -Name pg-bad -BackendMaxQueues 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,XenVbd.PowerShell.Cmdlets.NewVbdDeviceCommand'
    }

    It 'writes no persistent or multi-queue key for the 2008 backend' {
        $d = New-VbdDevice -Name pg-2008 -SizeBytes 8MB -BackendPersonality LinuxBlkback2008 -BackendMode Native
        Get-VbdXenStore -Device $d -Side Backend -Key feature-persistent, multi-queue-max-queues -WarningAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'The backend grant counters on Get-VbdRing and Get-VbdStatistic' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'counts maps and unmaps; without a persistent frontend nothing is kept' {
        $d = New-VbdDevice -Name pg-count -SizeBytes 8MB
        Invoke-Srb -Device $d -Write -Lba 0 -BlockCount 8 | Out-Null
        $s = Get-VbdStatistic -Device $d
        $s.BackendQueues | Should -Be 1
        $s.PersistentGrantsNegotiated | Should -BeFalse
        $s.GrantMaps | Should -BeGreaterThan 0
        $s.GrantUnmaps | Should -Be $s.GrantMaps
        $s.PersistentGrants | Should -Be 0
        $r = Get-VbdRing -Device $d
        $r.BackendQueues | Should -Be 1
        $r.PersistentGrants | Should -Be 0
    }
}

Describe 'LinuxBlkfront on LinuxBlkback with persistent grants' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'negotiates them, keeps the grants and maps each once' {
        $d = New-VbdDevice -Name pg-linux -SizeBytes 8MB -Personality LinuxBlkfront
        1..4 | ForEach-Object { Invoke-Srb -Device $d -Write -Lba ($_ * 64) -BlockCount 64 } | Out-Null
        1..4 | ForEach-Object { Invoke-Srb -Device $d -Read -Lba ($_ * 64) -BlockCount 64 } | Out-Null
        Test-VbdIntegrity -Device $d | Should -BeTrue
        $s = Get-VbdStatistic -Device $d
        $s.PersistentGrantsNegotiated | Should -BeTrue
        $s.PersistentGrants | Should -BeGreaterThan 0
        $s.PersistentGrantHits | Should -BeGreaterThan $s.GrantMaps
        $s.GrantUnmaps | Should -Be 0
        $s.PersistentSegments | Should -BeGreaterThan 0
        (Get-VbdXenStore -Device $d -Side Frontend -Key feature-persistent).Value | Should -Be '1'
    }

    It 'keeps nothing with -PersistentGrants:$false' {
        $d = New-VbdDevice -Name pg-linux-off -SizeBytes 8MB -Personality LinuxBlkfront -PersistentGrants:$false
        Invoke-Srb -Device $d -Write -Lba 0 -BlockCount 64 | Out-Null
        $s = Get-VbdStatistic -Device $d
        $s.PersistentGrantsNegotiated | Should -BeFalse
        $s.GrantUnmaps | Should -Be $s.GrantMaps
        Get-VbdXenStore -Device $d -Side Frontend -Key feature-persistent -WarningAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'New-VbdDevice -Queues: the frontend side of multi-queue' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'uses the smaller of -Queues and -BackendMaxQueues, with one Get-VbdRing row per queue' {
        $d = New-VbdDevice -Name mq-linux -SizeBytes 8MB -Personality LinuxBlkfront -Queues 4 -BackendMaxQueues 2
        $w = Invoke-VbdWorkload -Device $d -Pattern Random -ReadFraction 0.5 -Count 64 -QueueDepth 8
        $w.Errors | Should -Be 0
        $w.Operations | Should -Be 64
        (Get-VbdXenStore -Device $d -Side Frontend -Key multi-queue-num-queues).Value | Should -Be '2'
        (Get-VbdXenStore -Device $d -Side Frontend -Key queue-1/event-channel).Value | Should -Not -BeNullOrEmpty
        $rings = @(Get-VbdRing -Device $d)
        $rings.Count | Should -Be 2
        $rings.Queue | Should -Be @(0, 1)
        $rings | ForEach-Object { $_.Requests | Should -BeGreaterThan 0 }
        $rings[0].DeviceName | Should -Be 'mq-linux'
        $s = Get-VbdStatistic -Device $d
        $s.Queues | Should -Be 2
        $s.BackendQueues | Should -Be 2
        @($s.QueueStatistics).Count | Should -Be 4
        (@($s.QueueStatistics) | Where-Object Connected).Count | Should -Be 2
        ($s.QueueStatistics | Measure-Object -Property Requests -Sum).Sum | Should -Be $s.Requests
    }

    It 'writes no multi-queue-num-queues for one queue (Linux) and keeps the ring keys at the device' {
        $d = New-VbdDevice -Name mq-one -SizeBytes 8MB -Personality LinuxBlkfront -Queues 4 -BackendMaxQueues 1
        Get-VbdXenStore -Device $d -Side Frontend -Key multi-queue-num-queues -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        (Get-VbdXenStore -Device $d -Side Frontend -Key event-channel).Value | Should -Not -BeNullOrEmpty
        @(Get-VbdRing -Device $d).Count | Should -Be 1
    }

    It 'fits 80 columns in the table views' {
        $d = New-VbdDevice -Name mq-width -SizeBytes 8MB -Personality LinuxBlkfront -Queues 4
        Invoke-VbdWorkload -Device $d -Pattern Random -Count 32 -QueueDepth 8 | Out-Null
        $lines = (Get-VbdRing -Device $d | Format-Table | Out-String -Width 80) -split "`n"
        ($lines | Where-Object { $_ -match 'mq-width' }).Count | Should -Be 4
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
        $custom = (Get-VbdRing -Device $d | Out-String -Width 80) -split "`n"
        $custom | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
    }

    It 'refuses more than one queue for a personality without multi-queue, saying so' {
        { New-VbdDevice -Name mq-gplpv -SizeBytes 8MB -Personality Gplpv2008b -Queues 2 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidDeviceOptions,XenVbd.PowerShell.Cmdlets.NewVbdDeviceCommand' -ExpectedMessage '*no multi-queue*'
        { New-VbdDevice -Name mq-zero -Queues 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,XenVbd.PowerShell.Cmdlets.NewVbdDeviceCommand'
    }
}
