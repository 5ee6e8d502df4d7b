namespace XenVbd.Backend
{
    /// <summary>What <see cref="ServiceTimeSimulation.Run"/> measured for one scenario, in virtual time.</summary>
    public sealed record ServiceTimeResult
    {
        /// <summary>The scenario that was run.</summary>
        public ServiceTimeScenario Scenario { get; init; } = new ServiceTimeScenario();

        /// <summary>Requests completed per second of virtual time, over the measured requests.</summary>
        public double Iops { get; init; }

        /// <summary>Requests measured.</summary>
        public long Requests { get; init; }

        /// <summary>Virtual time (ticks of 100 ns) the measured requests took.</summary>
        public long Ticks { get; init; }

        /// <summary>Requests in flight on each ring (its size: every ring is kept full).</summary>
        public int OutstandingPerRing { get; init; }

        /// <summary>Grant maps per measured request.</summary>
        public double MapsPerRequest { get; init; }

        /// <summary>Grant unmaps per measured request.</summary>
        public double UnmapsPerRequest { get; init; }

        /// <summary>The resource that was busiest over the measurement (ring thread, grant-table lock, dom0 CPUs, device, guest CPUs).</summary>
        public string Bottleneck { get; init; } = "";

        /// <summary>Its utilisation, 0..1.</summary>
        public double BottleneckUtilisation { get; init; }
    }
}
