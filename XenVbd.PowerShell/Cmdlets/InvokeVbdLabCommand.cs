using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using XenVbd.Lab;
using XenVbd.PowerShell.Infrastructure;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>Completes lab names.</summary>
    public sealed class LabNameCompleter : IArgumentCompleter
    {
        /// <inheritdoc />
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string typed = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return LabRunner.Names()
                .Where(n => n.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
        }
    }

    /// <summary>
    /// <para type="synopsis">Runs one or all of the fault-injection labs and returns their results; optionally writes the report folder.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "VbdLab")]
    [OutputType(typeof(LabResult))]
    public sealed class InvokeVbdLabCommand : PSCmdlet
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly List<LabResult> _results = new List<LabResult>();

        /// <summary>Lab names (as LabRunner knows them); all labs when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(LabNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        [Parameter]
        public ulong Seed { get; set; } = 1;

        /// <summary>A folder for results.json, junit.xml and timings.json.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ReportPath { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var labs = new List<ILab>();
            foreach (string name in Name ?? LabRunner.Names().ToArray())
            {
                ILab? lab = LabRunner.Find(name);
                if (lab is null)
                {
                    this.WriteError(ErrorIds.LabNotFound, ErrorCategory.ObjectNotFound, name,
                        "There is no lab named '" + name + "'.", "Labs: " + string.Join(", ", LabRunner.Names()) + ".");
                    continue;
                }

                labs.Add(lab);
            }

            for (int i = 0; i < labs.Count && !_stop.IsCancellationRequested; i++)
            {
                ILab lab = labs[i];
                var record = new ProgressRecord(3, "Invoke-VbdLab " + LabRunner.Number(lab) + " " + lab.Name + " (seed " + Seed + ")", "Starting")
                {
                    PercentComplete = 0,
                };
                var progress = new PipelineProgress<LabProgress>(p =>
                {
                    record.StatusDescription = p.Step;
                    record.PercentComplete = Math.Max(0, Math.Min(100, p.Percent));
                    WriteProgress(record);
                });
                LabResult result = LabRunner.Run(lab, Seed, progress, _stop.Token);
                record.RecordType = ProgressRecordType.Completed;
                WriteProgress(record);
                _results.Add(result);
                WriteObject(result);
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            if (ReportPath is null || _results.Count == 0)
            {
                return;
            }

            string folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(ReportPath);
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

        /// <inheritdoc />
        protected override void StopProcessing() => _stop.Cancel();
    }
}
