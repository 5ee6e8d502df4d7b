using XenVbd.Scsi;

namespace XenVbd.Tests.Scsi
{
    public class CdbDecoderTransferTests
    {
        [Fact]
        public void Read6_takes_a_21_bit_lba_and_ignores_the_reserved_top_bits_of_byte_1()
        {
            // Byte 1 = E0h | 1Fh: the top three bits are the obsolete LUN field and must not leak into the LBA.
            var cmd = CdbDecoder.Decode(new byte[] { 0x08, 0xFF, 0xAB, 0xCD, 0x10, 0x00 });

            Assert.True(cmd.IsValid);
            Assert.Equal(CdbKind.Read, cmd.Kind);
            Assert.Equal(0x1FABCDUL, cmd.Lba);
            Assert.Equal(16u, cmd.BlockCount);
            Assert.Equal(6, cmd.CdbLength);
        }

        [Fact]
        public void Read6_with_transfer_length_zero_transfers_256_blocks()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x08, 0x00, 0x00, 0x07, 0x00, 0x00 });

            Assert.Equal(256u, cmd.BlockCount);
            Assert.Equal(7UL, cmd.Lba);
        }

        [Fact]
        public void Write6_with_transfer_length_zero_transfers_256_blocks()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x0A, 0x01, 0x00, 0x00, 0x00, 0x00 });

            Assert.Equal(CdbKind.Write, cmd.Kind);
            Assert.Equal(0x10000UL, cmd.Lba);
            Assert.Equal(256u, cmd.BlockCount);
            Assert.Equal(DataDirection.Out, cmd.Direction);
        }

        [Fact]
        public void Read10_with_transfer_length_zero_transfers_nothing()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x28, 0, 0, 0, 0, 5, 0, 0, 0, 0 });

            Assert.True(cmd.IsValid);
            Assert.Equal(0u, cmd.BlockCount);
            Assert.Equal(5UL, cmd.Lba);
        }

        [Fact]
        public void Read10_decodes_big_endian_lba_length_and_dpo_fua()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x28, 0x18, 0x12, 0x34, 0x56, 0x78, 0x00, 0xAB, 0xCD, 0x00 });

            Assert.Equal(0x12345678UL, cmd.Lba);
            Assert.Equal(0xABCDu, cmd.BlockCount);
            Assert.True(cmd.Dpo);
            Assert.True(cmd.Fua);
            Assert.Equal(DataDirection.In, cmd.Direction);
        }

        [Fact]
        public void Write10_without_dpo_or_fua_reports_neither()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x2A, 0x00, 0, 0, 0, 1, 0, 0, 1, 0 });

            Assert.Equal(CdbKind.Write, cmd.Kind);
            Assert.False(cmd.Dpo);
            Assert.False(cmd.Fua);
        }

        [Fact]
        public void Read12_takes_a_32_bit_transfer_length_from_bytes_6_to_9()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0xA8, 0x08, 0xFF, 0xFF, 0xFF, 0xFE, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00 });

            Assert.Equal(CdbKind.Read, cmd.Kind);
            Assert.Equal(0xFFFFFFFEUL, cmd.Lba);
            Assert.Equal(0x00010002u, cmd.BlockCount);
            Assert.True(cmd.Fua);
        }

        [Fact]
        public void Write12_decodes_like_read12()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0xAA, 0x10, 0, 0, 0x10, 0, 0, 0, 0, 8, 0, 0 });

            Assert.Equal(CdbKind.Write, cmd.Kind);
            Assert.Equal(0x1000UL, cmd.Lba);
            Assert.Equal(8u, cmd.BlockCount);
            Assert.True(cmd.Dpo);
        }

        [Fact]
        public void Read16_takes_a_64_bit_lba_above_2_to_the_32()
        {
            var cmd = CdbDecoder.Decode(new byte[]
            {
                0x88, 0x00, 0x00, 0x00, 0x00, 0x01, 0x80, 0x00, 0x00, 0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
            });

            Assert.True(cmd.IsValid);
            Assert.Equal(0x0000_0001_8000_0010UL, cmd.Lba);
            Assert.Equal(0x100u, cmd.BlockCount);
        }

        [Fact]
        public void Write16_carries_the_full_top_byte_of_the_lba()
        {
            var cmd = CdbDecoder.Decode(new byte[]
            {
                0x8A, 0x08, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00,
            });

            Assert.Equal(CdbKind.Write, cmd.Kind);
            Assert.Equal(0xFEDCBA9876543210UL, cmd.Lba);
            Assert.Equal(uint.MaxValue, cmd.BlockCount);
            Assert.True(cmd.Fua);
        }

        [Theory]
        [InlineData(new byte[] { 0x28, 0x20, 0, 0, 0, 0, 0, 0, 1, 0 })]
        [InlineData(new byte[] { 0x2A, 0x80, 0, 0, 0, 0, 0, 0, 1, 0 })]
        [InlineData(new byte[] { 0x2F, 0x40, 0, 0, 0, 0, 0, 0, 1, 0 })]
        public void Protection_fields_are_refused_because_the_disk_has_no_protection_information(byte[] cdb)
        {
            var cmd = CdbDecoder.Decode(cdb);

            Assert.False(cmd.IsValid);
            Assert.Equal(SenseInfo.InvalidFieldInCdb(1, 7), cmd.Error);
            Assert.Equal(DataDirection.None, cmd.Direction);
        }

        [Fact]
        public void Verify10_without_bytchk_has_no_data_phase()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x2F, 0x10, 0, 0, 0, 9, 0, 0, 4, 0 });

            Assert.Equal(CdbKind.Verify, cmd.Kind);
            Assert.Equal(9UL, cmd.Lba);
            Assert.Equal(4u, cmd.BlockCount);
            Assert.True(cmd.Dpo);
            Assert.Equal(0, cmd.ByteCheck);
            Assert.Equal(DataDirection.None, cmd.Direction);
        }

        [Fact]
        public void Verify12_with_bytchk_one_takes_data_out()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0xAF, 0x02, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0 });

            Assert.Equal(1, cmd.ByteCheck);
            Assert.Equal(3u, cmd.BlockCount);
            Assert.Equal(DataDirection.Out, cmd.Direction);
        }

        [Fact]
        public void Verify16_with_reserved_bytchk_10b_is_an_invalid_field()
        {
            var cdb = CdbEncoder.Transfer(ScsiOp.Verify16, 1, 1, byte1: 0x04);

            Assert.Equal(SenseInfo.InvalidFieldInCdb(1, 2), CdbDecoder.Decode(cdb).Error);
        }

        [Fact]
        public void Verify16_decodes_a_64_bit_lba()
        {
            var cmd = CdbDecoder.Decode(CdbEncoder.Transfer(ScsiOp.Verify16, 0x1_0000_0000, 7));

            Assert.Equal(CdbKind.Verify, cmd.Kind);
            Assert.Equal(0x1_0000_0000UL, cmd.Lba);
            Assert.Equal(7u, cmd.BlockCount);
        }

        [Fact]
        public void SynchronizeCache10_decodes_range_and_immed()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x35, 0x02, 0, 0, 0x01, 0x00, 0, 0x00, 0x20, 0 });

            Assert.Equal(CdbKind.SynchronizeCache, cmd.Kind);
            Assert.Equal(0x100UL, cmd.Lba);
            Assert.Equal(0x20u, cmd.BlockCount);
            Assert.True(cmd.Immediate);
            Assert.Equal(DataDirection.None, cmd.Direction);
        }

        [Fact]
        public void SynchronizeCache16_with_zero_blocks_keeps_zero_meaning_to_the_end()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x91, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 });

            Assert.Equal(CdbKind.SynchronizeCache, cmd.Kind);
            Assert.Equal(0x2_0000_0000UL, cmd.Lba);
            Assert.Equal(0u, cmd.BlockCount);
            Assert.False(cmd.Immediate);
        }
    }
}
