using System.Collections.Generic;
using XenVbd.Backend;
using XenVbd.Ring;
using XenVbd.Storage;
using XenVbd.Tests.Support;
using XenVbd.Xen;

namespace XenVbd.Tests.Backend
{
    public class HandshakeTests
    {

        [Fact]
        public void New_backend_advertises_its_features_and_waits_in_InitWait()
        {
            var options = new BlkBackOptions { DiscardSecure = true, MaxIndirectSegments = 64, MaxRingPageOrder = 2 };
            using var rig = BackendRig.Create(options);
            var s = rig.Host.Store;
            string be = rig.Frontend.BackendPath;

            Assert.Equal(XenbusState.InitWait, rig.Backend.State);
            Assert.Equal("2", s.Read(be + "/state"));
            Assert.Equal(rig.Frontend.Path, s.Read(be + "/frontend"));
            Assert.Equal("1", s.Read(be + "/frontend-id"));
            Assert.Equal("w", s.Read(be + "/mode"));
            // xen_blkbk_probe writes these before InitWait ...
            Assert.Equal("64", s.Read(be + "/feature-max-indirect-segments"));
            Assert.Equal("2", s.Read(be + "/max-ring-page-order"));
            // ... and connect() the flush, barrier and discard keys, so none is there yet.
            Assert.False(s.Exists(be + "/feature-flush-cache"));
            Assert.False(s.Exists(be + "/feature-barrier"));
            Assert.False(s.Exists(be + "/feature-discard"));
            Assert.Equal(be, s.Read(rig.Frontend.Path + "/backend"));
            Assert.Null(rig.Backend.ChosenAbi);
        }

        [Fact]
        public void Connected_backend_has_written_its_flush_barrier_and_discard_keys_in_connect()
        {
            var options = new BlkBackOptions { DiscardSecure = true, MaxIndirectSegments = 64, MaxRingPageOrder = 2 };
            using var rig = BackendRig.Connected(options: options);
            var s = rig.Host.Store;
            string be = rig.Frontend.BackendPath;
            Assert.Equal(XenbusState.Connected, rig.Backend.State);
            Assert.Equal("1", s.Read(be + "/feature-flush-cache"));
            Assert.Equal("1", s.Read(be + "/feature-barrier"));
            Assert.Equal("1", s.Read(be + "/feature-discard"));
            Assert.Equal("512", s.Read(be + "/discard-granularity"));
            Assert.Equal("0", s.Read(be + "/discard-alignment"));
            Assert.Equal("1", s.Read(be + "/discard-secure"));
        }

        [Fact]
        public void Backend_without_indirect_support_writes_no_indirect_key()
        {
            using var rig = BackendRig.Connected(options: new BlkBackOptions { MaxIndirectSegments = 0, FeatureDiscard = false });
            Assert.False(rig.Host.Store.Exists(rig.Frontend.BackendPath + "/feature-max-indirect-segments"));
            Assert.Equal("0", rig.Host.Store.Read(rig.Frontend.BackendPath + "/feature-discard"));
            Assert.False(rig.Host.Store.Exists(rig.Frontend.BackendPath + "/discard-granularity"));
        }

        [Fact]
        public void Frontend_Initialised_makes_the_backend_publish_the_disk_and_connect()
        {
            var disk = new MemoryDisk(64L << 20, 4096, 4096);
            using var rig = BackendRig.Create(disk: disk);
            rig.Frontend.PublishRing("x86_64-abi");
            rig.Frontend.SetState(XenbusState.Initialised);
            rig.Frontend.Run();

            var s = rig.Host.Store;
            string be = rig.Frontend.BackendPath;
            Assert.Equal(XenbusState.Connected, rig.Backend.State);
            Assert.Equal((64L << 20) / 512, s.ReadInt64OrDefault(be + "/sectors", -1));
            Assert.Equal("4096", s.Read(be + "/sector-size"));
            Assert.Equal("4096", s.Read(be + "/physical-sector-size"));
            Assert.Equal("0", s.Read(be + "/info"));
            Assert.Equal(BlkifAbi.X86_64, rig.Backend.ChosenAbi);
            Assert.True(rig.Frontend.Grants.IsMapped(rig.Frontend.RingRefs[0]));
            Assert.NotNull(rig.Frontend.Channel.Backend.Handler);
        }

        [Fact]
        public void Backend_started_after_the_frontend_reached_Initialised_still_connects()
        {
            var host = new XenHost();
            var fe = new TestFrontend(host);
            fe.PublishRing("x86_32-abi");
            fe.SetState(XenbusState.Initialised);
            fe.Run();

            using var be = new BlkBack(host, 1, fe.DeviceId, new MemoryDisk(1 << 20));
            fe.Run();

            Assert.Equal(XenbusState.Connected, be.State);
            Assert.Equal(BlkifAbi.X86_32, be.ChosenAbi);
        }

