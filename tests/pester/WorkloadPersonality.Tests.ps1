# Invoke-VbdWorkload -Personality: the same workload on a fresh device per frontend personality, one result each with
# its Personality; with an explicit device only that device's own personality may be named.
BeforeAll {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    Import-Module (Join-Path $root 'XenVbd.psd1') -Force -ErrorAction Stop
    $ProgressPreference = 'SilentlyContinue'
    $all = @(Get-VbdPersonality | ForEach-Object Name)
}

AfterAll {
    Get-VbdDevice | Remove-VbdDevice -Confirm:$false
    Remove-Module XenVbd -Force -ErrorAction SilentlyContinue
}

Describe 'Invoke-VbdWorkload -Personality' {
    It 'runs on a fresh device per personality, in the catalogue''s order, and removes each device after its run' {
        $before = @(Get-VbdDevice).Count
        $rows = @(Invoke-VbdWorkload -Personality * -Count 200 -MisalignedFraction 0.3 -AssumeZeroedDisk)
        $rows.Count | Should -Be $all.Count
        $rows.Personality | Should -Be $all
        foreach ($r in $rows) {
            $r.Operations | Should -Be 200
            $r.ViolationCount | Should -Be 0 -Because $r.Personality
            $r.DeviceName | Should -Be "workload-$($r.Personality)"
        }
        @(Get-VbdDevice).Count | Should -Be $before
    }

    It 'shows the Personality column in 80 columns' {
        $text = Invoke-VbdWorkload -Personality Gplpv2012, LinuxBlkfront -Count 50 | Out-String -Width 80
        foreach ($line in $text -split "`r?`n") { $line.Length | Should -BeLessOrEqual 80 }
        $text | Should -Match 'Personality\s+Operations\s+Iops\s+P99Us\s+Errors\s+Stuck\s+ViolationCount'
        $text | Should -Match '(?m)^Gplpv2012\s+50\s'
        $text | Should -Match '(?m)^LinuxBlkfront\s+50\s'
    }

    It 'takes wildcards and -DeviceOptions, and hands an -Action the device' {
        $rows = @(Invoke-VbdWorkload -Personality Gplpv20* -Count 400 -AssumeZeroedDisk -DeviceOptions @{ SizeBytes = 32MB } `
            -AtCompletion 100 -Action { Add-VbdFault -Device $args[1] -Kind SwappedId -MaxCount 1 | Out-Null })
        $rows.Personality | Should -Be 'Gplpv2008a', 'Gplpv2008b', 'Gplpv2012', 'Gplpv2013'
        foreach ($r in $rows) {
            $r.FaultsByKind['SwappedId'] | Should -Be 1
            # The served request's SRB is never answered: the hang detector counts it.
            $r.Stuck | Should -BeGreaterThan 0 -Because $r.Personality
        }
    }

    It 'gives every result its device''s personality, also without -Personality' {
        $d = New-VbdDevice -Name wlp-own -SizeBytes 16MB -Personality XenProject
        (Invoke-VbdWorkload -Device $d -Count 20).Personality | Should -Be 'XenProject'
        # Naming the device's own personality is allowed.
        (Invoke-VbdWorkload -Device $d -Count 20 -Personality XenProject).Personality | Should -Be 'XenProject'
        Remove-VbdDevice -Device $d
    }

    It 'refuses another personality with an explicit device' {
        $d = New-VbdDevice -Name wlp-conflict -SizeBytes 16MB -Personality Gplpv2012
        $r = Invoke-VbdWorkload -Device $d -Count 20 -Personality LinuxBlkfront -ErrorVariable err -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'PersonalityConflictsWithDevice,XenVbd.PowerShell.Cmdlets.InvokeVbdWorkloadCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -Match "'wlp-conflict' runs the Gplpv2012 frontend; -Personality LinuxBlkfront asks for LinuxBlkfront"
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'fresh device per personality'
        Remove-VbdDevice -Device $d
    }

    It 'names a personality that does not exist, and refuses -DeviceOptions without fresh devices' {
        $null = Invoke-VbdWorkload -Personality NoSuchDriver -Count 10 -ErrorVariable e1 -ErrorAction SilentlyContinue
        $e1[0].FullyQualifiedErrorId | Should -Be 'PersonalityNotFound,XenVbd.PowerShell.Cmdlets.InvokeVbdWorkloadCommand'
        $e1[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $d = New-VbdDevice -Name wlp-opts -SizeBytes 16MB
        $null = Invoke-VbdWorkload -Device $d -Count 10 -DeviceOptions @{ SizeBytes = 8MB } -ErrorVariable e2 -ErrorAction SilentlyContinue
        $e2[0].FullyQualifiedErrorId | Should -Be 'InvalidWorkload,XenVbd.PowerShell.Cmdlets.InvokeVbdWorkloadCommand'
        Remove-VbdDevice -Device $d
    }

    It 'passes New-VbdDevice''s own error on for a bad -DeviceOptions' {
        $rows = @(Invoke-VbdWorkload -Personality Gplpv2012 -Count 10 -DeviceOptions @{ SizeBytes = -1 } -ErrorVariable e3 -ErrorAction SilentlyContinue)
        $rows.Count | Should -Be 0
        $e3.Count | Should -BeGreaterThan 0
        @(Get-VbdDevice | Where-Object Name -like 'workload-*').Count | Should -Be 0
    }
}
