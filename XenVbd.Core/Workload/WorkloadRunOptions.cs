using System;
using System.Threading;
using XenVbd.Faults;

namespace XenVbd.Workload
{
    /// <summary>How a run is observed and steered, as opposed to what it does (<see cref="WorkloadSpec"/>).</summary>
    public sealed class WorkloadRunOptions
    {
        public IProgress<WorkloadProgress>? Progress { get; init; }

        public int ProgressEvery { get; init; } = 1000;

        /// <summary>Ctrl+C: stop issuing, drain what is in flight, return partial results.</summary>
        public CancellationToken CancellationToken { get; init; }

        /// <summary>The fault injector whose counters the result reports and whose plan changes are picked up after every completion.</summary>
        public FaultInjector? Faults { get; init; }

        /// <summary>Host retry counters to report (when the target runs SRBs through a retry pipeline).</summary>
        public HostRetryCounters? HostRetries { get; init; }

        /// <summary>Carry verification state across runs (write in one, verify after a migration in the next).</summary>
        public ExpectedGenerationMap? Map { get; init; }

        /// <summary>Called on the scheduler's thread after every completion; a lab uses it to change the fault plan mid-run.</summary>
        public Action<long>? OnCompletion { get; init; }

        /// <summary>Most violations kept in the list (all are counted).</summary>
        public int MaxViolationsListed { get; init; } = 1000;

        /// <summary>Scheduler events without a completion after which a run with work in flight counts as stuck.</summary>
        public long MaxEventsWithoutProgress { get; init; } = 5_000_000;
    }
}
