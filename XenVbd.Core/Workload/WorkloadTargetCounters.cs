namespace XenVbd.Workload
{
    /// <summary>Cumulative driver counters a target exposes; a run reports the difference between its end and its start.</summary>
    public sealed class WorkloadTargetCounters
    {
        public long Requests { get; init; }
        public long Probes { get; init; }
        public long AbiSwitches { get; init; }
        /// <summary>SRBs the frontend sent to the ring again after a timeout or reset (its own requeues, not the host's retries).</summary>
        public long Requeues { get; init; }
        public long Timeouts { get; init; }
        public long Resets { get; init; }
        public long Reconnects { get; init; }

        public WorkloadTargetCounters Minus(WorkloadTargetCounters start) => new WorkloadTargetCounters
        {
            Requests = Requests - start.Requests,
            Probes = Probes - start.Probes,
            AbiSwitches = AbiSwitches - start.AbiSwitches,
            Requeues = Requeues - start.Requeues,
            Timeouts = Timeouts - start.Timeouts,
            Resets = Resets - start.Resets,
            Reconnects = Reconnects - start.Reconnects,
        };
    }
}
