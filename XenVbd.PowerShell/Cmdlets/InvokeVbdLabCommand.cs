using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using XenVbd.Device;
using XenVbd.Frontend;
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

        /// <summary>
        /// Frontend personalities to run each lab under (names or wildcards: * for all of them, side by side); the
        /// module's default when omitted. Each lab runs once per personality, one result each.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(PersonalityNameCompleter))]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Personality { get; set; }

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
                            "'" + full + "' is neither a lab script nor a folder with lab scripts (*.ps1 other than *.Tests.ps1, *.Helpers.ps1 and Invoke-*.ps1).",
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

            IReadOnlyList<string?> personalities = ResolvePersonalities();
            if (personalities.Count == 0)
            {
                return;
            }

            // Lab by lab, each under every personality asked for: the rows of one lab sit together, side by side.
            var runs = labs.SelectMany(l => personalities.Select(p => (Lab: l, Personality: p))).ToList();
            var overall = new ProgressRecord(4, "Invoke-VbdLab", "Starting") { PercentComplete = 0 };
            for (int i = 0; i < runs.Count; i++)
            {
                if (runs.Count > 1)
                {
                    overall.PercentComplete = 100 * i / runs.Count;
                    overall.StatusDescription = (i + 1) + " of " + runs.Count + ": " + runs[i].Lab.Name + (runs[i].Personality is null ? "" : " under " + runs[i].Personality);
                    WriteProgress(overall);
                }

                LabResult result = RunLab(runs[i].Lab, runs[i].Personality);
                _results.Add(result);
                if (runs.Count > 1)
                {
                    // Before the result goes out (a stop can come from downstream too): Ctrl+C keeps the report of every run that finished.
                    WriteReport();
                }

                WriteObject(result);
            }

            if (runs.Count > 1)
            {
                overall.RecordType = ProgressRecordType.Completed;
                WriteProgress(overall);
            }
        }

        /// <summary>The personalities -Personality names, in the catalogue's order; one null (the default) without it.</summary>
        private IReadOnlyList<string?> ResolvePersonalities()
        {
            if (Personality is null)
            {
                return new string?[] { null };
            }

            return GetVbdPersonalityCommand.Resolve(this, Personality).Select(n => (string?)n).ToArray();
        }

        private LabResult RunLab(LabScript lab, string? personality)
        {
            var record = new ProgressRecord(3, "Invoke-VbdLab " + (lab.Number.Length > 0 ? lab.Number + " " : "") + lab.Name + (personality is null ? "" : " under " + personality) + " (seed " + Seed + ")", "Running " + System.IO.Path.GetFileName(lab.Path))
            {
                PercentComplete = 0,
                ParentActivityId = 4,
            };
            WriteProgress(record);
            var arguments = new Hashtable(StringComparer.OrdinalIgnoreCase) { ["Seed"] = Seed };
            if (DeviceOptions is not null)
            {
                arguments["DeviceOptions"] = DeviceOptions;
            }

            if (personality is not null)
            {
                arguments["Personality"] = personality;
            }

            // Devices the script leaves behind are closed, so one lab never sees another's.
            var before = new HashSet<DeviceSession>(DeviceRegistry.Current.All());
            var wall = Stopwatch.StartNew();
            LabResult? result = null;
            string? problem = null;
            try
            {
                // Run anyway, such a lab would run under the default personality while its row claims another.
                bool deaf = personality is not null && personality != DevicePersonalities.Default.ToString() && InvokeCommand.GetCommand(lab.Path, CommandTypes.ExternalScript) is ExternalScriptInfo script
                    && !script.Parameters.ContainsKey("Personality");
                var run = ScriptBlock.Create("param($__path, $__arguments) & $__path @__arguments");
                foreach (PSObject output in deaf ? (IEnumerable<PSObject>)Array.Empty<PSObject>() : InvokeCommand.InvokeScript(true, run, null, lab.Path, arguments))
                {
                    if (output?.BaseObject is LabResult r)
                    {
                        result ??= r;
                    }
                }

                if (deaf)
                {
                    problem = "the lab takes no -Personality: add [string] $Personality to its param block and pass it on (New-VbdLabResult -Personality $Personality)";
                }
                else if (result is null)
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
                string name = personality ?? DevicePersonalities.Default.ToString();
                result = new LabResult(lab.Name, Seed, name, DevicePersonalities.For((FrontendPersonality)Enum.Parse(typeof(FrontendPersonality), name)).Behaviours);
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
            if (personality is not null)
            {
                result.Check(string.Equals(result.Personality, personality, StringComparison.Ordinal),
                    "the lab ran under " + result.Personality + " instead of the " + personality + " it was given: New-VbdLabResult -Personality $Personality passes it on");
            }

            foreach (LabOutcome unseen in result.Outcomes.Where(o => o.Observed is null))
            {
                result.Check(false, unseen.Case + ": expected " + unseen.Expected + " (" + unseen.Behaviour + ", " + unseen.SourceText + "), but the lab never observed the case");
            }

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
        protected override void EndProcessing() => WriteReport();

        private void WriteReport()
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
