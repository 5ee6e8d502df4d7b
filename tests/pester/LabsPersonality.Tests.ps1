# Labs per frontend personality: Invoke-VbdLab -Personality (one result per lab and personality, side by side),
# the lab result's default view, the report's side-by-side grid, New-VbdLabResult -Personality and
# New-VbdLabDevice. Each lab's own outcome per personality is in labs/0N-*.Tests.ps1.
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

Describe 'Invoke-VbdLab -Personality' {
    BeforeAll {
        $report = Join-Path $TestDrive 'rogue'
        $rows = @(Invoke-VbdLab -Name RogueBackend -Personality * -ReportPath $report)
    }

    It 'runs the lab once under every personality, in the catalogue''s order, each reproducing its real driver''s outcome' {
        $rows.Count | Should -Be $all.Count
        $rows.Personality | Should -Be $all
        foreach ($r in $rows) {
            $r.Name | Should -Be 'RogueBackend'
            $r.Passed | Should -BeTrue -Because "$($r.Personality): $($r.Failures -join '; ')"
            $r.Observed | Should -Be $r.Expected
            $r.ReplayCommand | Should -Be "Invoke-VbdLab -Name RogueBackend -Seed 1 -Personality $($r.Personality)"
        }
        ($rows | Where-Object Personality -eq 'Hardened').Observed | Should -Be 'Broken'
        ($rows | Where-Object Personality -eq 'LinuxBlkfront').Observed | Should -Be 'Hangs'
        ($rows | Where-Object Personality -eq 'Gplpv2012').Observed | Should -Be 'Intact 2, Stopped 3'
    }

    It 'shows them side by side in 80 columns, one line per result, when captured and in a console log' {
        # A row that wraps becomes several short lines, each within 80 columns: count the lines, not only their length.
        # A failing result of a user's lab too: its Observed is longer, and the checks view ends with its failure.
        $dir = Join-Path $TestDrive 'wide'
        $null = New-Item -ItemType Directory $dir
        Set-Content (Join-Path $dir 'LongOutcome.ps1') @'
param([UInt64] $Seed = 1, [string] $Personality, [hashtable] $DeviceOptions = @{})
$lab = New-VbdLabResult -Name LongOutcome -Seed $Seed -Personality $Personality -DeviceOptions $DeviceOptions
foreach ($c in 'a', 'b', 'c', 'd') { $null = $lab.Expect("case $c", 'Broken', 'UnansweredRequests') }
$null = $lab.Observe('case a', 'Intact', 'nothing went wrong'); $null = $lab.Observe('case b', 'Stopped', 'the device stopped')
$null = $lab.Observe('case c', 'Hangs', 'one SRB never completed'); $null = $lab.Observe('case d', 'Errors', 'one SRB failed')
$lab
'@
        $all = @($rows) + @(Invoke-VbdLab -Path $dir -Personality Gplpv2012)
        $all[-1].Passed | Should -BeFalse
        $all[-1].Observed.Length | Should -BeGreaterThan 19 -Because 'the Observed column is 19 wide'
        $fresh = "Import-Module '$(Join-Path $root 'XenVbd.psd1')'; `$ProgressPreference = 'SilentlyContinue'; " +
            "`$all = @(Invoke-VbdLab -Name RogueBackend -Personality *) + @(Invoke-VbdLab -Path '$dir' -Personality Gplpv2012); " +
            "'width ' + `$Host.UI.RawUI.BufferSize.Width; `$all; `$all | Format-Table -View XenVbd.Lab.LabResult.Checks"
        $exe = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
        $pwsh = @(if (Test-Path -LiteralPath $exe) { $exe } else { (Get-Process -Id $PID).Path; Join-Path $PSHOME 'pwsh.dll' })
        $prefix = @($pwsh | Select-Object -Skip 1)
        # A console log (CI, a transcript): the console host formats at its own width, with its colours.
        $logged = (& $pwsh[0] @prefix -NoProfile -NonInteractive -Command $fresh 2>&1 | ForEach-Object { "$_" }) -join "`n"
        $logged | Should -Match '^width 80\b' -Because 'the log is written at 80 columns'
        $logged = $logged -replace "`e\[[0-9;]*m", ''
        $captured = $all | Out-String -Width 80
        $checks = $all | Format-Table -View XenVbd.Lab.LabResult.Checks | Out-String -Width 80
        foreach ($text in $captured, $checks, $logged) {
            $lines = @($text -split "`r?`n" | Where-Object { $_.Trim() })
            foreach ($line in $lines) { $line.Length | Should -BeLessOrEqual 80 -Because $line }
            # Per table: a header, a rule, then exactly one line per result, each starting with its PASS or FAIL.
            $tables = @($lines | Where-Object { $_ -match '^Result ' }).Count
            $lines.Count | Should -Be ($tables * (2 + $all.Count) + [int]($text -eq $logged)) -Because $text
            @($lines | Where-Object { $_ -match '^(PASS|FAIL)  ' }).Count | Should -Be ($tables * $all.Count) -Because $text
        }
        $captured | Should -Match 'FAIL\s+Gplpv2012\s+LongOutcome\s+Broken\s+Intact, Stopped, '
        $text = $rows | Out-String -Width 80
        $text | Should -Match 'Result\s+Personality\s+Name\s+Expected\s+Observed'
        $text | Should -Match 'PASS\s+Gplpv2008b\s+RogueBackend\s+Stopped 4, Intact 1\s+Stopped 4, Intact 1'
        $checks = $rows | Format-Table -View XenVbd.Lab.LabResult.Checks | Out-String -Width 80
        $checks | Should -Match 'Result\s+Name\s+Seed\s+FindingCount'
    }

    It 'writes the side-by-side grid and every outcome with its source into the report' {
        $html = Get-Content -Raw (Join-Path $report 'index.html')
        $html | Should -Match '<h2 id="side-by-side">'
        foreach ($p in $all) { $html | Should -Match "<th>$p</th>" }
        $html | Should -Match 'id="RogueBackend-Gplpv2012"'
        $json = Get-Content -Raw (Join-Path $report 'results.json') | ConvertFrom-Json
        $json.labs.Count | Should -Be $all.Count
        $g = $json.labs | Where-Object personality -eq 'Gplpv2012'
        ($g.outcomes | Where-Object case -eq 'RspProdJump').source | Should -Be 'spurious/win-pvdrivers-mirror@4288e83 xenvbd/xenvbd_scsiport.c XenVbd_HwScsiInterrupt'
        (Get-Content -Raw (Join-Path $report 'junit.xml')) | Should -Match 'name="RogueBackend under LinuxBlkfront \(seed 1\)"'
    }

    It 'takes names and wildcards, and the default personality when none is given' {
        @(Invoke-VbdLab -Name Migration -Personality Gplpv20*).Personality | Should -Be 'Gplpv2008a', 'Gplpv2008b', 'Gplpv2012', 'Gplpv2013'
        (Invoke-VbdLab -Name Migration).Personality | Should -Be 'Gplpv2008b'
    }

    It 'writes PersonalityNotFound for a name no personality has' {
        $r = @(Invoke-VbdLab -Name Migration -Personality NoSuchDriver -ErrorVariable e -ErrorAction SilentlyContinue)
        $r.Count | Should -Be 0
        $e[0].FullyQualifiedErrorId | Should -Match '^PersonalityNotFound'
        $e[0].ErrorDetails.RecommendedAction | Should -Match 'Gplpv2008b'
    }

    It 'fails a lab whose expected outcome stops happening, naming the case, the behaviour and its source' {
        $dir = Join-Path $TestDrive 'regress'
        $null = New-Item -ItemType Directory $dir
        Set-Content (Join-Path $dir 'Regress.ps1') @'
param([UInt64] $Seed = 1, [string] $Personality, [hashtable] $DeviceOptions = @{})
$lab = New-VbdLabResult -Name Regress -Seed $Seed -Personality $Personality -DeviceOptions $DeviceOptions
# Claims GPLPV 2012 would go Broken cleanly after a lost response: it does not.
$null = $lab.Expect('lost response', 'Broken', 'UnansweredRequests')
$d = New-VbdLabDevice $lab 'drop' @{ RequestTimeout = '00:00:01' }
$null = Add-VbdFault -Device $d -Kind Drop -MaxCount 1
$r = Invoke-VbdWorkload -Device $d -Count 50 -Seed $lab.SeedFor('io') -AssumeZeroedDisk
$null = $lab.ObserveWorkload('lost response', $r, "$($d.State)", $d.FailureReason)
$lab
'@
        $r = Invoke-VbdLab -Path $dir -Personality Gplpv2012
        $r.Passed | Should -BeFalse
        $r.Failures[0] | Should -Match '^lost response: expected Broken under Gplpv2012 \(UnansweredRequests: .* XenVbd_HwScsiResetBus \(xenvbd_scsiport\.c\)\), observed Hangs: .*hang detector: 1 never completed'
        $r.ReplayCommand | Should -Match '-Personality Gplpv2012 -Path '
    }

    It 'keeps the report of every run that finished when the pipeline is stopped' {
        $dir = Join-Path $TestDrive 'stopping'
        $null = New-Item -ItemType Directory $dir
        Set-Content (Join-Path $dir 'a-First.ps1') @'
param([UInt64] $Seed = 1, [string] $Personality, [hashtable] $DeviceOptions = @{})
$lab = New-VbdLabResult -Name First -Seed $Seed -Personality $Personality -DeviceOptions $DeviceOptions
$null = $lab.Check($true, 'ran'); $lab
'@
        # Select-Object -First stops the cmdlet after the first result the way Ctrl+C does: no EndProcessing.
        $report = Join-Path $TestDrive 'stopped'
        $first = Invoke-VbdLab -Path $dir -Personality Hardened, Gplpv2008b, LinuxBlkfront -ReportPath $report | Select-Object -First 1
        $first.Personality | Should -Be 'Hardened'
        $json = Get-Content -Raw (Join-Path $report 'results.json') | ConvertFrom-Json
        @($json.labs | ForEach-Object { "$($_.name) $($_.personality)" }) | Should -Be 'First Hardened'
    }
}

