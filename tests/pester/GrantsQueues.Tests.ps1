# Persistent grants and multi-queue from PowerShell: New-VbdDevice -PersistentGrants / -BackendMaxQueues, the keys
# the backend writes, and the backend's grant counters on Get-VbdRing and Get-VbdStatistic.
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
