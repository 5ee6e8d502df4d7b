using System;
using System.Collections.Generic;
using CsCheck;
using XenVbd.Device;
using XenVbd.Frontend;

namespace XenVbd.Tests.Device
{
    /// <summary>Unaligned buffers through each bounce strategy: data intact, passes and bytes counted.</summary>
    public sealed class BounceTests
    {
        public static IEnumerable<object[]> StrategiesAndAlignments()
        {
            // 1..511 sampled: the edges, powers of two, odd values; plus page-crossing offsets past 512.
            int[] alignments = { 0, 1, 2, 3, 7, 8, 64, 255, 256, 257, 384, 511, 512, 1000, 4095 };
            foreach (var s in new[] { BounceStrategyKind.PerSrb, BounceStrategyKind.DeviceBuffer, BounceStrategyKind.SegmentPool })
                foreach (var a in alignments)
                    yield return new object[] { s, a };
        }

        [Theory]
        [MemberData(nameof(StrategiesAndAlignments))]
        public void Each_strategy_moves_unaligned_data_intact(BounceStrategyKind strategy, int alignment)
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.Hardened, Bounce = strategy, SizeBytes = 8 << 20, Seed = (ulong)alignment + 1 });
            foreach (int size in new[] { 512, 4096, 12 * 1024, 100 * 1024 })
            {
                var data = Cdb.Pattern(size, size + alignment);
                var w = dev.Execute(Cdb.Write10(8, (ushort)(size / 512)), data, bufferAlignment: alignment);
                Assert.True(w.IsSuccess, w.ToString());
                var r = dev.Execute(Cdb.Read10(8, (ushort)(size / 512)), dataInLength: size, bufferAlignment: (alignment * 7) % 4096);
                Assert.True(r.IsSuccess, r.ToString());
                Assert.Equal(data, r.Data);

                bool bounced = alignment % 512 != 0;
                Assert.Equal(bounced ? size : 0, w.BytesBounced);
                if (bounced)
                {
                    int perPass = strategy == BounceStrategyKind.PerSrb ? 4096 : 11 * 4096;
                    Assert.Equal((size + perPass - 1) / perPass, w.BouncePasses);
                }
                else
                {
                    Assert.Equal(0, w.BouncePasses);
                }
            }
        }

        [Fact]
        public void Per_srb_bounce_goes_through_a_large_srb_once_per_4_kib()
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { SizeBytes = 4 << 20 });
            var data = Cdb.Pattern(64 * 1024, 1);
            var w = dev.Execute(Cdb.Write10(0, 128), data, bufferAlignment: 3);
            Assert.Equal(16, w.BouncePasses);
            Assert.Equal(16, w.RequestsUsed);
            Assert.Equal(64 * 1024, dev.GetStatistics().BytesBounced);
            var aligned = dev.Execute(Cdb.Write10(0, 128), data, bufferAlignment: 0);
            Assert.Equal(0, aligned.BouncePasses);
            Assert.Equal(2, aligned.RequestsUsed); // 16 pages: 11 + 5 segments
        }

        [Fact]
        public void Large_aligned_srbs_use_indirect_requests_when_offered()
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { SizeBytes = 8 << 20, MaxIndirectSegments = 64 });
            Assert.Equal(64, dev.Frontend.SegmentsPerRequest);
            var data = Cdb.Pattern(256 * 1024, 2);
            var w = dev.Execute(Cdb.Write10(0, 512), data);
            Assert.True(w.IsSuccess);
            Assert.Equal(1, w.RequestsUsed);
            Assert.Equal(1, dev.GetStatistics().IndirectRequests);
            Assert.Equal(data, dev.Execute(Cdb.Read10(0, 512), dataInLength: data.Length).Data);
        }

        [Fact]
        public void A_4k_sector_disk_bounces_buffers_that_are_512_but_not_4096_aligned()
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.Hardened, SizeBytes = 8 << 20, LogicalSectorSize = 4096 });
            var data = Cdb.Pattern(16384, 5);
            var w = dev.Execute(Cdb.Write10(3, 4), data, bufferAlignment: 512);
            Assert.True(w.IsSuccess, w.ToString());
            Assert.Equal(4, w.BouncePasses);
            var r = dev.Execute(Cdb.Read10(3, 4), dataInLength: data.Length, bufferAlignment: 0);
            Assert.Equal(0, r.BouncePasses);
            Assert.Equal(data, r.Data);
        }

        [Fact]
        public void Property_any_alignment_and_size_round_trips_with_every_strategy()
        {
            var devices = new[]
            {
                VbdDevice.Create(new VbdDeviceOptions { Bounce = BounceStrategyKind.PerSrb, SizeBytes = 4 << 20, GuestBufferBytes = 4 << 20 }),
                VbdDevice.Create(new VbdDeviceOptions { Bounce = BounceStrategyKind.DeviceBuffer, SizeBytes = 4 << 20, GuestBufferBytes = 4 << 20 }),
                VbdDevice.Create(new VbdDeviceOptions { Bounce = BounceStrategyKind.SegmentPool, SizeBytes = 4 << 20, GuestBufferBytes = 4 << 20 }),
            };
            try
            {
                Gen.Select(Gen.Int[0, 2], Gen.Int[0, 4095], Gen.Int[1, 2048], Gen.Int[0, 2047])
                    .Sample((which, alignment, blocks, lba) =>
                    {
                        var dev = devices[which];
                        lba = System.Math.Min(lba, 8192 - blocks);
                        var data = Cdb.Pattern(blocks * 512, alignment ^ blocks);
                        var w = dev.Execute(Cdb.Write10((uint)lba, (ushort)blocks), data, bufferAlignment: alignment);
                        var r = dev.Execute(Cdb.Read10((uint)lba, (ushort)blocks), dataInLength: data.Length, bufferAlignment: 4095 - alignment);
                        return w.IsSuccess && r.IsSuccess && r.Data.AsSpan().SequenceEqual(data);
                    }, iter: 60, threads: 1);
            }
            finally
            {
                foreach (var d in devices) d.Dispose();
            }
        }
    }
}
