using System;
using System.Buffers.Binary;
using XenVbd.Scsi;

namespace XenVbd.Tests.Scsi
{
    public class UnmapParameterListTests
    {
        private static byte[] List(params (ulong Lba, uint Blocks)[] ranges)
        {
            var list = new byte[8 + (16 * ranges.Length)];
            BinaryPrimitives.WriteUInt16BigEndian(list, (ushort)(list.Length - 2));
            BinaryPrimitives.WriteUInt16BigEndian(list.AsSpan(2), (ushort)(16 * ranges.Length));
            for (int i = 0; i < ranges.Length; i++)
            {
                BinaryPrimitives.WriteUInt64BigEndian(list.AsSpan(8 + (16 * i)), ranges[i].Lba);
                BinaryPrimitives.WriteUInt32BigEndian(list.AsSpan(16 + (16 * i)), ranges[i].Blocks);
            }

            return list;
        }

        private static ScsiResult Parse(byte[] list, out UnmapExtent[] extents, ScsiDiskInfo? disk = null)
        {
            var buf = new UnmapExtent[16];
            var result = UnmapParameterList.Parse(list, disk ?? TestDisks.Discard(), buf);
            extents = buf.AsSpan(0, result.Length).ToArray();
            return result;
        }

        [Fact]
        public void Two_descriptors_become_two_extents_in_order()
        {
            var list = new byte[]
            {
                0x00, 0x26, 0x00, 0x20, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0x10, 0x00, 0x00, 0x00, 0x08, 0x00, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0x1F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0,
            };

            var result = Parse(list, out var extents);

            Assert.False(result.IsError);
            Assert.Equal(2, result.Length);
            Assert.Equal(0x1000UL, extents[0].Lba);
            Assert.Equal(0x800u, extents[0].BlockCount);
            Assert.Equal(0x1F0000UL, extents[1].Lba);
            Assert.Equal(1u, extents[1].BlockCount);
        }

        [Fact]
        public void Descriptors_with_zero_blocks_are_skipped()
        {
            var result = Parse(List((5, 0), (6, 2)), out var extents);

            Assert.Equal(1, result.Length);
            Assert.Equal(6UL, extents[0].Lba);
        }

        [Fact]
        public void An_empty_parameter_list_unmaps_nothing()
        {
            Assert.Equal(ScsiResult.Ok(0).Length, Parse(Array.Empty<byte>(), out _).Length);
            Assert.False(Parse(Array.Empty<byte>(), out _).IsError);
        }

        [Fact]
        public void A_list_shorter_than_its_header_is_a_parameter_list_length_error()
        {
            var result = Parse(new byte[7], out _);

            Assert.Equal(AdditionalSense.ParameterListLengthError, result.Error.AdditionalSenseCode);
        }

        [Fact]
        public void A_descriptor_length_beyond_the_data_is_an_invalid_field_in_the_parameter_list()
        {
            var list = List((1, 1));
            BinaryPrimitives.WriteUInt16BigEndian(list.AsSpan(2), 32);

            var result = Parse(list, out _);

            Assert.Equal(SenseInfo.InvalidFieldInParameterList(2), result.Error);
            Assert.False(result.Error.CommandData);
        }

        [Fact]
        public void A_data_length_beyond_the_data_is_an_invalid_field_at_byte_0()
        {
            var list = List((1, 1));
            BinaryPrimitives.WriteUInt16BigEndian(list, 0x100);

            Assert.Equal(SenseInfo.InvalidFieldInParameterList(0), Parse(list, out _).Error);
        }

        [Fact]
        public void A_trailing_partial_descriptor_is_ignored()
        {
            var list = new byte[8 + 16 + 8];
            List((3, 4)).CopyTo(list, 0);
            BinaryPrimitives.WriteUInt16BigEndian(list, (ushort)(list.Length - 2));
            BinaryPrimitives.WriteUInt16BigEndian(list.AsSpan(2), 24);

            var result = Parse(list, out var extents);

            Assert.Equal(1, result.Length);
            Assert.Equal(3UL, extents[0].Lba);
        }

        [Fact]
        public void More_descriptors_than_the_block_limits_allow_is_an_invalid_field_in_the_parameter_list()
        {
            var disk = new ScsiDiskInfo(0x1000, "S", discardSupported: true, maxUnmapDescriptors: 1);

            Assert.Equal(SenseInfo.InvalidFieldInParameterList(2), Parse(List((0, 1), (2, 1)), out _, disk).Error);
        }

        [Theory]
        [InlineData(0x200000UL, 1u)]
        [InlineData(0x1FFFFFUL, 2u)]
        [InlineData(0xFFFF_FFFF_FFFF_FFFFUL, 2u)] // would wrap if added naively
        public void A_range_past_the_end_is_an_lba_out_of_range(ulong lba, uint blocks)
        {
            Assert.Equal(SenseInfo.LbaOutOfRange(), Parse(List((lba, blocks)), out _).Error);
        }

        [Fact]
        public void A_range_ending_at_the_last_block_is_accepted()
        {
            Assert.Equal(1, Parse(List((0x1FFFFF, 1)), out _).Length);
        }

        [Fact]
        public void Unmap_on_a_disk_without_discard_is_an_invalid_opcode()
        {
            Assert.Equal(SenseInfo.InvalidOpcode(), Parse(List((0, 1)), out _, TestDisks.Plain()).Error);
        }
    }
}
