using XenVbd.Scsi;

namespace XenVbd.Tests.Scsi
{
    public sealed class CdbBuilderTests
    {
        [Fact]
        public void ReadWrite_Uses10ByteFormWhileItFits()
        {
            byte[] cdb = CdbBuilder.ReadWrite(write: false, lba: 0x01020304, blockCount: 0x0506);
            Assert.Equal(new byte[] { ScsiOp.Read10, 0, 1, 2, 3, 4, 0, 5, 6, 0 }, cdb);
            Assert.Equal(ScsiOp.Write10, CdbBuilder.ReadWrite(write: true, 0, 1)[0]);
        }

        [Fact]
        public void ReadWrite_Uses16ByteFormPast32BitLbaOrLargeCounts()
        {
            byte[] cdb = CdbBuilder.ReadWrite(write: true, lba: 0x1_0000_0000, blockCount: 1);
            Assert.Equal(16, cdb.Length);
            Assert.Equal(ScsiOp.Write16, cdb[0]);
            Assert.Equal(0x1_0000_0000, CdbBuilder.Lba(cdb));
            Assert.Equal(16, CdbBuilder.ReadWrite(write: false, 0, 70000).Length);
        }

        [Theory]
        [InlineData(ScsiOp.TestUnitReady, 6)]
        [InlineData(ScsiOp.Read10, 10)]
        [InlineData(ScsiOp.ModeSense10, 10)]
        [InlineData(ScsiOp.Read16, 16)]
        [InlineData(ScsiOp.ReportLuns, 12)]
        [InlineData(0xC0, 6)]
        public void RequiredLength_FollowsTheOpcodeGroup(byte op, int length)
            => Assert.Equal(length, CdbBuilder.RequiredLength(op));

        [Fact]
        public void Unmap_BuildsOneDescriptor()
        {
            (byte[] cdb, byte[] list) = CdbBuilder.Unmap(8, 16);
            Assert.Equal(ScsiOp.Unmap, cdb[0]);
            Assert.Equal(24, (cdb[7] << 8) | cdb[8]);
            Assert.Equal(22, (list[0] << 8) | list[1]);
            Assert.Equal(16, (list[2] << 8) | list[3]);
            Assert.Equal(8, list[15]);
            Assert.Equal(16, list[19]);
        }

        [Fact]
        public void Names_AreReadable()
        {
            Assert.Equal("READ CAPACITY(16)", CdbBuilder.Name(CdbBuilder.ReadCapacity(sixteen: true)));
            Assert.Equal("INQUIRY VPD 0x83", CdbBuilder.Name(CdbBuilder.Inquiry(0x83, 255)));
            Assert.Equal("OPCODE 0xC0", CdbBuilder.Name(new byte[] { 0xC0, 0, 0, 0, 0, 0 }));
        }
    }
}