Describe 'New-VbdLabResult -Personality and New-VbdLabDevice' {
    It 'resolves the personality (the default when empty) and refuses an unknown one or two different ones' {
        (New-VbdLabResult -Name L -Seed 1).Personality | Should -Be 'Gplpv2008b'
        (New-VbdLabResult -Name L -Seed 1 -Personality '').Personality | Should -Be 'Gplpv2008b'
        (New-VbdLabResult -Name L -Seed 1 -Personality linuxblkfront).Personality | Should -Be 'LinuxBlkfront'
        (New-VbdLabResult -Name L -Seed 1 -DeviceOptions @{ Personality = 'Gplpv2012' }).Personality | Should -Be 'Gplpv2012'
        { New-VbdLabResult -Name L -Seed 1 -Personality Nope } | Should -Throw -ErrorId 'PersonalityNotFound,XenVbd.PowerShell.Cmdlets.NewVbdLabResultCommand'
        { New-VbdLabResult -Name L -Seed 1 -Personality Hardened -DeviceOptions @{ Personality = 'Gplpv2012' } } | Should -Throw -ErrorId 'InvalidDeviceOptions,XenVbd.PowerShell.Cmdlets.NewVbdLabResultCommand'
    }

    It 'creates the step''s device: named and seeded from the step, the lab''s personality, its own and the lab''s options' {
        $lab = New-VbdLabResult -Name Demo -Seed 3 -Personality Gplpv2013 -DeviceOptions @{ RequestTimeout = '00:00:07' }
        $d = New-VbdLabDevice $lab 'first step!' @{ QueueDepth = 4 }
        $d.Name | Should -Be 'Demo-first-step'
        $d.Personality.ToString() | Should -Be 'Gplpv2013'
        $d.Options.Seed | Should -Be $lab.SeedFor('first step!')
        $d.Options.QueueDepth | Should -Be 4
        $d.Options.RequestTimeout | Should -Be ([timespan] '00:00:07')
        $d.Options.SizeBytes | Should -Be 64MB
        Remove-VbdDevice -Device $d -Confirm:$false
    }

    It 'passes New-VbdDevice''s own errors on: an option the personality fixes' {
        $lab = New-VbdLabResult -Name Demo -Seed 3 -Personality Gplpv2012
        { New-VbdLabDevice $lab 'x' @{ Bounce = 'PerSrb' } -ErrorAction Stop } | Should -Throw -ExpectedMessage '*-Bounce cannot be chosen with -Personality Gplpv2012*'
    }
}

