using System;
using XenVbd.Scsi;

namespace XenVbd.Tests.Scsi
{
    public class InquiryDataTests
    {
        private static readonly byte[] StandardDisk =
        {
            0x00, 0x00, 0x05, 0x02, 0x1F, 0x00, 0x00, 0x02,
            (byte)'X', (byte)'E', (byte)'N', 0x20, 0x20, 0x20, 0x20, 0x20,
            (byte)'P', (byte)'V', 0x20, (byte)'D', (byte)'I', (byte)'S', (byte)'K', 0x20,
            0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
            (byte)'0', (byte)'0', (byte)'0', (byte)'1',
        };

        internal static byte[] Inquiry(ScsiDiskInfo disk, bool evpd, byte page, ushort allocation, out ScsiResult result)
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x12, (byte)(evpd ? 1 : 0), page, (byte)(allocation >> 8), (byte)allocation, 0 });
            var buf = new byte[300];
            result = InquiryData.Build(cmd, disk, buf);
            return buf.AsSpan(0, result.Length).ToArray();
        }

        [Fact]
        public void Standard_inquiry_of_a_disk_is_the_36_spc3_bytes()
        {
            var bytes = Inquiry(TestDisks.Plain(), false, 0, 255, out var result);

            Assert.False(result.IsError);
            Assert.Equal(StandardDisk, bytes);
        }

        [Fact]
        public void Standard_inquiry_of_a_removable_cdrom_sets_type_5_and_rmb()
        {
            var disk = new ScsiDiskInfo(100, "CD1", logicalBlockSize: 2048, cdRom: true, removable: true, readOnly: true);

            var bytes = Inquiry(disk, false, 0, 36, out _);

            Assert.Equal(0x05, bytes[0]);
            Assert.Equal(0x80, bytes[1]);
            Assert.Equal(StandardDisk.AsSpan(2).ToArray(), bytes.AsSpan(2).ToArray());
        }

        [Fact]
        public void Standard_inquiry_is_cut_to_the_allocation_length_with_the_additional_length_intact()
        {
            var bytes = Inquiry(TestDisks.Plain(), false, 0, 5, out var result);

            Assert.Equal(5, result.Length);
            Assert.Equal(new byte[] { 0x00, 0x00, 0x05, 0x02, 0x1F }, bytes);
        }

        [Fact]
        public void Allocation_length_zero_writes_nothing_and_is_not_an_error()
        {
            Inquiry(TestDisks.Plain(), false, 0, 0, out var result);

            Assert.False(result.IsError);
            Assert.Equal(0, result.Length);
        }

        [Fact]
        public void A_caller_buffer_shorter_than_the_allocation_length_caps_the_answer()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x12, 0, 0, 0, 96, 0 });
            var buf = new byte[10];

            var result = InquiryData.Build(cmd, TestDisks.Plain(), buf);

            Assert.Equal(10, result.Length);
            Assert.Equal(StandardDisk.AsSpan(0, 10).ToArray(), buf);
        }

        [Theory]
        [InlineData(0x01)]
        [InlineData(0x86)]
        [InlineData(0xB2)] // provisioning page exists only with discard
        [InlineData(0xFF)]
        public void An_unsupported_vpd_page_is_an_invalid_field_at_byte_2(byte page)
        {
            Inquiry(TestDisks.Plain(), true, page, 255, out var result);

            Assert.True(result.IsError);
            Assert.Equal(0, result.Length);
            Assert.Equal(SenseInfo.InvalidFieldInCdb(2), result.Error);
        }

        [Fact]
        public void Block_pages_are_not_offered_by_a_cdrom()
        {
            var disk = new ScsiDiskInfo(100, "CD1", cdRom: true, discardSupported: true);

            Inquiry(disk, true, 0xB0, 255, out var result);

            Assert.True(result.IsError);
        }
    }
}
