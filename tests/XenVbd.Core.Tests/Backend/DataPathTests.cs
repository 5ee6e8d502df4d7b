using System;
using System.Linq;
using XenVbd.Backend;
using XenVbd.Ring;
using XenVbd.Storage;
using XenVbd.Tests.Support;

namespace XenVbd.Tests.Backend
{
    public class DataPathTests
    {
        private static byte[] Pattern(int length, int seed)
        {
            var b = new byte[length];
            new Random(seed).NextBytes(b);
            for (int i = 0; i < b.Length; i++) b[i] |= 1;
            return b;
        }

        [Theory]
        [InlineData(BlkifAbi.X86_32)]
        [InlineData(BlkifAbi.X86_64)]
        public void Write_then_read_moves_exactly_the_granted_sectors_both_ways(BlkifAbi abi)
        {
            using var rig = BackendRig.Connected(abi);
            var fe = rig.Frontend;
            var src = rig.GrantPages(3, readOnly: true);
            var data = Pattern(3 * 4096, 7);
            for (int i = 0; i < 3; i++) data.AsSpan(i * 4096, 4096).CopyTo(fe.Page(src[i].Frame));

            // Sectors 2..7 of page 0, all of page 1, 0..3 of page 2: 6 + 8 + 4 = 18 sectors at sector 100.
            var w = fe.Submit(BlkifOp.Write, 0xABCDEF0123456789, 100,
                new BlkifSegment(src[0].Gref, 2, 7), new BlkifSegment(src[1].Gref, 0, 7), new BlkifSegment(src[2].Gref, 0, 3));
            Assert.Equal(BlkifStatus.Okay, w.Status);
            Assert.Equal(BlkifOp.Write, w.Operation);
            Assert.Equal(0xABCDEF0123456789ul, w.Id);

            var expected = data.Skip(2 * 512).Take(6 * 512).Concat(data.Skip(4096).Take(4096)).Concat(data.Skip(8192).Take(4 * 512)).ToArray();
            Assert.Equal(expected, rig.DiskBytes(100 * 512, 18 * 512));
            Assert.Equal(new byte[512], rig.DiskBytes(99 * 512, 512));
            Assert.Equal(new byte[512], rig.DiskBytes(118 * 512, 512));

            var dst = rig.GrantPages(2, fill: 0xEE);
            var r = fe.Submit(BlkifOp.Read, 5, 100, new BlkifSegment(dst[0].Gref, 1, 7), new BlkifSegment(dst[1].Gref, 0, 7));
            Assert.Equal(BlkifStatus.Okay, r.Status);
            Assert.Equal(BlkifOp.Read, r.Operation);
            var got = fe.Page(dst[0].Frame).ToArray();
            Assert.All(got.Take(512), b => Assert.Equal(0xEE, b));
            Assert.Equal(expected.Take(7 * 512).ToArray(), got.Skip(512).ToArray());
            Assert.Equal(rig.DiskBytes(107 * 512, 4096), fe.Page(dst[1].Frame).ToArray());
            Assert.All(src.Concat(dst), p => Assert.False(fe.Grants.IsMapped(p.Gref)));
            Assert.Equal(18 * 512, rig.Backend.Statistics.BytesWritten);
            Assert.Equal(15 * 512, rig.Backend.Statistics.BytesRead);
        }

        [Theory]
        [InlineData(BlkifAbi.X86_32)]
        [InlineData(BlkifAbi.X86_64)]
        public void Indirect_request_with_hundreds_of_segments_round_trips(BlkifAbi abi)
        {
            const int segments = 600;
            using var rig = BackendRig.Connected(abi, new BlkBackOptions { MaxIndirectSegments = 1024 });
            var fe = rig.Frontend;
            var data = rig.GrantPages(segments, readOnly: false);
            for (int i = 0; i < segments; i++) Pattern(4096, i + 1).CopyTo(fe.Page(data[i].Frame));
            var ind = rig.GrantPages(2, readOnly: true);
            for (int i = 0; i < segments; i++)
            {
                var page = fe.Page(ind[i / BlkifLayout.SegmentsPerIndirectPage].Frame);
                BlkifCodec.WriteSegment(page.Slice(BlkifCodec.IndirectSegmentOffset(i)), new BlkifSegment(data[i].Gref, 0, 7));
            }

            fe.QueueIndirect(BlkifOp.Write, 77, 800, segments, ind[0].Gref, ind[1].Gref);
            fe.Push();
            fe.Run();
            var w = Assert.Single(fe.TakeResponses());
            Assert.Equal(BlkifStatus.Okay, w.Status);
            // Linux answers an indirect request with its indirect_op.
            Assert.Equal(BlkifOp.Write, w.Operation);
            Assert.Equal(77ul, w.Id);
            for (int i = 0; i < segments; i += 97) Assert.Equal(Pattern(4096, i + 1), rig.DiskBytes((800 + 8L * i) * 512, 4096));

            for (int i = 0; i < segments; i++) fe.Page(data[i].Frame).Clear();
            fe.QueueIndirect(BlkifOp.Read, 78, 800, segments, ind[0].Gref, ind[1].Gref);
            fe.Push();
            fe.Run();
            var r = Assert.Single(fe.TakeResponses());
            Assert.Equal(BlkifStatus.Okay, r.Status);
            Assert.Equal(BlkifOp.Read, r.Operation);
            for (int i = 0; i < segments; i++) Assert.Equal(Pattern(4096, i + 1), fe.Page(data[i].Frame).ToArray());
            Assert.Equal(2, rig.Backend.Statistics.RequestsByOp(BlkifOp.Indirect));
            // Only the ring stays mapped.
            Assert.Equal(1, fe.Grants.ActiveMappings);
        }

