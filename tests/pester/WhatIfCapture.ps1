# Runs a script block the way a user runs it, but with a host that records what it writes instead of
# printing it: -WhatIf's "What if: ..." lines go to the host, not to a stream, so neither redirection
# nor a transcript keeps them out of the test log. The script runs in a fresh runspace with XenVbd
# imported (devices are per runspace), so it makes the devices it needs itself.
#   $r = Invoke-WithCapturedHost { param($Arg) New-VbdDevice -Name x -WhatIf; Get-VbdDevice } -ArgumentList 1
#   $r.HostText  (what the host was given)   $r.Output (what the pipeline returned)   $r.Errors
# -Session (New-CapturedHostSession) reuses one such runspace across calls.

# C#, not PowerShell classes: a lab run calls the host from its own threads, and a PowerShell class method
# called off its runspace's thread waits for that runspace.
if (-not ('XenVbdTests.CapturingHost' -as [type])) {
    Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace XenVbdTests
{
    public sealed class CapturingHostUI : PSHostUserInterface
    {
        private readonly StringBuilder _text = new StringBuilder();
        public string Text { get { lock (_text) return _text.ToString(); } }
        public void Clear() { lock (_text) _text.Clear(); }
        private void Add(string value) { lock (_text) _text.Append(value); }
        public override PSHostRawUserInterface RawUI => null;
        public override string ReadLine() => throw new HostException("The capturing host reads no input.");
        public override SecureString ReadLineAsSecureString() => throw new HostException("The capturing host reads no input.");
        public override void Write(string value) => Add(value);
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Add(value);
        public override void WriteLine(string value) => Add(value + Environment.NewLine);
        public override void WriteErrorLine(string value) => Add("ERROR: " + value + Environment.NewLine);
        public override void WriteDebugLine(string message) => Add("DEBUG: " + message + Environment.NewLine);
        public override void WriteVerboseLine(string message) => Add("VERBOSE: " + message + Environment.NewLine);
        public override void WriteWarningLine(string message) => Add("WARNING: " + message + Environment.NewLine);
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw new HostException("The capturing host does not prompt.");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new HostException("The capturing host does not prompt.");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new HostException("The capturing host does not prompt.");
        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) => throw new HostException("The capturing host does not prompt.");
    }

    public sealed class CapturingHost : PSHost
    {
        private readonly Guid _id = Guid.NewGuid();
        public CapturingHostUI CapturedUI { get; } = new CapturingHostUI();
        public override string Name => "XenVbdTestCapture";
        public override Version Version => new Version(1, 0);
        public override Guid InstanceId => _id;
        public override PSHostUserInterface UI => CapturedUI;
        public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;
        public override void SetShouldExit(int exitCode) { }
        public override void EnterNestedPrompt() => throw new NotSupportedException("No nested prompt in the capturing host.");
        public override void ExitNestedPrompt() => throw new NotSupportedException("No nested prompt in the capturing host.");
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
    }
}
'@
}

function New-CapturedHostSession {
    # A runspace with the capturing host and XenVbd imported, for many Invoke-WithCapturedHost calls
    # (importing the module per call costs most of a second). Dispose its Runspace when done.
    $captureHost = [XenVbdTests.CapturingHost]::new()
    $runspace = [runspacefactory]::CreateRunspace($captureHost)
    $runspace.Open()
    $ps = [powershell]::Create()
    $ps.Runspace = $runspace
    try {
        $manifest = Join-Path (Resolve-Path "$PSScriptRoot/../..").Path 'XenVbd.psd1'
        $null = $ps.AddCommand('Import-Module').AddParameter('Name', $manifest).AddParameter('ErrorAction', 'Stop').Invoke()
    }
    finally { $ps.Dispose() }
    [pscustomobject]@{ Runspace = $runspace; Host = $captureHost }
}

function Invoke-WithCapturedHost {
    param([Parameter(Mandatory, Position = 0)] [scriptblock] $ScriptBlock, [object[]] $ArgumentList = @(), [psobject] $Session)
    $own = -not $Session
    if ($own) { $Session = New-CapturedHostSession }
    $Session.Host.CapturedUI.Clear()
    $ps = [powershell]::Create()
    $ps.Runspace = $Session.Runspace
    try {
        $null = $ps.AddScript($ScriptBlock.ToString())
        foreach ($a in $ArgumentList) { $null = $ps.AddArgument($a) }
        $output = $ps.Invoke()
        [pscustomobject]@{
            Output   = @($output)
            HostText = $Session.Host.CapturedUI.Text
            Errors   = @($ps.Streams.Error)
        }
    }
    finally {
        $ps.Dispose()
        if ($own) { $Session.Runspace.Dispose() }
    }
}
