using System;
using System.Management.Automation;
using System.Threading;
using XenVbd.PowerShell.Infrastructure;
using XenVbd.Workload;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>Block-size profiles Invoke-VbdWorkload offers besides a fixed -BlockSize.</summary>
    public enum VbdBlockSizeProfile
    {
        /// <summary>Every I/O is -BlockSize bytes.</summary>
        Fixed,

        /// <summary>The Windows mix of the original Xen wiki page on the GPLPV driver: mostly 512 B, rarely 4 KiB, very rarely 8 KiB, chkdsk-like bursts above that.</summary>
        WindowsSeed,

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

        /// <summary>The progress bar is redrawn at most this often (wall clock): drawing costs more than thousands of I/Os.</summary>
        private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);

        /// <inheritdoc />
        protected override string FailureErrorId => ErrorIds.WorkloadFailed;

        /// <inheritdoc />
        protected override void ProcessDevice(DeviceSession session)
        {
            BlockSizeDistribution sizes = Profile switch
            {
                VbdBlockSizeProfile.WindowsSeed => BlockSizeDistribution.WindowsSeed,
                VbdBlockSizeProfile.ChkdskBurst => BlockSizeDistribution.ChkdskBurst,
                _ => BlockSizeDistribution.Fixed(BlockSize),
            };
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
                AssumeZeroedDisk = false,
                FlushEvery = FlushEvery,
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
            var options = new WorkloadRunOptions
            {
                CancellationToken = _stop.Token,
                Progress = new PipelineProgress<WorkloadProgress>(p =>
                {
                    progress.PercentComplete = Math.Max(0, Math.Min(100, p.PercentComplete));
                    progress.StatusDescription = p.Completed + " I/Os, " + p.VirtualSeconds.ToString("0.000") + " s virtual, " + p.Errors + " errors, " + p.Violations + " violations";
                    WriteProgress(progress);
                }, ProgressInterval),
            };

            var target = new DeviceWorkloadTarget(session.Device, QueueDepth, sizes.MaxBytes);
            WorkloadResult result;
            using (ConsoleInterrupt.Watch(Host, _stop))
            {
                result = WorkloadRunner.Run(target, spec, options);
            }

            // The workload wrote its own headers over the disk: what Invoke-Srb wrote there is gone.
            session.ForgetAll();
            PSObject output = Decorate.WithDevice(result, session.Name);
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
            if (!_interrupted)
            {
                base.ProcessRecord();
            }
        }

        /// <inheritdoc />
        protected override void StopProcessing() => _stop.Cancel();
    }
}
