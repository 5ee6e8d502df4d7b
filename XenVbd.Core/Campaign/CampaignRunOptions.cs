using System;
using System.Threading;

namespace XenVbd.Campaign
{
    /// <summary>How a campaign runs (never what it computes: no option here changes a result).</summary>
    public sealed class CampaignRunOptions
    {
        /// <summary>Worker threads; 0 = one per core.</summary>
        public int MaxDegreeOfParallelism { get; init; }

        public CampaignShard Shard { get; init; } = CampaignShard.All;

        /// <summary>Only these case indices (each within the matrix; those outside the shard are left out); null = every case.</summary>
        public System.Collections.Generic.IReadOnlyList<long>? Cases { get; init; }

        /// <summary>Stops handing out cases; cases already running finish and are kept.</summary>
        public CancellationToken CancellationToken { get; init; }

        /// <summary>Called on a worker thread as each case finishes (in finishing order, not index order).</summary>
        public Action<CampaignResult>? OnResult { get; init; }

        /// <summary>
        /// Each worker keeps a connected device per configuration and restores it from a snapshot for the next case
        /// of that configuration (<see cref="Device.VbdDevicePool"/>) instead of building and connecting one per
        /// case. A restored device is indistinguishable from a fresh one, so results are the same either way; off
        /// is the older, slower path (kept for the benchmark that compares them).
        /// </summary>
        public bool ReuseDevices { get; init; } = true;

        internal int Workers => MaxDegreeOfParallelism > 0 ? MaxDegreeOfParallelism : Environment.ProcessorCount;
    }
}
