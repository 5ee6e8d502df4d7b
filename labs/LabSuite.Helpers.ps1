<#
.SYNOPSIS
    The labs' shared Pester helper: one Context per frontend personality that holds a lab to its real drivers' outcomes.
.DESCRIPTION
    A lab states, per case and per personality, the outcome the real driver has there ($lab.Expect) and records
    what it saw ($lab.Observe*). Every lab suite checks the same two things under every personality, so they are
    written once, here. A suite dot-sources this file in its BeforeDiscovery block (beside the suite, else from
    the Labs folder the module ships) and calls Add-VbdLabPersonalityContext inside a Describe block:

        BeforeDiscovery {
            # (import the module first, as the suites do)
            $helper = @((Join-Path $PSScriptRoot 'LabSuite.Helpers.ps1'),
                (Join-Path (Get-Module XenVbd).ModuleBase 'module/Labs/LabSuite.Helpers.ps1')) |
                Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
            . $helper
        }

        Describe "MyLab: the real driver's outcome under each personality, seed $Seed" {
            Add-VbdLabPersonalityContext -LabPath (Join-Path $PSScriptRoot 'MyLab.ps1') -Seed $Seed
        }

    Invoke-VbdLab does not take this file for a lab (it skips *.Helpers.ps1), and Invoke-Pester does not take it
    for a suite (it is not *.Tests.ps1).
#>

function Add-VbdLabPersonalityContext {
    <#
    .SYNOPSIS
        Adds, inside the Describe block it is called in, one Context per frontend personality that runs the lab
        under it and checks every outcome against the real driver's, each cited to the behaviour and source that decide it.
    .PARAMETER LabPath
        The lab script (it takes -Seed and -Personality, as Invoke-VbdLab passes them).
    .PARAMETER Seed
        The seed the lab runs under (the suite's own -Seed).
    .PARAMETER Personality
        The frontend personalities to run it under; every one Get-VbdPersonality lists when not given.
    .EXAMPLE
        Add-VbdLabPersonalityContext -LabPath (Join-Path $PSScriptRoot '01-MisalignedBuffers.ps1') -Seed $Seed
    .EXAMPLE
        Add-VbdLabPersonalityContext -LabPath $path -Seed 7 -Personality Hardened, LinuxBlkfront
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $LabPath,
        [Parameter(Mandatory)] [UInt64] $Seed,
        [string[]] $Personality = @(Get-VbdPersonality | ForEach-Object Name)
    )

    # The lab's name is its file name without the number prefix, as Invoke-VbdLab names it.
    $name = (Split-Path -Leaf $LabPath) -replace '\.ps1$', '' -replace '^\d+-', ''
    # Pester hands each hashtable's keys to the Context's blocks as variables (at run time, after this function returned).
    $cases = @(foreach ($p in $Personality) { @{ Lab = $name; LabPath = $LabPath; Seed = $Seed; Personality = $p } })

    Context '<Lab> under <Personality>' -ForEach $cases {
        BeforeAll {
            $under = & $LabPath -Seed $Seed -Personality $Personality
        }

        It '<Lab> under <Personality> reproduces the outcome the real driver has in every case' {
            $under.Name | Should -Be $Lab
            $under.Personality | Should -Be $Personality
            $under.Outcomes.Count | Should -BeGreaterThan 0
            foreach ($o in $under.Outcomes) { $o.Observed | Should -Be $o.Expected -Because "$($o.Case): $($o.Evidence)" }
            $under.Failures | Should -BeNullOrEmpty
            $under.Passed | Should -BeTrue
        }

        It '<Lab> under <Personality> cites the behaviour that decides each outcome, with its source' {
            $behaviours = @(Get-VbdPersonality $Personality -Detailed)
            foreach ($o in $under.Outcomes) {
                $b = $behaviours | Where-Object Behaviour -eq $o.Behaviour
                $b | Should -Not -BeNullOrEmpty -Because $o.Case
                $o.Because | Should -Be $b.Summary
                if ($b.Pinned) { $o.Source.Function | Should -Be $b.Function; $o.SourceText | Should -BeLike "$($b.Function) (*)" }
                else { $o.SourceText | Should -Match '^not pinned: ' }
            }
        }
    }
}
