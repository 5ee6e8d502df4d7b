using System;
using CsCheck;
using XenVbd.Backend;
using XenVbd.Ring;
using XenVbd.Storage;
using XenVbd.Tests.Reliability;
using XenVbd.Tests.Support;

namespace XenVbd.Tests.Backend
{
    /// <summary>
    /// Model-based: random streams of WRITE, FLUSH_DISKCACHE and WRITE_BARRIER against a backend over a volatile
    /// write cache, with a power cut after every point of the stream. What survives must be exactly what the real
    /// backend guarantees: what a flush reached. Current Linux's barrier is a REQ_PREFLUSH write without FUA, so its
    /// own data is lost by a cut right after its OKAY; the 2008 blkback's (REQ_FLUSH|REQ_FUA) is not; QEMU answers
    /// a barrier ERROR and writes nothing.
    /// </summary>
    public class BackendPowerCutModelTests
    {
        private const int Pages = 16;

        [Theory]
        [InlineData(BackendPersonality.LinuxBlkback)]
        [InlineData(BackendPersonality.LinuxBlkback2008)]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Power_cut_after_each_write_flush_or_barrier_keeps_exactly_what_a_flush_reached(BackendPersonality personality)
        {
            var op = Gen.Select(Gen.Int[0, 2], Gen.Int[0, Pages - 1], Gen.Byte[1, 255]);
            long cuts = 0;
            op.Array[1, 10].Sample(stream =>
            {
                for (int cutAfter = 0; cutAfter < stream.Length; cutAfter++)
                {
                    RunAndCut(personality, stream, cutAfter);
                    cuts++;
                }
            }, iter: Soak.Cases(25), threads: 1);
            Assert.True(cuts > 0);
        }

        [Fact]
        public void Linux_barrier_data_is_lost_by_a_cut_right_after_its_OKAY_and_the_2008_barrier_data_is_not()
        {
            var stream = new[] { (0, 1, (byte)0x11), (2, 2, (byte)0x22) };
            var linux = RunAndCut(BackendPersonality.LinuxBlkback, stream, 1);
            Assert.Equal(0x11, linux[1 * 4096]);
            Assert.Equal(0x00, linux[2 * 4096]);
            var old = RunAndCut(BackendPersonality.LinuxBlkback2008, stream, 1);
            Assert.Equal(0x11, old[1 * 4096]);
            Assert.Equal(0x22, old[2 * 4096]);
        }

        /// <summary>Runs <paramref name="stream"/> up to and including <paramref name="cutAfter"/>, cuts the power, checks and returns the disk.</summary>
        private static byte[] RunAndCut(BackendPersonality personality, (int Kind, int Page, byte Fill)[] stream, int cutAfter)
        {
            var cache = new WriteCacheDisk(new MemoryDisk(1 << 20));
            using var rig = BackendRig.Create(new BlkBackOptions { Personality = personality, ReorderCompletions = true }, cache);
            rig.Frontend.Connect("x86_64-abi");
            var current = new byte[Pages * 4096];
            var durable = new byte[Pages * 4096];
            for (int i = 0; i <= cutAfter; i++)
            {
                var (kind, page, fill) = stream[i];
                var p = rig.GrantPages(1, fill)[0];
                var seg = new BlkifSegment(p.Gref, 0, 7);
                ulong sector = (ulong)page * 8;
                short status;
                switch (kind)
                {
                    case 0:
                        status = rig.Frontend.Submit(BlkifOp.Write, (ulong)i, sector, seg).Status;
                        Assert.Equal(BlkifStatus.Okay, status);
                        current.AsSpan(page * 4096, 4096).Fill(fill);
                        break;
                    case 1:
                        status = rig.Frontend.Submit(BlkifOp.FlushDiskCache, (ulong)i, 0).Status;
                        if (!BackendProfile.For(personality).FlushOperation)
                        {
                            // The 2008 blkback has no FLUSH_DISKCACHE: an unknown operation, nothing flushed.
                            Assert.Equal(BlkifStatus.Error, status);
                            break;
                        }
                        Assert.Equal(BlkifStatus.Okay, status);
                        current.CopyTo(durable, 0);
                        break;
                    default:
                        status = rig.Frontend.Submit(BlkifOp.WriteBarrier, (ulong)i, sector, seg).Status;
                        var barrier = BackendProfile.For(personality).Barrier;
                        if (barrier == BarrierSemantics.Unsupported)
                        {
                            Assert.Equal(BlkifStatus.Error, status);
                            break;
                        }
                        Assert.Equal(BlkifStatus.Okay, status);
                        if (barrier == BarrierSemantics.DrainThenPreflushWrite) current.CopyTo(durable, 0);
                        current.AsSpan(page * 4096, 4096).Fill(fill);
                        if (barrier == BarrierSemantics.PreflushWriteFua) current.CopyTo(durable, 0);
                        break;
                }
            }
            cache.PowerCut();
            var disk = rig.DiskBytes(0, Pages * 4096);
            Assert.Equal(durable, disk);
            return disk;
        }
    }
}
