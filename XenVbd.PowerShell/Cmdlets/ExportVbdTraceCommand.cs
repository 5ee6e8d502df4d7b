using System;
using System.IO;
using System.Management.Automation;
using System.Text;
using XenVbd.Device;
using XenVbd.PowerShell.Infrastructure;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>The file formats Export-VbdTrace writes.</summary>
    public enum VbdTraceFormat
    {
        /// <summary>Chosen from the extension: .jsonl / .ndjson give JsonLines, anything else ChromeTrace.</summary>
        Auto,

        /// <summary>One JSON object per line (t_us, kind, dev, a, b, c, d), for tools.</summary>
        JsonLines,

        /// <summary>Chrome trace-event JSON, for chrome://tracing or Perfetto.</summary>
        ChromeTrace,
    }

    /// <summary>
    /// <para type="synopsis">Writes a device's ring trace to a file as JSON lines or in the Chrome trace-event format.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsData.Export, "VbdTrace", SupportsShouldProcess = true)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportVbdTraceCommand : VbdDeviceCommandBase
    {
        [Parameter(Mandatory = true, Position = 1)]
        [Alias("FilePath")]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        [Parameter]
        public VbdTraceFormat Format { get; set; } = VbdTraceFormat.Auto;

        /// <summary>Refuses to overwrite an existing file.</summary>
        [Parameter]
        [Alias("NoOverwrite")]
        public SwitchParameter NoClobber { get; set; }

        private readonly System.Collections.Generic.Dictionary<string, string> _written =
            new System.Collections.Generic.Dictionary<string, string>(StringComparer.Ordinal);

        /// <inheritdoc />
        protected override string FailureErrorId => ErrorIds.TraceExportFailed;

        /// <inheritdoc />
        protected override void ProcessDevice(DeviceSession session)
        {
            string? path = FileSystemPaths.Resolve(this, Path!, nameof(Path), out ErrorRecord? pathError);
            if (path is null)
            {
                WriteError(pathError!);
                return;
            }

            // A folder gets one file per device, named after it.
            if (Directory.Exists(path))
            {
                path = System.IO.Path.Combine(path, session.Name + (Format == VbdTraceFormat.JsonLines ? ".jsonl" : ".json"));
            }

            // One file holds one device's trace: a second device aimed at the same file in this command would overwrite the first.
            if (_written.TryGetValue(path, out string? earlier))
            {
                this.WriteError(ErrorIds.TraceFileAlreadyWritten, ErrorCategory.ResourceExists, path,
                    "'" + path + "' already holds the trace of '" + earlier + "' from this command; the trace of '" + session.Name + "' was not written over it.",
                    "Give each device its own file: Get-VbdDevice a, b | ForEach-Object { Export-VbdTrace $_ -Path \"$($_.Name).json\" }, or give -Path a folder.");
                return;
            }

            VbdTraceFormat format = Format != VbdTraceFormat.Auto ? Format
                : path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase)
                    ? VbdTraceFormat.JsonLines : VbdTraceFormat.ChromeTrace;

            DeviceTrace trace = session.Device.Trace;

            if (NoClobber && File.Exists(path))
            {
                this.WriteError(ErrorIds.TraceExportFailed, ErrorCategory.ResourceExists, path,
                    "'" + path + "' exists and -NoClobber was given.", "Choose another -Path or leave -NoClobber out to overwrite it.");
                return;
            }

            string? directory = System.IO.Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
            {
                this.WriteError(ErrorIds.TraceExportFailed, ErrorCategory.ObjectNotFound, path,
                    "The folder '" + directory + "' does not exist.", "Create it first (New-Item -ItemType Directory) or choose another -Path.");
                return;
            }

            if (!ShouldProcess(path, "Write " + trace.Count + " trace events of '" + session.Name + "' as " + format))
            {
                return;
            }

            using (var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            {
                if (format == VbdTraceFormat.JsonLines)
                {
                    trace.WriteJsonLines(writer);
                }
                else
                {
                    trace.WriteChromeTrace(writer, session.Name);
                }
            }

            if (trace.Dropped > 0)
            {
                WriteWarning("The trace of '" + session.Name + "' kept the last " + trace.Capacity + " events; " + trace.Dropped + " older ones were dropped.");
            }

            _written[path] = session.Name;

            // Through the provider, so the FileInfo carries PSPath and formats like Get-Item's.
            WriteObject(SessionState.InvokeProvider.Item.Get(new[] { path }, force: true, literalPath: true), enumerateCollection: true);
        }
    }
}
