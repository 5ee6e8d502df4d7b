BeforeAll {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    Import-Module (Join-Path $root 'XenVbd.psd1') -Force -ErrorAction Stop
    $names = 'Hardened', 'Gplpv2008a', 'Gplpv2008b', 'Gplpv2012', 'Gplpv2013', 'XenProject', 'LinuxBlkfront'
    # Every personality lists the same behaviours (the engine defines them once); counted here from the hardened design.
    $behaviourCount = @(Get-VbdPersonality Hardened -Detailed).Count
}

AfterAll {
    Get-VbdDevice -ErrorAction SilentlyContinue | Where-Object Name -like 'pers-*' | Remove-VbdDevice -Confirm:$false -ErrorAction SilentlyContinue
    Remove-Module XenVbd -Force -ErrorAction SilentlyContinue
}

Describe 'Get-VbdPersonality' {
    It 'lists every frontend personality, the hardened design as not a real driver' {
        $all = @(Get-VbdPersonality)
        $all.Name | Should -Be $names
        ($all | Where-Object Name -eq 'Hardened').RealDriver | Should -BeFalse
        @($all | Where-Object RealDriver).Count | Should -Be 6
        $all[0].PSObject.TypeNames[0] | Should -Be 'XenVbd.PowerShell.VbdPersonality'
        $behaviourCount | Should -BeGreaterOrEqual 19
        $all | ForEach-Object { $_.Behaviours | Should -Be $behaviourCount }
    }

    It 'takes wildcards and pipeline input' {
        @(Get-VbdPersonality Gplpv*).Name | Should -Be @('Gplpv2008a', 'Gplpv2008b', 'Gplpv2012', 'Gplpv2013')
        @('XenProject', 'LinuxBlkfront' | Get-VbdPersonality).Name | Should -Be @('XenProject', 'LinuxBlkfront')
    }

    It '-Detailed lists every behaviour with its source or the reason it is not pinned' {
        $rows = @(Get-VbdPersonality Gplpv2012 -Detailed)
        $rows.Count | Should -Be $behaviourCount
        $rows[0].PSObject.TypeNames[0] | Should -Be 'XenVbd.PowerShell.VbdPersonalityBehaviour'
        $checks = $rows | Where-Object Behaviour -eq 'ResponseChecks'
        $checks.Repository | Should -Be 'spurious/win-pvdrivers-mirror'
        $checks.File | Should -Be 'xenvbd/xenvbd_scsiport.c'
        $checks.Function | Should -Be 'XenVbd_HwScsiInterrupt'
        $checks.Summary | Should -Match 'SHADOW_ID_ID_MASK'
        foreach ($r in @(Get-VbdPersonality -Detailed)) {
            if ($r.Pinned) { $r.Function | Should -Not -BeNullOrEmpty } else { $r.NotPinnedBecause | Should -Not -BeNullOrEmpty }
        }
    }

    It 'gives PersonalityNotFound for an unknown name and lists the names' {
        $out = Get-VbdPersonality Gplpv1999 -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PersonalityNotFound*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].ErrorDetails.RecommendedAction + $err[0].ToString() | Should -Match 'Gplpv2008b'
    }

    It 'tab-completes the names' {
        $c = TabExpansion2 -inputScript 'Get-VbdPersonality Gplpv20' -cursorColumn 'Get-VbdPersonality Gplpv20'.Length
        $c.CompletionMatches.CompletionText | Should -Contain 'Gplpv2012'
    }

    It 'fits 80 columns' {
        $lines = (Get-VbdPersonality | Format-Table | Out-String -Width 200) -split "`n"
        ($lines | Measure-Object -Maximum Length).Maximum | Should -BeLessOrEqual 80
        $lines = (Get-VbdPersonality -Detailed | Format-Table | Out-String -Width 200) -split "`n"
        ($lines | Measure-Object -Maximum Length).Maximum | Should -BeLessOrEqual 80
    }

    It 'has help with examples' {
        $h = Get-Help Get-VbdPersonality -Full
        $h.Synopsis | Should -Match 'personalit'
        @($h.Examples.Example).Count | Should -BeGreaterOrEqual 3
    }
}