        [Fact]
        public void Flush_without_segments_flushes_the_disk_and_succeeds()
        {
            var disk = new RecordingDisk(new MemoryDisk(1 << 20));
            using var rig = BackendRig.Connected(disk: disk);
            var rsp = rig.Frontend.Submit(BlkifOp.FlushDiskCache, 3, 0);
            Assert.Equal(BlkifStatus.Okay, rsp.Status);
            Assert.Equal(BlkifOp.FlushDiskCache, rsp.Operation);
            Assert.Equal(new[] { "flush" }, disk.Log);
        }

        [Fact]
        public void Barrier_with_data_is_a_preflush_write_with_no_flush_after_as_in_linux()
        {
            // Linux dispatch_rw_block_io: WRITE_BARRIER -> REQ_OP_WRITE | REQ_PREFLUSH, no REQ_FUA.
            var disk = new RecordingDisk(new MemoryDisk(1 << 20));
            using var rig = BackendRig.Connected(disk: disk);
            var page = rig.GrantPages(1, 0x42)[0];
            var rsp = rig.Frontend.Submit(BlkifOp.WriteBarrier, 3, 16, new BlkifSegment(page.Gref, 0, 7));
            Assert.Equal(BlkifStatus.Okay, rsp.Status);
            Assert.Equal(BlkifOp.WriteBarrier, rsp.Operation);
            Assert.Equal(new[] { "flush", "write 8192+4096" }, disk.Log);
        }

        [Fact]
        public void Barrier_of_the_2008_blkback_flushes_before_and_after_the_write()
        {
            // The old barrier (REQ_WRITE | REQ_FLUSH | REQ_FUA, a BIO_RW_BARRIER before) made its data durable.
            var disk = new RecordingDisk(new MemoryDisk(1 << 20));
            using var rig = BackendRig.Connected(disk: disk, options: new BlkBackOptions { Personality = BackendPersonality.LinuxBlkback2008 });
            var page = rig.GrantPages(1, 0x42)[0];
            var rsp = rig.Frontend.Submit(BlkifOp.WriteBarrier, 3, 16, new BlkifSegment(page.Gref, 0, 7));
            Assert.Equal(BlkifStatus.Okay, rsp.Status);
            Assert.Equal(new[] { "flush", "write 8192+4096", "flush" }, disk.Log);
        }

        [Fact]
        public void Barrier_without_segments_is_a_plain_flush_as_in_linux()
        {
            var disk = new RecordingDisk(new MemoryDisk(1 << 20));
            using var rig = BackendRig.Connected(disk: disk);
            Assert.Equal(BlkifStatus.Okay, rig.Frontend.Submit(BlkifOp.WriteBarrier, 3, 0).Status);
            Assert.Equal(new[] { "flush" }, disk.Log);
        }

        [Theory]
        [InlineData(BlkifOp.FlushDiskCache)]
        [InlineData(BlkifOp.WriteBarrier)]
        public void Flush_or_barrier_the_backend_did_not_advertise_still_goes_to_the_disk_as_in_linux(byte op)
        {
            // Linux dispatch_rw_block_io checks no feature: the REQ_PREFLUSH bio is submitted and a disk
            // without a write cache completes it, so the answer is OKAY (only a real NOTSUPP is EOPNOTSUPP).
            var disk = new RecordingDisk(new MemoryDisk(1 << 20));
            using var rig = BackendRig.Connected(disk: disk, options: new BlkBackOptions { FeatureFlushCache = false, FeatureBarrier = false });
            Assert.Equal("0", rig.Host.Store.Read(rig.Frontend.BackendPath + "/feature-flush-cache"));
            var rsp = rig.Frontend.Submit(op, 3, 0);
            Assert.Equal(BlkifStatus.Okay, rsp.Status);
            Assert.Equal(op, rsp.Operation);
            Assert.Equal(new[] { "flush" }, disk.Log);
        }

