@{
    RootModule           = 'XenVbd.psm1'
    # 0.x: the cmdlet surface may still change between minor versions; see ReleaseNotes.
    ModuleVersion        = '0.2.0'
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
        'New-VbdLabDevice',
        'Invoke-VbdCampaign',
        'Merge-VbdCampaign'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Xen', 'blkif', 'xenvbd', 'storage', 'fault-injection')
            # No ProjectUri: the project has no public home yet, and a made-up one would mislead.
            ReleaseNotes = @'
0.2.0
- Invoke-VbdWorkload: -Count and -Duration stop at whichever comes first; -Duration alone runs for that long.
  Ctrl+C in the console returns the partial result with a warning; it is also kept in $VbdLastWorkload.
- Device cmdlets take a device object by position and device names piped as strings.
- Test-VbdIntegrity: nothing checked is a warning and no Boolean; -Detailed gives Passed/Failed/NothingChecked.
- Default views: every column is a real property, every table fits 80 columns.
- Export-VbdTrace: the Chrome trace has SRB, request and backend slices on named tracks, with named args.
- Lab report: interactive charts (uPlot, embedded) with every series; the module is 1.2 MB instead of 158 MB.
- docs/PROTOCOL.md holds the protocol facts; about_XenVbd describes the module.
0.1.0
- First version: the device, ring, fault and lab cmdlets.
'@
        }
    }
}
