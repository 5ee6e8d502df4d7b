# labs/Invoke-DefaultLab.ps1, the README's main command: its summary, report folder and failure output
# (Labs.Tests.ps1 runs each lab script alone).
BeforeAll {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    Import-Module (Join-Path $root 'XenVbd.psd1') -Force -ErrorAction Stop
    $defaultLab = Join-Path $root 'labs/Invoke-DefaultLab.ps1'
}

AfterAll {
    Remove-Module XenVbd -Force -ErrorAction SilentlyContinue
}

Describe 'labs/Invoke-DefaultLab.ps1' {
    It 'runs the eight labs, prints a summary with findings and the report location, writes index.html and exits 0' {
        $report = Join-Path $TestDrive 'report'
        $out = & $defaultLab -Seed 1 -ReportPath $report 6>&1 | Out-String
        $LASTEXITCODE | Should -Be 0
        foreach ($lab in 'MisalignedBuffers', 'BitnessMatrix', 'DelayedResponses', 'Migration', 'RogueBackend', 'ChkdskBurst', 'HardCasesOnQemu', 'PowerCut') {
            $out | Should -Match "(?m)^\s+$lab\s+PASS\s+[\d.]+s\s+\S"
        }
        $out | Should -Match 'Key findings'
        $out | Should -Match 'frontend Gplpv2008b \(the module''s default'
        # Each lab says what the real driver does under the default personality, the behaviour and where in its code.
        $out | Should -Match '= StaleLayout \(layout after the moves\): ProbeResultAcrossResume, XenVbd_Resume \(xenvbd\.c\)'
        $out | Should -Match '= Stopped \(4 cases\): ResponseChecks, XenVbd_HwScsiInterrupt \(xenvbd\.c\)'
        $out | Should -Match '8 combinations: 8 ran with data intact, 0 refused to connect'
        $out | Should -Match '8 passed, 0 failed in [\d.]+ s \(seed 1\)'
        $out | Should -Match ([regex]::Escape("Report: $(Join-Path $report 'index.html')"))
        foreach ($f in 'index.html', 'results.json', 'junit.xml', 'timings.json') { Join-Path $report $f | Should -Exist }
        (Get-Content -Raw (Join-Path $report 'index.html')) | Should -Match '<html'
        @($out -split "`n").Count | Should -BeLessThan 80   # a summary, not a log (eight labs, up to five lines each)
    }

    It 'prints every finding with -Detailed' {
        $out = & $defaultLab -Seed 1 -ReportPath (Join-Path $TestDrive 'detailed') -Detailed 6>&1 | Out-String
        $out | Should -Match 'fe 64 / be 32 Native: ring 32, probe 1 round trips, switched'
    }

    It 'runs the labs under several personalities side by side with -Personality, one row per lab and personality' {
        $out = & $defaultLab -Seed 1 -ReportPath (Join-Path $TestDrive 'side') -Personality Hardened, LinuxBlkfront 6>&1 | Out-String
        $LASTEXITCODE | Should -Be 0
        $out | Should -Match '(?m)^\s+RogueBackend\s+Hardened\s+PASS\s+Broken$'
        $out | Should -Match '(?m)^\s+RogueBackend\s+LinuxBlkfront\s+PASS\s+Hangs$'
        $out | Should -Match '(?m)^\s+BitnessMatrix\s+Hardened\s+PASS\s+Works 22, Refused 2$'
        $out | Should -Match '16 passed, 0 failed'
        (Get-Content -Raw (Join-Path $TestDrive 'side/index.html')) | Should -Match '<h2 id="side-by-side">'
    }

    It 'shows what failed and the exact replay command for a failing lab, and exits 1' {
        Mock Invoke-VbdLab {
            [pscustomobject]@{
                Name = 'Migration'; Seed = [uint64]7; Passed = $false; WallTime = [timespan]::FromSeconds(0.5)
                Findings = [string[]]@('moved twice'); Failures = [string[]]@('3 integrity violations after migration 2')
                ReplayCommand = 'Invoke-VbdLab -Name Migration -Seed 7'
            }
        }
        $out = & $defaultLab -Seed 7 -ReportPath (Join-Path $TestDrive 'failing') 6>&1 | Out-String
        $LASTEXITCODE | Should -Be 1
        $out | Should -Match 'Migration\s+FAIL'
        $out | Should -Match '! 3 integrity violations after migration 2'
        $out | Should -Match '0 passed, 1 failed'
        $out | Should -Match ([regex]::Escape("Import-Module '$(Join-Path $root 'XenVbd.psd1')'; Invoke-VbdLab -Name Migration -Seed 7"))
    }
}