Describe 'New-VbdDevice -Personality' {
    It 'creates a device that runs the chosen driver and shows it' {
        $d = New-VbdDevice -Name pers-a -SizeBytes 8MB -Personality Gplpv2008b
        try {
            $d.Personality.ToString() | Should -Be 'Gplpv2008b'
            $d.Frontend.BounceStrategy.ToString() | Should -Be 'PerSrb'
            (Invoke-Srb -Device $d -Read -Lba 0 -BlockCount 16 -BufferAlignment 3).BouncePasses | Should -Be 2
            ($d | Format-List | Out-String) | Should -Match 'Personality\s+:\s+Gplpv2008b'
        } finally { Remove-VbdDevice -Device $d -Confirm:$false }
    }

    It 'defaults to Gplpv2008b, the driver the Xen wiki''s 2008 GPLPV page describes' {
        $d = New-VbdDevice -Name pers-b -SizeBytes 8MB
        try { $d.Personality.ToString() | Should -Be 'Gplpv2008b' } finally { Remove-VbdDevice -Device $d -Confirm:$false }
        { New-VbdDevice -Name pers-b2 -SizeBytes 8MB -FrontendMode Announce -ErrorAction Stop } | Should -Throw -ErrorId 'PersonalityFixesOption,XenVbd.PowerShell.Cmdlets.NewVbdDeviceCommand'
        $h = New-VbdDevice -Name pers-b3 -SizeBytes 8MB -Personality Hardened -FrontendMode Announce
        try { $h.Personality.ToString() | Should -Be 'Hardened' } finally { Remove-VbdDevice -Device $h -Confirm:$false }
    }

    It 'refuses an unknown personality at binding' {
        { New-VbdDevice -Name pers-c -SizeBytes 8MB -Personality Gplpv1999 -ErrorAction Stop } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,XenVbd.PowerShell.Cmdlets.NewVbdDeviceCommand'
        Get-VbdDevice pers-c -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses -Bounce or -FrontendMode with a real driver, whose own they are' {
        $e = { New-VbdDevice -Name pers-d -SizeBytes 8MB -Personality Gplpv2012 -Bounce PerSrb -ErrorAction Stop } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'PersonalityFixesOption*'
        Get-VbdDevice pers-d -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'tab-completes the personality names' {
        $c = TabExpansion2 -inputScript 'New-VbdDevice -Personality Linux' -cursorColumn 'New-VbdDevice -Personality Linux'.Length
        $c.CompletionMatches.CompletionText | Should -Contain 'LinuxBlkfront'
    }
}

Describe 'A Broken device says why, and Reset-VbdDevice brings it back' {
    It 'reports the reason with HARDWARE ERROR and recovers on reset' {
        # Going Broken on a wrong operation is the hardened design's (GPLPV never checks the operation).
        $d = New-VbdDevice -Name pers-e -Personality Hardened -SizeBytes 8MB
        try {
            Add-VbdFault -Device $d -Kind WrongOp -Operation Read -Rate 1 -MaxCount 1 | Out-Null
            Invoke-Srb -Device $d -Read -Lba 0 -BlockCount 1 -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
            $d.State.ToString() | Should -Be 'Broken'
            $d.FailureReason | Should -Match 'operation'
            $err[0].ToString() | Should -Match 'Broken: .*operation'
            $err[0].ErrorDetails.RecommendedAction | Should -Match 'Reset-VbdDevice'
            Reset-VbdDevice -Device $d -Confirm:$false
            $d.State.ToString() | Should -Be 'Ready'
            (Invoke-Srb -Device $d -Read -Lba 0 -BlockCount 1).Succeeded | Should -BeTrue
        } finally { Remove-VbdDevice -Device $d -Confirm:$false }
    }
}