        [Fact]
        public void Frontend_that_skips_Initialised_and_says_Connected_is_connected_to()
        {
            using var rig = BackendRig.Create();
            rig.Frontend.PublishRing("x86_64-abi");
            rig.Frontend.SetState(XenbusState.Connected);
            rig.Frontend.Run();
            Assert.Equal(XenbusState.Connected, rig.Backend.State);
            Assert.Equal(1, rig.Backend.Statistics.Connects);
        }

        [Fact]
        public void Repeated_frontend_Connected_writes_do_not_reconnect()
        {
            using var rig = BackendRig.Connected();
            rig.Frontend.SetState(XenbusState.Connected);
            rig.Frontend.SetState(XenbusState.Connected);
            rig.Frontend.Run();
            Assert.Equal(1, rig.Backend.Statistics.Connects);
            Assert.Equal(0, rig.Backend.Statistics.Disconnects);
        }

        [Fact]
        public void Close_releases_the_ring_and_a_new_ring_reconnects_and_serves()
        {
            using var rig = BackendRig.Connected();
            var fe = rig.Frontend;
            uint oldRef = fe.RingRefs[0];

            fe.SetState(XenbusState.Closing);
            fe.Run();
            Assert.Equal(XenbusState.Closing, rig.Backend.State);
            fe.SetState(XenbusState.Closed);
            fe.Run();
            Assert.Equal(XenbusState.Closed, rig.Backend.State);
            Assert.False(fe.Grants.IsMapped(oldRef));
            Assert.True(fe.Grants.EndAccess(oldRef));
            Assert.Null(fe.Channel.Backend.Handler);
            Assert.False(rig.Backend.IsConnected);

            fe.SetState(XenbusState.Initialising);
            fe.Run();
            Assert.Equal(XenbusState.InitWait, rig.Backend.State);

            fe.SetUpRing(0);
            fe.Connect("x86_64-abi");
            Assert.Equal(XenbusState.Connected, rig.Backend.State);
            Assert.Equal(2, rig.Backend.Statistics.Connects);

            var page = rig.GrantPages(1, 0x5A)[0];
            var rsp = fe.Submit(BlkifOp.Write, 9, 0, new BlkifSegment(page.Gref, 0, 7));
            Assert.Equal(BlkifStatus.Okay, rsp.Status);
            Assert.Equal(0x5A, rig.DiskBytes(0, 4096)[4095]);
        }

        [Fact]
        public void Frontend_going_straight_to_Closed_is_followed_to_Closed()
        {
            using var rig = BackendRig.Connected();
            rig.Frontend.SetState(XenbusState.Closed);
            rig.Frontend.Run();
            Assert.Equal(XenbusState.Closed, rig.Backend.State);
            Assert.Equal(0, rig.Frontend.Grants.ActiveMappings);
        }

        [Fact]
        public void Frontend_Initialised_right_after_Closed_reconnects_without_Initialising()
        {
            using var rig = BackendRig.Connected();
            var fe = rig.Frontend;
            fe.SetState(XenbusState.Closed);
            fe.Run();
            fe.SetUpRing(0);
            fe.PublishRing("x86_32-abi");
            fe.SetState(XenbusState.Initialised);
            fe.Run();
            Assert.Equal(XenbusState.Connected, rig.Backend.State);
            Assert.Equal(BlkifAbi.X86_32, rig.Backend.ChosenAbi);
        }

        [Fact]
        public void Missing_ring_ref_fails_cleanly_with_an_error_key()
        {
            using var rig = BackendRig.Create();
            rig.Host.Store.Write(rig.Frontend.Path + "/event-channel", rig.Frontend.Channel.Port);
            rig.Frontend.SetState(XenbusState.Initialised);
            rig.Frontend.Run();
            Assert.Equal(XenbusState.Closing, rig.Backend.State);
            Assert.Contains("ring-ref", rig.Host.Store.Read(rig.Frontend.BackendPath + "/error"));
            Assert.False(rig.Backend.IsConnected);
        }

        [Fact]
        public void Unknown_event_channel_port_fails_cleanly_and_unmaps_the_ring()
        {
            using var rig = BackendRig.Create();
            rig.Frontend.PublishRing("x86_64-abi");
            rig.Host.Store.Write(rig.Frontend.Path + "/event-channel", 999);
            rig.Frontend.SetState(XenbusState.Initialised);
            rig.Frontend.Run();
            Assert.Equal(XenbusState.Closing, rig.Backend.State);
            Assert.Contains("event channel", rig.Host.Store.Read(rig.Frontend.BackendPath + "/error"));
            Assert.Equal(0, rig.Frontend.Grants.ActiveMappings);
        }

        [Fact]
        public void Multi_page_ring_whose_frames_are_not_consecutive_connects_as_real_backends_map_each_page()
        {
            using var rig = BackendRig.Create();
            var fe = rig.Frontend;
            var a = fe.GrantNewPage();
            fe.AllocatePage();
            var b = fe.GrantNewPage();
            fe.Store.Write(fe.Path + "/ring-page-order", 1);
            fe.Store.Write(fe.Path + "/ring-ref0", a.Gref);
            fe.Store.Write(fe.Path + "/ring-ref1", b.Gref);
            fe.Store.Write(fe.Path + "/event-channel", fe.Channel.Port);
            fe.SetState(XenbusState.Initialised);
            fe.Run();

            // Linux's xenbus_map_ring_valloc maps each ring-refN wherever it lies (ScatteredRingTests serves I/O on one).
            Assert.Equal(XenbusState.Connected, rig.Backend.State);
            Assert.Equal(2, rig.Backend.RingPageCount);
            Assert.Equal(2, fe.Grants.ActiveMappings);
        }

