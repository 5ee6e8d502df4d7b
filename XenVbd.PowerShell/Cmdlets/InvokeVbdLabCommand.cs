using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using XenVbd.Lab;
using XenVbd.PowerShell.Infrastructure;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>Completes lab names: the shipped labs, or those of the folder -Path names.</summary>
    public sealed class LabNameCompleter : IArgumentCompleter
    {
        /// <inheritdoc />
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string typed = (wordToComplete ?? string.Empty).Trim('\'', '"');
            string folder = fakeBoundParameters?["Path"] is string p && p.Length > 0 ? p : LabScript.ShippedFolder;
            return LabScript.In(folder, shipped: false)
                .Select(l => l.Name)
                .Where(n => n.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
        }
    }

    /// <summary>
    /// <para type="synopsis">Runs lab scripts — the ones shipped with the module or a folder of your own — and returns their results; optionally writes the report folder.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "VbdLab")]
    [OutputType(typeof(LabResult))]
    public sealed class InvokeVbdLabCommand : PSCmdlet
    {
        private readonly List<LabResult> _results = new List<LabResult>();

        /// <summary>Lab names (or number prefixes, or wildcards); every lab of the folder when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(LabNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        /// <summary>Folders of lab scripts, or lab script files; the labs shipped with the module when omitted. Binds FullName, so Get-ChildItem output pipes in.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string[]? Path { get; set; }

        [Parameter]
        public ulong Seed { get; set; } = 1;

        /// <summary>New-VbdDevice parameters every lab passes to every device it creates (the script's -DeviceOptions).</summary>
        [Parameter]
        [ValidateNotNull]
        public Hashtable? DeviceOptions { get; set; }

        /// <summary>A folder for results.json, junit.xml and timings.json.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ReportPath { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var available = new List<LabScript>();
            if (Path is null)
            {
                available.AddRange(LabScript.In(LabScript.ShippedFolder, shipped: true));
            }
            else
            {
                foreach (string p in Path)
                {
                    string full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(p);
                    IReadOnlyList<LabScript> found = LabScript.In(full, shipped: false);
                    if (found.Count == 0)
                    {
                        this.WriteError(ErrorIds.LabPathNotFound, ErrorCategory.ObjectNotFound, p,
                            "'" + full + "' is neither a lab script nor a folder with lab scripts (*.ps1 other than *.Tests.ps1 and Invoke-*.ps1).",
                            "Give -Path a folder of lab scripts or one .ps1 file; Get-Help about_XenVbd_Labs shows how a lab script looks.");
                    }

                    available.AddRange(found);
                }
            }

            var labs = new List<LabScript>();
            if (Name is null)
            {
                labs.AddRange(available);
            }
            else
            {
                foreach (string name in Name)
                {
                    LabScript[] matched = available.Where(l => l.Matches(name)).ToArray();
                    if (matched.Length == 0)
                    {
                        this.WriteError(ErrorIds.LabNotFound, ErrorCategory.ObjectNotFound, name,
                            "There is no lab named '" + name + "'.",
                            available.Count == 0 ? "No lab scripts were found; give -Path a folder of lab scripts." : "Labs: " + string.Join(", ", available.Select(l => l.Name)) + ".");
                        continue;
                    }

                    labs.AddRange(matched.Where(m => !labs.Contains(m)));
                }
            }

            foreach (LabScript lab in labs)
            {
                LabResult result = RunLab(lab);
                _results.Add(result);
                WriteObject(result);
            }
        }

        private LabResult RunLab(LabScript lab)
        {
            var record = new ProgressRecord(3, "Invoke-VbdLab " + (lab.Number.Length > 0 ? lab.Number + " " : "") + lab.Name + " (seed " + Seed + ")", "Running " + System.IO.Path.GetFileName(lab.Path))
            {
                PercentComplete = 0,
            };
            WriteProgress(record);
            var arguments = new Hashtable(StringComparer.OrdinalIgnoreCase) { ["Seed"] = Seed };
            if (DeviceOptions is not null)
            {
                arguments["DeviceOptions"] = DeviceOptions;
            }

            // Devices the script leaves behind are closed, so one lab never sees another's.
            var before = new HashSet<DeviceSession>(DeviceRegistry.Current.All());
            var wall = Stopwatch.StartNew();
            LabResult? result = null;
            string? problem = null;
            try
            {
                var run = ScriptBlock.Create("param($__path, $__arguments) & $__path @__arguments");
                foreach (PSObject output in InvokeCommand.InvokeScript(true, run, null, lab.Path, arguments))
                {
                    if (output?.BaseObject is LabResult r)
                    {
                        result ??= r;
                    }
                }

                if (result is null)
                {
                    problem = "the lab script wrote no lab result (New-VbdLabResult) to the pipeline";
                }
            }
            catch (Exception ex) when (ex is not PipelineStoppedException && ex is not OutOfMemoryException)
            {
                Exception inner = ex is RuntimeException { ErrorRecord.Exception: { } e } ? e : ex;
                problem = "the lab threw " + inner.GetType().Name + ": " + inner.Message;
                if (ex is RuntimeException rte && rte.ErrorRecord?.InvocationInfo?.PositionMessage is { Length: > 0 } where)
                {
                    problem += " (" + where.Replace("\r", "").Split('\n')[0] + ")";
                }
            }
            finally
            {
                foreach (DeviceSession session in DeviceRegistry.Current.All().Where(s => !before.Contains(s)))
                {
                    DeviceRegistry.Current.Remove(session);
                    session.Device.Dispose();
                }
            }

            wall.Stop();
            int checks = result?.ChecksMade ?? 0;
            if (result is null)
            {
                result = new LabResult(lab.Name, Seed);
                result.Check(false, problem ?? "the lab failed");
            }
            else if (problem is not null)
            {
                result.Check(false, problem);
            }

            result.Check(string.Equals(result.Name, lab.Name, StringComparison.Ordinal),
                "the lab calls itself '" + result.Name + "' but its file is '" + System.IO.Path.GetFileName(lab.Path) + "': New-VbdLabResult -Name " + lab.Name + " keeps the replay command right");
            result.Check(result.Seed == Seed, "the lab ran with seed " + result.Seed + " instead of the " + Seed + " it was given, so its replay command would not replay it");
            result.Check(checks > 0 || problem is not null, "the lab checked nothing");
            result.WallTime = wall.Elapsed;
            if (!lab.Shipped)
            {
                result.ScriptPath = lab.Path;
            }

            record.RecordType = ProgressRecordType.Completed;
            WriteProgress(record);
            return result;
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            if (ReportPath is null || _results.Count == 0)
            {
                return;
            }

            string? folder = FileSystemPaths.Resolve(this, ReportPath, nameof(ReportPath), out ErrorRecord? pathError);
            if (folder is null)
            {
                ThrowTerminatingError(pathError!);
                return;
            }

            try
            {
#if NET
                // PowerShell 7 also writes the HTML page (XenVbd.Reports, net10.0); Windows PowerShell 5.1 writes the data files only.
                IReadOnlyList<string> files = XenVbd.Reports.HtmlReportWriter.WriteFolder(folder, _results);
#else
                IReadOnlyList<string> files = LabReportWriter.WriteFolder(folder, _results);
#endif
                WriteVerbose("Lab report: " + string.Join(", ", files));
            }
            catch (Exception ex) when (ex is not RuntimeException)
            {
                this.WriteError(ex, folder, ErrorIds.LabReportFailed);
            }
        }
    }
}
