# What a new user tries first: a device object by position, names piped as bare strings, and an
# integrity check that says when it checked nothing.
BeforeAll {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    Import-Module (Join-Path $root 'XenVbd.psd1') -Force -ErrorAction Stop
    . (Join-Path $PSScriptRoot 'WhatIfCapture.ps1')   # Invoke-WithCapturedHost: -WhatIf's host lines are asserted, not printed

    # The least each device cmdlet needs besides the device, so every one of them is exercised.
    $script:extra = @{
        'Add-VbdFault'     = @{ Kind = 'Latency'; Delay = [timespan]'00:00:00.001' }
        'Export-VbdTrace'  = @{ Path = 'TRACE' }
        'Get-VbdRing'      = @{}
        'Invoke-Srb'       = @{ Read = $true; Lba = 0; BlockCount = 1 }
        'Invoke-VbdWorkload' = @{ Count = 10 }
        'Remove-VbdFault'  = @{ All = $true }
        'Set-BackendAbi'   = @{ Abi = 'X86_64' }
        'Remove-VbdDevice' = @{ Confirm = $false }
        'Reset-VbdDevice'  = @{ Confirm = $false }
        'Test-VbdIntegrity' = @{ WarningAction = 'SilentlyContinue' }
        'Get-VbdMigration' = @{}
    }
    function Get-Args([string] $Command, [string] $Tag) {
        $a = @{}
        if ($extra.ContainsKey($Command)) { foreach ($k in $extra[$Command].Keys) { $a[$k] = $extra[$Command][$k] } }
        if ($a['Path'] -eq 'TRACE') { $a['Path'] = Join-Path $TestDrive "$Tag.json" }
        if ($Command -eq 'Set-BackendAbi' -or $Command -eq 'Reset-VbdDevice') { $a['WhatIf'] = $false }
        $a
    }
    $script:deviceCommands = @(Get-Command -Module XenVbd | Where-Object { $_.Parameters.ContainsKey('Device') } | ForEach-Object Name | Sort-Object)
}

AfterAll {
    Get-VbdDevice | Remove-VbdDevice -Confirm:$false
    Remove-Module XenVbd -Force -ErrorAction SilentlyContinue
}

