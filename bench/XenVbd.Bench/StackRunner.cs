using System;
using System.Diagnostics;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Scsi;

namespace XenVbd.Bench
{
    /// <summary>
    /// Drives a device the way a storport queue would: keep <c>QueueDepth</c> SRBs in flight, submit,
    /// run the simulation until they complete, repeat. Timed in wall-clock time (the virtual clock
    /// measures the model, not this machine); allocation is counted on this thread.
    /// </summary>
    internal static class StackRunner
    {
        public static StackResult Run(StackScenario s, double seconds, long maxSrbs)
        {
            using var dev = VbdDevice.Create(s.Options());
            dev.Host.Trace.Enabled = false;
            int qd = s.QueueDepth;
            var srbs = new Srb[qd];
            var buffers = new ulong[qd];
            for (int i = 0; i < qd; i++)
            {
                srbs[i] = new Srb();
                buffers[i] = dev.AllocateGuestBuffer(s.BlockBytes + 4096);
                dev.GuestBytes(buffers[i], s.BlockBytes + 4096).Fill((byte)(i + 1));
            }
            long blocksOnDisk = s.DiskBytes / 512;
            int blocks = s.BlockBytes / 512;
            long span = Math.Min(blocksOnDisk, 64L << 11) - blocks; // at most 64 MiB touched, so a huge sparse disk stays sparse
            var rng = new XenVbd.Sim.SimRandom(42);
            long next = 0;

            // Touch the range once so the sparse disk stops growing before measuring.
            // Non-zero data: the sparse disk stores nothing for zeros and would allocate chunks mid-measurement.
            var fill = new byte[2048 * 512];
            fill.AsSpan().Fill(0x5A);
            for (long lba = 0; lba < span + blocks; lba += 2048)
            {
                int n = (int)Math.Min(2048, span + blocks - lba);
                if (!dev.Execute(Rw16(true, (ulong)lba, (uint)n), fill.AsSpan(0, n * 512).ToArray()).IsSuccess) throw new InvalidOperationException("warm-up write failed");
            }

            var cdb = new byte[16];
            long done = 0;
            void Batch()
            {
                for (int i = 0; i < qd; i++)
                {
                    long lba = s.Sequential ? next : rng.NextInt64(0, span);
                    next = s.Sequential ? (next + blocks) % span : next;
                    Fill16(cdb, s.Write, (ulong)lba, (uint)blocks);
                    srbs[i].Prepare(cdb, buffers[i] + (ulong)s.Alignment, s.BlockBytes, s.Write ? DataDirection.Out : DataDirection.In);
                    dev.Submit(srbs[i]);
                }
                for (int i = 0; i < qd; i++)
                {
                    dev.RunUntilComplete(srbs[i]);
                    if (srbs[i].SrbStatus != SrbStatus.Success) throw new InvalidOperationException(s.Name + ": SRB failed with " + srbs[i].SrbStatus);
                }
                done += qd;
            }

            var warm = Stopwatch.StartNew();
            while (warm.Elapsed.TotalSeconds < Math.Min(0.3, seconds / 4)) Batch();
            done = 0;
            long bounceBefore = dev.Frontend.Statistics.BouncePasses;
            // The stopwatch is made before the allocation counter is read: it is a 40-byte object, and
            // depending on how the loop was jitted it used to land inside the measured window.
            var sw = new Stopwatch();
            long allocBefore = GC.GetAllocatedBytesForCurrentThread();
            double cpuBefore = ThreadCpu.Seconds();
            sw.Start();
            while (sw.Elapsed.TotalSeconds < seconds && done < maxSrbs) Batch();
            sw.Stop();
            double cpu = ThreadCpu.Seconds() - cpuBefore;
            // Read the counter before `new StackResult`: the result object itself is allocated before its
            // initialisers run, and counting it showed up as ~0.1 B/SRB in the short 1 MiB runs.
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocBefore;
            return new StackResult
            {
                Name = s.Name,
                Srbs = done,
                Seconds = sw.Elapsed.TotalSeconds,
                CpuSeconds = cpu,
                Bytes = done * s.BlockBytes,
                AllocatedBytes = allocated,
                BouncePasses = dev.Frontend.Statistics.BouncePasses - bounceBefore,
                QueueDepth = qd,
                RingPageOrder = s.RingPageOrder,
                DiskBytes = s.DiskBytes,
            };
        }

        /// <summary>Probe + switch: create a 64-bit frontend on a legacy 32-bit backend until the probe completes.</summary>
        public static StackResult ProbeAndSwitch(double seconds)
        {
            var opts = new VbdDeviceOptions { SizeBytes = 1 << 20, BackendAbi = XenVbd.Ring.BlkifAbi.X86_32, BackendMode = XenVbd.Backend.BackendAbiMode.Native, GuestBufferBytes = 1 << 20 };
            long n = 0;
            double cpuBefore = ThreadCpu.Seconds();
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed.TotalSeconds < seconds)
            {
                using var dev = VbdDevice.Create(opts);
                if (dev.ProbeResult == null || !dev.ProbeResult.Switched) throw new InvalidOperationException("the probe did not switch");
                n++;
            }
            return new StackResult { Name = "probe + switch (device create)", Srbs = n, Seconds = sw.Elapsed.TotalSeconds, CpuSeconds = ThreadCpu.Seconds() - cpuBefore, QueueDepth = 1 };
        }

        private static byte[] Rw16(bool write, ulong lba, uint blocks)
        {
            var c = new byte[16];
            Fill16(c, write, lba, blocks);
            return c;
        }

        private static void Fill16(byte[] c, bool write, ulong lba, uint blocks)
        {
            XenVbd.Scsi.CdbBuilder.WriteReadWrite16(c, write, (long)lba, blocks);
        }
    }
}