        [Fact]
        public void Discard_frees_whole_granules_only_and_keeps_partial_ones()
        {
            var disk = new RecordingDisk(new MemoryDisk(1 << 20));
            using var rig = BackendRig.Connected(disk: disk, options: new BlkBackOptions { DiscardGranularity = 4096 });
            disk.Write(0, Pattern(8 * 4096, 3));
            disk.Log.Clear();

            // Sectors 1..16 (bytes 512..8704): the only whole granule inside is [4096, 8192).
            rig.Frontend.QueueDiscard(9, 1, 16);
            rig.Frontend.Push();
            rig.Frontend.Run();
            var rsp = Assert.Single(rig.Frontend.TakeResponses());
            Assert.Equal(BlkifStatus.Okay, rsp.Status);
            Assert.Equal(BlkifOp.Discard, rsp.Operation);
            Assert.Equal(new[] { (4096L, 4096L, false) }, disk.Discards);
            Assert.Equal(Pattern(8 * 4096, 3).AsSpan(0, 4096).ToArray(), rig.DiskBytes(0, 4096));
            Assert.Equal(new byte[4096], rig.DiskBytes(4096, 4096));
            Assert.Equal(Pattern(8 * 4096, 3).AsSpan(8192, 4096).ToArray(), rig.DiskBytes(8192, 4096));
        }

        [Fact]
        public void Discard_granules_start_at_the_advertised_alignment()
        {
            var disk = new RecordingDisk(new MemoryDisk(1 << 20));
            using var rig = BackendRig.Connected(disk: disk, options: new BlkBackOptions { DiscardGranularity = 4096, DiscardAlignment = 1024 });
            Assert.Equal("1024", rig.Host.Store.Read(rig.Frontend.BackendPath + "/discard-alignment"));
            rig.Frontend.QueueDiscard(9, 0, 24);
            rig.Frontend.Push();
            rig.Frontend.Run();
            Assert.Equal(BlkifStatus.Okay, Assert.Single(rig.Frontend.TakeResponses()).Status);
            Assert.Equal(new[] { (1024L, 8192L, false) }, disk.Discards);
        }

        [Theory]
        [InlineData(true, true)]
        [InlineData(false, false)]
        public void Secure_discard_is_secure_only_when_discard_secure_is_advertised(bool advertised, bool expectSecure)
        {
            var disk = new RecordingDisk(new MemoryDisk(1 << 20));
            using var rig = BackendRig.Connected(disk: disk, options: new BlkBackOptions { DiscardSecure = advertised });
            rig.Frontend.QueueDiscard(1, 8, 8, BlkifOp.DiscardFlagSecure);
            rig.Frontend.Push();
            rig.Frontend.Run();
            Assert.Equal(BlkifStatus.Okay, Assert.Single(rig.Frontend.TakeResponses()).Status);
            Assert.Equal(new[] { (4096L, 4096L, expectSecure) }, disk.Discards);
        }

        [Fact]
        public void Discard_without_the_feature_is_EOPNOTSUPP()
        {
            var disk = new RecordingDisk(new MemoryDisk(1 << 20));
            using var rig = BackendRig.Connected(disk: disk, options: new BlkBackOptions { FeatureDiscard = false });
            rig.Frontend.QueueDiscard(1, 8, 8);
            rig.Frontend.Push();
            rig.Frontend.Run();
            var rsp = Assert.Single(rig.Frontend.TakeResponses());
            Assert.Equal(BlkifStatus.NotSupported, rsp.Status);
            Assert.Equal(BlkifOp.Discard, rsp.Operation);
            Assert.Empty(disk.Discards);
        }

        [Fact]
        public void Discard_past_the_end_of_the_disk_is_an_error()
        {
            var disk = new RecordingDisk(new MemoryDisk(1 << 20));
            using var rig = BackendRig.Connected(disk: disk);
            rig.Frontend.QueueDiscard(1, (1 << 20) / 512 - 4, 8);
            rig.Frontend.Push();
            rig.Frontend.Run();
            Assert.Equal(BlkifStatus.Error, Assert.Single(rig.Frontend.TakeResponses()).Status);
            Assert.Empty(disk.Discards);
            Assert.Equal(1, rig.Backend.Statistics.Rejected(RequestRejectReason.OutOfRange));
        }

