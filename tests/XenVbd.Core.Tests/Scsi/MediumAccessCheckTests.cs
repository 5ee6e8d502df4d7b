using XenVbd.Scsi;

namespace XenVbd.Tests.Scsi
{
    public class MediumAccessCheckTests
    {
        private static SenseInfo Check(byte[] cdb, ScsiDiskInfo disk) => MediumAccessCheck.Check(CdbDecoder.Decode(cdb), disk);

        [Fact]
        public void A_write_to_a_read_only_disk_is_data_protect_write_protected()
        {
            var disk = new ScsiDiskInfo(0x1000, "S", readOnly: true);

            var sense = Check(CdbEncoder.Transfer(ScsiOp.Write10, 0, 1), disk);

            Assert.Equal(SenseKey.DataProtect, sense.Key);
            Assert.Equal(AdditionalSense.WriteProtected, sense.AdditionalSenseCode);
        }

        [Fact]
        public void A_read_from_a_read_only_disk_is_allowed()
        {
            var disk = new ScsiDiskInfo(0x1000, "S", readOnly: true);

            Assert.True(Check(CdbEncoder.Transfer(ScsiOp.Read10, 0, 1), disk).IsNone);
        }

        [Theory]
        [InlineData(0x1FFFFFUL, 1u, true)]
        [InlineData(0x1FFFFFUL, 2u, false)]
        [InlineData(0x200000UL, 0u, true)]  // zero-length access at the capacity touches nothing
        [InlineData(0x200001UL, 0u, false)]
        [InlineData(0xFFFF_FFFF_FFFF_FFFFUL, 2u, false)]
        public void Read16_range_is_checked_against_the_capacity_without_overflow(ulong lba, uint blocks, bool ok)
        {
            var sense = Check(CdbEncoder.Transfer(ScsiOp.Read16, lba, blocks), TestDisks.Plain());

            Assert.Equal(ok ? SenseInfo.None : SenseInfo.LbaOutOfRange(), sense);
        }

        [Theory]
        [InlineData(ScsiOp.Read6, 4)]
        [InlineData(ScsiOp.Write10, 7)]
        [InlineData(ScsiOp.Read12, 6)]
        [InlineData(ScsiOp.Verify16, 10)]
        public void A_transfer_above_the_maximum_points_at_the_transfer_length_field(byte op, int field)
        {
            var disk = new ScsiDiskInfo(0x200000, "S", maxTransferBlocks: 8);

            Assert.Equal(SenseInfo.InvalidFieldInCdb(field), Check(CdbEncoder.Transfer(op, 0, 9), disk));
            Assert.True(Check(CdbEncoder.Transfer(op, 0, 8), disk).IsNone);
        }

        [Fact]
        public void Synchronize_cache_with_zero_blocks_only_needs_its_start_on_the_medium()
        {
            Assert.True(Check(CdbEncoder.Transfer(ScsiOp.SynchronizeCache10, 0x1FFFFF, 0), TestDisks.Plain()).IsNone);
            Assert.Equal(SenseInfo.LbaOutOfRange(), Check(CdbEncoder.Transfer(ScsiOp.SynchronizeCache10, 0x200001, 0), TestDisks.Plain()));
        }

        [Fact]
        public void Unmap_on_a_read_only_disk_is_write_protected_and_without_discard_an_invalid_opcode()
        {
            var unmap = new byte[] { 0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0 };

            Assert.Equal(SenseInfo.WriteProtected(), Check(unmap, new ScsiDiskInfo(8, "S", readOnly: true, discardSupported: true)));
            Assert.Equal(SenseInfo.InvalidOpcode(), Check(unmap, TestDisks.Plain()));
            Assert.True(Check(unmap, TestDisks.Discard()).IsNone);
        }

        [Fact]
        public void A_command_that_failed_to_decode_keeps_its_decode_error()
        {
            Assert.Equal(SenseInfo.InvalidOpcode(), Check(new byte[] { 0xFF }, TestDisks.Plain()));
        }
    }
}