Describe 'Every cmdlet that takes a device' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'covers the device cmdlets (13 or more)' {
        $deviceCommands.Count | Should -BeGreaterOrEqual 13
        foreach ($c in $deviceCommands) { $c | Should -BeIn (@($extra.Keys) + 'Get-VbdFault', 'Get-VbdStatistic', 'Get-VbdXenStore', 'Connect-VbdDevice') }
    }

    # Connect-VbdDevice wants a device made with -NoConnect, so it has its own case.
    It 'Connect-VbdDevice takes a device object by position and bare names from the pipeline' {
        $d = New-VbdDevice -Name cpos -NoConnect
        Connect-VbdDevice $d -ErrorVariable ev -ErrorAction SilentlyContinue | Out-Null
        @($ev) | Should -BeNullOrEmpty
        $null = New-VbdDevice -Name cs1 -NoConnect; $null = New-VbdDevice -Name cs2 -NoConnect
        'cs1', 'cs2' | Connect-VbdDevice -ErrorVariable ev2 -ErrorAction SilentlyContinue | Out-Null
        @($ev2) | Should -BeNullOrEmpty
        (Get-VbdDevice -Name cpos, cs1, cs2).State | ForEach-Object { $_.ToString() } | Should -Be @('Ready', 'Ready', 'Ready')
    }

    It '<_> takes a device object by position' -ForEach @(
        'Add-VbdFault', 'Export-VbdTrace', 'Get-VbdFault', 'Get-VbdRing', 'Get-VbdStatistic', 'Get-VbdXenStore', 'Invoke-Srb',
        'Invoke-VbdWorkload', 'Remove-VbdDevice', 'Remove-VbdFault', 'Reset-VbdDevice', 'Set-BackendAbi', 'Test-VbdIntegrity',
        'Get-VbdMigration') {
        $d = New-VbdDevice -Name pos
        $a = Get-Args $_ 'pos'
        $null = & $_ $d @a -ErrorVariable ev -ErrorAction SilentlyContinue
        @($ev) | Should -BeNullOrEmpty -Because "$_ `$d must find the device, not look for one named after its type"
    }

    It '<_> takes bare device names from the pipeline' -ForEach @(
        'Add-VbdFault', 'Export-VbdTrace', 'Get-VbdFault', 'Get-VbdRing', 'Get-VbdStatistic', 'Get-VbdXenStore', 'Invoke-Srb',
        'Invoke-VbdWorkload', 'Remove-VbdDevice', 'Remove-VbdFault', 'Reset-VbdDevice', 'Set-BackendAbi', 'Test-VbdIntegrity',
        'Get-VbdMigration') {
        $null = New-VbdDevice -Name s1; $null = New-VbdDevice -Name s2
        $a = Get-Args $_ 'str'
        if ($_ -eq 'Export-VbdTrace') { $a['Path'] = Join-Path $TestDrive 'str-{0}.json' }   # one file per device
        if ($_ -eq 'Export-VbdTrace') { 's1' | & $_ @a -ErrorVariable ev -ErrorAction SilentlyContinue | Out-Null }
        else { 's1', 's2' | & $_ @a -ErrorVariable ev -ErrorAction SilentlyContinue | Out-Null }
        @($ev) | Should -BeNullOrEmpty
        if ($_ -eq 'Remove-VbdDevice') { @(Get-VbdDevice).Count | Should -Be 0 }
    }

    It 'piped strings reach each device in turn' {
        $null = New-VbdDevice -Name p1; $null = New-VbdDevice -Name p2
        ('p1', 'p2' | Get-VbdRing).DeviceName | Should -Be @('p1', 'p2')
        ('p1', 'p2' | Invoke-Srb -Read -Lba 0 -BlockCount 1).DeviceName | Should -Be @('p1', 'p2')
    }

    It 'a type name where a device name goes is explained, and no device of that name is suggested' {
        $null = New-VbdDevice -Name t
        Get-VbdRing 'XenVbd.Device.VbdDevice' -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Match '^DeviceNotFound'
        $ev[0].ErrorDetails.RecommendedAction | Should -Not -Match 'New-VbdDevice -Name XenVbd'
        $ev[0].ErrorDetails.RecommendedAction | Should -Match 'type'
    }
}

Describe 'Test-VbdIntegrity: nothing checked is not a pass' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'warns and returns no Boolean when the session wrote nothing there' {
        $null = New-VbdDevice -Name fresh
        $out = Test-VbdIntegrity fresh -WarningVariable wv -WarningAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $wv.Count | Should -Be 1
        "$($wv[0])" | Should -Match "Nothing to check on 'fresh'"
    }

    It '-Detailed says NothingChecked, Passed or Failed with the counts' {
        $null = New-VbdDevice -Name det
        $r = Test-VbdIntegrity det -Detailed -WarningAction SilentlyContinue
        $r.Outcome.ToString() | Should -Be 'NothingChecked'
        $r.BlocksChecked | Should -Be 0
        $r.Passed | Should -BeFalse
        $null = Invoke-Srb det -Write -Lba 4 -BlockCount 3
        $r = Test-VbdIntegrity det -Detailed
        $r.Outcome.ToString() | Should -Be 'Passed'
        $r.BlocksChecked | Should -Be 3
        $r.Passed | Should -BeTrue
        Test-VbdIntegrity det | Should -BeTrue
    }

    It 'a re-opened image has nothing to check' {
        $img = Join-Path $TestDrive 'reopen.img'
        $null = New-VbdDevice -Name img1 -ImagePath $img -SizeBytes 1MB
        $null = Invoke-Srb img1 -Write -Lba 0 -BlockCount 1
        Remove-VbdDevice img1 -Confirm:$false
        $null = New-VbdDevice -Name img2 -ImagePath $img
        (Test-VbdIntegrity img2 -Detailed -WarningAction SilentlyContinue).Outcome.ToString() | Should -Be 'NothingChecked'
    }
}

