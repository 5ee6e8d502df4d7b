using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using XenVbd.Device;
using XenVbd.Faults;
using XenVbd.PowerShell.Infrastructure;
using XenVbd.Workload;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>Block-size profiles Invoke-VbdWorkload offers besides a fixed -BlockSize.</summary>
    public enum VbdBlockSizeProfile
    {
        /// <summary>Every I/O is -BlockSize bytes.</summary>
        Fixed,

        /// <summary>The Windows mix the Xen wiki's GPLPV page (2008) describes: mostly 512 B, rarely 4 KiB, very rarely 8 KiB, chkdsk-like bursts above that.</summary>
        WindowsMix,

        /// <summary>Large chkdsk-style transfers.</summary>
        ChkdskBurst,
    }

    /// <summary>
    /// <para type="synopsis">Runs a fio-style verified workload on a device and returns IOPS, bandwidth, latency percentiles and integrity violations.</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "VbdWorkload")]
    [OutputType(typeof(WorkloadResult))]
    public sealed class InvokeVbdWorkloadCommand : VbdDeviceCommandBase
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private int _pattern = (int)IoPattern.Random;

        [Parameter]
        public IoPattern Pattern { get => (IoPattern)_pattern; set => _pattern = (int)value; }

        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double ReadFraction { get; set; } = 0.5;

        [Parameter]
        [ValidateRange(512, 4 * 1024 * 1024)]
        public int BlockSize { get; set; } = 4096;

        [Parameter]
        public VbdBlockSizeProfile Profile { get; set; } = VbdBlockSizeProfile.Fixed;

        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double MisalignedFraction { get; set; }

        [Parameter]
        [ValidateRange(1, 511)]
        public int[]? AlignmentOffsets { get; set; }

        [Parameter]
        [ValidateRange(1, 256)]
        public int QueueDepth { get; set; } = 8;

        [Parameter]
        [ValidateRange(0L, long.MaxValue)]
        public long Count { get; set; } = 1000;

        [Parameter]
        public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(1);

        [Parameter]
        public ulong Seed { get; set; } = 1;

        [Parameter]
        public SwitchParameter NoVerify { get; set; }

        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int FlushEvery { get; set; }

        [Parameter]
        public string? WorkloadName { get; set; }

        /// <summary>Where on the disk the workload's region starts, in bytes (a multiple of the logical sector size).</summary>
        [Parameter]
        [ValidateRange(0L, long.MaxValue)]
        public long OffsetBytes { get; set; }

        /// <summary>How many bytes the workload's region spans; 0 = from -OffsetBytes to the end of the disk.</summary>
        [Parameter]
        [ValidateRange(0L, long.MaxValue)]
        public long LengthBytes { get; set; }

        /// <summary>A block-size mix: transfer bytes to weight (e.g. @{ 512 = 0.9; 4096 = 0.1 }); overrides -Profile and -BlockSize.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public Hashtable? BlockSizeMix { get; set; }

        /// <summary>Blocks the workload never wrote must read back as zeros (a fresh disk), not just be left unjudged.</summary>
        [Parameter]
        public SwitchParameter AssumeZeroedDisk { get; set; }

        /// <summary>The class driver's retries: an SRB that fails transiently (timeout, bus reset) is sent again up to this many times.</summary>
        [Parameter]
        [ValidateRange(0, 100)]
        public int RetryCount { get; set; }

        /// <summary>Virtual time before the first retry (doubling, with jitter, after that).</summary>
        [Parameter]
        public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

        /// <summary>Completion counts at which -Action runs, in the middle of the workload.</summary>
        [Parameter]
        [ValidateRange(1L, long.MaxValue)]
        public long[]? AtCompletion { get; set; }

        /// <summary>Runs after each completion count of -AtCompletion (the count is $args[0] and $_): add a fault, migrate, reset.</summary>
        [Parameter]
        public ScriptBlock? Action { get; set; }

        /// <summary>
        /// Runs the workload on a fresh device per frontend personality named (wildcards; * for every one), in the
        /// catalogue's order, one result each with its Personality. With -Device or -Name it may only name that device's
        /// own personality.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(PersonalityNameCompleter))]
        public string[]? Personality { get; set; }

        /// <summary>New-VbdDevice parameters for the fresh devices -Personality creates, on top of 64 MiB, the workload's seed and guest buffers for its queue depth.</summary>
        [Parameter]
        [ValidateNotNull]
        public Hashtable? DeviceOptions { get; set; }

        /// <summary>The type name of a result from a fresh device per personality: its view shows the Personality column.</summary>
        public const string PerPersonalityTypeName = "XenVbd.Workload.WorkloadResult#Personality";

        /// <summary>Disk size of a fresh device -Personality creates (New-VbdLabDevice's).</summary>
        private const long FreshDeviceBytes = 64L << 20;

        /// <summary>Guest buffers of a fresh device at least (New-VbdLabDevice's); more when the queue depth and transfers need it.</summary>
        private const int FreshDeviceGuestBytes = 8 << 20;

        private bool _perPersonality;

        /// <summary>The progress bar is redrawn at most this often (wall clock): drawing costs more than thousands of I/Os.</summary>
        private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);

        /// <inheritdoc />
        protected override string FailureErrorId => ErrorIds.WorkloadFailed;

        /// <inheritdoc />
        protected override void ProcessDevice(DeviceSession session)
        {
            if (Personality is not null && !_perPersonality)
            {
                IReadOnlyList<string> named = ResolvePersonalities();
                string own = session.Device.Personality.ToString();
                if (named.Count != 1 || !string.Equals(named[0], own, StringComparison.Ordinal))
                {
                    this.WriteError(ErrorIds.PersonalityConflictsWithDevice, ErrorCategory.InvalidArgument, session.Name,
                        "The device '" + session.Name + "' runs the " + own + " frontend; -Personality " + string.Join(", ", Personality) + " asks for "
                        + (named.Count == 0 ? "none that exists" : string.Join(", ", named)) + ". With a device, -Personality may only name that device's own personality.",
                        "Leave out -Device and -Name to run on a fresh device per personality (Invoke-VbdWorkload -Personality " + string.Join(",", Personality) + "), or create a device with New-VbdDevice -Personality.");
                    return;
                }
            }

            if ((AtCompletion is null) != (Action is null))
            {
                this.WriteError(ErrorIds.InvalidWorkload, ErrorCategory.InvalidArgument, session.Name,
                    "-AtCompletion and -Action go together: one says when, the other what.",
                    "Give both, e.g. -AtCompletion 100 -Action { Add-VbdFault " + session.Name + " -Kind BadId -MaxCount 1 }.");
                return;
            }

            BlockSizeDistribution sizes;
            if (BlockSizeMix is not null)
            {
                if (!TryReadMix(BlockSizeMix, out sizes, out string problem))
                {
                    this.WriteError(ErrorIds.InvalidWorkload, ErrorCategory.InvalidArgument, BlockSizeMix, "-BlockSizeMix: " + problem,
                        "Give transfer sizes in bytes (multiples of 512, up to 4 MiB) with positive weights, e.g. -BlockSizeMix @{ 512 = 0.9; 4096 = 0.08; 8192 = 0.02 }.");
                    return;
                }
            }
            else
            {
                sizes = Profile switch
                {
                    VbdBlockSizeProfile.WindowsMix => BlockSizeDistribution.WindowsMix,
                    VbdBlockSizeProfile.ChkdskBurst => BlockSizeDistribution.ChkdskBurst,
                    _ => BlockSizeDistribution.Fixed(BlockSize),
                };
            }
            // Whichever comes first: only the limits the user gave apply. -Duration alone runs for that long
            // (the default count does not cut it short); neither gives the default count.
            bool countGiven = MyInvocation.BoundParameters.ContainsKey(nameof(Count));
            bool durationGiven = MyInvocation.BoundParameters.ContainsKey(nameof(Duration));
            long count = countGiven || !durationGiven ? Count : 0;
            var spec = new WorkloadSpec
            {
                Name = WorkloadName ?? session.Name,
                Pattern = Pattern,
                ReadFraction = ReadFraction,
                BlockSizes = sizes,
                MisalignedFraction = MisalignedFraction,
                AlignmentOffsets = AlignmentOffsets ?? Array.Empty<int>(),
                QueueDepth = QueueDepth,
                Count = count,
                Duration = Duration,
                StopAtDuration = count > 0 && durationGiven,
                Seed = Seed,
                Verify = !NoVerify,
                AssumeZeroedDisk = AssumeZeroedDisk.IsPresent,
                FlushEvery = FlushEvery,
                OffsetBytes = OffsetBytes,
                LengthBytes = LengthBytes,
            };
            try
            {
                spec.Validate();
            }
            catch (ArgumentException ex)
            {
                this.WriteError(ex, spec, ErrorIds.InvalidWorkload);
                return;
            }

            long diskBytes = session.Device.SizeBytes;
            if (sizes.MaxBytes > diskBytes)
            {
                // The runner would cut such transfers down to the disk without a word, so the workload run is not the one asked for.
                this.WriteError(ErrorIds.InvalidWorkload, ErrorCategory.InvalidArgument, spec,
                    "Transfers of up to " + sizes.MaxBytes + " bytes do not fit '" + session.Name + "', a disk of " + diskBytes + " bytes; the workload would not be the one asked for.",
                    "Use a -BlockSize (or -Profile) whose largest transfer is at most " + diskBytes + " bytes, or a bigger device (New-VbdDevice -SizeBytes).");
                return;
            }

            int needed = DeviceWorkloadTarget.GuestBufferBytesFor(QueueDepth, sizes.MaxBytes);
            int available = session.Device.Options.GuestBufferBytes;
            if (needed > available)
            {
                this.WriteError(ErrorIds.InvalidWorkload, ErrorCategory.InvalidArgument, spec,
                    "A queue depth of " + QueueDepth + " with transfers up to " + sizes.MaxBytes + " bytes needs " + needed + " bytes of guest buffers; the device has " + available + ".",
                    "Lower -QueueDepth or the block size, or create the device with room for it: New-VbdDevice -QueueDepth " + QueueDepth + " sizes the guest buffer for " + QueueDepth + " transfers of up to 1 MiB, -GuestBufferBytes " + needed + " sets it directly.");
                return;
            }

            var progress = new ProgressRecord(2, "Invoke-VbdWorkload " + spec.Name, "Starting");
            // The device's fault plan is reported in FaultsByKind and its changes are picked up after every
            // completion; an -Action may add the first rule, so it attaches the plan up front.
            bool withFaults = session.HasFaults || Action is not null;
            HostRetryCounters? retries = RetryCount > 0 ? new HostRetryCounters() : null;
            Exception? actionFailure = null;
            var at = AtCompletion is null ? null : new HashSet<long>(AtCompletion);
            var options = new WorkloadRunOptions
            {
                Faults = withFaults ? session.Faults.Injector : null,
                HostRetries = retries,
                OnCompletion = at is null ? null : n =>
                {
                    if (actionFailure is not null || !at.Contains(n))
                    {
                        return;
                    }

                    try
                    {
                        Action!.InvokeWithContext(null, new List<PSVariable> { new PSVariable("_", n) }, n, session.Device);
                    }
                    catch (Exception ex) when (ex is not PipelineStoppedException)
                    {
                        // Stop issuing and drain: the run ends cleanly and the error says which completion it was.
                        actionFailure = ex;
                        _stop.Cancel();
                    }
                },
                CancellationToken = _stop.Token,
                Progress = new PipelineProgress<WorkloadProgress>(p =>
                {
                    progress.PercentComplete = Math.Max(0, Math.Min(100, p.PercentComplete));
                    progress.StatusDescription = p.Completed + " I/Os, " + p.VirtualSeconds.ToString("0.000") + " s virtual, " + p.Errors + " errors, " + p.Violations + " violations";
                    WriteProgress(progress);
                }, ProgressInterval),
            };

            HostRetryOptions? retry = RetryCount > 0
                ? new HostRetryOptions { MaxRetries = RetryCount, BaseDelay = RetryDelay, UseCircuitBreaker = false }
                : null;
            WorkloadResult result;
            // Held for the whole run (it drives the scheduler directly): another thread's call, Dispose included, is refused meanwhile.
            using (session.Device.Use())
            using (ConsoleInterrupt.Watch(Host, _stop))
            {
                var target = new DeviceWorkloadTarget(session.Device, QueueDepth, sizes.MaxBytes, retry, retries);
                result = WorkloadRunner.Run(target, spec, options);
            }

            // The workload wrote its own headers over the disk: what Invoke-Srb wrote there is gone.
            session.ForgetAll();
            PSObject output = Decorate.WithDevice(result, session.Name);
            if (_perPersonality)
            {
                output.TypeNames.Insert(0, PerPersonalityTypeName);
            }
            if (actionFailure is not null)
            {
                // The -Action stopped the run: the result covers what completed, and the error says why.
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
                WriteObject(output);
                Exception inner = actionFailure is RuntimeException { ErrorRecord.Exception: { } e } ? e : actionFailure;
                this.WriteError(ErrorIds.WorkloadActionFailed, ErrorCategory.OperationStopped, session.Name,
                    "The -Action of the workload on '" + session.Name + "' failed after " + result.Operations + " completions, so the workload was stopped: " + inner.Message,
                    "Fix the script block; run it alone first (it gets the completion count as $_).");
                return;
            }
            if (!result.Cancelled)
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
                WriteObject(output);
                return;
            }

            // Stopped early. The partial result is kept in $VbdLastWorkload whatever happens next: a pipeline
            // PowerShell has stopped (PowerShell.Stop(), a signal, Ctrl+C outside the console) takes no output.
            SessionState.PSVariable.Set(new PSVariable(LastWorkloadVariable, output, ScopedItemOptions.None));
            string warning = "The workload on '" + session.Name + "' was stopped after " + result.Operations + " I/Os ("
                + result.VirtualElapsed.TotalSeconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)
                + " s virtual); the result covers those.";
            if (Stopping)
            {
                Host.UI.WriteWarningLine(warning + " The pipeline was stopped, so it is in $" + LastWorkloadVariable + ".");
                return;
            }

            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
            WriteWarning(warning);
            WriteObject(output);
            _interrupted = true;
        }

        /// <summary>The variable an early-stopped workload's partial result is kept in.</summary>
        public const string LastWorkloadVariable = "VbdLastWorkload";

        private bool _interrupted;

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            // After Ctrl+C in the console the remaining piped devices are not started.
            if (_interrupted)
            {
                return;
            }

            bool deviceGiven = Device is not null || !string.IsNullOrEmpty(DeviceName) || (Name is not null && Name.Length > 0);
            if (DeviceOptions is not null && (deviceGiven || Personality is null))
            {
                this.WriteError(ErrorIds.InvalidWorkload, ErrorCategory.InvalidArgument, DeviceOptions,
                    "-DeviceOptions is for the fresh devices -Personality creates; " + (deviceGiven ? "the workload was given a device of its own." : "no -Personality was given."),
                    "Give -Personality without -Device or -Name, or set the device's options when creating it with New-VbdDevice.");
                return;
            }

            if (Personality is null || deviceGiven)
            {
                base.ProcessRecord();
                return;
            }

            foreach (string personality in ResolvePersonalities())
            {
                if (_interrupted)
                {
                    return;
                }

                RunOnFreshDevice(personality);
            }
        }

        /// <summary>The personalities -Personality names, in the catalogue's order; a PersonalityNotFound error for a name nothing matches.</summary>
        private IReadOnlyList<string> ResolvePersonalities() => GetVbdPersonalityCommand.Resolve(this, Personality!);

        /// <summary>
        /// Creates a device under <paramref name="personality"/> through New-VbdDevice itself (as New-VbdLabDevice does,
        /// so every option is checked and its errors read as there), runs the workload on it and removes it.
        /// </summary>
        private void RunOnFreshDevice(string personality)
        {
            int maxBytes = BlockSizeMix is null && Profile == VbdBlockSizeProfile.Fixed ? BlockSize : 4 * 1024 * 1024;
            string name = "workload-" + personality;
            for (int n = 2; DeviceRegistry.Current.Find(name) is not null; n++)
            {
                name = "workload-" + personality + "-" + n.ToString(CultureInfo.InvariantCulture);
            }

            var parameters = new Hashtable(StringComparer.OrdinalIgnoreCase)
            {
                ["Name"] = name,
                ["SizeBytes"] = FreshDeviceBytes,
                ["Seed"] = Seed,
                ["GuestBufferBytes"] = Math.Max(FreshDeviceGuestBytes, DeviceWorkloadTarget.GuestBufferBytesFor(QueueDepth, maxBytes)),
                ["Personality"] = personality,
            };
            foreach (DictionaryEntry e in DeviceOptions ?? new Hashtable())
            {
                parameters[e.Key] = e.Value;
            }

            VbdDevice? device = null;
            var create = ScriptBlock.Create("param($__parameters) New-VbdDevice @__parameters -ErrorAction Stop");
            try
            {
                foreach (PSObject output in InvokeCommand.InvokeScript(false, create, null, parameters))
                {
                    device ??= output.BaseObject as VbdDevice;
                }
            }
            catch (RuntimeException ex)
            {
                WriteError(new ErrorRecord(ex.ErrorRecord, ex));
                return;
            }

            DeviceSession? session = device is null ? null : DeviceRegistry.Current.Find(device);
            if (session is null)
            {
                return;
            }

            _perPersonality = true;
            try
            {
                ProcessDevice(session);
            }
            catch (Exception ex) when (ex is not RuntimeException && ex is not OperationCanceledException)
            {
                this.WriteError(ex, session.Name, FailureErrorId);
            }
            finally
            {
                _perPersonality = false;
                var remove = ScriptBlock.Create("param($__device) Remove-VbdDevice -Device $__device -Confirm:$false");
                InvokeCommand.InvokeScript(false, remove, null, device);
            }
        }

        private static bool TryReadMix(Hashtable mix, out BlockSizeDistribution sizes, out string problem)
        {
            var weights = new List<KeyValuePair<int, double>>();
            sizes = BlockSizeDistribution.Fixed(4096);
            foreach (DictionaryEntry entry in mix)
            {
                object key = entry.Key is PSObject pk ? pk.BaseObject : entry.Key;
                object? value = entry.Value is PSObject pv ? pv.BaseObject : entry.Value;
                int bytes;
                double weight;
                try
                {
                    bytes = Convert.ToInt32(key, CultureInfo.InvariantCulture);
                    weight = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                }
                catch (Exception ex) when (ex is FormatException || ex is InvalidCastException || ex is OverflowException)
                {
                    problem = "'" + key + "' = '" + value + "' is not a size in bytes with a numeric weight.";
                    return false;
                }

                if (bytes < 512 || bytes > 4 * 1024 * 1024 || bytes % 512 != 0 || !(weight > 0) || double.IsInfinity(weight))
                {
                    problem = bytes + " bytes with weight " + weight.ToString(CultureInfo.InvariantCulture) + " is out of range.";
                    return false;
                }

                weights.Add(new KeyValuePair<int, double>(bytes, weight));
            }

            // Sorted by size so the same mix typed in another order draws the same sizes from the same seed.
            weights.Sort((a, b) => a.Key.CompareTo(b.Key));
            try
            {
                sizes = new BlockSizeDistribution(weights);
            }
            catch (ArgumentException ex)
            {
                problem = ex.Message;
                return false;
            }

            problem = "";
            return true;
        }

        /// <inheritdoc />
        protected override void StopProcessing() => _stop.Cancel();
    }
}
