using XenVbd.Storage;

namespace XenVbd.Tests.Storage
{
    /// <summary>The checks live in the shared base class; MemoryDisk stands in for every disk.</summary>
    public class RangeCheckTests
    {
        private const long Size = 1 << 20;

        [Theory]
        [InlineData(512, Size, 512)]
        [InlineData(512, Size - 512, 1024)]
        [InlineData(512, -512, 512)]
        [InlineData(4096, Size - 4096, 8192)]
        public void Read_or_write_past_the_end_is_out_of_range(int sectorSize, long offset, int length)
        {
            using var disk = new MemoryDisk(Size, sectorSize);

            var read = Assert.Throws<StorageException>(() => disk.Read(offset, new byte[length]));
            var write = Assert.Throws<StorageException>(() => disk.Write(offset, new byte[length]));

            Assert.Equal(StorageError.OutOfRange, read.Error);
            Assert.Equal(StorageError.OutOfRange, write.Error);
            Assert.Equal("OutOfRange", read.ErrorId);
        }

        [Fact]
        public void Discard_whose_end_overflows_is_out_of_range()
        {
            using var disk = new MemoryDisk(Size);

            var e = Assert.Throws<StorageException>(() => disk.Discard(512, long.MaxValue - 100, false));

            Assert.Equal(StorageError.OutOfRange, e.Error);
        }

        [Theory]
        [InlineData(512, 100, 512)]
        [InlineData(512, 512, 100)]
        [InlineData(4096, 512, 4096)]
        [InlineData(4096, 0, 512)]
        public void Unaligned_offset_or_length_is_misaligned(int sectorSize, long offset, int length)
        {
            using var disk = new MemoryDisk(Size, sectorSize);

            var read = Assert.Throws<StorageException>(() => disk.Read(offset, new byte[length]));
            var write = Assert.Throws<StorageException>(() => disk.Write(offset, new byte[length]));
            var discard = Assert.Throws<StorageException>(() => disk.Discard(offset, length, false));

            Assert.Equal(StorageError.Misaligned, read.Error);
            Assert.Equal(StorageError.Misaligned, write.Error);
            Assert.Equal(StorageError.Misaligned, discard.Error);
            Assert.Contains(sectorSize.ToString(), read.Message);
        }

        [Fact]
        public void Resize_to_a_size_that_is_not_whole_sectors_is_misaligned()
        {
            using var disk = new MemoryDisk(Size, 4096);

            Assert.Equal(StorageError.Misaligned, Assert.Throws<StorageException>(() => disk.Resize(Size + 512)).Error);
            Assert.Equal(StorageError.OutOfRange, Assert.Throws<StorageException>(() => disk.Resize(0)).Error);
            Assert.Equal(Size, disk.SizeBytes);
        }

        [Fact]
        public void Failed_operations_are_not_counted_and_successful_ones_are()
        {
            using var disk = new MemoryDisk(Size);
            disk.Write(0, new byte[1024]);
            disk.Read(0, new byte[512]);
            disk.Read(512, new byte[512]);
            disk.Flush();
            disk.Discard(0, 4096, secure: true);
            Assert.Throws<StorageException>(() => disk.Read(Size, new byte[512]));

            StorageStatistics stats = disk.Statistics;

            Assert.Equal(2, stats.Reads);
            Assert.Equal(1024, stats.BytesRead);
            Assert.Equal(1, stats.Writes);
            Assert.Equal(1024, stats.BytesWritten);
            Assert.Equal(1, stats.Flushes);
            Assert.Equal(1, stats.Discards);
            Assert.Equal(4096, stats.BytesDiscarded);
        }

        [Fact]
        public void Reads_and_writes_at_the_last_sector_succeed()
        {
            using var disk = new MemoryDisk(Size);
            byte[] data = TestData.Bytes(512, 1);

            disk.Write(Size - 512, data);
            var back = new byte[512];
            disk.Read(Size - 512, back);

            ByteAssert.Equal(data, back);
        }
    }
}
