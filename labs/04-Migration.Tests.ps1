# Pester suite of lab 04-Migration: runs the lab script beside it once and holds its result to what the lab must show.
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
    $labScript = Join-Path $PSScriptRoot '04-Migration.ps1'
    $lab = & $labScript -Seed $Seed -Personality Hardened
}

Describe "Migration lab: the real driver's outcome under each personality, seed $Seed" {
    # One context per frontend personality: the lab's outcome in every case is its real driver's, cited to its source.
    Add-VbdLabPersonalityContext -LabPath (Join-Path $PSScriptRoot '04-Migration.ps1') -Seed $Seed

    Context 'Migration: the stale layout' {
        It 'under Gplpv2008b keeps the x86_64 layout after moving to an x86_32 dom0, without probing' {
            $g = & $labScript -Seed $Seed -Personality Gplpv2008b
            $g.Findings[0] | Should -Match 'X86_32 Native dom0: re-probed False, ring X86_64 -> X86_64'
            $o = $g.Outcomes | Where-Object Case -eq 'layout after the moves'
            $o.Observed | Should -Be 'StaleLayout'
            $o.Behaviour | Should -Be 'ProbeResultAcrossResume'
            $o.Source.Function | Should -Be 'XenVbd_Resume'
            $o.Evidence | Should -Match '^ring X86_64 against an X86_32 Native dom0'
        }
    }
}

Describe "Migration lab under Hardened, seed $Seed" {
    It 'passes every check it makes' {
        $lab.Failures | Should -BeNullOrEmpty
        $lab.Passed | Should -BeTrue
    }

    It 'moves three times mid-workload, re-probing and switching the ring each time' {
        $lab.Metrics['migrations'] | Should -Be 3
        $lab.Metrics['probes'] | Should -BeGreaterOrEqual 3
        # The probe starts from the frontend's own x86_64 layout on each reconnect, so only the moves to x86_32 switch it.
        $lab.Metrics['abi_switches'] | Should -Be 2
        $moves = @($lab.Findings | Where-Object { $_ -like 'Moved to*' })
        $moves.Count | Should -Be 3
        $moves[0] | Should -Match 'X86_32 Native dom0: re-probed True, ring X86_64 -> X86_32'
        $moves[1] | Should -Match 'X86_64 Native dom0: re-probed True, ring X86_32 -> X86_64'
        $moves[2] | Should -Match 'X86_32 Native dom0: re-probed True, ring X86_64 -> X86_32'
        foreach ($m in $moves) { $m | Should -Match 'state Ready' }
    }

    It 'keeps every byte of the 4000 operations across the moves' {
        $w = $lab.Workloads | Where-Object Label -eq 'live migration'
        $w.Result.Operations | Should -Be 4000
        $w.Result.ViolationCount | Should -Be 0
        $w.Result.Errors | Should -Be 0
        $w.Result.FaultsByKind['Migration'] | Should -Be 3
    }
}
