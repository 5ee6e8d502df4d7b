using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SharpFuzz;
using XenVbd.Reliability;

namespace XenVbd.Fuzz
{
    /// <summary>
    /// dotnet XenVbd.Fuzz.dll afl &lt;target&gt;            run under afl-fuzz (stdin / shared-memory input, SharpFuzz in-process loop)
    /// dotnet XenVbd.Fuzz.dll libfuzzer &lt;target&gt;      run under libfuzzer-dotnet
    /// dotnet XenVbd.Fuzz.dll replay &lt;target&gt; &lt;dir|file&gt;...   run inputs once each, report the first broken invariant
    /// dotnet XenVbd.Fuzz.dll soak &lt;target&gt; [cases] [first-seed] [--fresh]   generated cases on every core (frontend: on devices restored from snapshots; --fresh: a new device per case), counts, wall time and cases/s at the end
    /// dotnet XenVbd.Fuzz.dll seeds &lt;target&gt; &lt;dir&gt; [n]   write n generated inputs as a starting corpus
    /// Targets: backend (a rogue frontend's ring against blkback), frontend (a rogue backend's responses
    /// against the xenvbd frontend: per-request decision bytes and steps, see RogueBackendHarness).
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            if (args.Length < 2) return Usage();
            var target = Targets.Get(args[1]);
            if (target == null) return Usage();
            switch (args[0])
            {
                case "afl":
                    Fuzzer.Run(stream =>
                    {
                        using var ms = new MemoryStream();
                        stream.CopyTo(ms);
                        target.Run(ms.GetBuffer().AsSpan(0, (int)ms.Length));
                    });
                    return 0;
                case "libfuzzer":
                    Fuzzer.LibFuzzer.Run(span => target.Run(span));
                    return 0;
                case "replay":
                    return Replay(target, args.Skip(2));
                case "soak":
                {
                    // `--fresh` builds and connects a device per case (the path before device snapshots), to compare.
                    bool fresh = args.Contains("--fresh");
                    var rest = args.Skip(2).Where(a => a != "--fresh").ToArray();
                    return SoakRun(target, rest.Length > 0 ? long.Parse(rest[0]) : 1_000_000, rest.Length > 1 ? ulong.Parse(rest[1]) : 1, fresh);
                }
                case "seeds":
                    Directory.CreateDirectory(args[2]);
                    int n = args.Length > 3 ? int.Parse(args[3]) : 16;
                    for (int i = 0; i < n; i++) File.WriteAllBytes(Path.Combine(args[2], "seed-" + i.ToString("D3")), target.Generate((ulong)i + 1, small: true));
                    return 0;
                default:
                    return Usage();
            }
        }

        private static int Usage()
        {
            Console.Error.WriteLine("usage: XenVbd.Fuzz (afl|libfuzzer|replay|soak|seeds) (" + string.Join("|", Targets.Names) + ") [args]");
            return 2;
        }

        private static int Replay(Target target, IEnumerable<string> paths)
        {
            var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories) : new[] { p })
                .Where(f => !Path.GetFileName(f).StartsWith('.') && !f.EndsWith("README.txt", StringComparison.Ordinal))
                .OrderBy(f => f, StringComparer.Ordinal).ToList();
            int failed = 0;
            foreach (var f in files)
            {
                try { target.Run(File.ReadAllBytes(f)); }
                catch (Exception e)
                {
                    failed++;
                    Console.WriteLine(f + ": " + e.GetType().Name + ": " + e.Message);
                }
            }
            Console.WriteLine(files.Count + " inputs replayed, " + failed + " failed");
            return failed == 0 ? 0 : 1;
        }

        private static int SoakRun(Target target, long cases, ulong firstSeed, bool fresh)
        {
            var sw = Stopwatch.StartNew();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            long allocatedBefore = GC.GetTotalAllocatedBytes();
            int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
            int workers = int.TryParse(Environment.GetEnvironmentVariable("XENVBD_SOAK_WORKERS"), out int w) && w > 0 ? w : Environment.ProcessorCount;
            long failures = 0, done = 0;
            var totals = new long[Target.CounterCount];
            var failuresSeen = new List<KeyValuePair<ulong, string>>();
            void Failed(ulong seed, Exception e)
            {
                Interlocked.Increment(ref failures);
                lock (failuresSeen)
                {
                    failuresSeen.Add(new KeyValuePair<ulong, string>(seed, "seed " + seed + ": " + e.GetType().Name + ": " + e.Message));
                    // Keep the input so `replay` (and the corpus) can reproduce it.
                    Directory.CreateDirectory("soak-failures");
                    File.WriteAllBytes(Path.Combine("soak-failures", target.Name + "-" + seed), target.Generate(seed, small: false));
                }
            }
            // Each worker takes the device groups g with g % workers == its number and runs them one group after
            // another (seed order within a group), so each configuration's device is built once and restored for
            // every later case. The counters are sums, so the split changes no result.
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, worker =>
            {
                var local = new long[Target.CounterCount];
                var mine = new List<long>();
                for (long i = 0; i < cases; i++)
                {
                    int group = target.DeviceGroup(firstSeed + (ulong)i);
                    if (group % workers == worker) mine.Add((long)group << 40 | i);
                }
                mine.Sort();
                foreach (long entry in mine)
                {
                    ulong seed = firstSeed + (ulong)(entry & ((1L << 40) - 1));
                    try { target.RunGenerated(seed, local, fresh); }
                    catch (Exception e) { Failed(seed, e); }
                    long now = Interlocked.Increment(ref done);
                    if (now % 100_000 == 0) Console.Error.WriteLine($"  {now} cases, {sw.Elapsed.TotalSeconds:F0} s, {now / sw.Elapsed.TotalSeconds:F0} cases/s");
                }
                lock (totals) for (int k = 0; k < totals.Length; k++) totals[k] += local[k];
            });
            sw.Stop();
            double seconds = sw.Elapsed.TotalSeconds;
            // CPU time too: on a shared machine wall time mostly measures the neighbours.
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            Console.WriteLine($"{target.Name} soak: {cases} cases (seeds {firstSeed}..{firstSeed + (ulong)cases - 1}) in {seconds:F1} s on {workers} workers, {cases / seconds:F0} cases/s, {failures} failed"
                + (fresh ? " (a fresh device per case)" : " (devices restored from snapshots)"));
            Console.WriteLine($"  CPU {cpu:F1} s ({cases / cpu:F0} cases per CPU-second; {cpu / workers:F1} s per worker if every worker had a core to itself); "
                + $"{(GC.GetTotalAllocatedBytes() - allocatedBefore) / cases:N0} B allocated per case; collections gen0 {GC.CollectionCount(0) - gen0}, gen1 {GC.CollectionCount(1) - gen1}, gen2 {GC.CollectionCount(2) - gen2}");
            Console.WriteLine("  " + target.Describe(totals));
            foreach (var f in failuresSeen.OrderBy(f => f.Key).Take(20)) Console.WriteLine("  " + f.Value);
            return failures == 0 ? 0 : 1;
        }
    }
}
