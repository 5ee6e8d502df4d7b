using System;
using XenVbd.Backend;
using XenVbd.Ring;
using XenVbd.Storage;
using XenVbd.Tests.Support;
using XenVbd.Xen;

namespace XenVbd.Tests.Backend
{
    /// <summary>
    /// A multi-page ring whose ring-refN pages are not side by side in the frontend's memory: real backends map
    /// each page wherever it lies (Linux's xenbus_map_ring_valloc, QEMU's xengnttab_map_domain_grant_refs), so
    /// the model must serve it too, including the entries that straddle two of the scattered pages.
    /// </summary>
    public class ScatteredRingTests
    {
        [Theory]
        [InlineData(BackendPersonality.LinuxBlkback, BlkifAbi.X86_64)]
        [InlineData(BackendPersonality.LinuxBlkback, BlkifAbi.X86_32)]
        [InlineData(BackendPersonality.Qemu72, BlkifAbi.X86_64)]
        [InlineData(BackendPersonality.Qemu10, BlkifAbi.X86_32)]
        public void A_ring_on_scattered_frames_connects_and_serves_every_slot(BackendPersonality personality, BlkifAbi abi)
        {
            const int order = 2;
            var disk = new MemoryDisk(1 << 20);
            using var rig = BackendRig.Create(new BlkBackOptions { Personality = personality }, disk);
            var fe = rig.Frontend;
            // Four ring pages with a page between each: frames f, f+2, f+4, f+6 in reverse order.
            var pages = new MemoryRegion[1 << order];
            var refs = new uint[pages.Length];
            for (int i = pages.Length - 1; i >= 0; i--)
            {
                uint frame = fe.Memory.AllocatePages(1);
                fe.Memory.AllocatePages(1);
                pages[i] = fe.Memory.Page(frame);
                refs[i] = fe.Grant(frame, readOnly: false);
            }
            var ring = new SharedRing(pages, order);
            Assert.True(ring.IsScattered);
            ring.ClearAll();
            fe.Store.Write(fe.Path + "/ring-page-order", order);
            for (int i = 0; i < refs.Length; i++) fe.Store.Write(fe.Path + "/ring-ref" + i, refs[i]);
            fe.Store.Write(fe.Path + "/event-channel", fe.Channel.Port);
            fe.Store.Write(fe.Path + "/protocol", abi.ToProtocolString());
            fe.SetState(XenbusState.Initialised);
            fe.Run();
            Assert.True(rig.Backend.IsConnected, rig.Backend.ConnectError);
            Assert.Equal(pages.Length, rig.Backend.RingPageCount);

            int entries = ring.Entries(abi);
            var data = rig.GrantPages(1)[0];
            var slot = new byte[BlkifLayout.RequestSize(abi)];
            int straddling = 0;
            // Three laps of the ring, one request at a time, so every slot (the straddling ones too) carries a
            // request and then its response.
            for (uint i = 0; i < 3 * (uint)entries; i++)
            {
                if (!ring.EntryIsContiguous(abi, entries, i)) straddling++;
                fe.Page(data.Frame).Fill((byte)(i + 1));
                var r = new BlkifRequest { Operation = BlkifOp.Write, NrSegments = 1, Id = 0xABC0_0000UL + i, SectorNumber = i % 2048 };
                r.SetSegment(0, new BlkifSegment(data.Gref, 0, 0));
                Array.Clear(slot);
                BlkifCodec.WriteRequest(slot, abi, r);
                ring.WriteEntry(abi, entries, i, slot);
                ring.ReqProd = i + 1;
                fe.Channel.Frontend.Notify();
                fe.Run();
                Assert.Equal(i + 1, ring.RspProd);
                ring.CopyEntry(abi, entries, i, slot.AsSpan(0, BlkifLayout.ResponseSize(abi)));
                BlkifCodec.ReadResponse(slot, abi, out var rsp);
                Assert.Equal(r.Id, rsp.Id);
                Assert.Equal(BlkifOp.Write, rsp.Operation);
                Assert.Equal(BlkifStatus.Okay, rsp.Status);
                ring.RspEvent = i + 2;
                Assert.Equal((byte)(i + 1), rig.DiskBytes((long)(i % 2048) * 512, 512)[0]);
            }
            Assert.True(straddling >= 3, "the test must cross page boundaries inside entries");
        }

        [Fact]
        public void Consecutive_pages_given_one_by_one_make_the_same_one_region_ring()
        {
            using var memory = new GuestMemory(1, 8);
            var pages = new MemoryRegion[4];
            for (int i = 0; i < 4; i++) pages[i] = memory.Page((uint)(2 + i));
            var ring = new SharedRing(pages, 2);
            Assert.False(ring.IsScattered);
            Assert.Equal(4 * 4096, ring.Memory.Length);
        }
    }
}
