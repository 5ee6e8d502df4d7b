using System;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Scsi;

namespace XenVbd.Tests.Device
{
    /// <summary>The driver may not allocate on the I/O path: prove it over 100,000 mixed SRBs.</summary>
    public sealed class AllocationTests
    {
        private const int Batch = 8;
        private const int Blocks = 2048; // 1 MiB of disk, written once during warm-up so the sparse disk stops growing

        [Theory]
        [InlineData(BounceStrategyKind.PerSrb)]
        [InlineData(BounceStrategyKind.SegmentPool)]
        public void Hundred_thousand_mixed_srbs_allocate_nothing(BounceStrategyKind strategy)
            => AssertNoAllocation(new VbdDeviceOptions { SizeBytes = Blocks * 512, Bounce = strategy, FeatureDiscard = false }, flushEvery: 0);

        /// <summary>The same proof for every frontend personality: each seam it switches is on the I/O path too.</summary>
        [Theory]
        [InlineData(FrontendPersonality.Hardened)]
        [InlineData(FrontendPersonality.Gplpv2008a)]
        [InlineData(FrontendPersonality.Gplpv2008b)]
        [InlineData(FrontendPersonality.Gplpv2012)]
        [InlineData(FrontendPersonality.Gplpv2013)]
        [InlineData(FrontendPersonality.XenProject)]
        [InlineData(FrontendPersonality.LinuxBlkfront)]
        public void Hundred_thousand_mixed_srbs_allocate_nothing_under_each_personality(FrontendPersonality personality)
            => AssertNoAllocation(new VbdDeviceOptions { SizeBytes = Blocks * 512, Personality = personality, FeatureDiscard = false }, flushEvery: 0);

        /// <summary>
        /// Per backend personality, with completions reordered and a SYNCHRONIZE CACHE every 16th SRB, so each
        /// personality's flush or barrier path (current Linux's barrier drain included) is on the measured path too.
        /// </summary>
        [Theory]
        [InlineData(FrontendPersonality.LinuxBlkfront)]
        [InlineData(FrontendPersonality.XenProject)]
        public void Hundred_thousand_mixed_srbs_on_four_queues_allocate_nothing(FrontendPersonality personality)
            => AssertNoAllocation(new VbdDeviceOptions { SizeBytes = Blocks * 512, Personality = personality, FeatureDiscard = false, Queues = 4, BackendMaxQueues = 4 }, flushEvery: 16, queues: 4);

        [Theory]
        [InlineData(BackendPersonality.LinuxBlkback)]
        [InlineData(BackendPersonality.LinuxBlkback2008)]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Hundred_thousand_mixed_srbs_allocate_nothing_on_each_backend_personality(BackendPersonality personality)
            => AssertNoAllocation(new VbdDeviceOptions { Personality = FrontendPersonality.Hardened, SizeBytes = Blocks * 512, FeatureDiscard = false, BackendPersonality = personality, ReorderCompletions = true }, flushEvery: 16);

        private static void AssertNoAllocation(VbdDeviceOptions options, int flushEvery, int queues = 1)
        {
            using var dev = VbdDevice.Create(options);
            Assert.Equal(queues, dev.Frontend.Queues);
            dev.Host.Trace.Enabled = false;
            var srbs = new Srb[Batch];
            var buffers = new ulong[Batch];
            for (int i = 0; i < Batch; i++)
            {
                srbs[i] = new Srb();
                buffers[i] = dev.AllocateGuestBuffer(64 * 1024 + 4096);
            }

            int failures = 0;
            int round = 0;
            void RunBatches(int count)
            {
                Span<byte> cdb = stackalloc byte[10];
                for (int n = 0; n < count; n += Batch)
                {
                    for (int i = 0; i < Batch; i++)
                    {
                        int k = round++;
                        int blocks = (k % 4) switch { 0 => 1, 1 => 8, 2 => 16, _ => 128 };
                        int alignment = (k % 3) switch { 0 => 0, 1 => 512 * (k % 7), _ => 1 + (k % 511) };
                        bool write = (k & 1) == 0;
                        uint lba = (uint)((k * 37) % (Blocks - blocks));
                        cdb.Clear();
                        if (flushEvery > 0 && k % flushEvery == flushEvery - 1)
                        {
                            cdb[0] = 0x35; // SYNCHRONIZE CACHE (10)
                            srbs[i].Prepare(cdb, 0, 0, DataDirection.None);
                            dev.Submit(srbs[i]);
                            continue;
                        }
                        cdb[0] = write ? (byte)0x2A : (byte)0x28;
                        cdb[2] = (byte)(lba >> 24); cdb[3] = (byte)(lba >> 16); cdb[4] = (byte)(lba >> 8); cdb[5] = (byte)lba;
                        cdb[7] = (byte)(blocks >> 8); cdb[8] = (byte)blocks;
                        srbs[i].Prepare(cdb, buffers[i] + (ulong)alignment, blocks * 512, write ? DataDirection.Out : DataDirection.In);
                        dev.Submit(srbs[i]);
                    }

                    for (int i = 0; i < Batch; i++)
                    {
                        dev.RunUntilComplete(srbs[i]);
                        if (srbs[i].SrbStatus != SrbStatus.Success) failures++;
                    }
                }
            }

            // Warm-up: touch every disk chunk, grow the event heap and the JIT to steady state.
            var fill = Cdb.Pattern(Blocks * 512, 1);
            Assert.True(dev.Execute(Cdb.Write10(0, Blocks), fill).IsSuccess);
            // On a loaded machine tiered JIT reaches its final code later; warm up until a whole round allocates
            // nothing (at most ten rounds), so the measured 100,000 see the engine's steady state, not the JIT's.
            for (int warm = 0; warm < 10; warm++)
            {
                long start = GC.GetAllocatedBytesForCurrentThread();
                RunBatches(4000);
                if (GC.GetAllocatedBytesForCurrentThread() == start) break;
            }
            long srbsBefore = dev.Frontend.Statistics.SrbsCompleted;

            long before = GC.GetAllocatedBytesForCurrentThread();
            RunBatches(100_000);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(0, failures);
            Assert.Equal(100_000, dev.Frontend.Statistics.SrbsCompleted - srbsBefore);
            Assert.True(dev.Frontend.Statistics.BouncePasses > 0);
            if (flushEvery > 0) Assert.True(dev.Backend.Statistics.Flushes > 0);
            Assert.Equal(0L, allocated);
            // Every queue carried its share (the vCPUs take turns).
            foreach (var ring in dev.GetRings()) Assert.True(ring.Requests > 100_000 / (4 * queues), "queue " + ring.Queue + ": " + ring.Requests + " requests");
        }
    }
}
