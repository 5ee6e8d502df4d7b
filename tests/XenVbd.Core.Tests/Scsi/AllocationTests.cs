using System;
using XenVbd.Scsi;

namespace XenVbd.Tests.Scsi
{
    public class AllocationTests
    {
        [Fact]
        public void Decoding_and_building_answers_allocates_nothing_on_the_heap()
        {
            var disk = TestDisks.Discard();
            byte[] read16 = CdbEncoder.Transfer(ScsiOp.Read16, 0x1_0000_0000, 8);
            byte[] inquiry83 = { 0x12, 0x01, 0x83, 0x00, 0xFF, 0x00 };
            byte[] modeSense = { 0x5A, 0x10, 0x3F, 0, 0, 0, 0, 0x01, 0x00, 0 };
            byte[] capacity16 = { 0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0 };
            byte[] unmapList = new byte[24];
            unmapList[1] = 22;
            unmapList[3] = 16;
            unmapList[19] = 1;
            var answer = new byte[256];
            var extents = new UnmapExtent[16];

            void RunAll()
            {
                var cmd = CdbDecoder.Decode(read16);
                MediumAccessCheck.Check(cmd, disk);
                InquiryData.Build(CdbDecoder.Decode(inquiry83), disk, answer);
                ModeSenseData.Build(CdbDecoder.Decode(modeSense), disk, answer);
                ReadCapacityData.Write16(CdbDecoder.Decode(capacity16), disk, answer);
                ReadCapacityData.Write10(disk, answer);
                SenseData.Write(answer, CdbDecoder.Decode(ReadOnlySpan<byte>.Empty).Error);
                UnmapParameterList.Parse(unmapList, disk, extents);
            }

            RunAll(); // JIT and static initialisation allocate; the steady state must not
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                RunAll();
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }
}