Describe 'A lab of the user''s own that takes no -Personality' {
    It 'runs under the default, and fails under -Personality with what to add instead of claiming a personality it never ran' {
        $dir = Join-Path $TestDrive 'deaf'
        $null = New-Item -ItemType Directory $dir
        Set-Content (Join-Path $dir 'Deaf.ps1') @'
param([UInt64] $Seed = 1, [hashtable] $DeviceOptions = @{})
$lab = New-VbdLabResult -Name Deaf -Seed $Seed
$null = $lab.Check($true, 'ran'); $lab
'@
        (Invoke-VbdLab -Path $dir).Passed | Should -BeTrue
        $r = Invoke-VbdLab -Path $dir -Personality LinuxBlkfront
        $r.Passed | Should -BeFalse
        $r.Personality | Should -Be 'LinuxBlkfront'
        $r.Failures[0] | Should -Match '^the lab takes no -Personality: add \[string\] \$Personality'
    }
}

Describe 'The labs'' shared suite helper, Add-VbdLabPersonalityContext (labs/LabSuite.Helpers.ps1)' {
    It 'in a suite copied out of labs/ (the helper found in the module''s Labs folder) passes true expectations and fails a wrong one' {
        # A user's lab and its suite, written as the shipped suites are: the lab expects GPLPV 2012 to go Broken
        # after a lost response (it hangs: the driver has no timeout that fails the device), Hardened to fail the SRB.
        $dir = Join-Path $TestDrive 'copied'
        $null = New-Item -ItemType Directory $dir
        Set-Content (Join-Path $dir '01-Lost.ps1') @'
param([UInt64] $Seed = 1, [string] $Personality, [hashtable] $DeviceOptions = @{})
$lab = New-VbdLabResult -Name Lost -Seed $Seed -Personality $Personality -DeviceOptions $DeviceOptions
$null = $lab.Expect('lost response', $(if ($lab.Personality -eq 'Hardened') { 'Errors' } else { 'Broken' }), 'UnansweredRequests')
$d = New-VbdLabDevice $lab 'drop' @{ RequestTimeout = '00:00:01' }
$null = Add-VbdFault -Device $d -Kind Drop -MaxCount 1
$r = Invoke-VbdWorkload -Device $d -Count 50 -Seed $lab.SeedFor('io') -AssumeZeroedDisk
$null = $lab.ObserveWorkload('lost response', $r, "$($d.State)", $d.FailureReason)
Remove-VbdDevice -Device $d -Confirm:$false
$lab
'@
        $suite = (Get-Content -Raw (Join-Path $root 'labs/01-MisalignedBuffers.Tests.ps1')) -replace '01-MisalignedBuffers', '01-Lost'
        # Only the helper's Context, under two personalities: the shipped suite's other Describe blocks are about its own lab.
        $suite = $suite -replace "(?s)\r?\n    Context 'MisalignedBuffers: GPLPV.*", "`n}`n" -replace "-Seed \`$Seed`r?`n", "-Seed `$Seed -Personality Hardened, Gplpv2012`n"
        Set-Content (Join-Path $dir '01-Lost.Tests.ps1') $suite
        Join-Path $dir 'LabSuite.Helpers.ps1' | Should -Not -Exist

        $pester = (Get-Module Pester).Path
        $command = "Import-Module '$pester'; Import-Module '$(Join-Path $root 'XenVbd.psd1')'; `$ProgressPreference = 'SilentlyContinue'; " +
            "`$r = Invoke-Pester -Path '$(Join-Path $dir '01-Lost.Tests.ps1')' -PassThru -Output None; " +
            "foreach (`$t in `$r.Tests) { '{0} {1}' -f `$t.Result, `$t.ExpandedName }"
        $exe = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
        $pwsh = @(if (Test-Path -LiteralPath $exe) { $exe } else { (Get-Process -Id $PID).Path; Join-Path $PSHOME 'pwsh.dll' })
        $prefix = @($pwsh | Select-Object -Skip 1)
        $lines = @(& $pwsh[0] @prefix -NoProfile -NonInteractive -Command $command 2>&1 | ForEach-Object { "$_" })
        $lines | Should -Be @(
            'Passed Lost under Hardened reproduces the outcome the real driver has in every case'
            'Passed Lost under Hardened cites the behaviour that decides each outcome, with its source'
            'Failed Lost under Gplpv2012 reproduces the outcome the real driver has in every case'
            'Passed Lost under Gplpv2012 cites the behaviour that decides each outcome, with its source'
        ) -Because ($lines -join "`n")
    }
}
