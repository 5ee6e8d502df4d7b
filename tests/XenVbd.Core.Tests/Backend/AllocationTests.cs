using System;
using XenVbd.Ring;
using XenVbd.Storage;
using XenVbd.Tests.Support;

namespace XenVbd.Tests.Backend
{
    public class AllocationTests
    {
        [Theory]
        [InlineData(BlkifAbi.X86_32)]
        [InlineData(BlkifAbi.X86_64)]
        public void Serving_a_full_ring_of_io_allocates_nothing_once_connected(BlkifAbi abi)
        {
            var disk = new MemoryDisk(1 << 20);
            disk.Reserve(0, 1 << 20);
            using var rig = BackendRig.Connected(abi, disk: disk);
            var fe = rig.Frontend;
            var pages = rig.GrantPages(11, 0x21);
            var segs = new BlkifSegment[11];
            for (int i = 0; i < 11; i++) segs[i] = new BlkifSegment(pages[i].Gref, 0, 7);

            // Warm up (JIT, first-use paths) with the same mix as the measured pass, and drain.
            for (int i = 0; i < 32; i++) fe.Queue(i % 2 == 0 ? BlkifOp.Write : BlkifOp.Read, (ulong)i, (ulong)(i * 88), segs);
            fe.Push();
            fe.Run();
            fe.TakeResponses();

            for (int i = 0; i < 32; i++) fe.Queue(i % 2 == 0 ? BlkifOp.Write : BlkifOp.Read, (ulong)i, (ulong)(i * 88), segs);
            long before = GC.GetAllocatedBytesForCurrentThread();
            fe.Push();
            fe.Run();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(32u * 2, fe.Shared.RspProd);
            Assert.Equal(0, allocated);
        }
    }
}
