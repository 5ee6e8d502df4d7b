using System;
using XenVbd.Scsi;

namespace XenVbd.Tests.Scsi
{
    public class ReportLunsDataTests
    {
        private static ScsiResult Report(byte select, byte allocation, out byte[] bytes)
        {
            var buf = new byte[64];
            var result = ReportLunsData.Build(CdbDecoder.Decode(new byte[] { 0xA0, 0, select, 0, 0, 0, 0, 0, 0, allocation, 0, 0 }), buf);
            bytes = buf.AsSpan(0, result.Length).ToArray();
            return result;
        }

        [Theory]
        [InlineData(0x00)]
        [InlineData(0x02)]
        public void Report_luns_lists_lun_0_only(byte select)
        {
            Report(select, 64, out var bytes);

            Assert.Equal(new byte[] { 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, bytes);
        }

        [Fact]
        public void Well_known_luns_only_is_an_empty_list()
        {
            Report(0x01, 64, out var bytes);

            Assert.Equal(new byte[8], bytes);
        }

        [Fact]
        public void Report_luns_is_cut_to_the_allocation_length()
        {
            Report(0x00, 4, out var bytes);

            Assert.Equal(new byte[] { 0, 0, 0, 8 }, bytes);
        }

        [Fact]
        public void An_unknown_select_report_is_an_invalid_field_at_byte_2()
        {
            Assert.Equal(SenseInfo.InvalidFieldInCdb(2), Report(0x10, 64, out _).Error);
        }
    }
}
