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

        /// <summary>How long the lab took on this machine; kept out of the deterministic report. Invoke-VbdLab sets it.</summary>
        public TimeSpan WallTime { get; set; }

        /// <summary>
        /// The lab script of a user's own folder (Invoke-VbdLab -Path), so its replay command names it; null for
        /// the labs shipped with the module, which Invoke-VbdLab finds by name alone.
        /// </summary>
        public string? ScriptPath { get; set; }

        /// <summary>Checks made so far, passed or failed; a lab that made none proved nothing.</summary>
        public int ChecksMade { get; private set; }

        public string ReplayCommand => "Invoke-VbdLab -Name " + Name + " -Seed " + Seed.ToString(CultureInfo.InvariantCulture)
            + (ScriptPath == null ? "" : " -Path '" + ScriptPath.Replace("'", "''") + "'");

        /// <summary>
        /// A seed derived from the lab's seed for one step (a device, a workload), so adding a step to a lab does
        /// not change the others' (64-bit FNV-1a of the step's name over the lab's seed; never 0).
        /// </summary>
        public ulong SeedFor(string step)
        {
            if (step == null) throw new ArgumentNullException(nameof(step));
            ulong h = 14695981039346656037UL ^ Seed;
            foreach (char c in step) { h ^= c; h *= 1099511628211UL; }
            return h == 0 ? 1 : h;
        }

        public void Find(string finding) => Findings.Add(finding);

        /// <summary>Records <paramref name="what"/> as a failure unless <paramref name="condition"/> holds.</summary>
        public bool Check(bool condition, string what)
        {
            ChecksMade++;
            if (!condition) Failures.Add(what);
            return condition;
        }

        public void Metric(string name, double value) => Metrics[name] = value;

        /// <summary>Adds one point to the lab's own plot <paramref name="plot"/>.</summary>
        public void Point(string plot, string series, double x, double y) => Points.Add(new LabPoint(plot, series, x, y));

        /// <summary>
        /// Adds a workload to the result (for the plots and results.json) and checks the promises every lab
        /// workload keeps: nothing stuck, nothing completed twice, no bad data, something completed, and — unless
        /// <paramref name="errorsAllowed"/> — no failed operation. True when all held.
        /// </summary>
        public bool CheckWorkload(string label, WorkloadResult result, bool errorsAllowed = false)
        {
            if (label == null) throw new ArgumentNullException(nameof(label));
            if (result == null) throw new ArgumentNullException(nameof(result));
            Workloads.Add(new LabWorkload(label, result));
            bool ok = Check(result.Stuck == 0, $"{label}: {result.Stuck} operations never completed");
            ok &= Check(result.DoubleCompletions == 0, $"{label}: {result.DoubleCompletions} completions were reported twice");
            ok &= Check(result.ViolationCount == 0, $"{label}: {result.ViolationCount} integrity violations, first: {(result.Violations.Count > 0 ? result.Violations[0].ToString() : "-")}");
            if (!errorsAllowed) ok &= Check(result.Errors == 0, $"{label}: {result.Errors} operations failed");
            ok &= Check(result.Cancelled || result.Operations > 0, $"{label}: no operation completed");
            return ok;
        }

        public override string ToString() => (Passed ? "PASS " : "FAIL ") + Name + " (seed " + Seed.ToString(CultureInfo.InvariantCulture) + ")";
    }
}
