# The worked example's Pester suite (about_XenVbd_Labs, step 8): the lab runs once, Its hold it to what it must show.
param([UInt64] $Seed = $(if ($env:XENVBD_LAB_SEED) { [UInt64] $env:XENVBD_LAB_SEED } else { 1 }))

BeforeAll {
    if (-not (Get-Command New-VbdLabResult -ErrorAction SilentlyContinue)) {
        Import-Module (Join-Path $PSScriptRoot '../../XenVbd.psd1')
    }
    $lab = & (Join-Path $PSScriptRoot 'SlowStorage.ps1') -Seed $Seed
}

Describe "SlowStorage lab, seed $Seed" {
    It 'passes every check it makes' {
        $lab.Failures | Should -BeNullOrEmpty
        $lab.ChecksMade | Should -BeGreaterThan 0
    }

    It 'waits longer for 64 KiB than for 4 KiB' {
        $lab.Metrics['65536.p50_us'] | Should -BeGreaterThan (8 * $lab.Metrics['4096.p50_us'])
    }
}
