using System;
using XenVbd.Faults;
using XenVbd.Ring;

namespace XenVbd.Campaign
{
    /// <summary>
    /// One fault rule of a campaign's fault plan, written down as data (a line of a data file, a replay file)
    /// rather than as a live <see cref="FaultRule"/>: the same parameters <c>Add-VbdFault</c> takes, so a rule
    /// reads the same in a campaign as at the prompt. <see cref="ToRule"/> makes a fresh live rule per case,
    /// since a live rule counts its own injections.
    /// </summary>
    public sealed class CampaignFaultRule
    {
        public FaultKind Kind { get; set; }

        public double Rate { get; set; } = 1.0;

        public FaultOps Operation { get; set; } = FaultOps.All;

        public long FirstSector { get; set; }

        public long EndSector { get; set; } = long.MaxValue;

        public TimeSpan Start { get; set; }

        public TimeSpan? End { get; set; }

        public TimeSpan? Period { get; set; }

        public TimeSpan? ActiveFor { get; set; }

        /// <summary>Most injections; 0 = no limit. The shrinker lowers it towards the fewest injections that still fail.</summary>
        public long MaxCount { get; set; }

        /// <summary>Latency and Reorder: the delay (Fixed), the lower bound (Uniform), the mean (Exponential) or the scale (Pareto).</summary>
        public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(1);

        /// <summary>The ceiling of a random delay; zero = ten times <see cref="Delay"/>, as Add-VbdFault.</summary>
        public TimeSpan MaxDelay { get; set; }

        public LatencyShape Distribution { get; set; } = LatencyShape.Fixed;

        public double ParetoAlpha { get; set; } = 1.5;

        public long BytesPerSecond { get; set; } = 10L * 1024 * 1024;

        public BlkifAbi MigrateTo { get; set; } = BlkifAbi.X86_32;

        public bool MigrateNative { get; set; } = true;

        public CampaignFaultRule Clone() => (CampaignFaultRule)MemberwiseClone();

        /// <summary>A live rule for one case; throws (naming the parameter) when the line cannot mean anything.</summary>
        public FaultRule ToRule()
        {
            LatencyDistribution? latency = null;
            if (Kind == FaultKind.Latency || Kind == FaultKind.Reorder)
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
                Rate = Rate,
                Target = new FaultTarget(Operation, FirstSector, EndSector),
                Start = Start,
                End = End,
                Period = Period,
                ActiveFor = ActiveFor,
                MaxCount = MaxCount,
                Latency = latency,
                BytesPerSecond = BytesPerSecond,
                MigrateTo = MigrateTo,
                MigrateMode = MigrateNative ? Backend.BackendAbiMode.Native : Backend.BackendAbiMode.Protocol,
            };
            rule.Validate();
            return rule;
        }

        public override string ToString()
            => Kind + (Rate < 1 ? " rate " + Rate.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) : "")
               + (MaxCount > 0 ? " count " + MaxCount.ToString(System.Globalization.CultureInfo.InvariantCulture) : "");
    }
}
