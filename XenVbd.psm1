# XenVbd root module: loads the binary cmdlets that build.ps1 publishes under module/.
#   PowerShell 7 (Core):       module/Core/XenVbd.PowerShell.dll   (net10.0; engine + Polly in module/Core/deps,
#                              loaded into a private AssemblyLoadContext by the dll's module initializer)
#   Windows PowerShell 5.1:    module/Desktop/XenVbd.PowerShell.dll (netstandard2.0; all dlls flat, no isolation)
Set-StrictMode -Version 3.0

$edition = if ($PSVersionTable.PSEdition -eq 'Core') { 'Core' } else { 'Desktop' }
$binary = [System.IO.Path]::Combine($PSScriptRoot, 'module', $edition, 'XenVbd.PowerShell.dll')

if (-not (Test-Path -LiteralPath $binary -PathType Leaf)) {
    $message = "XenVbd is not built: '$binary' is missing. Run './build.ps1' (or 'dotnet tool restore && dotnet pwsh ./build.ps1') in '$PSScriptRoot' first, then import XenVbd.psd1 again."
    $exception = [System.IO.FileNotFoundException]::new($message, $binary)
    $record = [System.Management.Automation.ErrorRecord]::new($exception, 'XenVbdNotBuilt', [System.Management.Automation.ErrorCategory]::ObjectNotFound, $binary)
    throw $record
}

$binaryModule = Import-Module -Name $binary -PassThru -ErrorAction Stop

# The views' derived columns (XenVbd.Types.ps1xml), member by member with -Force rather than through the manifest's
# TypesToProcess: a second import from another copy of the module would otherwise fail on the first copy's members.
[xml] $typeData = Get-Content -Raw -LiteralPath ([System.IO.Path]::Combine($PSScriptRoot, 'XenVbd.Types.ps1xml'))
foreach ($type in $typeData.Types.Type) {
    foreach ($member in $type.Members.ChildNodes | Where-Object { $_.NodeType -eq 'Element' }) {
        $value = if ($member.LocalName -eq 'AliasProperty') { $member.ReferencedMemberName } else { [scriptblock]::Create($member.GetScriptBlock) }
        Update-TypeData -TypeName $type.Name -MemberType $member.LocalName -MemberName $member.Name -Value $value -Force
    }
}

# Re-export the cmdlets of the nested binary module; the manifest's CmdletsToExport is the public list.
Export-ModuleMember -Cmdlet @($binaryModule.ExportedCmdlets.Keys)

# Remove-Module and Import-Module -Force remove this script module; its nested binary module's own
# cleanup is not run then, so close the session's devices here (orderly: write caches are flushed).
$ExecutionContext.SessionState.Module.OnRemove = {
    [XenVbd.PowerShell.Infrastructure.DeviceRegistry]::Current.Clear()
}
