# Pester suite of lab 05-RogueBackend: runs the lab script beside it once and holds its result to what the lab must show.
# Invoke-Pester ./labs runs every lab this way; New-PesterContainer -Data @{ Seed = 7 } or $env:XENVBD_LAB_SEED picks the seed.
param(
    # The lab's seed: Invoke-Pester's container data (-Data @{ Seed = 7 }), else $env:XENVBD_LAB_SEED, else 1.
    [UInt64] $Seed = $(if ($env:XENVBD_LAB_SEED) { [UInt64] $env:XENVBD_LAB_SEED } else { 1 })
)

BeforeDiscovery {
    if (-not (Get-Command New-VbdLabDevice -ErrorAction SilentlyContinue)) {
        $manifest = @('../XenVbd.psd1', '../../XenVbd.psd1') | ForEach-Object { Join-Path $PSScriptRoot $_ } |
            Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
        if ($manifest) { Import-Module $manifest } else { Import-Module XenVbd }
    }
    # The shared "under each personality" Context (Add-VbdLabPersonalityContext): beside this suite, else in the
    # Labs folder the module ships.
    $helper = @((Join-Path $PSScriptRoot 'LabSuite.Helpers.ps1'), (Join-Path (Get-Module XenVbd).ModuleBase 'module/Labs/LabSuite.Helpers.ps1')) |
        Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
    . $helper
}

BeforeAll {
    if (-not (Get-Command New-VbdLabDevice -ErrorAction SilentlyContinue)) {
        $manifest = @('../XenVbd.psd1', '../../XenVbd.psd1') | ForEach-Object { Join-Path $PSScriptRoot $_ } |
            Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
        if ($manifest) { Import-Module $manifest } else { Import-Module XenVbd }
    }
    $ProgressPreference = 'SilentlyContinue'
    $labScript = Join-Path $PSScriptRoot '05-RogueBackend.ps1'
    $lab = & $labScript -Seed $Seed -Personality Hardened
}

Describe "RogueBackend lab: the real driver's outcome under each personality, seed $Seed" {
    # One context per frontend personality: the lab's outcome in every case is its real driver's, cited to its source.
    Add-VbdLabPersonalityContext -LabPath (Join-Path $PSScriptRoot '05-RogueBackend.ps1') -Seed $Seed

    Context 'RogueBackend: what the checkers name' {
        It 'under Gplpv2012 an id indexing past the 64-entry shadows array stops the device with that finding' {
            $g = & $labScript -Seed $Seed -Personality Gplpv2012
            $o = $g.Outcomes | Where-Object Case -eq 'RspProdJump'
            $o.Observed | Should -Be 'Stopped'
            $o.Evidence | Should -Match 'past the driver''s 64-entry shadow array'
            $o.Source.File | Should -Be 'xenvbd/xenvbd_scsiport.c'
            $o.Source.Function | Should -Be 'XenVbd_HwScsiInterrupt'
            # The top bit a BadId flips is masked off by SHADOW_ID_ID_MASK: the SRB completes, nothing noticed.
            ($g.Outcomes | Where-Object Case -eq 'BadId').Observed | Should -Be 'Intact'
        }

        It 'under LinuxBlkfront the bad response is flagged and the hang detector names the I/O left hanging' {
            $l = & $labScript -Seed $Seed -Personality LinuxBlkfront
            foreach ($o in $l.Outcomes) {
                $o.Observed | Should -Be 'Hangs'
                $o.Evidence | Should -Match 'hang detector: \d+ never completed by [\d.]+ s virtual'
                $o.Evidence | Should -Match 'device Broken \('
            }
        }

        It 'under Gplpv2012 a swapped id completes the named SRB, leaves the served one hanging and stops on the named one''s own answer' {
            $g = & $labScript -Seed $Seed -Personality Gplpv2012
            $o = $g.Outcomes | Where-Object Case -eq 'SwappedId'
            $o.Observed | Should -Be 'Stopped'
            $o.Source.Function | Should -Be 'XenVbd_HwScsiInterrupt'
            $o.Evidence | Should -Match 'hang detector: \d+ never completed'
            $o.Evidence | Should -Match 'which has no request outstanding: Gplpv2012 takes that shadow''s SRB pointer, which is NULL'
            $swap = @($g.Findings | Where-Object { $_ -like 'SwappedId: the answer to request *' })
            $swap.Count | Should -Be 1
            $swap[0] -match '^SwappedId: the answer to request (\d+) \(sector \d+\) carried the id of request (\d+) \(sector \d+\)' | Should -BeTrue
            $Matches[1] | Should -Not -Be $Matches[2]
        }

        It 'under XenProject a swapped id is looked up and completed, its own answer ignored and the served SRB reset' {
            $x = & $labScript -Seed $Seed -Personality XenProject
            $o = $x.Outcomes | Where-Object Case -eq 'SwappedId'
            $o.Observed | Should -Be 'Errors'
            $o.Source.Function | Should -Be 'BlkifRingPoll'
            ($x.Workloads | Where-Object Label -eq 'SwappedId').Result.Errors | Should -Be 1
        }

        It 'runs under the default personality, Gplpv2008b, when none is given' {
            $d = & $labScript -Seed $Seed
            $d.Personality | Should -Be 'Gplpv2008b'
            $d.Passed | Should -BeTrue
            $d.ReplayCommand | Should -Match '-Personality Gplpv2008b'
        }
    }
}

Describe "RogueBackend lab under Hardened, seed $Seed" {
    It 'passes every check it makes' {
        $lab.Failures | Should -BeNullOrEmpty
        $lab.Passed | Should -BeTrue
    }

    It 'goes Broken cleanly after each lie: <_>' -ForEach 'BadId', 'WrongOp', 'RspProdJump', 'Duplicate', 'SwappedId' {
        $w = $lab.Workloads | Where-Object Label -eq $_
        $w.Result.Operations | Should -Be 400
        $w.Result.Stuck | Should -Be 0
        $w.Result.DoubleCompletions | Should -Be 0
        $w.Result.ViolationCount | Should -Be 0
        $w.Result.Errors | Should -BeGreaterThan 0
        $w.Result.FaultsByKind[$_] | Should -Be 1
        $lab.Findings | Where-Object { $_ -like "$($w.Label): device Broken (*" } | Should -Not -BeNullOrEmpty
    }
}
