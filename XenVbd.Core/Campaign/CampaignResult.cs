using System;

namespace XenVbd.Campaign
{
    /// <summary>
    /// What one case did. Everything but <see cref="WallElapsed"/> is a function of the case alone, so the
    /// results files of a campaign are the same on one core, on all cores, or in shards on many machines.
    /// </summary>
    public sealed class CampaignResult
    {
        public CampaignResult(CampaignCase @case, CampaignOutcome outcome, string failure, string detail)
        {
            Case = @case ?? throw new ArgumentNullException(nameof(@case));
            Outcome = outcome;
            Failure = failure ?? "";
            Detail = detail ?? "";
        }

        public CampaignCase Case { get; }

        public long Index => Case.Index;

        public CampaignOutcome Outcome { get; }

        /// <summary>
        /// How it failed, as a short stable signature: <c>Corruption:Lost</c>, <c>DoubleCompletion</c>, <c>Hung</c>,
        /// <c>Broken</c>, <c>IoErrors</c>, <c>NotConnected:LayoutMismatch</c>, <c>Exception:TypeName</c>; empty when passed.
        /// Two failures are "the same way" when their signatures are equal: the shrinker keeps it.
        /// </summary>
        public string Failure { get; }

        /// <summary>A human sentence about the failure (first violation, error counts).</summary>
        public string Detail { get; }

        public string Configuration => Case.Configuration;

        public string FaultPlan => Case.FaultPlan;

        public string Workload => Case.WorkloadName;

        public ulong Seed => Case.Seed;

        public long Operations { get; set; }

        public long Errors { get; set; }

        public long Violations { get; set; }

        public long FaultsInjected { get; set; }

        /// <summary>Virtual time the workloads took, summed over the case's devices.</summary>
        public TimeSpan VirtualElapsed { get; set; }

        /// <summary>How long the case took on this machine: shown, never written to a results file.</summary>
        public TimeSpan WallElapsed { get; set; }

        public bool Passed => Outcome == CampaignOutcome.Passed;

        public override string ToString() => "#" + Index + " " + Outcome + (Failure.Length > 0 ? " " + Failure : "") + " " + Case.Configuration;
    }
}
