# Pester suite of lab 02-BitnessMatrix: runs the lab script beside it once and holds its result to what the lab must show.
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
    $labScript = Join-Path $PSScriptRoot '02-BitnessMatrix.ps1'
    $lab = & $labScript -Seed $Seed -Personality Hardened
}

Describe "BitnessMatrix lab: the real driver's outcome under each personality, seed $Seed" {
    # One context per frontend personality: the lab's outcome in every case is its real driver's, cited to its source.
    Add-VbdLabPersonalityContext -LabPath (Join-Path $PSScriptRoot '02-BitnessMatrix.ps1') -Seed $Seed

    Context 'BitnessMatrix: the drivers that never probe' {
        It 'under LinuxBlkfront stay on their own layout against a Native dom0 of the other bitness' {
            $l = & $labScript -Seed $Seed -Personality LinuxBlkfront
            @($l.Outcomes | Where-Object Observed -eq 'Mismatch').Case | Should -Be 'fe 32 / be 64 Native', 'fe 64 / be 32 Native'
            ($l.Outcomes | Where-Object Case -eq 'fe 64 / be 32 Native').Evidence | Should -Match '^ring 64 against a native 32 dom0'
        }
    }
}

Describe "BitnessMatrix lab under Hardened, seed $Seed" {
    It 'passes every check it makes' {
        $lab.Failures | Should -BeNullOrEmpty
        $lab.Passed | Should -BeTrue
    }

    It 'tries all 24 machines: each runs with data intact or refuses honestly' {
        $lab.Metrics['combinations.working'] + $lab.Metrics['combinations.refused'] | Should -Be 24
        $lab.Metrics['combinations.working'] | Should -BeGreaterOrEqual 16
        @($lab.Findings | Where-Object { $_ -match 'refused \((?!LayoutMismatch)' }).Count | Should -Be 0
        foreach ($w in $lab.Workloads) { $w.Result.ViolationCount | Should -Be 0 -Because $w.Label }
    }

    It 'refuses exactly the announced layouts a native backend of the other bitness cannot read' {
        $refused = @($lab.Findings | Where-Object { $_ -match 'refused' } | ForEach-Object { ($_ -split ':')[0] }) | Sort-Object
        $refused | Should -Be @('fe 32 Announce / be 64 Native', 'fe 64 Announce / be 32 Native')
    }

    It 'switches layout by the probe when a native backend has the other bitness' {
        foreach ($fm in 'Probe', 'AnnounceAndProbe') {
            $lab.Metrics["64.$fm.32.Native.switched"] | Should -Be 1 -Because "fe 64 $fm / be 32 Native"
            $lab.Metrics["32.$fm.64.Native.switched"] | Should -Be 1 -Because "fe 32 $fm / be 64 Native"
            $lab.Metrics["64.$fm.64.Native.switched"] | Should -Be 0 -Because "same bitness: nothing to switch"
        }
        $lab.Metrics['combinations.switched'] | Should -BeGreaterThan 0
    }

    It 'does not probe in Announce mode and probes in one round trip otherwise' {
        foreach ($key in $lab.Metrics.Keys | Where-Object { $_ -like '*.probe_round_trips' }) {
            if ($key -like '*.Announce.*') { $lab.Metrics[$key] | Should -Be 0 -Because $key }
            else { $lab.Metrics[$key] | Should -Be 1 -Because $key }
        }
    }
}
