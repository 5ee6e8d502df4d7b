# Packaging: the manifest, the exported cmdlets, the not-built message and (PowerShell 7) engine isolation.
BeforeDiscovery {
    $script:IsCore = $PSVersionTable.PSEdition -eq 'Core'
}

BeforeAll {
    $script:Root = (Resolve-Path "$PSScriptRoot/../..").Path
    $script:Manifest = Join-Path $Root 'XenVbd.psd1'
    $script:Module = Import-Module $Manifest -Force -PassThru -ErrorAction Stop
}

AfterAll {
    Remove-Module XenVbd -Force -ErrorAction SilentlyContinue
}

Describe 'XenVbd module manifest' {
    It 'is valid according to Test-ModuleManifest' {
        $info = Test-ModuleManifest -Path $Manifest -ErrorAction Stop
        $info.Name | Should -Be 'XenVbd'
        $info.RootModule | Should -Be 'XenVbd.psm1'
        $info.Guid | Should -Not -Be ([guid]::Empty)
        $info.Description | Should -Not -BeNullOrEmpty
    }

    It 'declares Core and Desktop, PowerShell 5.1 and the format file' {
        $data = Import-PowerShellDataFile $Manifest
        $data.CompatiblePSEditions | Should -Be @('Core', 'Desktop')
        $data.PowerShellVersion | Should -Be '5.1'
        $data.FormatsToProcess | Should -Be @('XenVbd.Format.ps1xml')
        Test-Path (Join-Path $Root $data.FormatsToProcess[0]) | Should -BeTrue
    }

    It 'lists cmdlets explicitly (no wildcard)' {
        $data = Import-PowerShellDataFile $Manifest
        $data.CmdletsToExport | Should -Not -BeNullOrEmpty
        $data.CmdletsToExport | Should -Not -Contain '*'
    }

    It 'exports exactly the cmdlets the manifest lists' {
        $listed = (Import-PowerShellDataFile $Manifest).CmdletsToExport | Sort-Object
        $exported = $Module.ExportedCmdlets.Keys | Sort-Object
        $exported | Should -Be $listed
    }

    It 'lists every cmdlet the binary defines' {
        $listed = (Import-PowerShellDataFile $Manifest).CmdletsToExport
        $binary = $Module.NestedModules | Where-Object { $_.ModuleType -eq 'Binary' }
        $binary | Should -Not -BeNullOrEmpty
        foreach ($name in $binary.ExportedCmdlets.Keys) { $listed | Should -Contain $name }
    }

    It 'uses approved verbs only' {
        $approved = (Get-Verb).Verb
        foreach ($name in $Module.ExportedCmdlets.Keys) { $approved | Should -Contain ($name -split '-')[0] }
    }

    It 'loads the binary built for this edition' {
        $binary = $Module.NestedModules | Where-Object { $_.ModuleType -eq 'Binary' }
        $edition = if ($PSVersionTable.PSEdition -eq 'Core') { 'Core' } else { 'Desktop' }
        $binary.Path | Should -BeLike "*module*$edition*XenVbd.PowerShell.dll"
    }
}

Describe 'XenVbd module when it has not been built' {
    It 'fails with a message that says to run build.ps1' {
        $copy = Join-Path ([IO.Path]::GetTempPath()) ("xenvbd-unbuilt-" + [guid]::NewGuid())
        $null = New-Item -ItemType Directory $copy
        try {
            Copy-Item (Join-Path $Root 'XenVbd.psd1'), (Join-Path $Root 'XenVbd.psm1'), (Join-Path $Root 'XenVbd.Format.ps1xml') $copy
            $err = $null
            try { Import-Module (Join-Path $copy 'XenVbd.psd1') -Force -ErrorAction Stop } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.Exception.Message | Should -BeLike '*build.ps1*'
            $err.FullyQualifiedErrorId | Should -BeLike 'XenVbdNotBuilt*'
        }
        finally {
            Remove-Module XenVbd -Force -ErrorAction SilentlyContinue
            Remove-Item -Recurse -Force $copy
            $script:Module = Import-Module $Manifest -Force -PassThru -ErrorAction Stop
        }
    }
}

Describe 'Engine isolation under PowerShell 7' -Skip:(-not $IsCore) {
    It 'loads XenVbd.Core into the private XenVbd.Engine load context, from deps/' {
        $null = Get-BlkifLayout -Abi X86_64
        $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'XenVbd.Core' }
        $core | Should -HaveCount 1
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($core).Name | Should -Be 'XenVbd.Engine'
        $core.Location | Should -BeLike '*module*Core*deps*XenVbd.Core.dll'
    }

    It 'keeps the cmdlet assembly in the default context, with the engine types it hands out usable' {
        $cmdlets = (Get-Command Get-BlkifLayout).ImplementingType.Assembly
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($cmdlets).Name | Should -Be 'Default'
        (Get-BlkifLayout -Abi X86_32 | Select-Object -First 1).GetType().FullName | Should -Be 'XenVbd.Ring.BlkifFieldInfo'
    }

    It 'ships Polly.Core only in deps/, where the private context resolves it' {
        $core = Join-Path $Root 'module/Core'
        Test-Path (Join-Path $core 'Polly.Core.dll') | Should -BeFalse
        Test-Path (Join-Path $core 'deps/Polly.Core.dll') | Should -BeTrue
        $alc = [XenVbd.PowerShell.Infrastructure.EngineLoadContext]::Instance
        $alc | Should -Not -BeNullOrEmpty
        $polly = $alc.LoadFromAssemblyName([System.Reflection.AssemblyName]::new('Polly.Core'))
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($polly).Name | Should -Be 'XenVbd.Engine'
    }

    It 'does not let the default context see Polly.Core' {
        $seen = { [System.Runtime.Loader.AssemblyLoadContext]::Default.LoadFromAssemblyName([System.Reflection.AssemblyName]::new('Polly.Core')) }
        $seen | Should -Throw
    }
}
