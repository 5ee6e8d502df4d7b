# The module as PowerShell users install it: the built module published with Publish-PSResource to a local
# file repository, installed with Install-PSResource into a clean PSModulePath (a fresh HOME), imported by
# name, and used for a lab run; its about_XenVbd topic and release notes come along.
BeforeAll {
    $script:root = (Resolve-Path "$PSScriptRoot/../..").Path
    $script:work = Join-Path $TestDrive 'pkg'
    $stage = Join-Path $work 'stage/XenVbd'
    $null = New-Item -ItemType Directory -Force $stage, (Join-Path $work 'repo'), (Join-Path $work 'home')
    foreach ($item in 'XenVbd.psd1', 'XenVbd.psm1', 'XenVbd.Format.ps1xml', 'XenVbd.Types.ps1xml', 'en-US', 'module') {
        Copy-Item -Recurse -LiteralPath (Join-Path $root $item) -Destination $stage
    }
    # The PowerShell running the tests, as a command line: its own executable, or dotnet + pwsh.dll (as build.ps1 does).
    $exe = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    $script:pwsh = @(if (Test-Path -LiteralPath $exe) { $exe } else { (Get-Process -Id $PID).Path; Join-Path $PSHOME 'pwsh.dll' })
    $script:child = Join-Path $work 'install.ps1'
    Set-Content -LiteralPath $child -Value @'
param($Work)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$repo = Join-Path $Work 'repo'
Register-PSResourceRepository -Name XenVbdLocal -Uri $repo -Trusted
Publish-PSResource -Path (Join-Path $Work 'stage/XenVbd') -Repository XenVbdLocal
Install-PSResource -Name XenVbd -Repository XenVbdLocal -Scope CurrentUser -TrustRepository -Quiet
Import-Module XenVbd
$m = Get-Module XenVbd
"VERSION $($m.Version)"
"BASE $($m.ModuleBase)"
"LAB $((Invoke-VbdLab -Name Migration).Passed)"
"ABOUT $((Get-Help about_XenVbd | Out-String) -match 'GPLPV xenvbd')"
"NOTES $([bool] $m.PrivateData.PSData.ReleaseNotes)"
"STANDIN $((Test-Path (Join-Path $m.ModuleBase 'module/native/xen-standin/xen-standin.c')) -and (Test-Path (Join-Path $m.ModuleBase 'module/native/xen-standin/shm.h')) -and (Test-Path (Join-Path $m.ModuleBase 'module/native/common.h')))"
# The shipped stand-in must compile from the installed layout alone (shm.h includes ../common.h), with no repository beside it.
$standin = Join-Path $m.ModuleBase 'module/native/xen-standin'
if ((Get-Command gcc -ErrorAction SilentlyContinue) -and (Test-Path /usr/include/xenstore.h)) {
    $cc = & gcc -fsyntax-only -std=gnu11 -D__XEN_INTERFACE_VERSION__=0x00040e00 "-I$standin" (Join-Path $standin 'xen-standin.c') 2>&1
    if ($LASTEXITCODE -eq 0) { 'STANDINCC ok' } else { "STANDINCC failed: $cc" }
} else { 'STANDINCC skipped' }
'@
}

Describe 'Publish-PSResource, Install-PSResource, Import-Module XenVbd' {
    It 'installs from a local repository into a clean PSModulePath and runs a lab' {
        if (-not (Get-Module -ListAvailable Microsoft.PowerShell.PSResourceGet)) {
            Set-ItResult -Skipped -Because 'Microsoft.PowerShell.PSResourceGet is not available (Install-Module Microsoft.PowerShell.PSResourceGet)'; return
        }
        $home2 = Join-Path $work 'home'
        $modules = Join-Path $home2 '.local/share/powershell/Modules'
        $saved = @{ HOME = $env:HOME; PSModulePath = $env:PSModulePath; XDG = $env:XDG_DATA_HOME }
        try {
            # A fresh HOME: no user modules, no repositories registered before; only PowerShell's own modules besides.
            $env:HOME = $home2
            $env:XDG_DATA_HOME = $null
            $env:PSModulePath = $modules + [IO.Path]::PathSeparator + (Join-Path $PSHOME 'Modules')
            $out = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $child $work 2>&1 | ForEach-Object { "$_" }
        }
        finally {
            $env:HOME = $saved.HOME; $env:PSModulePath = $saved.PSModulePath; $env:XDG_DATA_HOME = $saved.XDG
        }
        $text = $out -join "`n"
        $manifest = Import-PowerShellDataFile (Join-Path $root 'XenVbd.psd1')
        $text | Should -Match "VERSION $([regex]::Escape($manifest.ModuleVersion))"
        ($out | Where-Object { $_ -like 'BASE *' }) | Should -BeLike "BASE $modules*" -Because $text
        $text | Should -Match 'LAB True'
        $text | Should -Match 'ABOUT True'
        $text | Should -Match 'NOTES True'
        $text | Should -Match 'STANDIN True' -Because 'New-VbdDevice -Backend Qemu compiles the Xen stand-in from the source the installed module ships'
        $text | Should -Match 'STANDINCC (ok|skipped)' -Because 'the installed stand-in source compiles without the repository (gcc and libxen-dev, when present)'
        Get-ChildItem -LiteralPath (Join-Path $work 'repo') -Filter 'XenVbd.*.nupkg' | Should -Not -BeNullOrEmpty
    }

    It 'has no made-up ProjectUri and a version with release notes' {
        $manifest = Import-PowerShellDataFile (Join-Path $root 'XenVbd.psd1')
        $manifest.PrivateData.PSData.ContainsKey('ProjectUri') | Should -BeFalse
        $manifest.PrivateData.PSData.ReleaseNotes | Should -Match ([regex]::Escape($manifest.ModuleVersion))
        Test-Path (Join-Path $root 'en-US/about_XenVbd.help.txt') | Should -BeTrue
    }
}
