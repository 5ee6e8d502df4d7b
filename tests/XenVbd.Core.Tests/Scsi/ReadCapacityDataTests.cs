using System;
using XenVbd.Scsi;

namespace XenVbd.Tests.Scsi
{
    public class ReadCapacityDataTests
    {
        private static byte[] Capacity10(ScsiDiskInfo disk)
        {
            var buf = new byte[8];
            Assert.Equal(8, ReadCapacityData.Write10(disk, buf));
            return buf;
        }

        private static byte[] Capacity16(ScsiDiskInfo disk, byte allocation = 32)
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, allocation, 0, 0 });
            var buf = new byte[64];
            int n = ReadCapacityData.Write16(cmd, disk, buf);
            return buf.AsSpan(0, n).ToArray();
        }

        [Fact]
        public void Read_capacity10_returns_last_lba_and_block_length()
        {
            Assert.Equal(new byte[] { 0x00, 0x1F, 0xFF, 0xFF, 0x00, 0x00, 0x02, 0x00 }, Capacity10(TestDisks.Plain()));
        }

        [Fact]
        public void Read_capacity10_reports_last_lba_FFFFFFFE_exactly()
        {
            var disk = new ScsiDiskInfo(0xFFFF_FFFF, "S");

            Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFE, 0x00, 0x00, 0x02, 0x00 }, Capacity10(disk));
        }

        [Theory]
        [InlineData(0x1_0000_0000UL)]
        [InlineData(0x1_0000_0001UL)]
        [InlineData(0xFFFF_FFFF_FFFF_FFFFUL)]
        public void Read_capacity10_clamps_a_last_lba_that_does_not_fit_to_FFFFFFFF(ulong blocks)
        {
            var disk = new ScsiDiskInfo(blocks, "S", logicalBlockSize: 4096);

            Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x10, 0x00 }, Capacity10(disk));
        }

        [Fact]
        public void Read_capacity16_returns_64_bit_last_lba_physical_exponent_and_lbpme()
        {
            var disk = new ScsiDiskInfo(0x3_0000_0000, "S", physicalBlockSize: 4096, discardSupported: true);
            var expected = new byte[32];
            new byte[] { 0x00, 0x00, 0x00, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x02, 0x00, 0x00, 0x03, 0x80, 0x00 }.CopyTo(expected, 0);

            Assert.Equal(expected, Capacity16(disk));
        }

        [Fact]
        public void Read_capacity16_without_discard_leaves_lbpme_clear()
        {
            var bytes = Capacity16(TestDisks.Plain());

            Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0x1F, 0xFF, 0xFF, 0, 0, 2, 0, 0, 0, 0, 0 }, bytes.AsSpan(0, 16).ToArray());
        }

        [Fact]
        public void Read_capacity16_is_cut_to_the_allocation_length()
        {
            Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0x1F, 0xFF, 0xFF, 0, 0, 2, 0 }, Capacity16(TestDisks.Plain(), allocation: 12));
        }
    }
}
