using System;
using XenVbd.Scsi;

namespace XenVbd.Tests.Scsi
{
    public class SenseDataTests
    {
        [Fact]
        public void Invalid_field_in_cdb_writes_fixed_sense_with_a_cdb_field_pointer()
        {
            var buf = new byte[32];

            int n = SenseData.Write(buf, SenseInfo.InvalidFieldInCdb(2, 5));

            // 70h current/fixed, key 5, additional length 0Ah, ASC 24h, SKSV|C/D|BPV|bit 5 = CDh, field 0002h.
            Assert.Equal(18, n);
            Assert.Equal(
                new byte[] { 0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x24, 0x00, 0, 0xCD, 0x00, 0x02 },
                buf.AsSpan(0, n).ToArray());
        }

        [Fact]
        public void Lba_out_of_range_writes_no_sense_key_specific_bytes()
        {
            var buf = new byte[18];

            SenseData.Write(buf, SenseInfo.LbaOutOfRange());

            Assert.Equal(new byte[] { 0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x21, 0x00, 0, 0, 0, 0 }, buf);
        }

        [Fact]
        public void Information_sets_the_valid_bit_and_is_big_endian()
        {
            var sense = new SenseInfo(SenseKey.MediumError, 0x11, 0x00) { InformationValid = true, Information = 0x12345678 };
            var buf = new byte[18];

            SenseData.Write(buf, sense);

            Assert.Equal(new byte[] { 0xF0, 0, 0x03, 0x12, 0x34, 0x56, 0x78, 0x0A, 0, 0, 0, 0, 0x11, 0x00, 0, 0, 0, 0 }, buf);
        }

        [Fact]
        public void A_short_sense_buffer_gets_the_leading_bytes_only()
        {
            var buf = new byte[14];
            buf[13] = 0xEE;

            int n = SenseData.Write(buf.AsSpan(0, 13), SenseInfo.WriteProtected());

            Assert.Equal(13, n);
            Assert.Equal(0x07, buf[2]);
            Assert.Equal(0x27, buf[12]);
            Assert.Equal(0xEE, buf[13]);
        }

        [Fact]
        public void Written_sense_reads_back_as_the_same_sense()
        {
            var cases = new[]
            {
                SenseInfo.InvalidFieldInCdb(9, 0),
                SenseInfo.InvalidFieldInParameterList(24),
                SenseInfo.InvalidOpcode(),
                SenseInfo.Of(SenseKey.UnitAttention, AdditionalSense.CapacityDataHasChanged),
                new SenseInfo(SenseKey.HardwareError, 0x44, 0x00) { InformationValid = true, Information = uint.MaxValue },
            };
            var buf = new byte[18];
            foreach (var sense in cases)
            {
                SenseData.Write(buf, sense);

                Assert.True(SenseData.TryRead(buf, out var back));
                Assert.Equal(sense, back);
            }
        }

        [Fact]
        public void Reading_sense_cut_by_its_additional_length_zeroes_the_missing_fields()
        {
            var buf = new byte[18];
            SenseData.Write(buf, SenseInfo.InvalidFieldInCdb(2));
            buf[7] = 5; // claims bytes 8..12 only: ASC is present, ASCQ and SKS are not

            Assert.True(SenseData.TryRead(buf, out var sense));
            Assert.Equal(0x24, sense.Asc);
            Assert.False(sense.SenseKeySpecificValid);
        }

        [Fact]
        public void Descriptor_format_sense_is_read_for_key_asc_and_ascq()
        {
            Assert.True(SenseData.TryRead(new byte[] { 0x72, 0x06, 0x29, 0x00, 0, 0, 0, 0 }, out var sense));
            Assert.Equal(SenseKey.UnitAttention, sense.Key);
            Assert.Equal("POWER ON, RESET, OR BUS DEVICE RESET OCCURRED", sense.AdditionalSenseName);
        }

        [Theory]
        [InlineData(new byte[0])]
        [InlineData(new byte[] { 0x70, 0 })]
        [InlineData(new byte[] { 0x7F, 0, 5, 0, 0, 0, 0, 10 })]
        public void Unknown_or_too_short_sense_is_not_read(byte[] data)
        {
            Assert.False(SenseData.TryRead(data, out _));
        }

        [Fact]
        public void Request_sense_answer_is_cut_to_the_allocation_length()
        {
            var cmd = CdbDecoder.Decode(new byte[] { 0x03, 0, 0, 0, 8, 0 });
            var buf = new byte[32];

            int n = SenseData.WriteForRequestSense(cmd, SenseInfo.None, buf);

            Assert.Equal(8, n);
            Assert.Equal(new byte[] { 0x70, 0, 0, 0, 0, 0, 0, 0x0A }, buf.AsSpan(0, 8).ToArray());
        }
    }
}
