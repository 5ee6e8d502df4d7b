using XenVbd.Scsi;

namespace XenVbd.Tests.Scsi
{
    public class SenseNamesTests
    {
        [Theory]
        [InlineData(0x00, 0x00, "NO ADDITIONAL SENSE INFORMATION")]
        [InlineData(0x20, 0x00, "INVALID COMMAND OPERATION CODE")]
        [InlineData(0x21, 0x00, "LOGICAL BLOCK ADDRESS OUT OF RANGE")]
        [InlineData(0x24, 0x00, "INVALID FIELD IN CDB")]
        [InlineData(0x26, 0x00, "INVALID FIELD IN PARAMETER LIST")]
        [InlineData(0x27, 0x00, "WRITE PROTECTED")]
        [InlineData(0x2A, 0x09, "CAPACITY DATA HAS CHANGED")]
        [InlineData(0x29, 0x00, "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED")]
        [InlineData(0x29, 0x02, "SCSI BUS RESET OCCURRED")]
        [InlineData(0x2F, 0x00, "COMMANDS CLEARED BY ANOTHER INITIATOR")]
        [InlineData(0x11, 0x00, "UNRECOVERED READ ERROR")]
        [InlineData(0x0C, 0x00, "WRITE ERROR")]
        [InlineData(0x04, 0x01, "LOGICAL UNIT IS IN PROCESS OF BECOMING READY")]
        [InlineData(0x04, 0x7A, "LOGICAL UNIT NOT READY (ASCQ 7Ah)")]
        [InlineData(0x44, 0x00, "INTERNAL TARGET FAILURE")]
        [InlineData(0x99, 0x01, "ASC 99h ASCQ 01h")]
        public void Additional_sense_names_follow_spc4(byte asc, byte ascq, string name)
        {
            Assert.Equal(name, AdditionalSense.Name(asc, ascq));
        }

        [Fact]
        public void Sense_info_exposes_key_and_additional_sense_names_for_display()
        {
            var sense = SenseInfo.WriteProtected();

            Assert.Equal("DATA PROTECT", sense.KeyName);
            Assert.Equal("WRITE PROTECTED", sense.AdditionalSenseName);
            Assert.Equal("DATA PROTECT: WRITE PROTECTED (27/00)", sense.ToString());
        }

        [Fact]
        public void Every_sense_key_has_an_spc4_name()
        {
            Assert.Equal("ILLEGAL REQUEST", SenseKeyNames.Name(SenseKey.IllegalRequest));
            Assert.Equal("UNIT ATTENTION", SenseKeyNames.Name(SenseKey.UnitAttention));
            for (int k = 0; k < 16; k++)
            {
                Assert.DoesNotContain("SENSE KEY", SenseKeyNames.Name((SenseKey)k));
            }
        }

        [Fact]
        public void Srb_status_base_strips_the_autosense_and_frozen_flags()
        {
            var status = SrbStatus.Error | SrbStatus.AutosenseValid | SrbStatus.QueueFrozen;

            Assert.Equal(0xC4, (byte)status);
            Assert.Equal(SrbStatus.Error, status.Base());
            Assert.True(status.HasAutosense());
            Assert.Equal((SrbStatus)0x84, SrbStatus.Error.WithAutosense());
        }
    }
}
