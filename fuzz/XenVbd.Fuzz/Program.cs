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
    /// dotnet XenVbd.Fuzz.dll soak &lt;target&gt; [cases] [first-seed]   generated cases on every core, counts at the end
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
                    return SoakRun(target, args.Length > 2 ? long.Parse(args[2]) : 1_000_000, args.Length > 3 ? ulong.Parse(args[3]) : 1);
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

        private static int SoakRun(Target target, long cases, ulong firstSeed)
        {
            var sw = Stopwatch.StartNew();
            int workers = int.TryParse(Environment.GetEnvironmentVariable("XENVBD_SOAK_WORKERS"), out int w) && w > 0 ? w : Environment.ProcessorCount;
            long next = 0, failures = 0;
            var totals = new long[Target.CounterCount];
            var failuresSeen = new List<string>();
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ =>
            {
                var local = new long[Target.CounterCount];
                long i;
                while ((i = Interlocked.Increment(ref next) - 1) < cases)
                {
                    ulong seed = firstSeed + (ulong)i;
                    try { target.RunGenerated(seed, local); }
                    catch (Exception e)
                    {
                        Interlocked.Increment(ref failures);
                        lock (failuresSeen)
                        {
                            if (failuresSeen.Count < 20) failuresSeen.Add("seed " + seed + ": " + e.GetType().Name + ": " + e.Message);
                            // Keep the input so `replay` (and the corpus) can reproduce it.
                            Directory.CreateDirectory("soak-failures");
                            File.WriteAllBytes(Path.Combine("soak-failures", target.Name + "-" + seed), target.Generate(seed, small: false));
                        }
                    }
                    if (i % 100_000 == 0 && i > 0) Console.Error.WriteLine($"  {i} cases, {sw.Elapsed.TotalSeconds:F0} s");
                }
                lock (totals) for (int k = 0; k < totals.Length; k++) totals[k] += local[k];
            });
            Console.WriteLine($"{target.Name} soak: {cases} cases (seeds {firstSeed}..{firstSeed + (ulong)cases - 1}) in {sw.Elapsed.TotalSeconds:F1} s on {workers} workers, {failures} failed");
            Console.WriteLine("  " + target.Describe(totals));
            foreach (var f in failuresSeen) Console.WriteLine("  " + f);
            return failures == 0 ? 0 : 1;
        }
    }
}