        [Fact]
        public void Read_only_export_serves_reads_and_refuses_every_kind_of_write()
        {
            var mem = new MemoryDisk(1 << 20);
            mem.Write(0, Pattern(4096, 9));
            var disk = new RecordingDisk(mem);
            using var rig = BackendRig.Connected(disk: disk, options: new BlkBackOptions { ReadOnly = true });
            Assert.Equal("r", rig.Host.Store.Read(rig.Frontend.BackendPath + "/mode"));
            Assert.Equal(VdiskInfo.ReadOnly.ToString(), rig.Host.Store.Read(rig.Frontend.BackendPath + "/info"));

            var page = rig.GrantPages(1)[0];
            Assert.Equal(BlkifStatus.Okay, rig.Frontend.Submit(BlkifOp.Read, 1, 0, new BlkifSegment(page.Gref, 0, 7)).Status);
            Assert.Equal(Pattern(4096, 9), rig.Frontend.Page(page.Frame).ToArray());
            disk.Log.Clear();

            Assert.Equal(BlkifStatus.Error, rig.Frontend.Submit(BlkifOp.Write, 2, 0, new BlkifSegment(page.Gref, 0, 7)).Status);
            Assert.Equal(BlkifStatus.Error, rig.Frontend.Submit(BlkifOp.WriteBarrier, 3, 0, new BlkifSegment(page.Gref, 0, 7)).Status);
            Assert.Equal(BlkifStatus.Error, rig.Frontend.Submit(BlkifOp.FlushDiskCache, 4, 0).Status);
            rig.Frontend.QueueDiscard(5, 0, 8);
            rig.Frontend.Push();
            rig.Frontend.Run();
            Assert.Equal(BlkifStatus.Error, Assert.Single(rig.Frontend.TakeResponses()).Status);
            Assert.Empty(disk.Log);
            Assert.Equal(4, rig.Backend.Statistics.Rejected(RequestRejectReason.ReadOnly));
        }

        [Fact]
        public void Disk_that_is_itself_read_only_is_exported_read_only()
        {
            var mem = new MemoryDisk(1 << 20);
            mem.SetReadOnly(true);
            using var rig = BackendRig.Connected(disk: mem);
            Assert.Equal("r", rig.Host.Store.Read(rig.Frontend.BackendPath + "/mode"));
            var page = rig.GrantPages(1)[0];
            Assert.Equal(BlkifStatus.Error, rig.Frontend.Submit(BlkifOp.Write, 2, 0, new BlkifSegment(page.Gref, 0, 7)).Status);
        }

        [Fact]
        public void Disk_with_4096_byte_sectors_takes_aligned_pages_and_refuses_misaligned_io()
        {
            var disk = new RecordingDisk(new MemoryDisk(1 << 20, 4096));
            using var rig = BackendRig.Connected(disk: disk);
            Assert.Equal("4096", rig.Host.Store.Read(rig.Frontend.BackendPath + "/sector-size"));
            Assert.Equal(((1 << 20) / 512).ToString(), rig.Host.Store.Read(rig.Frontend.BackendPath + "/sectors"));
            var page = rig.GrantPages(1, 0x61)[0];

            Assert.Equal(BlkifStatus.Okay, rig.Frontend.Submit(BlkifOp.Write, 1, 16, new BlkifSegment(page.Gref, 0, 7)).Status);
            Assert.Equal(0x61, rig.DiskBytes(8192, 4096)[4095]);
            disk.Log.Clear();

            // Start not on a 4096-byte boundary.
            Assert.Equal(BlkifStatus.Error, rig.Frontend.Submit(BlkifOp.Write, 2, 17, new BlkifSegment(page.Gref, 0, 7)).Status);
            // Half a sector's worth of segment.
            Assert.Equal(BlkifStatus.Error, rig.Frontend.Submit(BlkifOp.Read, 3, 16, new BlkifSegment(page.Gref, 0, 3)).Status);
            rig.Frontend.QueueDiscard(4, 1, 8);
            rig.Frontend.Push();
            rig.Frontend.Run();
            Assert.Equal(BlkifStatus.Error, Assert.Single(rig.Frontend.TakeResponses()).Status);
            Assert.Empty(disk.Log);
            Assert.Equal(3, rig.Backend.Statistics.Rejected(RequestRejectReason.Misaligned));
        }

        [Fact]
        public void Storage_failure_becomes_an_error_response_not_an_exception()
        {
            var disk = new FailingDisk(new MemoryDisk(1 << 20));
            using var rig = BackendRig.Connected(disk: disk);
            var page = rig.GrantPages(1)[0];
            var rsp = rig.Frontend.Submit(BlkifOp.Read, 1, 0, new BlkifSegment(page.Gref, 0, 7));
            Assert.Equal(BlkifStatus.Error, rsp.Status);
            Assert.Equal(1, rig.Backend.Statistics.Rejected(RequestRejectReason.StorageError));
            Assert.False(rig.Frontend.Grants.IsMapped(page.Gref));
        }

        private sealed class FailingDisk : BlockStorageDecorator
        {
            public FailingDisk(IBlockStorage inner) : base(inner) { }

            protected override void ReadCore(long byteOffset, Span<byte> destination)
                => throw new StorageException(StorageError.MediumError, "bad block", byteOffset);
        }
    }
}
