using System;
using XenVbd.Scsi;

namespace XenVbd.Tests.Scsi
{
    public class ScsiDiskInfoTests
    {
        [Theory]
        [InlineData(512u, 512u, 0)]
        [InlineData(512u, 4096u, 3)]
        [InlineData(4096u, 4096u, 0)]
        public void Physical_block_exponent_is_log2_of_physical_over_logical(uint logical, uint physical, int exponent)
        {
            Assert.Equal(exponent, new ScsiDiskInfo(8, "S", logicalBlockSize: logical, physicalBlockSize: physical).PhysicalBlockExponent);
        }

        [Fact]
        public void Physical_block_size_defaults_to_the_logical_one()
        {
            Assert.Equal(4096u, new ScsiDiskInfo(8, "S", logicalBlockSize: 4096).PhysicalBlockSize);
        }

        [Fact]
        public void Impossible_geometries_are_refused_at_construction()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new ScsiDiskInfo(0, "S"));
            Assert.Throws<ArgumentOutOfRangeException>(() => new ScsiDiskInfo(8, "S", logicalBlockSize: 520));
            Assert.Throws<ArgumentOutOfRangeException>(() => new ScsiDiskInfo(8, "S", logicalBlockSize: 256));
            Assert.Throws<ArgumentOutOfRangeException>(() => new ScsiDiskInfo(8, "S", logicalBlockSize: 4096, physicalBlockSize: 512));
            Assert.Throws<ArgumentException>(() => new ScsiDiskInfo(8, "S", discardSupported: true, discardGranularityBytes: 100));
            Assert.Throws<ArgumentOutOfRangeException>(() => new ScsiDiskInfo(8, "S", maxTransferBlocks: 0));
        }

        [Theory]
        [InlineData("")]
        [InlineData("tab\there")]
        [InlineData("\u00e9")]
        public void A_serial_that_is_empty_or_not_printable_ascii_is_refused(string serial)
        {
            Assert.Throws<ArgumentException>(() => new ScsiDiskInfo(8, serial));
        }

        [Fact]
        public void A_serial_longer_than_64_characters_is_refused()
        {
            Assert.Throws<ArgumentException>(() => new ScsiDiskInfo(8, new string('x', 65)));
            Assert.Equal(64, new ScsiDiskInfo(8, new string('x', 64)).SerialNumber.Length);
        }

        [Fact]
        public void A_given_naa_must_be_type_5()
        {
            Assert.Throws<ArgumentException>(() => new ScsiDiskInfo(8, "S", naaIdentifier: 0x6000_0000_0000_0001));
        }

        [Fact]
        public void Derived_naa_differs_for_different_serials_and_is_stable_for_one()
        {
            Assert.Equal(ScsiDiskInfo.DeriveNaa("disk-a"), new ScsiDiskInfo(8, "disk-a").NaaIdentifier);
            Assert.NotEqual(ScsiDiskInfo.DeriveNaa("disk-a"), ScsiDiskInfo.DeriveNaa("disk-b"));
        }

        [Fact]
        public void Unmap_descriptor_count_is_zero_when_discard_is_off()
        {
            Assert.Equal(0u, new ScsiDiskInfo(8, "S", maxUnmapDescriptors: 5).MaxUnmapDescriptors);
            Assert.Equal(5u, new ScsiDiskInfo(8, "S", discardSupported: true, maxUnmapDescriptors: 5).MaxUnmapDescriptors);
        }
    }
}
