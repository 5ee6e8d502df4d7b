using System;
using System.Management.Automation;
using XenVbd.Faults;
using XenVbd.PowerShell.Infrastructure;
using XenVbd.Ring;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Adds a fault rule to a device's fault plan (switchable at run time, like a device-mapper table).</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Add, "VbdFault", SupportsShouldProcess = true)]
    [OutputType(typeof(FaultRule))]
    public sealed class AddVbdFaultCommand : VbdDeviceCommandBase
    {
        // Engine enums are kept in int fields: see XenVbdModuleInitializer.
        private int _kind;
        private int _ops = (int)FaultOps.All;
        private int _distribution = (int)LatencyShape.Fixed;
        private int _migrateTo = (int)BlkifAbi.X86_32;

        [Parameter(Mandatory = true, Position = 1)]
        public FaultKind Kind { get => (FaultKind)_kind; set => _kind = (int)value; }

        /// <summary>Probability (0..1) that a matching request is hit.</summary>
        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double Rate { get; set; } = 1.0;

        [Parameter]
        public FaultOps Operation { get => (FaultOps)_ops; set => _ops = (int)value; }

        /// <summary>First 512-byte sector of the targeted range.</summary>
        [Parameter]
        [ValidateRange(0L, long.MaxValue)]
        public long FirstSector { get; set; }

        /// <summary>End (exclusive) of the targeted range; all sectors when omitted.</summary>
        [Parameter]
        [ValidateRange(1L, long.MaxValue)]
        public long EndSector { get; set; } = long.MaxValue;

        [Parameter]
        public TimeSpan Start { get; set; }

        [Parameter]
        public TimeSpan End { get; set; }

        [Parameter]
        public TimeSpan Period { get; set; }

        [Parameter]
        public TimeSpan ActiveFor { get; set; }

        /// <summary>Stop after this many injections; 0 = no limit.</summary>
        [Parameter]
        [ValidateRange(0L, long.MaxValue)]
        public long MaxCount { get; set; }

        /// <summary>Latency: the fixed delay, the uniform minimum, the exponential mean or the Pareto scale.</summary>
        [Parameter]
        public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(1);

        /// <summary>Latency: the upper bound (uniform maximum, cap of exponential and Pareto).</summary>
        [Parameter]
        public TimeSpan MaxDelay { get; set; }

        [Parameter]
        public LatencyShape Distribution { get => (LatencyShape)_distribution; set => _distribution = (int)value; }

        [Parameter]
        [ValidateRange(0.1, 100.0)]
        public double ParetoAlpha { get; set; } = 1.5;

        /// <summary>SlowStorage: bytes per second the storage serves.</summary>
        [Parameter]
        [ValidateRange(1L, long.MaxValue)]
        public long BytesPerSecond { get; set; } = 10L * 1024 * 1024;

        /// <summary>Migration: the ABI of the dom0 the backend moves to.</summary>
        [Parameter]
        [BlkifAbiTransformation]
        public BlkifAbi MigrateTo { get => (BlkifAbi)_migrateTo; set => _migrateTo = (int)value; }

        [Parameter]
        public string? FaultName { get; set; }

        /// <inheritdoc />
        protected override string FailureErrorId => ErrorIds.InvalidFaultRule;

        /// <inheritdoc />
        protected override void ProcessDevice(DeviceSession session)
        {
            LatencyDistribution? latency = null;
            if (Kind == FaultKind.Latency || Kind == FaultKind.Reorder || MyInvocation.BoundParameters.ContainsKey(nameof(Delay)))
            {
                TimeSpan max = MaxDelay > TimeSpan.Zero ? MaxDelay : TimeSpan.FromTicks(Delay.Ticks * 10);
                latency = Distribution switch
                {
                    LatencyShape.Uniform => LatencyDistribution.Uniform(Delay, max),
                    LatencyShape.Exponential => LatencyDistribution.Exponential(Delay, max),
                    LatencyShape.Pareto => LatencyDistribution.Pareto(Delay, ParetoAlpha, max),
                    _ => LatencyDistribution.Fixed(Delay),
                };
            }

            var rule = new FaultRule(Kind)
            {
                Name = FaultName,
                Rate = Rate,
                Target = new FaultTarget(Operation, FirstSector, EndSector),
                Start = Start,
                End = MyInvocation.BoundParameters.ContainsKey(nameof(End)) ? End : (TimeSpan?)null,
                Period = MyInvocation.BoundParameters.ContainsKey(nameof(Period)) ? Period : (TimeSpan?)null,
                ActiveFor = MyInvocation.BoundParameters.ContainsKey(nameof(ActiveFor)) ? ActiveFor : (TimeSpan?)null,
                MaxCount = MaxCount,
                Latency = latency,
                BytesPerSecond = BytesPerSecond,
                MigrateTo = MigrateTo,
            };

            try
            {
                rule.Validate();
            }
            catch (Exception ex) when (ex is ArgumentException || ex is InvalidOperationException)
            {
                this.WriteError(ex, rule, ErrorIds.InvalidFaultRule);
                return;
            }

            if (Kind == FaultKind.PowerCut && !session.Device.Options.VolatileWriteCache)
            {
                // Without a volatile cache every write is already on the disk when it completes: a power cut would drop nothing.
                this.WriteError(ErrorIds.PowerCutNeedsWriteCache, ErrorCategory.InvalidOperation, rule,
                    "A PowerCut fault on '" + session.Name + "' could not drop anything: the device has no volatile write cache, so every completed write is already on its disk. The rule was not added.",
                    "Create the device with a write-back cache: New-VbdDevice -Name " + session.Name + "-cached -VolatileWriteCache, then add the PowerCut fault to that device.");
                return;
            }

            // The rule has no id until it is added: describe it without one ("#0" read as a real rule's id).
            if (!ShouldProcess(session.Name, "Add a " + rule.Kind + " fault (rate " + rule.Rate.ToString(System.Globalization.CultureInfo.InvariantCulture) + (rule.MaxCount > 0 ? ", at most " + rule.MaxCount : ", no limit") + ")"))
            {
                return;
            }

            session.Faults.Plan.Add(rule);
            WriteObject(Decorate.WithDevice(rule, session.Name));
        }
    }
}
