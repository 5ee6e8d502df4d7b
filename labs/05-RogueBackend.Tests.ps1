# Pester suite of lab 05-RogueBackend: runs the lab script beside it once and holds its result to what the lab must show.
# Invoke-Pester ./labs runs every lab this way; New-PesterContainer -Data @{ Seed = 7 } or $env:XENVBD_LAB_SEED picks the seed.
param(
    # The lab's seed: Invoke-Pester's container data (-Data @{ Seed = 7 }), else $env:XENVBD_LAB_SEED, else 1.
    [UInt64] $Seed = $(if ($env:XENVBD_LAB_SEED) { [UInt64] $env:XENVBD_LAB_SEED } else { 1 })
)

BeforeAll {
    if (-not (Get-Command New-VbdLabResult -ErrorAction SilentlyContinue)) {
        $manifest = @('../XenVbd.psd1', '../../XenVbd.psd1') | ForEach-Object { Join-Path $PSScriptRoot $_ } |
            Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
        if ($manifest) { Import-Module $manifest } else { Import-Module XenVbd }
    }
    $ProgressPreference = 'SilentlyContinue'
    $lab = & (Join-Path $PSScriptRoot '05-RogueBackend.ps1') -Seed $Seed
}

Describe "RogueBackend lab, seed $Seed" {
    It 'passes every check it makes' {
        $lab.Failures | Should -BeNullOrEmpty
        $lab.Passed | Should -BeTrue
    }

    It 'goes Broken cleanly after each lie: <_>' -ForEach 'BadId', 'WrongOp', 'RspProdJump', 'Duplicate' {
        $w = $lab.Workloads | Where-Object Label -eq "rogue $_"
        $w.Result.Operations | Should -Be 400
        $w.Result.Stuck | Should -Be 0
        $w.Result.DoubleCompletions | Should -Be 0
        $w.Result.ViolationCount | Should -Be 0
        $w.Result.Errors | Should -BeGreaterThan 0
        $w.Result.FaultsByKind[$_] | Should -Be 1
        $lab.Findings | Where-Object { $_ -like "$($w.Label.Substring(6)): device Broken (*" } | Should -Not -BeNullOrEmpty
    }
}
