using System;
using System.Diagnostics;
using System.Runtime.InteropServices;

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
        private const int DiskBytes = 64 << 20;

        // One "disk" for every run: filling 64 MiB costs more than a short paired run measures. It and the
        // destinations are page-aligned, as the stack's disk chunks (cache-line) and guest frames (page) are,
        // so the limit is not handicapped by split loads and stores the stack does not pay.
        private static readonly Lazy<IntPtr> LazyDisk = new Lazy<IntPtr>(() =>
        {
            var d = AlignedPages(DiskBytes);
            new Random(1).NextBytes(Span(d, DiskBytes));
            return d;
        });

        private static unsafe IntPtr AlignedPages(int bytes) => (IntPtr)NativeMemory.AlignedAlloc((nuint)bytes, 4096);

        private static unsafe void FreeAligned(IntPtr p) => NativeMemory.AlignedFree((void*)p);

        private static unsafe Span<byte> Span(IntPtr p, int bytes) => new Span<byte>((void*)p, bytes);

        public static StackResult Run(int blockBytes, bool sequential, double seconds, int destinations)
        {
            var disk = Span(LazyDisk.Value, DiskBytes);
            var dest = new IntPtr[destinations];
            for (int i = 0; i < destinations; i++) dest[i] = AlignedPages(blockBytes);
            // First touches fault the new pages in; the stack's guest buffers were touched long before its timing.
            for (int i = 0; i < destinations; i++) disk.Slice(i * 4096, blockBytes).CopyTo(Span(dest[i], blockBytes));
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
                    disk.Slice((int)off, blockBytes).CopyTo(Span(dest[i % destinations], blockBytes));
                }
                n += 64;
            }
            sw.Stop();
            double cpu = ThreadCpu.Seconds() - cpuBefore;
            foreach (var p in dest) FreeAligned(p);
            return new StackResult { Name = "copy limit " + blockBytes + " B, " + (sequential ? "sequential" : "random") + ", " + destinations + (destinations == 1 ? " destination" : " destinations"), Srbs = n, Seconds = sw.Elapsed.TotalSeconds, CpuSeconds = cpu, Bytes = n * blockBytes, QueueDepth = 1 };
        }
    }
}
