using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using XenVbd.Backend;
using XenVbd.Campaign;
using XenVbd.Frontend;
using XenVbd.PowerShell.Infrastructure;
using XenVbd.Ring;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Runs a campaign: every combination of device settings, fault plans, workloads and seeds, on every core, and shrinks what fails.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "VbdCampaign", DefaultParameterSetName = ParametersSet)]
    [OutputType(typeof(CampaignResult), typeof(CampaignReproduction))]
    public sealed class InvokeVbdCampaignCommand : PSCmdlet
    {
        private const string ParametersSet = "Parameters";
        private const string PathSet = "Path";
        private const string ReplaySet = "Replay";

        /// <summary>The progress bar is redrawn at most this often: drawing costs more than a case.</summary>
        private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        /// <summary>A matrix data file: a PowerShell data file (.psd1) or JSON.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>A replay file written by a shrink: runs that one case.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ReplaySet)]
        [ValidateNotNullOrEmpty]
        public string? Replay { get; set; }

        [Parameter(ParameterSetName = ParametersSet)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = "campaign";

        [Parameter(ParameterSetName = ParametersSet)]
        [BlkifAbiTransformation]
        public BlkifAbi[]? FrontendAbi { get; set; }

        [Parameter(ParameterSetName = ParametersSet)]
        public FrontendAbiMode[]? FrontendMode { get; set; }

        [Parameter(ParameterSetName = ParametersSet)]
        [BlkifAbiTransformation]
        public BlkifAbi[]? BackendAbi { get; set; }

        [Parameter(ParameterSetName = ParametersSet)]
        public BackendAbiMode[]? BackendMode { get; set; }

        [Parameter(ParameterSetName = ParametersSet)]
        public BounceStrategyKind[]? Bounce { get; set; }

        [Parameter(ParameterSetName = ParametersSet)]
        [ValidateRange(0, 4)]
        public int[]? MaxRingPageOrder { get; set; }

        [Parameter(ParameterSetName = ParametersSet)]
        [ValidateRange(0, 256)]
        public int[]? MaxIndirectSegments { get; set; }

        /// <summary>Any other axis by name (e.g. @{ UntrustedBackend = 'Off','On' }).</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        public Hashtable? Axis { get; set; }

        /// <summary>Named fault plans: @{ none = @(); drops = @{ Kind = 'Drop'; Rate = 0.01 } }.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        public Hashtable? FaultPlan { get; set; }

        /// <summary>Named workloads: @{ small = @{ Count = 200; BlockSizes = 4096, 65536 } }.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        public Hashtable? Workload { get; set; }

        [Parameter(ParameterSetName = ParametersSet)]
        public ulong[]? Seed { get; set; }

        /// <summary>Seeds 1..N.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [ValidateRange(1, 100_000_000)]
        public int SeedCount { get; set; }

        [Parameter(ParameterSetName = ParametersSet)]
        [ValidateRange(1, 1000)]
        public int Devices { get; set; } = 1;

        /// <summary>Runs slice i of N (e.g. 2/4), the way a CI matrix or an array job splits a campaign.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [Parameter(ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string? Shard { get; set; }

        /// <summary>Only these case numbers.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [Parameter(ParameterSetName = PathSet)]
        [ValidateRange(0L, long.MaxValue)]
        public long[]? Case { get; set; }

        /// <summary>Worker threads; default one per core.</summary>
        [Parameter]
        [ValidateRange(1, 1024)]
        public int ThrottleLimit { get; set; }

        /// <summary>Where results.jsonl, junit.xml, campaign.html and the replay files go.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? OutputDirectory { get; set; }

        /// <summary>Skip shrinking failures.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [Parameter(ParameterSetName = PathSet)]
        public SwitchParameter NoShrink { get; set; }

        /// <summary>How many failures to shrink: the first case of each distinct way of failing, up to this many.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        [Parameter(ParameterSetName = PathSet)]
        [ValidateRange(0, 1000)]
        public int ShrinkLimit { get; set; } = 3;

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == ReplaySet)
            {
                RunReplay();
                return;
            }

            CampaignMatrix matrix;
            try
            {
                matrix = ParameterSetName == PathSet ? ReadMatrix() : BuildMatrix();
            }
            catch (Exception ex) when (ex is FormatException || ex is ArgumentException)
            {
                this.WriteError(CampaignErrorIds.InvalidCampaignMatrix, ErrorCategory.InvalidData, Path ?? Name, ex.Message,
                    "Fix the matrix: axes take the names Get-Help Invoke-VbdCampaign lists, fault rules take Add-VbdFault's parameters, workloads Invoke-VbdWorkload's.");
                return;
            }
            catch (FileNotFoundException ex)
            {
                this.WriteError(CampaignErrorIds.CampaignFileNotFound, ErrorCategory.ObjectNotFound, Path, ex.Message);
                return;
            }

            // FrontendMode and Bounce are the Hardened design's to choose: beside a real driver they would only rename one case.
            string? conflict = CampaignAxisSet.HardenedOnlyConflict(matrix);
            if (conflict != null)
            {
                this.WriteError(CampaignErrorIds.PersonalityFixesAxis, ErrorCategory.InvalidArgument, Path ?? matrix.Name, conflict,
                    "Get-VbdPersonality <name> -Detailed shows the mode and bounce strategy each real driver has.");
                return;
            }
            string? note = CampaignAxisSet.DefaultPersonalityNote(matrix);
            if (note != null) WriteWarning(note);

            CampaignShard shard = CampaignShard.All;
            if (Shard != null)
            {
                try
                {
                    shard = CampaignShard.Parse(Shard);
                }
                catch (FormatException ex)
                {
                    this.WriteError(CampaignErrorIds.InvalidShard, ErrorCategory.InvalidArgument, Shard, ex.Message, "Give the slice as i/N, e.g. -Shard 2/4 (from a CI matrix index or $env:JOB_COMPLETION_INDEX + 1).");
                    return;
                }
            }
            if (Case != null)
            {
                foreach (var c in Case)
                {
                    if (c < matrix.Count) continue;
                    this.WriteError(CampaignErrorIds.InvalidCampaignMatrix, ErrorCategory.InvalidArgument, c, "Case #" + c + " is not in campaign '" + matrix.Name + "': it has cases 0.." + (matrix.Count - 1) + ".");
                    return;
                }
            }

            var results = Run(matrix, shard);
            if (results == null) return;
            var report = CampaignReport.For(matrix, shard, results);
            string? folder = OutputDirectory == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutputDirectory);
            WriteFiles(report, folder);
            if (_stop.IsCancellationRequested || NoShrink || ShrinkLimit == 0) return;
            ShrinkFailures(matrix, report, folder);
        }

        /// <inheritdoc />
        protected override void StopProcessing() => _stop.Cancel();

        private CampaignMatrix ReadMatrix()
        {
            string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            if (!File.Exists(path)) throw new FileNotFoundException("There is no campaign matrix file '" + path + "'.", path);
            return CampaignMatrix.Parse(CampaignData.ReadMatrixFile(path));
        }

        private CampaignMatrix BuildMatrix()
        {
            var table = new Hashtable(StringComparer.OrdinalIgnoreCase) { ["Name"] = Name, ["Devices"] = Devices };
            var axes = new Hashtable(StringComparer.OrdinalIgnoreCase);
            void Put(string axis, IEnumerable? values)
            {
                if (values != null) axes[axis] = values;
            }
            Put("FrontendAbi", FrontendAbi);
            Put("FrontendMode", FrontendMode);
            Put("BackendAbi", BackendAbi);
            Put("BackendMode", BackendMode);
            Put("Bounce", Bounce);
            Put("MaxRingPageOrder", MaxRingPageOrder);
            Put("MaxIndirectSegments", MaxIndirectSegments);
            if (Axis != null)
                foreach (DictionaryEntry kv in Axis)
                {
                    string key = kv.Key?.ToString() ?? "";
                    if (axes.ContainsKey(key)) throw new ArgumentException("Axis " + key + " is given both as a parameter and in -Axis.");
                    axes[key] = kv.Value;
                }
            table["Axes"] = axes;
            if (FaultPlan != null) table["FaultPlans"] = FaultPlan;
            if (Workload != null) table["Workloads"] = Workload;
            if (Seed != null) table["Seeds"] = Seed;
            else if (SeedCount > 0) table["SeedCount"] = SeedCount;
            return CampaignMatrix.Parse(CampaignData.ToJson(table));
        }

        /// <summary>Runs the cases on worker threads and writes each result as it finishes; null if the campaign could not run.</summary>
        private List<CampaignResult>? Run(CampaignMatrix matrix, CampaignShard shard)
        {
            long total = Case != null ? CountIn(shard) : shard.CasesOf(matrix.Count);
            var finished = new BlockingCollection<CampaignResult>();
            var options = new CampaignRunOptions
            {
                MaxDegreeOfParallelism = ThrottleLimit,
                Shard = shard,
                Cases = Case,
                CancellationToken = _stop.Token,
                OnResult = r => finished.Add(r),
            };
            var task = Task.Run(() =>
            {
                try
                {
                    return CampaignRunner.Run(matrix, options);
                }
                finally
                {
                    finished.CompleteAdding();
                }
            });

            string activity = "Invoke-VbdCampaign " + matrix.Name + (shard.IsAll ? "" : " shard " + shard);
            var progress = new ProgressRecord(4, activity, "Starting " + total + " cases on " + (ThrottleLimit > 0 ? ThrottleLimit : Environment.ProcessorCount) + " workers");
            var clock = Stopwatch.StartNew();
            long done = 0, failed = 0;
            var lastDraw = -ProgressInterval;
            try
            {
                foreach (var r in finished.GetConsumingEnumerable())
                {
                    done++;
                    if (r.Outcome == CampaignOutcome.Failed) failed++;
                    WriteObject(r);
                    if (clock.Elapsed - lastDraw < ProgressInterval && done < total) continue;
                    lastDraw = clock.Elapsed;
                    double rate = done / Math.Max(clock.Elapsed.TotalSeconds, 1e-3);
                    progress.PercentComplete = total == 0 ? 100 : (int)Math.Min(100, done * 100 / total);
                    progress.SecondsRemaining = rate > 0 ? (int)Math.Min(int.MaxValue, (total - done) / rate) : -1;
                    progress.StatusDescription = done + " of " + total + " cases, " + failed + " failed, " + rate.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " cases/s";
                    WriteProgress(progress);
                }
            }
            catch (PipelineStoppedException)
            {
                // Ctrl+C (or a downstream Select-Object -First): let the running cases finish and keep their results on disk.
                KeepOnStop(matrix, shard, task);
                throw;
            }

            if (_stop.IsCancellationRequested)
            {
                // Stopped after the last result was written: nothing more may go down the pipeline, the files still may.
                KeepOnStop(matrix, shard, task);
                throw new PipelineStoppedException();
            }
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
            var results = Wait(task);
            return results == null ? null : new List<CampaignResult>(results);
        }

        private void KeepOnStop(CampaignMatrix matrix, CampaignShard shard, Task<IReadOnlyList<CampaignResult>> task)
        {
            _stop.Cancel();
            IReadOnlyList<CampaignResult>? kept;
            try
            {
                kept = task.GetAwaiter().GetResult();
            }
            catch (InvalidOperationException)
            {
                return;
            }
            if (OutputDirectory != null)
                WriteFiles(CampaignReport.For(matrix, shard, kept), SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutputDirectory), quiet: true);
        }

        private long CountIn(CampaignShard shard)
        {
            var set = new HashSet<long>();
            foreach (var c in Case!) if (shard.Contains(c)) set.Add(c);
            return set.Count;
        }

        private IReadOnlyList<CampaignResult>? Wait(Task<IReadOnlyList<CampaignResult>> task)
        {
            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is ArgumentException)
            {
                this.WriteError(ex, null, CampaignErrorIds.CampaignFailed);
                return null;
            }
        }

        private void WriteFiles(CampaignReport report, string? folder, bool quiet = false)
        {
            if (folder == null) return;
            try
            {
                var files = report.WriteTo(folder);
                if (!quiet) WriteVerbose("Campaign results: " + string.Join(", ", files));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                if (!quiet) this.WriteError(ex, folder, CampaignErrorIds.CampaignOutputFailed);
            }
        }

        private void ShrinkFailures(CampaignMatrix matrix, CampaignReport report, string? folder)
        {
            var chosen = new List<CampaignResult>();
            var ways = new HashSet<string>(StringComparer.Ordinal);
            foreach (var r in report.Results)
                if (r.Outcome == CampaignOutcome.Failed && chosen.Count < ShrinkLimit && ways.Add(r.Failure)) chosen.Add(r);
            if (chosen.Count == 0) return;

            string dir = folder ?? System.IO.Path.Combine(System.IO.Path.GetTempPath(), "xenvbd-campaign-" + matrix.Fingerprint);
            Directory.CreateDirectory(dir);
            var shrinker = CampaignShrinker.ForAxes(matrix.AxisSet);
            shrinker.MaxDegreeOfParallelism = ThrottleLimit > 0 ? ThrottleLimit : Environment.ProcessorCount;
            for (int i = 0; i < chosen.Count && !_stop.IsCancellationRequested; i++)
            {
                var failing = chosen[i];
                var progress = new ProgressRecord(5, "Shrinking case #" + failing.Index + " (" + failing.Failure + ")", (i + 1) + " of " + chosen.Count) { PercentComplete = i * 100 / chosen.Count };
                WriteProgress(progress);
                var repro = shrinker.Shrink(failing);
                repro.Save(System.IO.Path.Combine(dir, "replay-" + failing.Index.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".json"));
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
                WriteObject(repro);
            }
        }

        private void RunReplay()
        {
            string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Replay);
            CampaignCase c;
            string expected;
            try
            {
                if (!File.Exists(path))
                {
                    this.WriteError(CampaignErrorIds.CampaignFileNotFound, ErrorCategory.ObjectNotFound, path, "There is no replay file '" + path + "'.");
                    return;
                }
                c = CampaignReproduction.ReadReplay(File.ReadAllText(path), CampaignAxisSet.Default, out expected);
            }
            catch (FormatException ex)
            {
                this.WriteError(CampaignErrorIds.InvalidReplayFile, ErrorCategory.InvalidData, path, ex.Message, "Give a replay-N.json file that Invoke-VbdCampaign wrote when it shrank a failure.");
                return;
            }
            var r = CampaignCaseRunner.Run(c);
            WriteObject(r);
            if (expected.Length > 0 && r.Failure != expected)
                WriteWarning("Case #" + c.Index + " was recorded failing as " + expected + " but now " + (r.Passed ? "passes" : "fails as " + r.Failure) + ": the engine changed since the file was written.");
        }
    }
}
