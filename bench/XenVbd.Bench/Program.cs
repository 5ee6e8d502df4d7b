using BenchmarkDotNet.Running;

namespace XenVbd.Bench
{
    public static class Program
    {
        /// <summary>
        /// `micro [BenchmarkDotNet args]` runs the BenchmarkDotNet micro benchmarks;
        /// `stack [--quick] [--out file.json]` runs the whole-stack harness with its baselines;
        /// `devices [--quick] [--out file.json]` measures device memory, creation and campaign cases per second;
        /// `effects` prints the published effects of multi-page rings, persistent grants and multi-queue as the
        /// virtual-time service model reproduces them (deterministic: the same table on any machine);
        /// `builds name=dir/XenVbd.Bench.dll ... [--rounds n] [--c-exe ringloop]` runs the two 4 KiB target rows of several
        /// builds side by side in this process, alternating (see <see cref="BuildComparison"/>).
        /// </summary>
        public static int Main(string[] args)
        {
            string mode = args.Length > 0 ? args[0] : "stack";
            var rest = args.Length > 0 ? args[1..] : System.Array.Empty<string>();
            switch (mode)
            {
                case "micro":
                    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.Length == 0 ? new[] { "--filter", "*" } : rest);
                    return 0;
                case "stack":
                    return StackHarness.Run(rest);
                case "devices":
                    return DeviceCost.Run(rest);
                case "effects":
                    return PublishedEffectsReport.Run();
                case "builds":
                    return BuildComparison.Run(rest);
                default:
                    System.Console.Error.WriteLine("usage: XenVbd.Bench micro|stack|devices|effects|builds [options]");
                    return 2;
            }
        }
    }
}
