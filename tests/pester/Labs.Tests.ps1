# Every lab script runs alone, in a fresh pwsh, as a user would start it; each must pass and say so,
# and the same seed must give a byte-identical results.json.
BeforeDiscovery {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    $script:labScripts = Get-ChildItem (Join-Path $root 'labs') -Filter '0*.ps1' | Sort-Object Name |
        ForEach-Object { @{ Path = $_.FullName; Name = $_.BaseName } }
}

BeforeAll {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    # The PowerShell running these tests, as a fresh child process (under `dotnet pwsh`: dotnet <PSHOME>/pwsh.dll).
    $exe = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    $pwsh = @(if (Test-Path -LiteralPath $exe) { $exe } else { (Get-Process -Id $PID).Path; Join-Path $PSHOME 'pwsh.dll' })
    function Invoke-LabScript([string] $Path, [string[]] $Arguments) {
        $command = $pwsh[0]
        $prefix = @($pwsh | Select-Object -Skip 1)
        $output = & $command @prefix -NoProfile -NonInteractive -File $Path @Arguments 2>&1 | ForEach-Object { "$_" }
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Text = ($output -join "`n") }
    }
}

Describe 'Lab scripts' {
    It '<Name> runs alone and passes' -ForEach $labScripts {
        $run = Invoke-LabScript $Path @('-Seed', '5')
        $run.Text | Should -Match "PASS \w+ \(seed 5\)"
        $run.ExitCode | Should -Be 0
    }

    It 'the same seed gives a byte-identical results.json' {
        $a = Join-Path $TestDrive 'a'
        $b = Join-Path $TestDrive 'b'
        $lab = Join-Path $root 'labs/03-DelayedResponses.ps1'
        (Invoke-LabScript $lab @('-Seed', '9', '-ReportPath', $a)).ExitCode | Should -Be 0
        (Invoke-LabScript $lab @('-Seed', '9', '-ReportPath', $b)).ExitCode | Should -Be 0
        (Get-FileHash (Join-Path $a 'results.json')).Hash | Should -Be (Get-FileHash (Join-Path $b 'results.json')).Hash
    }

    It 'a different seed gives different results' {
        $a = Join-Path $TestDrive 'c'
        $b = Join-Path $TestDrive 'd'
        $lab = Join-Path $root 'labs/03-DelayedResponses.ps1'
        (Invoke-LabScript $lab @('-Seed', '9', '-ReportPath', $a)).ExitCode | Should -Be 0
        (Invoke-LabScript $lab @('-Seed', '10', '-ReportPath', $b)).ExitCode | Should -Be 0
        (Get-FileHash (Join-Path $a 'results.json')).Hash | Should -Not -Be (Get-FileHash (Join-Path $b 'results.json')).Hash
    }
}
