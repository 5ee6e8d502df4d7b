using System;
using XenVbd.Storage;

namespace XenVbd.Tests.Storage
{
    /// <summary>
    /// ReadScatter/WriteGather move one contiguous disk range to and from scattered pages in one
    /// operation, the way blkback submits one bio per request.
    /// </summary>
    public unsafe class ScatterGatherTests
    {
        private static MemoryRegion Region(byte[] pinned, int offset, int length)
        {
            fixed (byte* p = pinned)
            {
                // The array comes from the pinned object heap, so the address stays valid after the fixed block.
                return new MemoryRegion(p + offset, length, pinned);
            }
        }

        private static byte[] Pinned(int length) => GC.AllocateArray<byte>(length, pinned: true);

        [Fact]
        public void A_scattered_read_equals_the_contiguous_read_of_the_same_range()
        {
            using var disk = new MemoryDisk(1 << 20);
            byte[] data = TestData.Bytes(3 * 4096, 7);
            long offset = MemoryDisk.ChunkSize - 4096; // crosses a chunk boundary
            disk.Write(offset, data);
            var pages = Pinned(4 * 4096);
            var regions = new[] { Region(pages, 3 * 4096, 4096), Region(pages, 0, 1024), Region(pages, 4096 + 512, 3 * 512), Region(pages, 2 * 4096, 4096), Region(pages, 4096 + 2048, 2048 - 512) };
            Assert.Equal(data.Length, SumLengths(regions));

            disk.ReadScatter(offset, regions);

            var gathered = new byte[data.Length];
            int at = 0;
            foreach (var r in regions) { r.Span.CopyTo(gathered.AsSpan(at)); at += r.Length; }
            ByteAssert.Equal(data, gathered);
            Assert.Equal(1, disk.Statistics.Reads);
        }

        [Fact]
        public void A_gathered_write_lands_in_region_order_and_counts_as_one_write()
        {
            using var disk = new MemoryDisk(1 << 20);
            var pages = Pinned(2 * 4096);
            TestData.Bytes(pages.Length, 9).CopyTo(pages, 0);
            var regions = new[] { Region(pages, 4096, 4096), Region(pages, 512, 1024) };
            long before = disk.Statistics.Writes;

            disk.WriteGather(8192, regions);

            var back = new byte[5120];
            disk.Read(8192, back);
            ByteAssert.Equal(pages.AsSpan(4096, 4096).ToArray(), back.AsSpan(0, 4096).ToArray());
            ByteAssert.Equal(pages.AsSpan(512, 1024).ToArray(), back.AsSpan(4096).ToArray());
            Assert.Equal(before + 1, disk.Statistics.Writes);
            Assert.Equal(5120, disk.Statistics.BytesWritten);
        }

        [Fact]
        public void A_region_that_is_not_whole_sectors_fails_before_any_byte_moves()
        {
            using var disk = new MemoryDisk(1 << 20, 4096);
            var pages = Pinned(3 * 4096);
            TestData.Bytes(pages.Length, 4).CopyTo(pages, 0);
            var regions = new[] { Region(pages, 0, 4096), Region(pages, 4096, 512), Region(pages, 8192, 4096) };

            var e = Assert.Throws<StorageException>(() => disk.WriteGather(0, regions));

            Assert.Equal(StorageError.Misaligned, e.Error);
            Assert.Contains("512-byte region", e.Message);
            var back = new byte[3 * 4096];
            disk.Read(0, back);
            ByteAssert.Zeros(back);
        }

        [Fact]
        public void A_vector_running_past_the_end_fails_whole_and_writes_nothing()
        {
            using var disk = new MemoryDisk(64 * 1024);
            var pages = Pinned(2 * 4096);
            TestData.Bytes(pages.Length, 5).CopyTo(pages, 0);
            var regions = new[] { Region(pages, 0, 4096), Region(pages, 4096, 4096) };

            var e = Assert.Throws<StorageException>(() => disk.WriteGather(64 * 1024 - 4096, regions));

            Assert.Equal(StorageError.OutOfRange, e.Error);
            Assert.Equal(0, disk.AllocatedBytes);
        }

        [Fact]
        public void A_read_only_disk_refuses_a_gathered_write()
        {
            var inner = new MemoryDisk(1 << 20);
            inner.Write(0, TestData.Bytes(4096, 1));
            using var disk = new ReadOnlyView(inner);
            var pages = Pinned(4096);

            var e = Assert.Throws<StorageException>(() => disk.WriteGather(0, new[] { Region(pages, 0, 4096) }));

            Assert.Equal(StorageError.ReadOnly, e.Error);
            var back = new byte[4096];
            inner.Read(0, back);
            ByteAssert.Equal(TestData.Bytes(4096, 1), back);
        }

        [Fact]
        public void A_bad_block_inside_a_scattered_read_fails_it_with_a_medium_error()
        {
            using var disk = new DustDisk(new MemoryDisk(1 << 20));
            disk.AddBadBlock(9);
            var pages = Pinned(2 * 4096);
            var regions = new[] { Region(pages, 0, 4096), Region(pages, 4096, 4096) };

            var e = Assert.Throws<StorageException>(() => disk.ReadScatter(4096, regions));

            Assert.Equal(StorageError.MediumError, e.Error);
        }

        private static long SumLengths(MemoryRegion[] regions)
        {
            long n = 0;
            foreach (var r in regions) n += r.Length;
            return n;
        }

        private sealed class ReadOnlyView : BlockStorageDecorator
        {
            public ReadOnlyView(IBlockStorage inner) : base(inner) { }

            public override bool IsReadOnly => true;
        }
    }
}
