using System;
using System.Collections.Generic;
using System.Threading;
using XenVbd.Device;

namespace XenVbd.Campaign
{
    /// <summary>
    /// Reduces a failing case to a smaller one that fails the same way (equal <see cref="CampaignResult.Failure"/>),
    /// as a property-based tester's shrinker does: propose simpler neighbours, keep the first that still fails,
    /// repeat until none does. The result is 1-minimal: no single proposed step from it keeps the failure.
    /// </summary>
    /// <remarks>
    /// A case here is not drawn from a generator (it is a cell of a user's matrix, or a replay file), so a
    /// generator-driven shrinker such as CsCheck's has nothing to replay; shrinking over the case description
    /// keeps every step readable as data. Steps, biggest first: fewer devices; fewer fault rules; fewer
    /// injections per rule; fewer operations; fewer and smaller transfer sizes; a shallower queue; aligned
    /// buffers; no periodic flush; every device setting back to its axis's default. Each case runs
    /// deterministically, so the shrink replays exactly.
    /// </remarks>
    public sealed class CampaignShrinker
    {
        // The candidate runner, given the calling thread's device pool (null when devices are not reused).
        private readonly Func<CampaignCase, VbdDevicePool?, CampaignResult> _run;
        private readonly bool _pooled;

        public CampaignShrinker(Func<CampaignCase, CampaignResult> run, CampaignAxisSet? axes = null)
        {
            if (run == null) throw new ArgumentNullException(nameof(run));
            _run = (c, _) => run(c);
            Axes = axes ?? CampaignAxisSet.Default;
        }

        private CampaignShrinker(Func<CampaignCase, VbdDevicePool?, CampaignResult> run, CampaignAxisSet axes)
        {
            _run = run;
            _pooled = true;
            Axes = axes;
        }

        /// <summary>
        /// A shrinker running each candidate with <see cref="CampaignCaseRunner"/> on devices restored from a
        /// <see cref="VbdDevicePool"/>, as <see cref="CampaignRunner"/> runs a matrix's cases: candidates mostly
        /// differ in workload and faults, not in the device, so most restore the device the last one used.
        /// </summary>
        public static CampaignShrinker ForAxes(CampaignAxisSet? axes = null)
        {
            var set = axes ?? CampaignAxisSet.Default;
            return new CampaignShrinker((c, devices) => CampaignCaseRunner.Run(c, set, devices), set);
        }

        public CampaignAxisSet Axes { get; }

        /// <summary>
        /// Whether a <see cref="ForAxes"/> shrinker restores pooled devices (true) or builds a fresh device for every
        /// candidate; a restored device is indistinguishable from a fresh one, so the shrunk case is the same.
        /// </summary>
        public bool ReuseDevices { get; set; } = true;

        /// <summary>Cases the shrinker may run before it stops with what it has (still a failing case, maybe not minimal).</summary>
        public int MaxRuns { get; set; } = 2000;

        /// <summary>
        /// Candidates tried at once. The step taken is always the first candidate (in proposal order) that keeps
        /// the failure, as one thread would take it, so the shrunk case does not depend on this; only
        /// <see cref="CampaignReproduction.Runs"/> may grow, by candidates tried beside the one that won.
        /// </summary>
        public int MaxDegreeOfParallelism { get; set; } = 1;

        public CampaignReproduction Shrink(CampaignResult failing)
        {
            if (failing == null) throw new ArgumentNullException(nameof(failing));
            if (failing.Outcome != CampaignOutcome.Failed) throw new ArgumentException("Case #" + failing.Index + " did not fail (" + failing.Outcome + "): nothing to shrink.", nameof(failing));
            int width = Math.Max(1, MaxDegreeOfParallelism);
            // One pool per thread that runs candidates (a device is driven from one thread at a time).
            using var pools = new ThreadLocal<VbdDevicePool?>(() => _pooled && ReuseDevices ? new VbdDevicePool() : null, trackAllValues: true);
            try
            {
                return Shrink(failing, width, pools);
            }
            finally
            {
                foreach (var pool in pools.Values) pool?.Dispose();
            }
        }

