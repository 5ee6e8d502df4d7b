@{
    RootModule           = 'XenVbd.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0c1d5e-3b7a-4c52-9e61-2a8d4f7b9c10'
    Author               = 'XenVbd'
    CompanyName          = 'XenVbd'
    Copyright            = '(c) XenVbd contributors.'
    Description          = 'A byte-faithful model of the Windows GPLPV xenvbd storage driver and the Xen block protocol (blkif ring, grants, XenBus, blkback), with a deterministic fault-injection lab, driven from PowerShell.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Core', 'Desktop')
    FormatsToProcess     = @('XenVbd.Format.ps1xml')
    # Keep in sync with the [Cmdlet] classes in XenVbd.PowerShell; tests/pester/Module.Tests.ps1 checks both ways.
    CmdletsToExport      = @(
        'Get-BlkifLayout',
        'Get-VbdPersonality',
        'New-VbdDevice',
        'Get-VbdDevice',
        'Remove-VbdDevice',
        'Invoke-Srb',
        'Set-BackendAbi',
        'Get-VbdRing',
        'Get-VbdXenStore',
        'Get-VbdStatistic',
        'Reset-VbdDevice',
        'Export-VbdTrace',
        'Test-VbdIntegrity',
        'Add-VbdFault',
        'Get-VbdFault',
        'Remove-VbdFault',
        'Invoke-VbdWorkload',
        'Invoke-VbdLab',
        'Connect-VbdDevice',
        'Get-VbdMigration',
        'New-VbdLabResult',
        'Invoke-VbdCampaign',
        'Merge-VbdCampaign'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Xen', 'blkif', 'xenvbd', 'storage', 'fault-injection')
            ProjectUri = 'https://example.invalid/xenvbd'
        }
    }
}
