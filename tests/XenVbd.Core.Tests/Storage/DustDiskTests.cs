using System;
using XenVbd.Storage;

using XenVbd.Tests.Support;

namespace XenVbd.Tests.Storage
{
    public class DustDiskTests
    {
        [Fact]
        public void Read_touching_a_bad_block_is_a_medium_error_naming_its_offset()
        {
            using var dust = new DustDisk(new MemoryDisk(1 << 20));
            dust.AddBadBlock(10);

            var e = Assert.Throws<StorageException>(() => dust.Read(8 * 512, new byte[4096]));

            Assert.Equal(StorageError.MediumError, e.Error);
            Assert.Equal(10 * 512, e.ByteOffset);
            Assert.Equal(0, dust.Statistics.Reads);
        }

        [Fact]
        public void Reads_next_to_a_bad_block_succeed()
        {
            var inner = new MemoryDisk(1 << 20);
            byte[] data = TestData.Bytes(20 * 512, 1);
            inner.Write(0, data);
            using var dust = new DustDisk(inner);
            dust.AddBadBlock(10);

            var before = new byte[10 * 512];
            var after = new byte[9 * 512];
            dust.Read(0, before);
            dust.Read(11 * 512, after);

            ByteAssert.Equal(data.AsSpan(0, 10 * 512), before);
            ByteAssert.Equal(data.AsSpan(11 * 512), after);
        }

        [Fact]
        public void Write_to_a_bad_block_clears_it_and_the_data_reads_back()
        {
            using var dust = new DustDisk(new MemoryDisk(1 << 20, 4096));
            dust.AddBadBlock(3);
            dust.AddBadBlock(5);
            byte[] data = TestData.Bytes(4096, 2);

            dust.Write(3 * 4096, data);

            Assert.False(dust.IsBadBlock(3));
            Assert.True(dust.IsBadBlock(5));
            var back = new byte[4096];
            dust.Read(3 * 4096, back);
            ByteAssert.Equal(data, back);
        }

        [Fact]
        public void Disabled_emulation_neither_fails_reads_nor_clears_blocks()
        {
            using var dust = new DustDisk(new MemoryDisk(1 << 20));
            dust.AddBadBlock(0);
            dust.IsEnabled = false;

            dust.Read(0, new byte[512]);
            dust.Write(0, new byte[512]);

            Assert.True(dust.IsBadBlock(0));
            dust.IsEnabled = true;
            Assert.Throws<StorageException>(() => dust.Read(0, new byte[512]));
        }

        [Fact]
        public void Bad_blocks_are_listed_in_order_and_can_be_removed()
        {
            using var dust = new DustDisk(new MemoryDisk(1 << 20));

            Assert.True(dust.AddBadBlock(9));
            Assert.True(dust.AddBadBlock(2));
            Assert.False(dust.AddBadBlock(9));
            Assert.True(dust.AddBadBlock(5));
            Assert.Equal(new long[] { 2, 5, 9 }, dust.GetBadBlocks());

            Assert.True(dust.RemoveBadBlock(5));
            Assert.False(dust.RemoveBadBlock(5));
            Assert.Equal(new long[] { 2, 9 }, dust.GetBadBlocks());

            dust.ClearBadBlocks();
            Assert.Equal(0, dust.BadBlockCount);
            dust.Read(0, new byte[8192]);
        }

        [Theory]
        [InlineData(-1)]
        [InlineData(2048)]
        public void Bad_block_off_the_disk_is_out_of_range(long block)
        {
            using var dust = new DustDisk(new MemoryDisk(1 << 20));

            Assert.Equal(StorageError.OutOfRange, Assert.Throws<StorageException>(() => dust.AddBadBlock(block)).Error);
        }

        [Fact]
        public void Discard_clears_bad_blocks_in_its_range()
        {
            using var dust = new DustDisk(new MemoryDisk(1 << 20));
            dust.AddBadBlock(1);
            dust.AddBadBlock(8);

            dust.Discard(0, 4096, secure: false);

            Assert.Equal(new long[] { 8 }, dust.GetBadBlocks());
        }

        [Fact]
        public void Shrink_forgets_bad_blocks_past_the_new_end()
        {
            using var dust = new DustDisk(new MemoryDisk(1 << 20));
            dust.AddBadBlock(1);
            dust.AddBadBlock(100);

            dust.Resize(50 * 512);
            dust.Resize(1 << 20);

            Assert.Equal(new long[] { 1 }, dust.GetBadBlocks());
        }

        [Fact]
        public void Checking_for_bad_blocks_allocates_nothing()
        {
            using var dust = new DustDisk(new MemoryDisk(1 << 20));
            for (long block = 100; block < 200; block += 3)
            {
                dust.AddBadBlock(block);
            }

            var buffer = new byte[44 * 1024];
            dust.Write(0, buffer);
            dust.Read(0, buffer);
            Assert.Equal(0, SteadyState.AllocatedBytes(() =>
            {
                for (int i = 0; i < 50; i++)
                {
                    dust.Read(0, buffer);
                    dust.Write(0, buffer);
                }
            }));
        }
    }
}
