using System;
using System.Collections.Generic;
using System.Globalization;
using XenVbd.Workload;

namespace XenVbd.Lab
{
    /// <summary>
    /// The outcome of one lab: pass or fail, what was found, the numbers, and the command that replays it
    /// exactly. Everything but <see cref="WallTime"/> is a function of the seed.
    /// </summary>
    public sealed class LabResult
    {
        public LabResult(string name, ulong seed)
        {
            Name = name;
            Seed = seed;
        }

        public string Name { get; }

        public ulong Seed { get; }

        public bool Passed => Failures.Count == 0;

        /// <summary>What the lab observed, in order; readable sentences.</summary>
        public List<string> Findings { get; } = new List<string>();

        /// <summary>Assertions that did not hold; empty when the lab passed.</summary>
        public List<string> Failures { get; } = new List<string>();

        /// <summary>Named numbers, sorted by name so reports list them the same way every run.</summary>
        public SortedDictionary<string, double> Metrics { get; } = new SortedDictionary<string, double>(StringComparer.Ordinal);

        /// <summary>Workloads run, for the latency and throughput plots.</summary>
        public List<LabWorkload> Workloads { get; } = new List<LabWorkload>();

        /// <summary>Extra plot data (bounce cost against transfer size, ...).</summary>
        public List<LabPoint> Points { get; } = new List<LabPoint>();

        /// <summary>How long the lab took on this machine; kept out of the deterministic report.</summary>
        public TimeSpan WallTime { get; internal set; }

        public string ReplayCommand => "Invoke-VbdLab -Name " + Name + " -Seed " + Seed.ToString(CultureInfo.InvariantCulture);

        public void Find(string finding) => Findings.Add(finding);

        /// <summary>Records <paramref name="what"/> as a failure unless <paramref name="condition"/> holds.</summary>
        public bool Check(bool condition, string what)
        {
            if (!condition) Failures.Add(what);
            return condition;
        }

        public void Metric(string name, double value) => Metrics[name] = value;

        public override string ToString() => (Passed ? "PASS " : "FAIL ") + Name + " (seed " + Seed.ToString(CultureInfo.InvariantCulture) + ")";
    }
}
