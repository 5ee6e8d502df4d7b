using System;

namespace XenVbd.Faults
{
    /// <summary>
    /// What a Windows disk class driver does around each SRB: a per-attempt timeout (classpnp's
    /// <c>TimeOutValue</c>, 60 s for disks), a few retries with back-off, and — as a modern host would —
    /// a circuit breaker that stops hammering a device that keeps failing. Optional host-side chaos injects
    /// stalls and bus resets at the SRB boundary.
    /// </summary>
    public sealed class HostRetryOptions
    {
        public int MaxRetries { get; init; } = 4;

        public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

        public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

        /// <summary>Per-attempt timeout; null for none.</summary>
        public TimeSpan? AttemptTimeout { get; init; } = TimeSpan.FromSeconds(60);

        /// <summary>Whether a circuit breaker guards the device.</summary>
        public bool UseCircuitBreaker { get; init; } = true;

        public double BreakerFailureRatio { get; init; } = 0.5;

        public int BreakerMinimumThroughput { get; init; } = 10;

        public TimeSpan BreakerSamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

        public TimeSpan BreakerBreakDuration { get; init; } = TimeSpan.FromSeconds(5);

        /// <summary>Probability of a host-side stall (Polly chaos latency) before an attempt.</summary>
        public double HostStallRate { get; init; }

        public TimeSpan HostStall { get; init; } = TimeSpan.FromSeconds(1);

        /// <summary>Probability that an attempt fails with a bus reset (Polly chaos fault) before reaching the device.</summary>
        public double HostBusResetRate { get; init; }
    }
}