        private CampaignReproduction Shrink(CampaignResult failing, int width, ThreadLocal<VbdDevicePool?> pools)
        {
            CampaignResult Run(CampaignCase c) => _run(c, pools.Value);
            var best = failing;
            int runs = 0, steps = 0;
            bool minimal = false;
            while (runs < MaxRuns)
            {
                var candidates = new List<CampaignCase>(Candidates(best.Case));
                int tried = 0;
                CampaignResult? found = null;
                while (found == null && tried < candidates.Count && runs < MaxRuns)
                {
                    int n = Math.Min(Math.Min(width, candidates.Count - tried), MaxRuns - runs);
                    var batch = new CampaignResult[n];
                    int first = tried;
                    if (n == 1) batch[0] = Run(candidates[first]);
                    else System.Threading.Tasks.Parallel.For(0, n, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = n }, i => batch[i] = Run(candidates[first + i]));
                    runs += n;
                    tried += n;
                    foreach (var r in batch)
                    {
                        if (r.Outcome != CampaignOutcome.Failed || r.Failure != failing.Failure) continue;
                        found = r;
                        break;
                    }
                }
                if (found == null)
                {
                    // Every neighbour tried and none keeps the failure: 1-minimal. Otherwise the budget ran out first.
                    minimal = tried == candidates.Count;
                    break;
                }
                best = found;
                steps++;
            }
            return new CampaignReproduction(failing, best, runs, steps, minimal);
        }

        /// <summary>Simpler neighbours of a case, most-reducing first; every one differs from the case.</summary>
        public IEnumerable<CampaignCase> Candidates(CampaignCase c)
        {
            if (c.Devices > 1)
            {
                yield return c.With(devices: 1);
                if (c.Devices > 2) yield return c.With(devices: c.Devices / 2);
                yield return c.With(devices: c.Devices - 1);
            }

            for (int i = 0; i < c.Faults.Count; i++)
            {
                var fewer = new List<CampaignFaultRule>(c.Faults);
                fewer.RemoveAt(i);
                yield return c.With(faults: fewer);
            }
            for (int i = 0; i < c.Faults.Count; i++)
            {
                long max = c.Faults[i].MaxCount;
                // An unlimited rule first gets a limit (1, 4, 16, ...); a limited one is lowered like any count.
                foreach (long m in max == 0 ? Limits() : Smaller(max, 1))
                {
                    var rules = new List<CampaignFaultRule>(c.Faults);
                    var r = rules[i].Clone();
                    r.MaxCount = m;
                    rules[i] = r;
                    yield return c.With(faults: rules);
                }
            }

            var w = c.Workload;
            foreach (long n in Smaller(w.Count, 1)) yield return c.With(workload: Change(w, x => x.Count = n));

            if (w.BlockSizes.Length > 1)
            {
                for (int i = 0; i < w.BlockSizes.Length; i++)
                {
                    var sizes = new List<int>(w.BlockSizes);
                    sizes.RemoveAt(i);
                    yield return c.With(workload: Change(w, x => x.BlockSizes = sizes.ToArray()));
                }
            }
            for (int i = 0; i < w.BlockSizes.Length; i++)
            {
                int index = i;
                foreach (long s in Smaller(w.BlockSizes[i] / 512, 1))
                {
                    int bytes = (int)s * 512;
                    if (Array.IndexOf(w.BlockSizes, bytes) >= 0) continue;
                    yield return c.With(workload: Change(w, x => x.BlockSizes[index] = bytes));
                }
            }

            foreach (long q in Smaller(w.QueueDepth, 1)) yield return c.With(workload: Change(w, x => x.QueueDepth = (int)q));
            if (w.MisalignedFraction > 0) yield return c.With(workload: Change(w, x => x.MisalignedFraction = 0));
            if (w.FlushEvery > 0) yield return c.With(workload: Change(w, x => x.FlushEvery = 0));

            for (int i = 0; i < c.Settings.Count; i++)
            {
                var axis = Axes.Get(c.Settings[i].Key);
                if (c.Settings[i].Value == axis.Default) continue;
                var settings = new List<KeyValuePair<string, string>>(c.Settings);
                settings[i] = new KeyValuePair<string, string>(axis.Name, axis.Default);
                yield return c.With(settings: settings);
            }
        }

        /// <summary>Values below <paramref name="value"/> down to <paramref name="floor"/>: the floor, then halfway, then one less (a binary search's probes).</summary>
        internal static IEnumerable<long> Smaller(long value, long floor)
        {
            if (value <= floor) yield break;
            yield return floor;
            long half = floor + (value - floor) / 2;
            if (half > floor && half < value) yield return half;
            if (value - 1 > half) yield return value - 1;
        }

        private static IEnumerable<long> Limits()
        {
            for (long m = 1; m <= 1 << 20; m *= 4) yield return m;
        }

        private static CampaignWorkload Change(CampaignWorkload w, Action<CampaignWorkload> edit)
        {
            var copy = w.Clone();
            edit(copy);
            return copy;
        }
    }
}
