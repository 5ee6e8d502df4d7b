# Pester suite of lab 01-MisalignedBuffers: runs the lab script beside it once and holds its result to what the lab must show.
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
    $labScript = Join-Path $PSScriptRoot '01-MisalignedBuffers.ps1'
    $lab = & $labScript -Seed $Seed -Personality Hardened
}

Describe "MisalignedBuffers lab: the real driver's outcome under each personality, seed $Seed" {
    # One context per frontend personality: the lab's outcome in every case is its real driver's, cited to its source.
    Add-VbdLabPersonalityContext -LabPath (Join-Path $PSScriptRoot '01-MisalignedBuffers.ps1') -Seed $Seed

    Context 'MisalignedBuffers: GPLPV of February 2008' {
        It 'copies aligned transfers through its shadow pages too' {
            $g = & $labScript -Seed $Seed -Personality Gplpv2008a
            ($g.Outcomes | Where-Object Case -eq 'aligned buffers').Evidence | Should -Match '^aligned I/O bounced [1-9]\d* bytes'
        }
    }
}

Describe "MisalignedBuffers lab under Hardened, seed $Seed" {
    It 'passes every check it makes' {
        $lab.Failures | Should -BeNullOrEmpty
        $lab.Passed | Should -BeTrue
        $lab.ChecksMade | Should -BeGreaterThan 36
    }

    It 'runs 3 strategies x 4 sizes x 3 alignments, every byte intact' {
        $lab.Workloads.Count | Should -Be 36
        foreach ($w in $lab.Workloads) {
            $w.Result.ViolationCount | Should -Be 0 -Because $w.Label
            $w.Result.Errors | Should -Be 0 -Because $w.Label
            $w.Result.Operations | Should -Be 96 -Because $w.Label
        }
    }

    It 'never bounces aligned I/O and bounces every byte of misaligned I/O' {
        foreach ($w in $lab.Workloads) {
            $moved = $w.Result.BytesRead + $w.Result.BytesWritten
            if ($w.Label -like '* +0') { $w.Result.BytesBounced | Should -Be 0 -Because $w.Label }
            else { $w.Result.BytesBounced | Should -BeGreaterOrEqual $moved -Because $w.Label }
        }
    }

    It 'makes misaligned 64 KiB cost more than aligned for every strategy, PerSrb the most passes' {
        foreach ($s in 'PerSrb', 'DeviceBuffer', 'SegmentPool') {
            $lab.Metrics["$s.65536.511.us_per_op"] | Should -BeGreaterThan $lab.Metrics["$s.65536.0.us_per_op"] -Because $s
        }
        # The original 4 KiB buffer needs a pass per 4 KiB; the 11-page and per-segment buffers far fewer.
        $lab.Metrics['PerSrb.65536.511.bounce_passes_per_op'] | Should -BeGreaterOrEqual 16
        $lab.Metrics['PerSrb.65536.511.bounce_passes_per_op'] | Should -BeGreaterThan $lab.Metrics['DeviceBuffer.65536.511.bounce_passes_per_op']
    }

    It 'plots the bounce cost of every run' {
        @($lab.Points | Where-Object Plot -eq 'Bounce cost against transfer size').Count | Should -Be 36
    }
}
