using System;
using XenVbd.Storage;

using XenVbd.Tests.Support;

namespace XenVbd.Tests.Storage
{
    public class MemoryDiskTests
    {
        [Theory]
        [InlineData(512)]
        [InlineData(4096)]
        public void Data_written_at_random_offsets_reads_back_unchanged(int sectorSize)
        {
            const long size = 4L << 20;
            using var disk = new MemoryDisk(size, sectorSize);
            var model = new byte[size];
            var random = new Random(sectorSize);
            for (int i = 0; i < 200; i++)
            {
                long sectors = size / sectorSize;
                long first = random.Next((int)sectors);
                int count = random.Next(1, (int)Math.Min(64, sectors - first) + 1);
                byte[] data = TestData.Bytes(count * sectorSize, i);
                disk.Write(first * sectorSize, data);
                data.CopyTo(model, first * sectorSize);
            }

            var actual = new byte[size];
            disk.Read(0, actual);
            ByteAssert.Equal(model, actual);
        }

        [Fact]
        public void Read_of_unwritten_range_returns_zeros()
        {
            using var disk = new MemoryDisk(1 << 20);
            disk.Write(0, TestData.Bytes(512, 1));
            var buffer = TestData.Bytes(8192, 2);

            disk.Read(65536, buffer);

            ByteAssert.Zeros(buffer);
        }

        [Fact]
        public void Write_spanning_a_chunk_boundary_reads_back_whole()
        {
            using var disk = new MemoryDisk(1 << 20);
            byte[] data = TestData.Bytes(4096, 3);
            long offset = MemoryDisk.ChunkSize - 1024;

            disk.Write(offset, data);

            var back = new byte[4096];
            disk.Read(offset, back);
            ByteAssert.Equal(data, back);
            Assert.Equal(2 * MemoryDisk.ChunkSize, disk.AllocatedBytes);
        }

        [Fact]
        public void Huge_sparse_disk_allocates_only_what_is_written()
        {
            const long size = 64L << 40;
            long before = GC.GetAllocatedBytesForCurrentThread();
            using var disk = new MemoryDisk(size);
            long construction = GC.GetAllocatedBytesForCurrentThread() - before;
            byte[] data = TestData.Bytes(512, 4);

            disk.Write(size - 512, data);
            disk.Write(size / 2, data);

            Assert.True(construction < 4 << 20, $"constructing a 64 TiB disk allocated {construction} bytes");
            Assert.Equal(2 * MemoryDisk.ChunkSize, disk.AllocatedBytes);
            var back = new byte[512];
            disk.Read(size - 512, back);
            ByteAssert.Equal(data, back);
            Assert.Equal(size, disk.SizeBytes);
        }

        [Fact]
        public void Writing_zeros_to_an_untouched_chunk_allocates_no_chunk()
        {
            using var disk = new MemoryDisk(1 << 20);

            disk.Write(0, new byte[MemoryDisk.ChunkSize]);

            Assert.Equal(0, disk.AllocatedBytes);
        }

        [Fact]
        public void Reserved_range_is_written_and_read_without_allocating()
        {
            using var disk = new MemoryDisk(16L << 30);
            byte[] data = TestData.Bytes(44 * 1024, 5);
            var back = new byte[data.Length];
            long offset = 5L << 30;
            disk.Reserve(offset, data.Length);
            disk.Write(offset, data);
            disk.Read(offset, back);

            Assert.Equal(0, SteadyState.AllocatedBytes(() =>
            {
                for (int i = 0; i < 100; i++)
                {
                    disk.Write(offset, data);
                    disk.Read(offset, back);
                }
            }));
            ByteAssert.Equal(data, back);
        }

        [Fact]
        public void Reserve_widens_to_whole_chunks()
        {
            using var disk = new MemoryDisk(1 << 20);

            disk.Reserve(MemoryDisk.ChunkSize - 1, 2);

            Assert.Equal(2 * MemoryDisk.ChunkSize, disk.AllocatedBytes);
        }

