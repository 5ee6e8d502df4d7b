using System;
using XenVbd.Backend;
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

        [Fact]
        public void Persistent_grants_and_the_service_model_allocate_nothing_on_the_io_path_purges_included()
        {
            var disk = new MemoryDisk(1 << 20);
            disk.Reserve(0, 1 << 20);
            var options = new BlkBackOptions { MaxPersistentGrants = 8, ServiceModel = BackendServiceModel.Reference with { DeviceLatencyTicks = 50 } };
            using var rig = BackendRig.Create(options, disk);
            rig.Host.Store.Write(rig.Frontend.Path + "/feature-persistent", 1);
            rig.Frontend.Connect("x86_64-abi");
            Assert.True(rig.Backend.PersistentGrantsEnabled);
            var fe = rig.Frontend;
            // 11 grants against a tree of 8: hits, adds, overflow maps and (every 100 ms) purges all happen.
            var pages = rig.GrantPages(11, 0x21);
            var segs = new BlkifSegment[11];
            for (int i = 0; i < 11; i++) segs[i] = new BlkifSegment(pages[i].Gref, 0, 7);

            void Pass()
            {
                for (int i = 0; i < 32; i++) fe.Queue(i % 2 == 0 ? BlkifOp.Write : BlkifOp.Read, (ulong)i, (ulong)(i * 88), segs);
                fe.Push();
                fe.Run();
                rig.Host.Scheduler.RunUntil(rig.Host.Scheduler.Now + BlkBackOptions.LruIntervalTicks + 1);
            }

            Pass();
            fe.TakeResponses();
            long purgesBefore = rig.Backend.Statistics.PersistentGrantPurges;
            long before = GC.GetAllocatedBytesForCurrentThread();
            Pass();
            Pass();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(32u * 3, fe.Shared.RspProd);
            Assert.True(rig.Backend.Statistics.PersistentGrantPurges > purgesBefore);
            Assert.True(rig.Backend.Statistics.PersistentGrantHits > 0);
            Assert.Equal(0, allocated);
        }
    }
}
