using System;
using System.Diagnostics;

namespace XenVbd.Bench
{
    /// <summary>
    /// The memory-copy limit: the same bytes the stack moves per SRB, moved by a plain copy loop
    /// from a 64 MiB "disk" into a page-aligned buffer. No model can beat this on this machine.
    /// </summary>
    internal static class CopyBaseline
    {
        public static StackResult Run(int blockBytes, bool sequential, double seconds)
        {
            var disk = new byte[64 << 20];
            new Random(1).NextBytes(disk);
            var dest = new byte[blockBytes];
            long span = disk.Length - blockBytes;
            var rng = new XenVbd.Sim.SimRandom(42);
            long next = 0, n = 0;
            double cpuBefore = ThreadCpu.Seconds();
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed.TotalSeconds < seconds)
            {
                for (int i = 0; i < 64; i++)
                {
                    long off = sequential ? next : rng.NextInt64(0, span / 512) * 512;
                    next = sequential ? (next + blockBytes) % span : next;
                    disk.AsSpan((int)off, blockBytes).CopyTo(dest);
                }
                n += 64;
            }
            sw.Stop();
            double cpu = ThreadCpu.Seconds() - cpuBefore;
            return new StackResult { Name = "copy limit " + blockBytes + " B", Srbs = n, Seconds = sw.Elapsed.TotalSeconds, CpuSeconds = cpu, Bytes = n * blockBytes, QueueDepth = 1 };
        }
    }
}
