using System;
using System.Diagnostics;

namespace XenVbd.Bench
{
    /// <summary>
    /// The memory-copy limit: the same bytes the stack moves per SRB, moved by a plain copy loop
    /// from a 64 MiB "disk" into destination buffers. No model can beat this on this machine.
    /// </summary>
    /// <remarks>
    /// The stack with a queue depth of 8 reads into 8 different guest buffers in turn, so the like-for-like
    /// copy rotates over as many destinations; with one destination a 1 MiB copy writes into a buffer that
    /// stays in this core's L2, which no 8-deep queue of 1 MiB buffers can.
    /// </remarks>
    internal static class CopyBaseline
    {
        // One "disk" for every run: filling 64 MiB costs more than a short paired run measures.
        private static readonly Lazy<byte[]> LazyDisk = new Lazy<byte[]>(() =>
        {
            var d = new byte[64 << 20];
            new Random(1).NextBytes(d);
            return d;
        });

        private static byte[] Disk => LazyDisk.Value;

        public static StackResult Run(int blockBytes, bool sequential, double seconds, int destinations)
        {
            var disk = Disk;
            var dest = new byte[destinations][];
            for (int i = 0; i < destinations; i++) dest[i] = new byte[blockBytes];
            // First touches fault the new pages in; the stack's guest buffers were touched long before its timing.
            for (int i = 0; i < destinations; i++) disk.AsSpan(i * 4096, blockBytes).CopyTo(dest[i]);
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
                    disk.AsSpan((int)off, blockBytes).CopyTo(dest[i % destinations]);
                }
                n += 64;
            }
            sw.Stop();
            double cpu = ThreadCpu.Seconds() - cpuBefore;
            return new StackResult { Name = "copy limit " + blockBytes + " B, " + (sequential ? "sequential" : "random") + ", " + destinations + (destinations == 1 ? " destination" : " destinations"), Srbs = n, Seconds = sw.Elapsed.TotalSeconds, CpuSeconds = cpu, Bytes = n * blockBytes, QueueDepth = 1 };
        }
    }
}
