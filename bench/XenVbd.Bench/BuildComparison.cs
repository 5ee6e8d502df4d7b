using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;

namespace XenVbd.Bench
{
    /// <summary>
    /// `builds name=path/XenVbd.Bench.dll ... [--rounds n] [--seconds s] [--c-exe ringloop]`: the two whole-stack 4 KiB
    /// target rows (random read QD 8, sequential read QD 32) of several builds of this harness, each with its own
    /// XenVbd.Core, loaded side by side in one process (one load context per build) and run in alternation, round after
    /// round, so every build sees the same machine; with --c-exe the C ring.h loop runs before each round's rows, as in
    /// <see cref="PairedBaseline"/>, and each row is also reported against it. Medians of wall-clock SRB/s, of CPU ns per
    /// SRB (the thread's CPU time, which descheduling on a loaded machine cannot inflate) and of the paired ratios to
    /// the first build. Builds are compared through the scenario and runner types they all share, by reflection.
    /// </summary>
    internal static class BuildComparison
    {
        private static readonly string[] Patterns = { "random", "sequential" };

        public static int Run(string[] args)
        {
            int rounds = int.TryParse(Arg(args, "--rounds"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int r) ? r : 15;
            double seconds = double.TryParse(Arg(args, "--seconds"), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) ? s : 0.3;
            string? cExe = Arg(args, "--c-exe");
            var builds = args.Where(a => a.Contains('=') && !a.StartsWith("--", StringComparison.Ordinal)).Select(Build.Load).ToList();
            if (builds.Count == 0)
            {
                Console.Error.WriteLine("usage: XenVbd.Bench builds name=path/XenVbd.Bench.dll ... [--rounds n] [--seconds s] [--c-exe ringloop]");
                return 2;
            }

            // JIT and tiering settle per build before anything is measured.
            foreach (var b in builds)
                foreach (var p in Patterns)
                {
                    var warm = System.Diagnostics.Stopwatch.StartNew();
                    while (warm.Elapsed.TotalSeconds < 3) b.Run(p, seconds);
                }

            var rows = new Dictionary<string, List<(double Iops, double CpuNs, double C)>>();
            for (int i = 0; i < rounds; i++)
                foreach (var p in Patterns)
                {
                    double c = cExe != null ? PairedBaseline.RunC(cExe, p, 700_000) : double.NaN;
                    // Alternate the order too, so no build always runs right after the C loop.
                    foreach (var b in i % 2 == 0 ? builds : Enumerable.Reverse(builds))
                    {
                        var (iops, cpuNs) = b.Run(p, seconds);
                        string key = b.Name + " " + p;
                        if (!rows.TryGetValue(key, out var list)) rows[key] = list = new List<(double, double, double)>();
                        list.Add((iops, cpuNs, c));
                        Console.Error.WriteLine(string.Format(CultureInfo.InvariantCulture, "  round {0}/{1} {2,-28} {3,12:N0} SRB/s {4,7:N0} CPU ns/SRB{5}", i + 1, rounds, key, iops, cpuNs, double.IsNaN(c) ? "" : string.Format(CultureInfo.InvariantCulture, "  ÷ C {0:0.###}", iops / c)));
                    }
                }

            Console.WriteLine("| build | pattern | SRB/s (median) | CPU ns/SRB (median) | ÷ first build, SRB/s (median of pairs) | ÷ first build, CPU ns | ÷ C loop (median of pairs, range) |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---|");
            foreach (var p in Patterns)
            {
                var first = rows[builds[0].Name + " " + p];
                foreach (var b in builds)
                {
                    var l = rows[b.Name + " " + p];
                    var toC = l.Select(x => x.Iops / x.C).ToList();
                    string c = cExe == null ? "—" : string.Format(CultureInfo.InvariantCulture, "{0:0.000} ({1:0.000}–{2:0.000})", Median(toC), toC.Min(), toC.Max());
                    Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "| {0} | {1} | {2:N0} | {3:N0} | {4:0.000} | {5:0.000} | {6} |",
                        b.Name, p, Median(l.Select(x => x.Iops)), Median(l.Select(x => x.CpuNs)),
                        Median(l.Zip(first, (x, y) => x.Iops / y.Iops)), Median(l.Zip(first, (x, y) => x.CpuNs / y.CpuNs)), c));
                }
            }

            return 0;
        }

        private static double Median(IEnumerable<double> values)
        {
            var v = values.OrderBy(x => x).ToArray();
            return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
        }

        private static string? Arg(string[] args, string name)
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        /// <summary>One build of the harness in its own load context, reached through its StackScenario and StackRunner.</summary>
        private sealed class Build
        {
            private readonly ConstructorInfo _scenario;
            private readonly MethodInfo _run;
            private readonly Type _bounce;

            private Build(string name, ConstructorInfo scenario, MethodInfo run)
            {
                Name = name;
                _scenario = scenario;
                _run = run;
                _bounce = scenario.GetParameters()[5].ParameterType;
            }

            public string Name { get; }

            public static Build Load(string spec)
            {
                int eq = spec.IndexOf('=');
                string name = spec.Substring(0, eq);
                string path = System.IO.Path.GetFullPath(spec.Substring(eq + 1));
                var asm = new Context(path).LoadFromAssemblyPath(path);
                var scenario = asm.GetType("XenVbd.Bench.StackScenario", throwOnError: true)!;
                var runner = asm.GetType("XenVbd.Bench.StackRunner", throwOnError: true)!;
                var run = runner.GetMethod(nameof(StackRunner.Run), BindingFlags.Public | BindingFlags.Static)
                    ?? throw new InvalidOperationException(path + " has no StackRunner.Run");
                return new Build(name, scenario.GetConstructors().Single(), run);
            }

            /// <summary>The harness's own rows: 4 KiB random read at QD 8, 4 KiB sequential read at QD 32 (as StackHarness names them).</summary>
            public (double Iops, double CpuNs) Run(string pattern, double seconds)
            {
                bool sequential = pattern == "sequential";
                object scenario = _scenario.Invoke(new object?[]
                {
                    sequential ? "4 KiB sequential read, QD 32" : "4 KiB random read, aligned", 4096, 0, false, sequential,
                    Enum.ToObject(_bounce, 0), sequential ? 32 : 8, 0, 64L << 20, 0,
                });
                object result = _run.Invoke(null, new[] { scenario, seconds, long.MaxValue })!;
                var t = result.GetType();
                return ((double)t.GetProperty(nameof(StackResult.Iops))!.GetValue(result)!, (double)t.GetProperty(nameof(StackResult.CpuNsPerSrb))!.GetValue(result)!);
            }
        }

        /// <summary>Resolves a build's XenVbd.Core (and anything else it ships) from that build's own directory.</summary>
        private sealed class Context : AssemblyLoadContext
        {
            private readonly AssemblyDependencyResolver _resolver;

            public Context(string mainAssembly)
                : base(mainAssembly, isCollectible: false) => _resolver = new AssemblyDependencyResolver(mainAssembly);

            protected override Assembly? Load(AssemblyName assemblyName)
            {
                string? path = _resolver.ResolveAssemblyToPath(assemblyName);
                return path != null ? LoadFromAssemblyPath(path) : null;
            }
        }
    }
}
