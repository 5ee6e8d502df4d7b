# Pester suite of lab 06-ChkdskBurst: runs the lab script beside it once and holds its result to what the lab must show.
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
    $labScript = Join-Path $PSScriptRoot '06-ChkdskBurst.ps1'
    $lab = & $labScript -Seed $Seed -Personality Hardened
}

Describe "ChkdskBurst lab: the real driver's outcome under each personality, seed $Seed" {
    # One context per frontend personality: the lab's outcome in every case is its real driver's, cited to its source.
    Add-VbdLabPersonalityContext -LabPath (Join-Path $PSScriptRoot '06-ChkdskBurst.ps1') -Seed $Seed

    Context 'ChkdskBurst: the pass size' {
        It 'under Gplpv2008b bounces a misaligned chkdsk SRB 4096 bytes at a time, under Gplpv2012 up to 11 pages a pass' {
            (& $labScript -Seed $Seed -Personality Gplpv2008b).Metrics['misaligned.bytes_per_bounce_pass'] | Should -BeLessOrEqual 4096
            (& $labScript -Seed $Seed -Personality Gplpv2012).Metrics['misaligned.bytes_per_bounce_pass'] | Should -BeGreaterThan 4096
        }
    }
}

Describe "ChkdskBurst lab under Hardened, seed $Seed" {
    It 'passes every check it makes' {
        $lab.Failures | Should -BeNullOrEmpty
        $lab.Passed | Should -BeTrue
    }

    It 'keeps every byte of 64 KiB..1 MiB transfers, misaligned and aligned' {
        foreach ($w in $lab.Workloads) {
            $w.Result.Operations | Should -Be 120 -Because $w.Label
            $w.Result.ViolationCount | Should -Be 0 -Because $w.Label
            $w.Result.Errors | Should -Be 0 -Because $w.Label
        }
    }

    It 'takes a 4 KiB bounce pass per page of a misaligned SRB and none for an aligned one' {
        # The smallest transfer is 64 KiB: 16 passes through the 4 KiB buffer at least.
        $lab.Metrics['misaligned.bounce_passes_per_srb'] | Should -BeGreaterOrEqual 16
        $lab.Metrics['aligned.bounce_passes_per_srb'] | Should -Be 0
    }

    It 'splits large SRBs across ring requests, misaligned ones into many more' {
        $lab.Metrics['aligned.requests_per_srb'] | Should -BeGreaterThan 1
        $lab.Metrics['misaligned.requests_per_srb'] | Should -BeGreaterThan $lab.Metrics['aligned.requests_per_srb']
    }
}