Describe 'The documents are complete in the repository' {
    It 'every cmdlet''s RELATED LINKS point at docs/PROTOCOL.md, which exists' {
        Test-Path -LiteralPath (Join-Path $root 'docs/PROTOCOL.md') | Should -BeTrue
        foreach ($c in Get-Command -Module XenVbd -CommandType Cmdlet) {
            $links = @((Get-Help $c.Name -Full).relatedLinks.navigationLink.linkText)
            ($links -join "`n") | Should -Match 'docs/PROTOCOL\.md' -Because "$($c.Name) must point at the protocol facts"
        }
    }

    It 'no document, help text or module comment points outside the repository or at a brief' {
        $files = @(Get-ChildItem -LiteralPath $root -Recurse -File -Include *.md, *.cs, *.ps1, *.psd1, *.psm1, *.ps1xml, *.py, *.xml |
            Where-Object { $_.FullName -notmatch '[\\/](bin|obj|out|module|build|TestResults)[\\/]' -and $_.Name -ne 'NewUser.Tests.ps1' })
        $hits = $files | Select-String -Pattern 'DESIGN\.md', 'seed page', '\bthe seed''s\b', '\bissue [0-9]+\b', '\bthe original (Xen wiki )?page\b', '\bthe brief\b', 'FIDELITY\.md', '/work/shared' |
            ForEach-Object { "$($_.Path.Substring($root.Length)):$($_.LineNumber): $($_.Line.Trim())" }
        $hits | Should -BeNullOrEmpty
    }
}

Describe 'Smaller things a new user trips on' {
    AfterEach { Get-VbdDevice | Remove-VbdDevice -Confirm:$false }

    It 'Get-VbdXenStore -Key protocol in Probe mode says why there is no such key' {
        $null = New-VbdDevice -Name probexs
        $out = Get-VbdXenStore probexs -Key protocol -WarningVariable wv -WarningAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        "$($wv[0])" | Should -Match 'Gplpv2008b writes no protocol key: it finds the backend''s layout with the ABI probe'
        $null = New-VbdDevice -Name hardenedxs -Personality Hardened
        $null = Get-VbdXenStore hardenedxs -Key protocol -WarningVariable hv -WarningAction SilentlyContinue
        "$($hv[0])" | Should -Match 'Probe mode writes no protocol key'
        $null = New-VbdDevice -Name announcexs -Personality Hardened -FrontendMode Announce
        (Get-VbdXenStore announcexs -Key protocol).Value | Should -Be 'x86_64-abi'
    }

    It 'Get-VbdXenStore -Key completes the device''s key names, not file names' {
        $null = New-VbdDevice -Name keys
        $line = 'Get-VbdXenStore -Name keys -Key feature-fl'
        $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $r.CompletionMatches.CompletionText | Should -Contain 'feature-flush-cache'
        $r.CompletionMatches.ResultType | Should -Not -Contain 'ProviderItem'
    }

    It 'Add-VbdFault -WhatIf describes the rule without a made-up id' {
        # -WhatIf writes to the host: a capturing host sees it (and keeps it out of the test log).
        $r = Invoke-WithCapturedHost { $null = New-VbdDevice -Name wi; Add-VbdFault wi -Kind Drop -Rate 0.5 -MaxCount 3 -WhatIf; @(Get-VbdFault wi).Count }
        $r.Output | Should -Be 0
        $r.HostText | Should -Match 'Add a Drop fault \(rate 0\.5, at most 3\)'
        $r.HostText | Should -Not -Match '#0'
    }
}