        [Fact]
        public void Reserve_past_the_end_is_out_of_range()
        {
            using var disk = new MemoryDisk(1 << 20);

            var e = Assert.Throws<StorageException>(() => disk.Reserve(1 << 20, 1));

            Assert.Equal(StorageError.OutOfRange, e.Error);
        }

        [Fact]
        public void Discard_frees_whole_chunks_and_zeros_partial_ones()
        {
            using var disk = new MemoryDisk(1 << 20);
            disk.Write(0, TestData.Bytes(4 * MemoryDisk.ChunkSize, 6));

            disk.Discard(MemoryDisk.ChunkSize / 2, 2 * MemoryDisk.ChunkSize, secure: false);

            Assert.Equal(3 * MemoryDisk.ChunkSize, disk.AllocatedBytes);
            var back = new byte[4 * MemoryDisk.ChunkSize];
            disk.Read(0, back);
            byte[] expected = TestData.Bytes(4 * MemoryDisk.ChunkSize, 6);
            Array.Clear(expected, MemoryDisk.ChunkSize / 2, 2 * MemoryDisk.ChunkSize);
            ByteAssert.Equal(expected, back);
        }

        [Fact]
        public void Shrink_then_grow_reads_zeros_where_data_was_cut_off()
        {
            using var disk = new MemoryDisk(1 << 20);
            byte[] data = TestData.Bytes(1 << 20, 7);
            disk.Write(0, data);

            disk.Resize(100 * 512);
            disk.Resize(2 << 20);

            var back = new byte[2 << 20];
            disk.Read(0, back);
            ByteAssert.Equal(data.AsSpan(0, 100 * 512), back.AsSpan(0, 100 * 512));
            ByteAssert.Zeros(back.AsSpan(100 * 512));
            Assert.Equal(2 << 20, disk.SizeBytes);
            Assert.Equal(MemoryDisk.ChunkSize, disk.AllocatedBytes);
        }

        [Fact]
        public void Read_only_disk_refuses_writes_but_reads()
        {
            using var disk = new MemoryDisk(1 << 20);
            byte[] data = TestData.Bytes(512, 8);
            disk.Write(0, data);
            disk.SetReadOnly(true);

            Assert.Equal(StorageError.ReadOnly, Assert.Throws<StorageException>(() => disk.Write(0, data)).Error);
            Assert.Equal(StorageError.ReadOnly, Assert.Throws<StorageException>(() => disk.Discard(0, 512, false)).Error);
            Assert.Equal(StorageError.ReadOnly, Assert.Throws<StorageException>(() => disk.Resize(2 << 20)).Error);
            var back = new byte[512];
            disk.Read(0, back);
            ByteAssert.Equal(data, back);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1000)]
        [InlineData(MemoryDisk.MaxSize + 512)]
        public void Constructor_rejects_impossible_sizes(long size)
        {
            Assert.Throws<StorageException>(() => new MemoryDisk(size));
        }

        [Theory]
        [InlineData(1024, 0)]
        [InlineData(512, 256)]
        [InlineData(512, 1536)]
        public void Constructor_rejects_unsupported_sector_sizes(int logical, int physical)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryDisk(1 << 20, logical, physical));
        }

        [Fact]
        public void Physical_sector_size_defaults_to_logical_and_can_be_larger()
        {
            using var plain = new MemoryDisk(1 << 20, 4096);
            using var advanced = new MemoryDisk(1 << 20, 512, 4096);

            Assert.Equal(4096, plain.PhysicalSectorSize);
            Assert.Equal(512, advanced.LogicalSectorSize);
            Assert.Equal(4096, advanced.PhysicalSectorSize);
        }

        [Fact]
        public void Operations_after_dispose_throw_object_disposed()
        {
            var disk = new MemoryDisk(1 << 20);
            disk.Dispose();

            Assert.Throws<ObjectDisposedException>(() => disk.Read(0, new byte[512]));
            Assert.Throws<ObjectDisposedException>(() => disk.Reserve(0, 512));
        }
    }
}
