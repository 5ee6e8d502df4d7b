using System;
using XenVbd.Scsi;

namespace XenVbd.Tests.Scsi
{
    public class ModeSenseDataTests
    {
        private static readonly byte[] CachingPageWceOff = { 0x08, 0x12, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

        private static ScsiResult Sense(ScsiDiskInfo disk, byte[] cdb, out byte[] bytes)
        {
            var buf = new byte[256];
            var result = ModeSenseData.Build(CdbDecoder.Decode(cdb), disk, buf);
            bytes = buf.AsSpan(0, result.Length).ToArray();
            return result;
        }

        private static byte[] Concat(params byte[][] parts)
        {
            var all = new System.Collections.Generic.List<byte>();
            foreach (var p in parts)
            {
                all.AddRange(p);
            }

            return all.ToArray();
        }

        [Fact]
        public void Mode_sense6_all_pages_returns_header_block_descriptor_and_caching_page()
        {
            Sense(TestDisks.Plain(), new byte[] { 0x1A, 0, 0x3F, 0, 0xFF, 0 }, out var bytes);

            Assert.Equal(
                Concat(
                    new byte[] { 0x1F, 0x00, 0x00, 0x08 },
                    new byte[] { 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00 },
                    CachingPageWceOff),
                bytes);
        }

        [Fact]
        public void Mode_sense6_of_a_read_only_disk_sets_wp_in_the_device_specific_parameter()
        {
            var disk = new ScsiDiskInfo(0x200000, "S", readOnly: true);

            Sense(disk, new byte[] { 0x1A, 0x08, 0x08, 0, 0xFF, 0 }, out var bytes);

            Assert.Equal(Concat(new byte[] { 0x17, 0x00, 0x80, 0x00 }, CachingPageWceOff), bytes);
        }

        [Fact]
        public void Write_cache_enabled_sets_wce_and_flush_support_sets_dpofua()
        {
            var disk = new ScsiDiskInfo(0x200000, "S", writeCacheEnabled: true, flushSupported: true);

            Sense(disk, new byte[] { 0x1A, 0x08, 0x08, 0, 0xFF, 0 }, out var bytes);

            Assert.Equal(0x10, bytes[2]);
            Assert.Equal(new byte[] { 0x08, 0x12, 0x04 }, bytes.AsSpan(4, 3).ToArray());
        }

        [Fact]
        public void Changeable_values_of_the_caching_page_are_all_zero()
        {
            var disk = new ScsiDiskInfo(0x200000, "S", writeCacheEnabled: true);

            Sense(disk, new byte[] { 0x1A, 0x08, 0x48, 0, 0xFF, 0 }, out var bytes);

            Assert.Equal(Concat(new byte[] { 0x17, 0x00, 0x00, 0x00 }, CachingPageWceOff), bytes);
        }

        [Fact]
        public void Default_values_equal_current_values()
        {
            var disk = new ScsiDiskInfo(0x200000, "S", writeCacheEnabled: true);

            Sense(disk, new byte[] { 0x1A, 0x08, 0x88, 0, 0xFF, 0 }, out var bytes);

            Assert.Equal(0x04, bytes[6]);
        }

        [Fact]
        public void Saved_values_are_refused_with_saving_parameters_not_supported()
        {
            var result = Sense(TestDisks.Plain(), new byte[] { 0x1A, 0, 0xC8, 0, 0xFF, 0 }, out _);

            Assert.Equal(SenseKey.IllegalRequest, result.Error.Key);
            Assert.Equal(AdditionalSense.SavingParametersNotSupported, result.Error.AdditionalSenseCode);
            Assert.Equal(2, result.Error.FieldPointer);
        }

        [Theory]
        [InlineData(0x0A, 0x00, 2)] // control mode page: not implemented
        [InlineData(0x1C, 0x00, 2)]
        [InlineData(0x08, 0x01, 3)] // a subpage of caching
        [InlineData(0x3F, 0x01, 3)]
        public void Unsupported_pages_and_subpages_are_invalid_fields_in_cdb(byte page, byte subpage, int field)
        {
            var result = Sense(TestDisks.Plain(), new byte[] { 0x1A, 0, page, subpage, 0xFF, 0 }, out var bytes);

            Assert.Equal(AdditionalSense.InvalidFieldInCdb, result.Error.AdditionalSenseCode);
            Assert.Equal(field, result.Error.FieldPointer);
            Assert.Empty(bytes);
        }

        [Fact]
        public void All_pages_and_subpages_is_accepted()
        {
            Assert.False(Sense(TestDisks.Plain(), new byte[] { 0x1A, 0, 0x3F, 0xFF, 0xFF, 0 }, out _).IsError);
        }

        [Fact]
        public void Mode_sense10_with_llbaa_returns_a_long_lba_block_descriptor()
        {
            Sense(TestDisks.Plain(), new byte[] { 0x5A, 0x10, 0x08, 0, 0, 0, 0, 0x01, 0x00, 0 }, out var bytes);

            Assert.Equal(
                Concat(
                    new byte[] { 0x00, 0x2A, 0x00, 0x00, 0x01, 0x00, 0x00, 0x10 },
                    new byte[] { 0, 0, 0, 0, 0x00, 0x20, 0x00, 0x00, 0, 0, 0, 0, 0x00, 0x00, 0x02, 0x00 },
                    CachingPageWceOff),
                bytes);
        }

        [Fact]
        public void Mode_sense10_without_llbaa_returns_a_short_descriptor_clamped_for_huge_disks()
        {
            var disk = new ScsiDiskInfo(0x2_0000_0000, "S", readOnly: true);

            Sense(disk, new byte[] { 0x5A, 0, 0x08, 0, 0, 0, 0, 0x01, 0x00, 0 }, out var bytes);

            Assert.Equal(
                Concat(
                    new byte[] { 0x00, 0x22, 0x00, 0x80, 0x00, 0x00, 0x00, 0x08 },
                    new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x02, 0x00 },
                    CachingPageWceOff),
                bytes);
        }

        [Fact]
        public void Mode_sense10_with_dbd_has_no_block_descriptor()
        {
            Sense(TestDisks.Plain(), new byte[] { 0x5A, 0x08, 0x3F, 0, 0, 0, 0, 0x00, 0xFF, 0 }, out var bytes);

            Assert.Equal(Concat(new byte[] { 0x00, 0x1A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 }, CachingPageWceOff), bytes);
        }

        [Fact]
        public void Mode_sense6_is_cut_to_the_allocation_length_with_the_full_mode_data_length()
        {
            var result = Sense(TestDisks.Plain(), new byte[] { 0x1A, 0, 0x3F, 0, 4, 0 }, out var bytes);

            Assert.Equal(4, result.Length);
            Assert.Equal(new byte[] { 0x1F, 0x00, 0x00, 0x08 }, bytes);
        }
    }
}
