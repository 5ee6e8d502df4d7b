using System;
using XenVbd.Scsi;

namespace XenVbd.Tests.Scsi
{
    public class VpdPageTests
    {
        private static byte[] Page(ScsiDiskInfo disk, byte page, ushort allocation = 255)
        {
            var bytes = InquiryDataTests.Inquiry(disk, true, page, allocation, out var result);
            Assert.False(result.IsError, result.ToString());
            return bytes;
        }

        [Fact]
        public void Supported_pages_without_discard_list_00_80_83_B0_B1()
        {
            Assert.Equal(new byte[] { 0x00, 0x00, 0x00, 0x05, 0x00, 0x80, 0x83, 0xB0, 0xB1 }, Page(TestDisks.Plain(), 0x00));
        }

        [Fact]
        public void Supported_pages_with_discard_add_B2()
        {
            Assert.Equal(new byte[] { 0x00, 0x00, 0x00, 0x06, 0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2 }, Page(TestDisks.Discard(), 0x00));
        }

        [Fact]
        public void Supported_pages_of_a_cdrom_carry_type_5_and_no_block_pages()
        {
            var disk = new ScsiDiskInfo(100, "CD1", cdRom: true);

            Assert.Equal(new byte[] { 0x05, 0x00, 0x00, 0x03, 0x00, 0x80, 0x83 }, Page(disk, 0x00));
        }

        [Fact]
        public void Unit_serial_number_page_carries_the_serial_in_ascii()
        {
            Assert.Equal(new byte[] { 0x00, 0x80, 0x00, 0x04, (byte)'S', (byte)'N', (byte)'4', (byte)'2' }, Page(TestDisks.Plain(), 0x80));
        }

        [Fact]
        public void Device_identification_has_a_t10_vendor_designator_and_an_naa5_designator_from_the_serial()
        {
            var expected = new byte[]
            {
                0x00, 0x83, 0x00, 0x1C,

                // T10 vendor ID: ASCII, LU association, type 1, length 12 = "XEN     " + "SN42".
                0x02, 0x01, 0x00, 0x0C,
                (byte)'X', (byte)'E', (byte)'N', 0x20, 0x20, 0x20, 0x20, 0x20, (byte)'S', (byte)'N', (byte)'4', (byte)'2',

                // NAA: binary, LU association, type 3, length 8. 5h | OUI 00163Eh | low 36 bits of FNV-1a-64("SN42"),
                // computed outside this code base (Python) as 0x500163E44FA44DE6.
                0x01, 0x03, 0x00, 0x08,
                0x50, 0x01, 0x63, 0xE4, 0x4F, 0xA4, 0x4D, 0xE6,
            };

            Assert.Equal(expected, Page(TestDisks.Plain(), 0x83));
        }

        [Fact]
        public void Device_identification_uses_a_given_naa_identifier()
        {
            var disk = new ScsiDiskInfo(8, "S", naaIdentifier: 0x5000_0000_1234_5678);

            var page = Page(disk, 0x83);

            Assert.Equal(new byte[] { 0x50, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78 }, page.AsSpan(page.Length - 8).ToArray());
        }

        [Fact]
        public void Block_limits_with_discard_report_transfer_and_unmap_limits()
        {
            var expected = new byte[64];
            new byte[]
            {
                0x00, 0xB0, 0x00, 0x3C,
                0x00, 0x00, 0x00, 0x08,       // WSNZ 0, compare-and-write 0, optimal granularity 8 blocks (4096/512)
                0x00, 0x00, 0x08, 0x00,       // maximum transfer length 2048
                0x00, 0x00, 0x00, 0x00,       // optimal transfer length: not reported
                0x00, 0x00, 0x00, 0x00,       // max prefetch
                0xFF, 0xFF, 0xFF, 0xFF,       // maximum unmap LBA count
                0x00, 0x00, 0x00, 0x10,       // maximum unmap block descriptor count 16
                0x00, 0x00, 0x08, 0x00,       // optimal unmap granularity 2048 blocks (1 MiB)
                0x80, 0x00, 0x00, 0x00,       // UGAVALID, alignment 0
            }.CopyTo(expected, 0);

            Assert.Equal(expected, Page(TestDisks.Discard(), 0xB0));
        }

        [Fact]
        public void Block_limits_without_discard_leave_the_unmap_fields_zero()
        {
            var page = Page(TestDisks.Plain(), 0xB0);

            Assert.Equal(64, page.Length);
            Assert.Equal(new byte[] { 0x00, 0x00, 0xFF, 0xFF }, page.AsSpan(8, 4).ToArray()); // default 65535 blocks
            Assert.Equal(0x01, page[7]);
            Assert.All(page.AsSpan(20).ToArray(), b => Assert.Equal(0, b));
        }

        [Fact]
        public void Block_limits_reduce_the_unmap_alignment_modulo_the_granularity()
        {
            var disk = new ScsiDiskInfo(0x10000, "S", discardSupported: true, discardGranularityBytes: 4096, discardAlignmentBytes: 4096 + 1024);

            var page = Page(disk, 0xB0);

            Assert.Equal(new byte[] { 0x00, 0x00, 0x00, 0x08, 0x80, 0x00, 0x00, 0x02 }, page.AsSpan(28, 8).ToArray());
        }

        [Fact]
        public void Block_device_characteristics_say_non_rotating()
        {
            var expected = new byte[64];
            new byte[] { 0x00, 0xB1, 0x00, 0x3C, 0x00, 0x01 }.CopyTo(expected, 0);

            Assert.Equal(expected, Page(TestDisks.Plain(), 0xB1));
        }

        [Fact]
        public void Logical_block_provisioning_sets_lbpu_when_discard_is_on()
        {
            Assert.Equal(new byte[] { 0x00, 0xB2, 0x00, 0x04, 0x00, 0x80, 0x00, 0x00 }, Page(TestDisks.Discard(), 0xB2));
        }

        [Fact]
        public void A_vpd_page_is_cut_to_the_allocation_length_with_its_page_length_intact()
        {
            Assert.Equal(new byte[] { 0x00, 0xB0, 0x00, 0x3C }, Page(TestDisks.Plain(), 0xB0, allocation: 4));
        }
    }
}
