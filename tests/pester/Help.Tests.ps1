# Every exported cmdlet has help with a description and at least one example, and every example runs.
BeforeDiscovery {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    Import-Module (Join-Path $root 'XenVbd.psd1') -Force -ErrorAction Stop
    $script:Cmdlets = @((Get-Module XenVbd).ExportedCmdlets.Keys | Sort-Object | ForEach-Object { @{ Name = $_ } })
    $script:Examples = @(foreach ($name in (Get-Module XenVbd).ExportedCmdlets.Keys | Sort-Object) {
        $i = 0
        foreach ($example in @((Get-Help $name -Full).examples.example)) {
            $i++
            @{ Name = $name; Number = $i; Code = ($example.code -join [Environment]::NewLine) }
        }
    })
}

BeforeAll {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    Import-Module (Join-Path $root 'XenVbd.psd1') -Force -ErrorAction Stop
    . (Join-Path $PSScriptRoot 'WhatIfCapture.ps1')
    # One runspace for every example, as one session would run them.
    $script:ExampleSession = New-CapturedHostSession
}

AfterAll {
    if ($ExampleSession) { $ExampleSession.Runspace.Dispose() }
    Remove-Module XenVbd -Force -ErrorAction SilentlyContinue
}

Describe 'Help for <Name>' -ForEach $Cmdlets {
    BeforeAll {
        $help = Get-Help $Name -Full
    }

    It 'comes from the shipped MAML file, not the auto-generated stub' {
        $help.PSObject.Properties.Name | Should -Contain 'description'
        (Get-Command $Name).HelpFile | Should -BeLike '*XenVbd.PowerShell.dll-Help.xml'
    }

    It 'has a synopsis and a description' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "*$Name *[<CommonParameters>]*"
        ($help.description.Text -join ' ') | Should -Not -BeNullOrEmpty
    }

    It 'has at least one example' {
        @($help.examples.example).Count | Should -BeGreaterOrEqual 1
    }

    It 'describes every parameter' {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $parameters = (Get-Command $Name).Parameters.Keys | Where-Object { $_ -notin $common }
        foreach ($p in $parameters) {
            $ph = $help.parameters.parameter | Where-Object Name -eq $p
            $ph | Should -Not -BeNullOrEmpty -Because "parameter -$p needs help"
            ($ph.description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "parameter -$p needs a description"
        }
    }
}

Describe 'Help example <Number> of <Name>' -ForEach $Examples {
    It 'runs without error and produces output' {
        # In a runspace of its own with a capturing host: what an example shows with -WhatIf or -Verbose is
        # its point for a reader, not lines for the test log.
        $run = Invoke-WithCapturedHost ([scriptblock]::Create($Code)) -Session $ExampleSession
        $output = $run.Output
        $run.Errors | Should -BeNullOrEmpty
        @($output).Count | Should -BeGreaterThan 0
        { $output | Out-String -Width 200 } | Should -Not -Throw
    }
}

Describe 'The MAML help file' {
    It 'is exactly what tools/gen-help.py makes from tools/help_data.py (one definition of the help text)' {
        $python = Get-Command python3 -ErrorAction SilentlyContinue
        if (-not $python) { Set-ItResult -Skipped -Because 'python3 is not installed (apt-get install python3)'; return }
        $out = & $python.Source (Join-Path $root 'tools/gen-help.py') --check 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
    }
}
