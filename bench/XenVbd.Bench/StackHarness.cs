using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using XenVbd.Frontend;

namespace XenVbd.Bench
{
    /// <summary>
    /// Whole-stack harness: frontend → ring → backend → in-memory disk → response → SRB completion,
    /// beside its baselines measured in the same run (the copy limit, and Xen's ring.h loop in C when
    /// its JSON is passed with --c-baseline). Prints a markdown report; --out writes the JSON.
    /// </summary>
    internal static class StackHarness
    {
        public static int Run(string[] args)
        {
            bool quick = args.Contains("--quick");
            string? outPath = Arg(args, "--out");
            string? cBaseline = Arg(args, "--c-baseline");
            string? only = Arg(args, "--only");
            string? cExe = Arg(args, "--c-exe");
            if (only != null) return RunOnly(only, quick ? 0.2 : 5.0, int.TryParse(Arg(args, "--repeat"), out int repeat) ? repeat : 1);
            double t = quick ? 0.2 : 2.0;
            long cap = quick ? 20_000 : long.MaxValue;

            var rows = new List<StackResult>();
            StackResult Add(StackResult r)
            {
                rows.Add(r);
                Console.Error.WriteLine($"  {r.Name,-48} {r.Iops,12:N0} SRB/s {r.GBps,8:N3} GB/s {r.NsPerSrb,10:N0} ns/SRB {r.CpuNsPerSrb,10:N0} CPU ns/SRB  alloc/SRB {r.AllocatedPerSrb:N1}");
                return r;
            }

            // JIT and tiering warm-up on a throwaway run, so the first scenario is not penalised.
            StackRunner.Run(new StackScenario("warm-up", 4096, 3, true, false), Math.Min(t, 0.5), cap);
            var byName = new Dictionary<string, StackResult>();
            foreach (var s in Scenarios()) byName[s.Name] = Add(StackRunner.Run(s, t, cap));
            var read4k = byName[Read4k];
            var aligned512 = byName[Aligned512];
            var mis = new Dictionary<BounceStrategyKind, StackResult>();
            foreach (var b in new[] { BounceStrategyKind.PerSrb, BounceStrategyKind.DeviceBuffer, BounceStrategyKind.SegmentPool })
                mis[b] = byName[Misaligned512(b)];
            var seq4k = byName[Seq4kQd32];
            var seq1m = byName[Seq1MiB];
            Add(StackRunner.ProbeAndSwitch(t));
            // As many destinations as the stack's rows have SRBs in flight (8), and the cache-hot single one for scale.
            var copy4k = Add(CopyBaseline.Run(4096, false, t, 8));
            var copy1m = Add(CopyBaseline.Run(1 << 20, true, t, 8));
            var copy1mHot = Add(CopyBaseline.Run(1 << 20, true, t, 1));

            // The C loop runs both access patterns over the same 64 MiB; each C# row is compared with its own.
            double? cOps = CBaseline(cBaseline, "random");
            double? cSeqOps = CBaseline(cBaseline, "sequential");

            var targets = new List<(string Target, double Value, string Goal, bool Met)>();
            var paired = new List<PairedBaseline.Outcome>();
            if (cExe != null)
            {
                // The C targets from alternating pairs (see PairedBaseline); the one-off rows above stay for scale.
                int pairs = quick ? 1 : 15;
                long cRunOps = quick ? 200_000 : 700_000;
                double pairSeconds = quick ? 0.2 : 0.3;
                paired.Add(PairedBaseline.Run(cExe, "random", Scenarios().First(x => x.Name == Read4k), pairs, pairSeconds, cRunOps));
                paired.Add(PairedBaseline.Run(cExe, "sequential", Scenarios().First(x => x.Name == Seq4kQd32), pairs, pairSeconds, cRunOps));
                foreach (var p in paired)
                {
                    string what = p.Pattern == "random" ? "whole-stack 4 KiB random read ÷ C ring.h loop, random" : "whole-stack 4 KiB sequential QD 32 ÷ C ring.h loop, sequential";
                    targets.Add((string.Format(CultureInfo.InvariantCulture, "{0} (ops/s), median of {1} alternating pairs (range {2:0.###}–{3:0.###})", what, p.Pairs, p.MinRatio, p.MaxRatio), p.MedianRatio, "≥ 0.5", p.MedianRatio >= 0.5));
                }
            }
            else
            {
                if (cOps.HasValue) targets.Add(("whole-stack 4 KiB random read ÷ C ring.h loop, random (ops/s), one run each", read4k.Iops / cOps.Value, "≥ 0.5", read4k.Iops / cOps.Value >= 0.5));
                if (cSeqOps.HasValue) targets.Add(("whole-stack 4 KiB sequential QD 32 ÷ C ring.h loop, sequential (ops/s), one run each", seq4k.Iops / cSeqOps.Value, "≥ 0.5", seq4k.Iops / cSeqOps.Value >= 0.5));
            }
            {
                // Same bytes per operation on both sides, so the ops ratio is the GB/s ratio; paired like the C targets.
                int pairs = quick ? 1 : 15;
                double pairSeconds = quick ? 0.2 : 0.3;
                var seq1mScenario = Scenarios().First(x => x.Name == Seq1MiB);
                foreach (int destinations in new[] { 8, 1 })
                {
                    var p = PairedBaseline.Run("copy limit 1 MiB, " + destinations + " dest.", () => CopyBaseline.Run(1 << 20, true, pairSeconds, destinations).Iops, seq1mScenario, pairs, pairSeconds);
                    paired.Add(p);
                    string what = destinations == 8 ? "1 MiB sequential ÷ copy limit, 8 destinations as the stack (GB/s)" : "1 MiB sequential ÷ copy limit, 1 cache-hot destination (GB/s), stricter";
                    targets.Add((string.Format(CultureInfo.InvariantCulture, "{0}, median of {1} alternating pairs (range {2:0.###}–{3:0.###})", what, p.Pairs, p.MinRatio, p.MaxRatio), p.MedianRatio, "≥ 0.8", p.MedianRatio >= 0.8));
                }
            }
            targets.Add(("misaligned 512 B (PerSrb) ÷ aligned 512 B (ns/SRB)", mis[BounceStrategyKind.PerSrb].NsPerSrb / aligned512.NsPerSrb, "≤ 1.5", mis[BounceStrategyKind.PerSrb].NsPerSrb / aligned512.NsPerSrb <= 1.5));
            // The same ratio in thread CPU time: immune to the time either run spent descheduled on a busy machine.
            double misCpu = mis[BounceStrategyKind.PerSrb].CpuNsPerSrb / aligned512.CpuNsPerSrb;
            targets.Add(("misaligned 512 B (PerSrb) ÷ aligned 512 B (CPU ns/SRB)", misCpu, "≤ 1.5", misCpu <= 1.5));
            double maxAlloc = rows.Where(r => r.Name.Contains("SRB") || r.Name.Contains("read") || r.Name.Contains("write")).Max(r => r.AllocatedPerSrb);
            targets.Add(("allocated bytes per SRB (worst scenario)", maxAlloc, "= 0", maxAlloc == 0));
            targets.Add(("4 KiB aligned read ÷ copy limit 4 KiB (ops/s), for scale", read4k.Iops / copy4k.Iops, "—", true));

            var md = new StringBuilder();
            md.AppendLine("| scenario | SRB/s | GB/s | ns/SRB | CPU ns/SRB | alloc B/SRB | QD | ring order |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in rows)
                md.AppendLine(string.Format(CultureInfo.InvariantCulture, "| {0} | {1:N0} | {2:N3} | {3:N0} | {4:N0} | {5:N1} | {6} | {7} |", r.Name, r.Iops, r.GBps, r.NsPerSrb, r.CpuNsPerSrb, r.AllocatedPerSrb, r.QueueDepth, r.RingPageOrder));
            if (cOps.HasValue) md.AppendLine(string.Format(CultureInfo.InvariantCulture, "| C ring.h loop, 4 KiB random, x86_64 -O2 | {0:N0} | {1:N3} | {2:N0} | — | — | ring | 0 |", cOps.Value, cOps.Value * 4096 / 1e9, 1e9 / cOps.Value));
            if (cSeqOps.HasValue) md.AppendLine(string.Format(CultureInfo.InvariantCulture, "| C ring.h loop, 4 KiB sequential, x86_64 -O2 | {0:N0} | {1:N3} | {2:N0} | — | — | ring | 0 |", cSeqOps.Value, cSeqOps.Value * 4096 / 1e9, 1e9 / cSeqOps.Value));
            md.AppendLine();
            md.AppendLine("| target (ratio, same run) | value | goal | met |");
            md.AppendLine("|---|---:|---|---|");
            foreach (var x in targets)
                md.AppendLine(string.Format(CultureInfo.InvariantCulture, "| {0} | {1:0.###} | {2} | {3} |", x.Target, x.Value, x.Goal, x.Met ? "yes" : "**no**"));
            Console.WriteLine(md.ToString());

            if (outPath != null)
            {
                var json = JsonSerializer.Serialize(new { scenarios = rows, c_random_ops_per_sec = cOps, c_sequential_ops_per_sec = cSeqOps, paired, targets = targets.Select(x => new { x.Target, x.Value, x.Goal, x.Met }) }, new JsonSerializerOptions { WriteIndented = true });
                File.WriteAllText(outPath, json);
            }
            return 0;
        }

        private const string Read4k = "4 KiB random read, aligned";
        private const string Aligned512 = "512 B random read, aligned";
        private const string Seq4kQd32 = "4 KiB sequential read, QD 32 (as the C loop)";
        private const string Seq1MiB = "1 MiB sequential read (indirect)";
        private static string Misaligned512(BounceStrategyKind b) => "512 B random read, misaligned (" + b + ")";

        /// <summary>Every whole-stack row, in report order.</summary>
        private static IEnumerable<StackScenario> Scenarios()
        {
            yield return new StackScenario(Read4k, 4096, 0, false, false);
            yield return new StackScenario("4 KiB random write, aligned", 4096, 0, true, false);
            yield return new StackScenario(Aligned512, 512, 0, false, false);
            foreach (var b in new[] { BounceStrategyKind.PerSrb, BounceStrategyKind.DeviceBuffer, BounceStrategyKind.SegmentPool })
                yield return new StackScenario(Misaligned512(b), 512, 3, false, false, b);
            // The C ring.h loop reads 4 KiB sequentially with the ring full (32 in flight); this is the like-for-like row for it.
            yield return new StackScenario(Seq4kQd32, 4096, 0, false, true, queueDepth: 32);
            yield return new StackScenario("64 KiB sequential read", 64 << 10, 0, false, true);
            yield return new StackScenario(Seq1MiB, 1 << 20, 0, false, true, maxIndirectSegments: 256);
            yield return new StackScenario("1 MiB sequential read (direct, split)", 1 << 20, 0, false, true);
            foreach (int qd in new[] { 1, 32 })
                yield return new StackScenario("4 KiB random read, QD " + qd, 4096, 0, false, false, queueDepth: qd);
            foreach (int order in new[] { 2, 4 })
                yield return new StackScenario("4 KiB random read, QD 64, ring order " + order, 4096, 0, false, false, queueDepth: 64, ringPageOrder: order);
            yield return new StackScenario("4 KiB random read, 1 TiB sparse disk", 4096, 0, false, false, diskBytes: 1L << 40);
        }

        /// <summary>
        /// One named scenario (or a few, by substring) for a profiler to attach to: `stack --only "1 MiB"`;
        /// `--repeat n` runs each n times, for comparing two builds on a noisy machine by their best runs.
        /// No baselines, no targets: those only mean something beside the full run.
        /// </summary>
        private static int RunOnly(string nameContains, double seconds, int repeat)
        {
            var matches = Scenarios().Where(s => s.Name.Contains(nameContains, StringComparison.OrdinalIgnoreCase)).ToList();
            if (matches.Count == 0)
            {
                Console.Error.WriteLine("no scenario name contains '" + nameContains + "'; names: " + string.Join("; ", Scenarios().Select(s => s.Name)));
                return 2;
            }
            StackRunner.Run(new StackScenario("warm-up", 4096, 3, true, false), 0.5, long.MaxValue);
            foreach (var s in matches)
                for (int i = 0; i < repeat; i++)
                {
                    var r = StackRunner.Run(s, seconds, long.MaxValue);
                    Console.WriteLine($"{r.Name,-48} {r.Iops,12:N0} SRB/s {r.GBps,8:N3} GB/s {r.NsPerSrb,10:N0} ns/SRB {r.CpuNsPerSrb,10:N0} CPU ns/SRB  alloc/SRB {r.AllocatedPerSrb:N1}");
                }
            return 0;
        }

        /// <summary>ops/s of the native x86_64 C loop for one access pattern, from run.ps1's JSON lines.</summary>
        private static double? CBaseline(string? path, string pattern)
        {
            if (path == null || !File.Exists(path)) return null;
            foreach (var line in File.ReadAllLines(path))
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (root.GetProperty("abi").GetString() == "x86_64" && root.TryGetProperty("pattern", out var p) && p.GetString() == pattern)
                    return root.GetProperty("ops_per_sec").GetDouble();
            }
            return null;
        }

        private static string? Arg(string[] args, string name)
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
    }
}
