# Pester suite of lab 03-DelayedResponses: runs the lab script beside it once and holds its result to what the lab must show.
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
    $labScript = Join-Path $PSScriptRoot '03-DelayedResponses.ps1'
    $lab = & $labScript -Seed $Seed -Personality Hardened
}

Describe "DelayedResponses lab: the real driver's outcome under each personality, seed $Seed" {
    # One context per frontend personality: the lab's outcome in every case is its real driver's, cited to its source.
    Add-VbdLabPersonalityContext -LabPath (Join-Path $PSScriptRoot '03-DelayedResponses.ps1') -Seed $Seed

    Context 'DelayedResponses: the watchdog' {
        It 'under Gplpv2008b the reset does nothing: no SRB is retried, the late answers complete them' {
            $g = & $labScript -Seed $Seed -Personality Gplpv2008b
            $g.Metrics['watchdog.retries'] | Should -Be 0
            $g.Metrics['watchdog.timeouts'] | Should -BeGreaterThan 0
        }

        It 'under LinuxBlkfront there is no request timeout at all' {
            (& $labScript -Seed $Seed -Personality LinuxBlkfront).Metrics['watchdog.timeouts'] | Should -Be 0
        }
    }
}

Describe "DelayedResponses lab under Hardened, seed $Seed" {
    It 'passes every check it makes' {
        $lab.Failures | Should -BeNullOrEmpty
        $lab.Passed | Should -BeTrue
    }

    It 'loses, doubles and corrupts nothing under any delay' {
        foreach ($w in $lab.Workloads) {
            $w.Result.Stuck | Should -Be 0 -Because $w.Label
            $w.Result.DoubleCompletions | Should -Be 0 -Because $w.Label
            $w.Result.ViolationCount | Should -Be 0 -Because $w.Label
            $w.Result.Errors | Should -Be 0 -Because $w.Label
        }
    }

    It 'shows the latency shapes: fixed is flat, exponential and Pareto have tails' {
        $lab.Metrics['fixed 1 ms.p50_us'] | Should -BeGreaterOrEqual 1000
        $lab.Metrics['fixed 1 ms.p99_us'] | Should -BeLessThan 2000
        $lab.Metrics['exponential mean 5 ms.p99_us'] | Should -BeGreaterThan (2 * $lab.Metrics['exponential mean 5 ms.p50_us'])
        $lab.Metrics['pareto 1 ms alpha 1.3 max 2 s.p99_us'] | Should -BeGreaterThan (2 * $lab.Metrics['pareto 1 ms alpha 1.3 max 2 s.p50_us'])
    }

    It 'runs the probe itself under the delay: at least 500 ms for its round trip' {
        $lab.Metrics['probe_under_delay.ms'] | Should -BeGreaterOrEqual 500
        $lab.Metrics['probe_under_delay.round_trips'] | Should -Be 1
        $slow = $lab.Workloads | Where-Object Label -eq 'slow backend'
        $slow.Result.Latency.P50Us | Should -BeGreaterOrEqual 500000
    }

    It 'fires the watchdog, resets and retries past it with nothing lost' {
        $lab.Metrics['watchdog.timeouts'] | Should -BeGreaterThan 0
        $lab.Metrics['watchdog.resets'] | Should -BeGreaterThan 0
        $lab.Metrics['watchdog.retries'] | Should -BeGreaterThan 0
        ($lab.Workloads | Where-Object Label -eq 'past the watchdog').Result.Operations | Should -Be 600
    }
}
