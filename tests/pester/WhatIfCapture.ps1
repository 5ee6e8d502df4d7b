# Runs a script block the way a user runs it, but with a host that records what it writes instead of
# printing it: -WhatIf's "What if: ..." lines go to the host, not to a stream, so neither redirection
# nor a transcript keeps them out of the test log. The script runs in a fresh runspace with XenVbd
# imported (devices are per runspace), so it makes the devices it needs itself.
#   $r = Invoke-WithCapturedHost { param($Arg) New-VbdDevice -Name x -WhatIf; Get-VbdDevice } -ArgumentList 1
#   $r.HostText  (what the host was given)   $r.Output (what the pipeline returned)   $r.Errors

class CapturingHostUI : System.Management.Automation.Host.PSHostUserInterface {
    [System.Text.StringBuilder] $Text = [System.Text.StringBuilder]::new()
    [System.Management.Automation.Host.PSHostRawUserInterface] get_RawUI() { return $null }
    [string] ReadLine() { throw [System.Management.Automation.Host.HostException]::new('The capturing host reads no input.') }
    [System.Security.SecureString] ReadLineAsSecureString() { throw [System.Management.Automation.Host.HostException]::new('The capturing host reads no input.') }
    [void] Write([string] $value) { $null = $this.Text.Append($value) }
    [void] Write([System.ConsoleColor] $fg, [System.ConsoleColor] $bg, [string] $value) { $null = $this.Text.Append($value) }
    [void] WriteLine([string] $value) { $null = $this.Text.AppendLine($value) }
    [void] WriteErrorLine([string] $value) { $null = $this.Text.AppendLine('ERROR: ' + $value) }
    [void] WriteDebugLine([string] $value) { $null = $this.Text.AppendLine('DEBUG: ' + $value) }
    [void] WriteVerboseLine([string] $value) { $null = $this.Text.AppendLine('VERBOSE: ' + $value) }
    [void] WriteWarningLine([string] $value) { $null = $this.Text.AppendLine('WARNING: ' + $value) }
    [void] WriteProgress([long] $sourceId, [System.Management.Automation.ProgressRecord] $record) { }
    [System.Collections.Generic.Dictionary[string, psobject]] Prompt([string] $caption, [string] $message, [System.Collections.ObjectModel.Collection[System.Management.Automation.Host.FieldDescription]] $descriptions) { throw [System.Management.Automation.Host.HostException]::new('The capturing host does not prompt.') }
    [System.Management.Automation.PSCredential] PromptForCredential([string] $caption, [string] $message, [string] $userName, [string] $targetName) { throw [System.Management.Automation.Host.HostException]::new('The capturing host does not prompt.') }
    [System.Management.Automation.PSCredential] PromptForCredential([string] $caption, [string] $message, [string] $userName, [string] $targetName, [System.Management.Automation.PSCredentialTypes] $allowed, [System.Management.Automation.PSCredentialUIOptions] $options) { throw [System.Management.Automation.Host.HostException]::new('The capturing host does not prompt.') }
    [int] PromptForChoice([string] $caption, [string] $message, [System.Collections.ObjectModel.Collection[System.Management.Automation.Host.ChoiceDescription]] $choices, [int] $defaultChoice) { throw [System.Management.Automation.Host.HostException]::new('The capturing host does not prompt.') }
}

class CapturingHost : System.Management.Automation.Host.PSHost {
    hidden [CapturingHostUI] $CapturedUI = [CapturingHostUI]::new()
    hidden [guid] $Id = [guid]::NewGuid()
    [string] get_Name() { return 'XenVbdTestCapture' }
    [version] get_Version() { return [version] '1.0' }
    [guid] get_InstanceId() { return $this.Id }
    [System.Management.Automation.Host.PSHostUserInterface] get_UI() { return $this.CapturedUI }
    [System.Globalization.CultureInfo] get_CurrentCulture() { return [System.Globalization.CultureInfo]::CurrentCulture }
    [System.Globalization.CultureInfo] get_CurrentUICulture() { return [System.Globalization.CultureInfo]::CurrentUICulture }
    [void] SetShouldExit([int] $exitCode) { }
    [void] EnterNestedPrompt() { throw [System.NotSupportedException]::new('No nested prompt in the capturing host.') }
    [void] ExitNestedPrompt() { throw [System.NotSupportedException]::new('No nested prompt in the capturing host.') }
    [void] NotifyBeginApplication() { }
    [void] NotifyEndApplication() { }
}

function Invoke-WithCapturedHost {
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock, [object[]] $ArgumentList = @())
    $captureHost = [CapturingHost]::new()
    $runspace = [runspacefactory]::CreateRunspace($captureHost)
    $runspace.Open()
    $ps = [powershell]::Create()
    $ps.Runspace = $runspace
    try {
        $manifest = Join-Path (Resolve-Path "$PSScriptRoot/../..").Path 'XenVbd.psd1'
        $null = $ps.AddCommand('Import-Module').AddParameter('Name', $manifest).AddParameter('ErrorAction', 'Stop').Invoke()
        $ps.Commands.Clear()
        $null = $ps.AddScript($ScriptBlock.ToString())
        foreach ($a in $ArgumentList) { $null = $ps.AddArgument($a) }
        $output = $ps.Invoke()
        [pscustomobject]@{
            Output   = @($output)
            HostText = $captureHost.CapturedUI.Text.ToString()
            Errors   = @($ps.Streams.Error)
        }
    }
    finally {
        $ps.Dispose()
        $runspace.Dispose()
    }
}
