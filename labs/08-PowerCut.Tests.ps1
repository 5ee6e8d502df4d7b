# Pester suite of lab 08-PowerCut: runs the lab script beside it under every personality (through the shared helper) and holds its result to what the lab must show.
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
    $labScript = Join-Path $PSScriptRoot '08-PowerCut.ps1'
}

Describe "PowerCut lab: the real driver's outcome under each personality, seed $Seed" {
    # One context per frontend personality: the lab's outcome in every case is its real driver's, cited to its source.
    Add-VbdLabPersonalityContext -LabPath (Join-Path $PSScriptRoot '08-PowerCut.ps1') -Seed $Seed

    Context 'PowerCut: what survives' {
        It 'decides both cases by the SynchronizeCache behaviour under every personality' {
            foreach ($name in @(Get-VbdPersonality | ForEach-Object Name)) {
                $r = & $labScript -Seed $Seed -Personality $name
                @($r.Outcomes).Count | Should -Be 2 -Because $name
                foreach ($o in $r.Outcomes) { $o.Behaviour | Should -Be 'SynchronizeCache' -Because "$name, $($o.Case)" }
            }
        }

        It 'under GPLPV 2012 SYNCHRONIZE CACHE is an error and all four acknowledged writes are lost' {
            $g = & $labScript -Seed $Seed -Personality Gplpv2012
            $o = $g.Outcomes | Where-Object Case -eq 'AckedThenFlush'
            $o.Observed | Should -Be 'Lost'
            $o.Evidence | Should -Match '^SYNCHRONIZE CACHE Error; after the cut: Lost, Lost, Lost, Lost$'
            $g.Metrics['AckedThenFlush.acked_survived'] | Should -Be 0
        }

        It 'under GPLPV 2013 SYNCHRONIZE CACHE succeeds, yet the acknowledged writes are lost: nothing reached the ring' {
            $g = & $labScript -Seed $Seed -Personality Gplpv2013
            $o = $g.Outcomes | Where-Object Case -eq 'AckedThenFlush'
            $o.Observed | Should -Be 'Lost'
            $o.Evidence | Should -Match '^SYNCHRONIZE CACHE Success; after the cut: Lost, Lost, Lost, Lost$'
        }

        It 'under LinuxBlkfront the flush keeps what was acknowledged before it and loses the four writes still in flight' {
            $l = & $labScript -Seed $Seed -Personality LinuxBlkfront
            ($l.Outcomes | Where-Object Case -eq 'AckedThenFlush').Evidence | Should -Match 'Survived, Survived, Survived, Survived$'
            ($l.Outcomes | Where-Object Case -eq 'FlushBeforeComplete').Evidence | Should -Match '^SYNCHRONIZE CACHE Success; after the cut: Survived, Survived, Lost, Lost, Lost, Lost$'
            $l.Metrics['FlushBeforeComplete.acked_survived'] | Should -Be 2
            $l.Metrics['FlushBeforeComplete.inflight_survived'] | Should -Be 0
        }

        It 'runs under the default personality, Gplpv2008b, when none is given, and leaves no device behind' {
            $d = & $labScript -Seed $Seed
            $d.Personality | Should -Be 'Gplpv2008b'
            $d.Passed | Should -BeTrue
            Get-VbdDevice | Where-Object Name -like 'PowerCut-*' | Should -BeNullOrEmpty
        }
    }
}
