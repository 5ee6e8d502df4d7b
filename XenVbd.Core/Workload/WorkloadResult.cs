using System;
using System.Collections.Generic;

namespace XenVbd.Workload
{
    /// <summary>
    /// fio's summary for one run: throughput in virtual time (deterministic) and wall time (how fast the
    /// model is), completion-latency percentiles, what the driver did (bounces, splits, probes, retries),
    /// faults injected, and every integrity violation found.
    /// </summary>
    public sealed class WorkloadResult
    {
        public string Name { get; internal set; } = "";
        public ulong Seed { get; internal set; }

        /// <summary>The frontend personality of the device the workload ran on; empty for a target that is not a device.</summary>
        public string Personality { get; internal set; } = "";
        public bool Cancelled { get; internal set; }

        /// <summary>Operations still in flight when the run gave up waiting (a lost response nobody recovered).</summary>
        public long Stuck { get; internal set; }

        public long Operations { get; internal set; }
        public long Reads { get; internal set; }
        public long Writes { get; internal set; }
        public long Flushes { get; internal set; }
        public long Errors { get; internal set; }
        public long BytesRead { get; internal set; }
        public long BytesWritten { get; internal set; }
        public long MisalignedOperations { get; internal set; }

        /// <summary>Completions reported more than once (must be 0).</summary>
        public long DoubleCompletions { get; internal set; }

        public TimeSpan VirtualElapsed { get; internal set; }
        public TimeSpan WallElapsed { get; internal set; }

        public double IopsVirtual => Per(Operations, VirtualElapsed);
        public double IopsWall => Per(Operations, WallElapsed);
        public double BandwidthVirtual => Per(BytesRead + BytesWritten, VirtualElapsed);
        public double BandwidthWall => Per(BytesRead + BytesWritten, WallElapsed);

        public LatencyPercentiles Latency { get; internal set; } = new LatencyPercentiles(new LatencyHistogram());
        public LatencyHistogram Histogram { get; internal set; } = new LatencyHistogram();
        public ThroughputTimeline Timeline { get; internal set; } = new ThroughputTimeline(0);

        public long BytesBounced { get; internal set; }
        public long BouncePasses { get; internal set; }
        public long RingRequests { get; internal set; }

        /// <summary>Operations that took more than one ring request.</summary>
        public long RequestsSplit { get; internal set; }
        public long Probes { get; internal set; }
        public long AbiSwitches { get; internal set; }
        /// <summary>SRBs sent again, by either party: <see cref="Requeues"/> plus <see cref="HostRetries"/>.</summary>
        public long Retries => Requeues + HostRetries;

        /// <summary>SRBs the frontend put on the ring again after a timeout or a reset.</summary>
        public long Requeues { get; internal set; }

        /// <summary>SRBs the host's class-driver pipeline sent again after a transient failure (-RetryCount).</summary>
        public long HostRetries { get; internal set; }
        public long Timeouts { get; internal set; }
        public long Resets { get; internal set; }
        public long Reconnects { get; internal set; }

        public SortedDictionary<string, long> FaultsByKind { get; internal set; } = new SortedDictionary<string, long>(StringComparer.Ordinal);

        public long ViolationCount { get; internal set; }
        public SortedDictionary<string, long> ViolationsByKind { get; internal set; } = new SortedDictionary<string, long>(StringComparer.Ordinal);
        public IReadOnlyList<IntegrityViolation> Violations { get; internal set; } = Array.Empty<IntegrityViolation>();

        /// <summary>Highest write generation a completed flush made durable.</summary>
        public ulong DurableGeneration { get; internal set; }

        public override string ToString() => string.Format(System.Globalization.CultureInfo.InvariantCulture,
            "{0}: {1} ops, {2:0} IOPS ({3:0.0} MB/s) virtual, clat p50 {4:0.#} us p99 {5:0.#} us p99.99 {6:0.#} us, errors {7}, violations {8}{9}",
            Name, Operations, IopsVirtual, BandwidthVirtual / 1e6, Latency.P50Us, Latency.P99Us, Latency.P9999Us, Errors, ViolationCount, Cancelled ? " (cancelled)" : "");

        private static double Per(long amount, TimeSpan time) => time <= TimeSpan.Zero ? 0 : amount / time.TotalSeconds;
    }
}
