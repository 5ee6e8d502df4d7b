using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace XenVbd.Bench
{
    /// <summary>
    /// A baseline (the C ring.h loop, the copy limit) and a whole-stack row measured in alternation, pair after pair, so both sides of
    /// each ratio see the machine in the same state. On a shared VM one long run of each can land in
    /// different weather (ratios moved 0.40–0.46 between otherwise identical runs); the median of
    /// paired ratios does not move with it.
    /// </summary>
    internal static class PairedBaseline
    {
        public sealed class Outcome
        {
            public string Pattern { get; set; } = "";
            public int Pairs { get; set; }
            public double MedianRatio { get; set; }
            public double MinRatio { get; set; }
            public double MaxRatio { get; set; }
            public double MedianCOpsPerSec { get; set; }
            public double MedianStackIops { get; set; }
            public List<double> Ratios { get; set; } = new List<double>();
        }

        public static Outcome Run(string cExe, string pattern, StackScenario scenario, int pairs, double seconds, long cOps)
            => Run(pattern, () => RunC(cExe, pattern, cOps), scenario, pairs, seconds);

        /// <summary>Pairs of (baseline ops/s, stack row) for any baseline, e.g. the copy limit.</summary>
        public static Outcome Run(string label, Func<double> baselineOpsPerSec, StackScenario scenario, int pairs, double seconds)
        {
            var ratios = new List<double>();
            var cRates = new List<double>();
            var stackRates = new List<double>();
            for (int i = 0; i < pairs; i++)
            {
                double c = baselineOpsPerSec();
                var r = StackRunner.Run(scenario, seconds, long.MaxValue);
                cRates.Add(c);
                stackRates.Add(r.Iops);
                ratios.Add(r.Iops / c);
                Console.Error.WriteLine(string.Format(CultureInfo.InvariantCulture, "  pair {0}/{1} {2}: baseline {3:N0} ops/s, stack {4:N0} SRB/s, ratio {5:0.###}", i + 1, pairs, label, c, r.Iops, r.Iops / c));
            }
            return new Outcome
            {
                Pattern = label,
                Pairs = pairs,
                Ratios = ratios,
                MedianRatio = Median(ratios),
                MinRatio = ratios.Min(),
                MaxRatio = ratios.Max(),
                MedianCOpsPerSec = Median(cRates),
                MedianStackIops = Median(stackRates),
            };
        }

        internal static double RunC(string exe, string pattern, long ops)
        {
            var psi = new ProcessStartInfo(exe, ops.ToString(CultureInfo.InvariantCulture) + " 4096 " + pattern)
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + exe);
            string line = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException(exe + " exited with " + p.ExitCode);
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.GetProperty("ops_per_sec").GetDouble();
        }

        private static double Median(List<double> values)
        {
            var s = values.OrderBy(v => v).ToList();
            int n = s.Count;
            return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        }
    }
}