        [Fact]
        public void Ring_page_order_above_the_advertised_maximum_is_refused()
        {
            using var rig = BackendRig.Create(new BlkBackOptions { MaxRingPageOrder = 1 }, ringPageOrder: 2);
            rig.Frontend.PublishRing("x86_64-abi");
            rig.Frontend.SetState(XenbusState.Initialised);
            rig.Frontend.Run();
            Assert.Equal(XenbusState.Closing, rig.Backend.State);
            Assert.Contains("order", rig.Host.Store.Read(rig.Frontend.BackendPath + "/error"));
        }

        [Theory]
        [InlineData(1, 64)]
        [InlineData(4, 512)]
        public void Multi_page_ring_serves_more_requests_than_one_page_holds(int order, int entries)
        {
            using var rig = BackendRig.Connected(ringPageOrder: order);
            Assert.Equal(1 << order, rig.Backend.RingPageCount);
            Assert.Equal(entries, rig.Backend.Ring!.Size);
            var page = rig.GrantPages(1, 0x11)[0];
            for (int i = 0; i < entries; i++) rig.Frontend.Queue(BlkifOp.Read, (ulong)i, (ulong)(i * 8), new BlkifSegment(page.Gref, 0, 7));
            rig.Frontend.Push();
            rig.Frontend.Run();
            var rs = rig.Frontend.TakeResponses();
            Assert.Equal(entries, rs.Count);
            Assert.All(rs, r => Assert.Equal(BlkifStatus.Okay, r.Status));
        }

        [Fact]
        public void Disconnect_stops_serving_and_Reconnect_picks_up_the_still_connected_frontend()
        {
            using var rig = BackendRig.Connected();
            var fe = rig.Frontend;
            var page = rig.GrantPages(1, 0x22)[0];

            rig.Backend.Disconnect();
            fe.Run();
            Assert.Equal(XenbusState.Closed, rig.Backend.State);
            Assert.Equal(0, fe.Grants.ActiveMappings);

            fe.Queue(BlkifOp.Write, 1, 0, new BlkifSegment(page.Gref, 0, 7));
            fe.Push(forceNotify: true);
            fe.Run();
            Assert.Empty(fe.TakeResponses());
            // The frontend's own state writes are ignored while dom0 is away.
            fe.SetState(XenbusState.Connected);
            fe.Run();
            Assert.Equal(XenbusState.Closed, rig.Backend.State);

            rig.Backend.Reconnect();
            fe.Run();
            Assert.Equal(XenbusState.Connected, rig.Backend.State);
            fe.Push(forceNotify: true);
            fe.Run();
            var rs = fe.TakeResponses();
            Assert.Single(rs);
            Assert.Equal(BlkifStatus.Okay, rs[0].Status);
            Assert.Equal(0x22, rig.DiskBytes(0, 512)[0]);
        }

        [Fact]
        public void Reconnect_with_a_frontend_still_initialising_waits_in_InitWait()
        {
            using var rig = BackendRig.Create();
            rig.Backend.Disconnect();
            rig.Frontend.SetState(XenbusState.Initialising);
            rig.Frontend.Run();
            rig.Backend.Reconnect();
            rig.Frontend.Run();
            Assert.Equal(XenbusState.InitWait, rig.Backend.State);
        }

        [Fact]
        public void Resize_rewrites_sectors_and_writes_Connected_again()
        {
            using var rig = BackendRig.Connected();
            var store = rig.Host.Store;
            var seen = new List<string?>();
            using var watch = store.Watch(rig.Frontend.BackendPath + "/state", "t", (p, t) => seen.Add(store.Read(rig.Frontend.BackendPath + "/sectors")));
            rig.Frontend.Run();
            seen.Clear();

            rig.Backend.Resize(16L << 20);
            rig.Frontend.Run();

            Assert.Equal(((16L << 20) / 512).ToString(), store.Read(rig.Frontend.BackendPath + "/sectors"));
            Assert.Equal(XenbusState.Connected, rig.Backend.State);
            Assert.Single(seen);
            Assert.Equal(((16L << 20) / 512).ToString(), seen[0]);
            Assert.Equal(1, rig.Backend.Statistics.CapacityChanges);

            // The new space is usable at once.
            var page = rig.GrantPages(1, 0x33)[0];
            var rsp = rig.Frontend.Submit(BlkifOp.Write, 1, (16L << 20) / 512 - 8, new BlkifSegment(page.Gref, 0, 7));
            Assert.Equal(BlkifStatus.Okay, rsp.Status);
        }
    }
}
