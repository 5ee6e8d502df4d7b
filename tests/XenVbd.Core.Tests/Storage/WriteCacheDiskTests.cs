using System;
using XenVbd.Storage;

using XenVbd.Tests.Support;

namespace XenVbd.Tests.Storage
{
    public sealed class WriteCacheDiskTests : IDisposable
    {
        private readonly TempDirectory _temp = new TempDirectory();

        public void Dispose() => _temp.Dispose();

        [Fact]
        public void Write_is_visible_at_once_but_reaches_the_inner_disk_only_on_flush()
        {
            var inner = new MemoryDisk(1 << 20);
            using var cache = new WriteCacheDisk(inner);
            byte[] data = TestData.Bytes(4096, 1);

            cache.Write(8192, data);

            ByteAssert.Equal(data, ReadBack(cache, 8192, 4096));
            ByteAssert.Zeros(ReadBack(inner, 8192, 4096));
            Assert.Equal(4096, cache.DirtyBytes);

            cache.Flush();

            ByteAssert.Equal(data, ReadBack(inner, 8192, 4096));
            Assert.Equal(0, cache.DirtyBytes);
            Assert.Equal(1, inner.Statistics.Flushes);
        }

        [Fact]
        public void Power_cut_drops_exactly_the_unflushed_writes()
        {
            var inner = new MemoryDisk(1 << 20);
            using var cache = new WriteCacheDisk(inner);
            byte[] flushed = TestData.Bytes(8192, 2);
            byte[] overwrite = TestData.Bytes(512, 3);
            byte[] unflushed = TestData.Bytes(4096, 4);
            cache.Write(0, flushed);
            cache.Flush();
            cache.Write(512, overwrite);
            cache.Write(100 * 1024, unflushed);

            cache.PowerCut();

            Assert.Equal(flushed, ReadBack(cache, 0, 8192));
            ByteAssert.Zeros(ReadBack(cache, 100 * 1024, 4096));
            Assert.Equal(0, cache.DirtyBytes);
        }

        [Fact]
        public void Read_mixing_cached_and_uncached_sectors_returns_the_newest_data_everywhere()
        {
            var inner = new MemoryDisk(1 << 20);
            byte[] old = TestData.Bytes(3 * WriteCacheDisk.LineSize, 5);
            inner.Write(0, old);
            using var cache = new WriteCacheDisk(inner);
            byte[] a = TestData.Bytes(512, 6);
            byte[] b = TestData.Bytes(1024, 7);
            cache.Write(1024, a);
            cache.Write(WriteCacheDisk.LineSize - 512, b);

            byte[] expected = (byte[])old.Clone();
            a.CopyTo(expected, 1024);
            b.CopyTo(expected, WriteCacheDisk.LineSize - 512);
            ByteAssert.Equal(expected, ReadBack(cache, 0, expected.Length));
        }

        [Fact]
        public void Flush_writes_back_contiguous_sectors_as_one_write()
        {
            var inner = new MemoryDisk(1 << 20);
            using var cache = new WriteCacheDisk(inner);
            for (int i = 0; i < 8; i++)
            {
                cache.Write(i * 512, TestData.Bytes(512, i));
            }

            cache.Write(20 * 512, TestData.Bytes(512, 9));
            cache.Flush();

            Assert.Equal(2, inner.Statistics.Writes);
            Assert.Equal(9 * 512, inner.Statistics.BytesWritten);
        }

        [Fact]
        public void Discard_drops_cached_data_and_reaches_the_inner_disk_at_once()
        {
            var inner = new MemoryDisk(1 << 20);
            inner.Write(0, TestData.Bytes(8192, 10));
            using var cache = new WriteCacheDisk(inner);
            cache.Write(0, TestData.Bytes(8192, 11));

            cache.Discard(0, 4096, secure: false);

            ByteAssert.Zeros(ReadBack(cache, 0, 4096));
            ByteAssert.Zeros(ReadBack(inner, 0, 4096));
            Assert.Equal(4096, cache.DirtyBytes);
            ByteAssert.Equal(TestData.Bytes(8192, 11).AsSpan(4096), ReadBack(cache, 4096, 4096));
        }

        [Fact]
        public void Shrinking_drops_cached_writes_past_the_new_end()
        {
            var inner = new MemoryDisk(1 << 20);
            using var cache = new WriteCacheDisk(inner);
            cache.Write(4096, TestData.Bytes(8192, 12));

            cache.Resize(8192);
            cache.Resize(1 << 20);
            cache.Flush();

            ByteAssert.Zeros(ReadBack(inner, 8192, 4096));
            ByteAssert.Equal(TestData.Bytes(8192, 12).AsSpan(0, 4096), ReadBack(inner, 4096, 4096));
        }

        [Fact]
        public void Cache_over_a_read_only_disk_refuses_writes()
        {
            var inner = new MemoryDisk(1 << 20);
            inner.SetReadOnly(true);
            using var cache = new WriteCacheDisk(inner);

            var e = Assert.Throws<StorageException>(() => cache.Write(0, new byte[512]));

            Assert.Equal(StorageError.ReadOnly, e.Error);
            Assert.True(cache.IsReadOnly);
        }

        [Fact]
        public void Steady_write_flush_cycle_allocates_nothing()
        {
            using var cache = new WriteCacheDisk(new MemoryDisk(1 << 20), preallocatedLines: 4);
            byte[] data = TestData.Bytes(44 * 1024, 13);
            var back = new byte[data.Length];
            cache.Write(4096, data);
            cache.Flush();
            cache.Read(4096, back);

            Assert.Equal(0, SteadyState.AllocatedBytes(() =>
            {
                for (int i = 0; i < 50; i++)
                {
                    cache.Write(4096, data);
                    cache.Read(4096, back);
                    cache.Flush();
                }
            }));
        }

        [Fact]
        public void Flushed_writes_survive_power_cut_and_reopen_of_a_file_image_and_unflushed_ones_do_not()
        {
            string path = _temp.File("crash.img");
            byte[] durable = TestData.Bytes(16 * 1024, 14);
            byte[] lost = TestData.Bytes(16 * 1024, 15);
            using (var cache = new WriteCacheDisk(ImageFileDisk.Create(path, 1 << 20)))
            {
                cache.Write(0, durable);
                cache.Flush();
                cache.Write(8192, lost);
                cache.Write(512 * 1024, lost);
                cache.PowerCut();
            }

            using var reopened = ImageFileDisk.Open(path);
            ByteAssert.Equal(durable, ReadBack(reopened, 0, durable.Length));
            ByteAssert.Zeros(ReadBack(reopened, 512 * 1024, lost.Length));
        }

        [Fact]
        public void Dispose_without_flush_loses_cached_writes_and_disposes_the_inner_disk()
        {
            var inner = new MemoryDisk(1 << 20);
            var cache = new WriteCacheDisk(inner);
            cache.Write(0, TestData.Bytes(512, 16));

            cache.Dispose();

            Assert.Throws<ObjectDisposedException>(() => inner.Read(0, new byte[512]));
        }

        [Fact]
        public void Inner_disk_outlives_a_cache_that_does_not_own_it()
        {
            using var inner = new MemoryDisk(1 << 20);
            var cache = new WriteCacheDisk(inner, ownsInner: false);
            cache.Write(0, TestData.Bytes(512, 17));

            cache.Dispose();

            ByteAssert.Zeros(ReadBack(inner, 0, 512));
        }

        private static byte[] ReadBack(IBlockStorage disk, long offset, int length)
        {
            var buffer = new byte[length];
            disk.Read(offset, buffer);
            return buffer;
        }
    }
}
