using System;
using System.Globalization;
using XenVbd.Backend;

namespace XenVbd.Bench
{
    /// <summary>
    /// Prints docs/BENCHMARKS.md's published-effects table: each effect's published ratio beside the one the
    /// virtual-time service model gives (Backend/PublishedEffects), with the bottleneck of each run. Virtual time only,
    /// so the numbers are the same on a loaded machine; exits 1 if an effect falls outside its band.
    /// </summary>
    public static class PublishedEffectsReport
    {
        public static int Run()
        {
            var c = CultureInfo.InvariantCulture;
            Console.WriteLine("| effect | published | published ratio | model IOPS (virtual time) | model ratio | band | bottleneck before -> after |");
            Console.WriteLine("|---|---|---:|---|---:|---|---|");
            bool all = true;
            foreach (var e in PublishedEffects.All())
            {
                all &= e.Reproduced;
                Console.WriteLine(string.Format(c, "| {0} | {1} | {2:F2}x | {3:N0} -> {4:N0} | {5:F2}x | {6:F1}..{7:F1}{8} | {9} -> {10} |",
                    e.Name, e.PublishedFigures, e.PublishedRatio, e.Baseline.Iops, e.Improved.Iops, e.ModelRatio, e.BandLow, e.BandHigh,
                    e.Reproduced ? "" : " (outside)", e.Baseline.Bottleneck, e.Improved.Bottleneck));
            }
            return all ? 0 : 1;
        }
    }
}
