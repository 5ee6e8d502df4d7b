using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using XenVbd.Backend;
using XenVbd.Ring;
using XenVbd.Storage;
using XenVbd.Tests.Support;
using XenVbd.Xen;

namespace XenVbd.Tests.Backend
{
    /// <summary>
    /// One test per behaviour of every backend personality, named <c>Personality_BehaviourId_...</c> after
    /// <see cref="BackendProfile.Behaviours"/>; <see cref="Every_behaviour_of_every_backend_personality_has_a_named_test"/>
    /// holds the list to the tests, so a behaviour added without a test fails.
    /// </summary>
    public class BackendPersonalityTests
    {
        private static BlkBackOptions As(BackendPersonality p, Action<BlkBackOptions>? more = null)
        {
            var o = new BlkBackOptions { Personality = p };
            more?.Invoke(o);
            return o;
        }

        private static BackendRig ConnectedAs(BackendPersonality p, string? protocol = "x86_64-abi", Action<BlkBackOptions>? more = null, IBlockStorage? disk = null, BlkifAbi abi = BlkifAbi.X86_64, int order = 0)
        {
            var rig = BackendRig.Create(As(p, more), disk, order, abi);
            rig.Frontend.Connect(protocol);
            return rig;
        }

        private static string? Key(BackendRig rig, string key) => rig.Host.Store.Read(rig.Frontend.BackendPath + "/" + key);

        private static bool Has(BackendRig rig, string key) => rig.Host.Store.Exists(rig.Frontend.BackendPath + "/" + key);

        private static BlkifResponse Raw(BackendRig rig, byte op, ulong id = 42)
        {
            var raw = new byte[112];
            raw[0] = op;
            BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(8), id);
            rig.Frontend.QueueRaw(raw);
            rig.Frontend.Push();
            rig.Frontend.Run();
            return Assert.Single(rig.Frontend.TakeResponses());
        }

        /// <summary>A disk whose flush the device refuses (BLK_STS_NOTSUPP).</summary>
        private sealed class NoFlushDisk : BlockStorageDecorator
        {
            public NoFlushDisk() : base(new MemoryDisk(1 << 20)) { }

            protected override void FlushCore() => throw new NotSupportedException("no flush on this device");
        }

        [Fact]
        public void Every_behaviour_of_every_backend_personality_has_a_named_test()
        {
            var names = typeof(BackendPersonalityTests).GetMethods(BindingFlags.Public | BindingFlags.Instance).Select(m => m.Name).ToList();
            var missing = new List<string>();
            foreach (var p in BackendProfile.All)
                foreach (var b in p.Behaviours)
                    if (!names.Any(n => n.StartsWith(p.Name + "_" + b.Id + "_", StringComparison.Ordinal))) missing.Add(p.Name + "_" + b.Id);
            Assert.Empty(missing);
            Assert.Equal(Enum.GetValues(typeof(BackendPersonality)).Length, BackendProfile.All.Count);
            Assert.All(BackendProfile.All, p => Assert.Same(p, BackendProfile.For(p.Personality)));
        }

        [Fact]
        public void Unknown_personality_is_refused_with_the_names_that_exist()
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => new BlkBack(new XenHost(), 1, 51712, new MemoryDisk(1 << 20), new BlkBackOptions { Personality = (BackendPersonality)42 }));
            Assert.Contains("LinuxBlkback2008", e.Message);
        }

        // ---------------- LinuxBlkback ----------------

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        public void LinuxBlkback_ProtocolDefaultX86_32_absent_or_empty_protocol_is_x86_32(string? protocol)
        {
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback, protocol, abi: BlkifAbi.X86_32);
            Assert.Equal(XenbusState.Connected, rig.Backend.State);
            Assert.Equal(BlkifAbi.X86_32, rig.Backend.ChosenAbi);
        }

        [Fact]
        public void LinuxBlkback_UnknownProtocolFatal_unknown_protocol_fails_the_connect()
        {
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback, "arm64-abi");
            Assert.False(rig.Backend.IsConnected);
            Assert.Equal(XenbusState.Closing, rig.Backend.State);
            Assert.Contains("unknown fe protocol", Key(rig, "error"));
        }

        [Fact]
        public void LinuxBlkback_RingPageOrderDefault_unparsable_order_is_one_page_and_too_large_is_fatal()
        {
            using var rig = BackendRig.Create(As(BackendPersonality.LinuxBlkback));
            rig.Frontend.Store.Write(rig.Frontend.Path + "/ring-page-order", "abc");
            rig.Frontend.Connect("x86_64-abi");
            Assert.Equal(XenbusState.Connected, rig.Backend.State);
            Assert.Equal(1, rig.Backend.RingPageCount);

            using var big = BackendRig.Create(As(BackendPersonality.LinuxBlkback));
            big.Frontend.Store.Write(big.Frontend.Path + "/ring-page-order", 5);
            big.Frontend.Connect("x86_64-abi");
            Assert.False(big.Backend.IsConnected);
            Assert.Contains("exceed max:4", Key(big, "error"));
        }

        [Fact]
        public void LinuxBlkback_RingRefZeroFirst_one_page_ring_is_read_from_ring_ref0_before_ring_ref()
        {
            using var rig = BackendRig.Create(As(BackendPersonality.LinuxBlkback));
            var fe = rig.Frontend;
            fe.PublishRing("x86_64-abi");
            fe.Store.Write(fe.Path + "/ring-ref0", fe.RingRefs[0]);
            fe.Store.Write(fe.Path + "/ring-ref", 999_999);
            fe.SetState(XenbusState.Initialised);
            fe.Run();
            Assert.Equal(XenbusState.Connected, rig.Backend.State);
            Assert.Equal(BlkifStatus.Okay, fe.Submit(BlkifOp.Read, 1, 0, new BlkifSegment(rig.GrantPages(1)[0].Gref, 0, 7)).Status);
        }

        [Fact]
        public void LinuxBlkback_ProbeKeys_indirect_and_ring_order_are_there_at_InitWait()
        {
            using var rig = BackendRig.Create(As(BackendPersonality.LinuxBlkback));
            Assert.Equal(XenbusState.InitWait, rig.Backend.State);
            Assert.Equal("256", Key(rig, "feature-max-indirect-segments"));
            Assert.Equal("4", Key(rig, "max-ring-page-order"));
        }

        [Fact]
        public void LinuxBlkback_FeatureKeysAtConnect_flush_barrier_discard_appear_only_at_connect()
        {
            using var rig = BackendRig.Create(As(BackendPersonality.LinuxBlkback));
            foreach (var k in new[] { "feature-flush-cache", "feature-barrier", "feature-discard", "discard-granularity", "sectors", "info" })
                Assert.False(Has(rig, k), k + " before connect");
            rig.Frontend.Connect("x86_64-abi");
            foreach (var k in new[] { "feature-flush-cache", "feature-barrier", "feature-discard", "discard-granularity", "sectors", "info" })
                Assert.True(Has(rig, k), k + " after connect");
            Assert.True(rig.Host.Store.GenerationOf(rig.Frontend.BackendPath + "/feature-flush-cache") < rig.Host.Store.GenerationOf(rig.Frontend.BackendPath + "/state"));
        }

        [Theory]
        [InlineData(true, false, "1")]
        [InlineData(false, true, "0")]
        public void LinuxBlkback_BarrierKeyEqualsFlush_barrier_key_follows_the_write_cache(bool cache, bool barrierOption, string expected)
        {
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback, more: o => { o.FeatureFlushCache = cache; o.FeatureBarrier = barrierOption; });
            Assert.Equal(expected, Key(rig, "feature-flush-cache"));
            Assert.Equal(expected, Key(rig, "feature-barrier"));
        }

        [Fact]
        public void LinuxBlkback_OverflowCheckAtMap_a_ring_more_than_full_is_refused_at_connect()
        {
            using var rig = BackendRig.Create(As(BackendPersonality.LinuxBlkback));
            rig.Frontend.Shared.ReqProd = 33;
            rig.Frontend.Connect("x86_64-abi");
            Assert.False(rig.Backend.IsConnected);
            Assert.StartsWith("mapping ring-ref port", Key(rig, "error"));
            Assert.Equal(0, rig.Frontend.Grants.ActiveMappings);

            using var qemu = BackendRig.Create(As(BackendPersonality.Qemu10));
            qemu.Frontend.Shared.ReqProd = 33;
            qemu.Frontend.Connect("x86_64-abi");
            Assert.True(qemu.Backend.IsConnected);
        }

        [Fact]
        public void LinuxBlkback_RingAttach_a_reconnect_continues_from_rsp_prod()
        {
            using var rig = BackendRig.Create(As(BackendPersonality.LinuxBlkback));
            rig.Frontend.Shared.ReqProd = 5;
            rig.Frontend.Shared.RspProd = 5;
            rig.Frontend.ReqProdPvt = 5;
            rig.Frontend.RspCons = 5;
            rig.Frontend.Connect("x86_64-abi");
            rig.Frontend.Channel.Frontend.Notify();
            rig.Frontend.Run();
            Assert.Equal(5u, rig.Backend.Ring!.RspProdPvt);
            Assert.Equal(0, rig.Backend.Statistics.RequestsConsumed);
        }

        [Fact]
        public void LinuxBlkback_ReqProdOverflowHaltsRing_halt_is_logged_only()
        {
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback);
            rig.Frontend.PushRaw(40);
            rig.Frontend.Run();
            Assert.True(rig.Backend.IsRingHalted);
            Assert.False(Has(rig, "error"));
            Assert.Equal(XenbusState.Connected, rig.Backend.State);
        }

        [Fact]
        public void LinuxBlkback_UnknownOpNotSupported_unknown_op_is_EOPNOTSUPP()
        {
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback);
            var rsp = Raw(rig, 0xff);
            Assert.Equal(BlkifStatus.NotSupported, rsp.Status);
            Assert.Equal(0xff, rsp.Operation);
        }

        [Fact]
        public void LinuxBlkback_ZeroSegmentsError_read_without_segments_is_an_error()
        {
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback);
            Assert.Equal(BlkifStatus.Error, rig.Frontend.Submit(BlkifOp.Read, 1, 0).Status);
            Assert.Equal(BlkifStatus.Error, rig.Frontend.Submit(BlkifOp.Write, 2, 0).Status);
        }

        [Fact]
        public void LinuxBlkback_LogicalBlockAlignment_unaligned_start_on_a_4k_disk_is_refused_by_blkback()
        {
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback, disk: new MemoryDisk(1 << 20, 4096));
            var page = rig.GrantPages(1)[0];
            Assert.Equal(BlkifStatus.Error, rig.Frontend.Submit(BlkifOp.Write, 1, 1, new BlkifSegment(page.Gref, 0, 7)).Status);
            Assert.Equal(1, rig.Backend.Statistics.Rejected(RequestRejectReason.Misaligned));
        }

        [Fact]
        public void LinuxBlkback_BarrierDrainPreflush_barrier_waits_for_in_flight_then_flush_write_and_no_flush_after()
        {
            var disk = new RecordingDisk(new MemoryDisk(1 << 20));
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback, disk: disk);
            rig.Interceptor = new LambdaInterceptor((ref BackendRequestPlan p) => { if (p.Id == 1) p.ExtraLatencyTicks = 10_000; });
            var pages = rig.GrantPages(2, 0x33);
            rig.Frontend.Queue(BlkifOp.Write, 1, 0, new BlkifSegment(pages[0].Gref, 0, 7));
            rig.Frontend.Queue(BlkifOp.WriteBarrier, 2, 8, new BlkifSegment(pages[1].Gref, 0, 7));
            rig.Frontend.Push();
            rig.Frontend.Run();
            var order = rig.Frontend.TakeResponses().Select(r => r.Id).ToArray();
            Assert.Equal(new ulong[] { 1, 2 }, order);
            Assert.Equal(1, rig.Backend.Statistics.BarrierDrains);
            Assert.Equal(new[] { "write 0+4096", "flush", "write 4096+4096" }, disk.Log);
        }

        [Fact]
        public void LinuxBlkback_FlushDoesNotDrain_flush_is_answered_before_a_slower_earlier_write()
        {
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback);
            rig.Interceptor = new LambdaInterceptor((ref BackendRequestPlan p) => { if (p.Id == 1) p.ExtraLatencyTicks = 10_000; });
            var page = rig.GrantPages(1, 0x33)[0];
            rig.Frontend.Queue(BlkifOp.Write, 1, 0, new BlkifSegment(page.Gref, 0, 7));
            rig.Frontend.Queue(BlkifOp.FlushDiskCache, 2, 0);
            rig.Frontend.Push();
            rig.Frontend.Run();
            Assert.Equal(new ulong[] { 2, 1 }, rig.Frontend.TakeResponses().Select(r => r.Id).ToArray());
            Assert.Equal(0, rig.Backend.Statistics.BarrierDrains);
        }

        /// <summary>
        /// Two WRITEs to one page, the first slower: the disk holds nothing until a write completes, and then the
        /// data of the one that completed last (completion order, not ring order). A READ of the page submitted
        /// while the slow write is in flight sees the fast write's data: it takes its data when it completes.
        /// The other personalities run it once each, through their own named facts below.
        /// </summary>
        [Theory]
        [InlineData(BackendPersonality.LinuxBlkback)]
        public void LinuxBlkback_DataAtCompletion_writes_reach_the_disk_in_completion_order(BackendPersonality personality)
        {
            var disk = new RecordingDisk(new MemoryDisk(1 << 20));
            using var rig = ConnectedAs(personality, disk: disk);
            rig.Interceptor = new LambdaInterceptor((ref BackendRequestPlan p) => { if (p.Id == 1) p.ExtraLatencyTicks = 10_000; });
            var slow = rig.GrantPages(1, 0x11)[0];
            var fast = rig.GrantPages(1, 0x22)[0];
            var read = rig.GrantPages(1, 0x00)[0];
            rig.Frontend.Queue(BlkifOp.Write, 1, 0, new BlkifSegment(slow.Gref, 0, 7));
            rig.Frontend.Queue(BlkifOp.Write, 2, 0, new BlkifSegment(fast.Gref, 0, 7));
            rig.Frontend.Push();
            rig.Host.Scheduler.RunUntil(rig.Host.Scheduler.Now + 1);
            Assert.Empty(disk.Log);
            Assert.Equal(0x00, rig.DiskBytes(0, 512)[0]);
            rig.Host.Scheduler.RunUntil(rig.Host.Scheduler.Now + 1000);
            Assert.Equal(0x22, rig.DiskBytes(0, 512)[0]);
            rig.Frontend.Queue(BlkifOp.Read, 3, 0, new BlkifSegment(read.Gref, 0, 7));
            rig.Frontend.Push();
            rig.Frontend.Run();
            Assert.Equal(new ulong[] { 2, 3, 1 }, rig.Frontend.TakeResponses().Select(r => r.Id).ToArray());
            Assert.Equal(0x22, rig.Frontend.Page(read.Frame)[0]);
            Assert.Equal(0x11, rig.DiskBytes(0, 512)[0]);
        }

        [Fact]
        public void LinuxBlkback2008_DataAtCompletion_same_as_current() => LinuxBlkback_DataAtCompletion_writes_reach_the_disk_in_completion_order(BackendPersonality.LinuxBlkback2008);

        [Fact]
        public void Qemu72_DataAtCompletion_same_as_Linux() => LinuxBlkback_DataAtCompletion_writes_reach_the_disk_in_completion_order(BackendPersonality.Qemu72);

        [Fact]
        public void Qemu10_DataAtCompletion_same_as_Linux() => LinuxBlkback_DataAtCompletion_writes_reach_the_disk_in_completion_order(BackendPersonality.Qemu10);

        /// <summary>QEMU's FLUSH is a presync blk_aio_flush at submit: the disk flushes before a slower earlier write lands, and the flush is answered first.</summary>
        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_FlushPresyncNoDrain_flush_runs_before_a_slower_earlier_write_lands(BackendPersonality personality)
        {
            var disk = new RecordingDisk(new MemoryDisk(1 << 20));
            using var rig = ConnectedAs(personality, disk: disk);
            rig.Interceptor = new LambdaInterceptor((ref BackendRequestPlan p) => { if (p.Id == 1) p.ExtraLatencyTicks = 10_000; });
            var page = rig.GrantPages(1, 0x33)[0];
            rig.Frontend.Queue(BlkifOp.Write, 1, 0, new BlkifSegment(page.Gref, 0, 7));
            rig.Frontend.Queue(BlkifOp.FlushDiskCache, 2, 0);
            rig.Frontend.Push();
            rig.Frontend.Run();
            Assert.Equal(new ulong[] { 2, 1 }, rig.Frontend.TakeResponses().Select(r => r.Id).ToArray());
            Assert.Equal(new[] { "flush", "write 0+4096" }, disk.Log);
        }

        [Fact]
        public void Qemu10_FlushPresyncNoDrain_same_as_72() => Qemu72_FlushPresyncNoDrain_flush_runs_before_a_slower_earlier_write_lands(BackendPersonality.Qemu10);

        [Fact]
        public void LinuxBlkback_NoFeatureCheckOnFlush_flush_with_the_feature_off_is_okay()
        {
            var disk = new RecordingDisk(new MemoryDisk(1 << 20));
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback, more: o => o.FeatureFlushCache = false, disk: disk);
            Assert.Equal("0", Key(rig, "feature-flush-cache"));
            Assert.Equal(BlkifStatus.Okay, rig.Frontend.Submit(BlkifOp.FlushDiskCache, 1, 0).Status);
            Assert.Equal(new[] { "flush" }, disk.Log);
        }

        [Theory]
        [InlineData(BlkifOp.FlushDiskCache, "feature-flush-cache", "feature-barrier")]
        [InlineData(BlkifOp.WriteBarrier, "feature-barrier", "feature-flush-cache")]
        public void LinuxBlkback_NotSupportedWithdrawsFeature_device_NOTSUPP_is_EOPNOTSUPP_and_the_key_goes_to_0(byte op, string withdrawn, string kept)
        {
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback, disk: new NoFlushDisk());
            Assert.Equal("1", Key(rig, withdrawn));
            Assert.Equal(BlkifStatus.NotSupported, rig.Frontend.Submit(op, 1, 0).Status);
            Assert.Equal("0", Key(rig, withdrawn));
            Assert.Equal("1", Key(rig, kept));
            Assert.Equal(1, rig.Backend.Statistics.FeaturesWithdrawn);
        }

        [Fact]
        public void LinuxBlkback_CompletionInAnyOrder_reordered_completions_follow_the_seed()
        {
            ulong[] Run(ulong seed)
            {
                var host = new XenHost(seed);
                var fe = new TestFrontend(host);
                using var be = new BlkBack(host, 1, fe.DeviceId, new MemoryDisk(1 << 20), new BlkBackOptions { ReorderCompletions = true });
                fe.Run();
                fe.Connect("x86_64-abi");
                var page = fe.GrantNewPage();
                for (ulong i = 0; i < 16; i++) fe.Queue(BlkifOp.Write, i, i * 8, new BlkifSegment(page.Gref, 0, 7));
                fe.Push();
                fe.Run();
                return fe.TakeResponses().Select(r => r.Id).ToArray();
            }

            var a = Run(7);
            Assert.Equal(16, a.Length);
            Assert.NotEqual(Enumerable.Range(0, 16).Select(i => (ulong)i).ToArray(), a);
            Assert.Equal(a, Run(7));
            Assert.NotEqual(a, Run(8));
        }

        [Fact]
        public void LinuxBlkback_PendingIoRefusesConnect_connect_with_a_closed_ring_still_busy_is_fatal()
        {
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback, more: o => o.ServiceTicks = 1_000_000);
            var page = rig.GrantPages(1)[0];
            rig.Frontend.Queue(BlkifOp.Write, 1, 0, new BlkifSegment(page.Gref, 0, 7));
            rig.Frontend.Push();
            rig.Host.Scheduler.RunUntil(rig.Host.Scheduler.Now + 1000);
            rig.Frontend.SetState(XenbusState.Closed);
            rig.Host.Scheduler.RunUntil(rig.Host.Scheduler.Now + 1000);
            Assert.Equal(XenbusState.Closed, rig.Backend.State);
            Assert.Equal(1, rig.Backend.DrainingResponses);
            rig.Frontend.SetState(XenbusState.Initialised);
            rig.Host.Scheduler.RunUntil(rig.Host.Scheduler.Now + 1000);
            Assert.Equal(XenbusState.Closing, rig.Backend.State);
            Assert.Equal("pending I/O", Key(rig, "error"));
            Assert.Equal(1, rig.Backend.Statistics.ConnectsRefused);
        }

        [Fact]
        public void LinuxBlkback_LateResponsesAfterClose_in_flight_responses_are_still_written_into_the_closed_ring()
        {
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback, more: o => o.ServiceTicks = 100_000);
            var page = rig.GrantPages(1)[0];
            rig.Frontend.Queue(BlkifOp.Write, 9, 0, new BlkifSegment(page.Gref, 0, 7));
            rig.Frontend.Push();
            rig.Host.Scheduler.RunUntil(rig.Host.Scheduler.Now + 1000);
            rig.Frontend.SetState(XenbusState.Closed);
            rig.Host.Scheduler.RunUntil(rig.Host.Scheduler.Now + 1000);
            Assert.False(rig.Backend.IsConnected);
            // The ring page, and the write's data page: mapped until the write completes (__end_block_io_op unmaps).
            Assert.Equal(2, rig.Frontend.Grants.ActiveMappings);
            rig.Frontend.Run();
            Assert.Equal(1u, rig.Frontend.Shared.RspProd);
            Assert.Equal(9ul, rig.Frontend.ResponseAt(0).Id);
            Assert.Equal(1, rig.Backend.Statistics.LateResponses);
            Assert.Equal(0, rig.Frontend.Grants.ActiveMappings);
            Assert.Equal(0, rig.Backend.DrainingResponses);
        }

        // ---------------- persistent grants and multi-queue ----------------

        /// <summary>A Linux blkback rig whose frontend offers feature-persistent (blkfront writes it in talk_to_blkback).</summary>
        private static BackendRig PersistentRig(Action<BlkBackOptions>? more = null, BackendPersonality p = BackendPersonality.LinuxBlkback, string frontendValue = "1")
        {
            var rig = BackendRig.Create(As(p, more));
            rig.Host.Store.Write(rig.Frontend.Path + "/feature-persistent", frontendValue);
            rig.Frontend.Connect("x86_64-abi");
            Assert.Equal(XenbusState.Connected, rig.Backend.State);
            return rig;
        }

        private static BlkifResponse ReadPage(BackendRig rig, uint gref, ulong id = 1) =>
            rig.Frontend.Submit(BlkifOp.Read, id, 0, new BlkifSegment(gref, 0, 7));

        [Fact]
        public void LinuxBlkback_PersistentKeyIsTheParameter_feature_persistent_is_the_module_parameter_written_in_connect()
        {
            using var rig = BackendRig.Create(As(BackendPersonality.LinuxBlkback));
            Assert.False(Has(rig, "feature-persistent"));
            rig.Frontend.Connect("x86_64-abi");
            Assert.Equal("1", Key(rig, "feature-persistent"));
            Assert.False(rig.Backend.PersistentGrantsEnabled);   // the frontend did not offer it: written all the same
            using var off = ConnectedAs(BackendPersonality.LinuxBlkback, more: o => o.FeaturePersistent = false);
            Assert.Equal("0", Key(off, "feature-persistent"));
        }

        [Theory]
        [InlineData("1", true)]
        [InlineData("3", true)]
        [InlineData("2", false)]
        [InlineData("0", false)]
        [InlineData("yes", false)]
        public void LinuxBlkback_PersistentNegotiated_both_ends_must_agree_and_only_the_low_bit_counts(string frontendValue, bool expected)
        {
            using var rig = PersistentRig(frontendValue: frontendValue);
            Assert.Equal(expected, rig.Backend.PersistentGrantsEnabled);
            using var paramOff = PersistentRig(o => o.FeaturePersistent = false, frontendValue: frontendValue);
            Assert.False(paramOff.Backend.PersistentGrantsEnabled);
        }

        [Fact]
        public void LinuxBlkback_PersistentTreePerRing_a_kept_grant_is_neither_mapped_nor_unmapped_again()
        {
            using var rig = PersistentRig();
            var page = rig.GrantPages(1)[0];
            Assert.Equal(BlkifStatus.Okay, ReadPage(rig, page.Gref, 1).Status);
            Assert.Equal(BlkifStatus.Okay, ReadPage(rig, page.Gref, 2).Status);
            var st = rig.Backend.Statistics;
            Assert.Equal(1, st.GrantMaps);
            Assert.Equal(0, st.GrantUnmaps);
            Assert.Equal(1, st.PersistentGrantHits);
            Assert.Equal(1, rig.Backend.PersistentGrantCount);
            Assert.True(rig.Backend.QueueHoldsPersistentGrant(0, page.Gref));
            Assert.True(rig.Frontend.Grants.IsMapped(page.Gref));

            // Without the feature the same two reads map and unmap twice.
            using var plain = BackendRig.Connected();
            var p2 = plain.GrantPages(1)[0];
            ReadPage(plain, p2.Gref, 1);
            ReadPage(plain, p2.Gref, 2);
            Assert.Equal(2, plain.Backend.Statistics.GrantMaps);
            Assert.Equal(2, plain.Backend.Statistics.GrantUnmaps);
            Assert.False(plain.Frontend.Grants.IsMapped(p2.Gref));
        }

        [Fact]
        public void LinuxBlkback_PersistentMapsWritable_a_read_only_grant_cannot_be_kept_so_its_write_fails()
        {
            using var rig = PersistentRig();
            var ro = rig.GrantPages(1, fill: 0x5A, readOnly: true)[0];
            Assert.Equal(BlkifStatus.Error, rig.Frontend.Submit(BlkifOp.Write, 1, 0, new BlkifSegment(ro.Gref, 0, 7)).Status);
            using var plain = BackendRig.Connected();
            var ro2 = plain.GrantPages(1, fill: 0x5A, readOnly: true)[0];
            Assert.Equal(BlkifStatus.Okay, plain.Frontend.Submit(BlkifOp.Write, 1, 0, new BlkifSegment(ro2.Gref, 0, 7)).Status);
        }

        [Fact]
        public void LinuxBlkback_PersistentLimit1056_past_the_limit_grants_are_mapped_once_and_the_overflow_is_flagged()
        {
            Assert.Equal(1056, new BlkBackOptions().MaxPersistentGrants);
            using var rig = PersistentRig(o => o.MaxPersistentGrants = 4);
            var pages = rig.GrantPages(6);
            var segs = pages.Select(pg => new BlkifSegment(pg.Gref, 0, 7)).ToArray();
            Assert.Equal(BlkifStatus.Okay, rig.Frontend.Submit(BlkifOp.Read, 1, 0, segs).Status);
            Assert.Equal(4, rig.Backend.PersistentGrantCount);
            Assert.True(rig.Backend.QueuePersistentGrantOverflow(0));
            Assert.Equal(2, rig.Backend.Statistics.PersistentGrantOverflows);
            Assert.Equal(2, rig.Backend.Statistics.GrantUnmaps);
            for (int i = 0; i < 6; i++) Assert.Equal(i < 4, rig.Frontend.Grants.IsMapped(pages[i].Gref));
        }

        [Fact]
        public void LinuxBlkback_PersistentInUseMappedAgain_the_same_grant_twice_in_one_request_is_mapped_a_second_time()
        {
            using var rig = PersistentRig();
            var page = rig.GrantPages(1)[0];
            Assert.Equal(BlkifStatus.Okay, rig.Frontend.Submit(BlkifOp.Read, 1, 0, new BlkifSegment(page.Gref, 0, 3), new BlkifSegment(page.Gref, 4, 7)).Status);
            var st = rig.Backend.Statistics;
            Assert.Equal(1, st.PersistentGrantsInUse);
            Assert.Equal(2, st.GrantMaps);
            Assert.Equal(1, st.GrantUnmaps);
            Assert.Equal(1, rig.Backend.PersistentGrantCount);
        }

        [Fact]
        public void LinuxBlkback_PersistentPurgeEvery100ms_unused_grants_expire_after_60_s_and_a_full_tree_is_trimmed_to_95_percent()
        {
            using var rig = PersistentRig();
            var old = rig.GrantPages(1)[0];
            var fresh = rig.GrantPages(1)[0];
            ReadPage(rig, old.Gref, 1);
            rig.Host.Scheduler.RunUntil(rig.Host.Scheduler.Now + 59 * TimeSpan.TicksPerSecond);
            ReadPage(rig, fresh.Gref, 2);
            Assert.True(rig.Frontend.Grants.IsMapped(old.Gref));           // idle 59 s: kept
            rig.Host.Scheduler.RunUntil(rig.Host.Scheduler.Now + 2 * TimeSpan.TicksPerSecond);
            ReadPage(rig, fresh.Gref, 3);
            Assert.False(rig.Frontend.Grants.IsMapped(old.Gref));          // idle 61 s: purged at the next wake
            Assert.True(rig.Frontend.Grants.IsMapped(fresh.Gref));
            Assert.Equal(1, rig.Backend.Statistics.PersistentGrantsPurged);
            Assert.Contains(rig.Host.Trace.Snapshot(), e => e.Kind == global::XenVbd.Sim.TraceKind.PersistentGrantPurge && e.B == 1);

            // A full tree that overflowed: the purge leaves max/100*5 = 5 of 100 free.
            using var full = PersistentRig(o => o.MaxPersistentGrants = 100);
            var pages = full.GrantPages(101);
            for (int i = 0; i < 101; i++) ReadPage(full, pages[i].Gref, (ulong)i);
            Assert.Equal(100, full.Backend.PersistentGrantCount);
            Assert.True(full.Backend.QueuePersistentGrantOverflow(0));
            full.Host.Scheduler.RunUntil(full.Host.Scheduler.Now + BlkBackOptions.LruIntervalTicks + 1);
            ReadPage(full, pages[100].Gref, 500);
            // The purge ran at the wake, before the request: five grants not in use went, in reference order (the lowest
            // five), which left room to keep pages[100]'s grant this time.
            Assert.Equal(5, full.Backend.Statistics.PersistentGrantsPurged);
            Assert.Equal(96, full.Backend.PersistentGrantCount);
            Assert.False(full.Backend.QueuePersistentGrantOverflow(0));
            var lowest = pages.Select(pg => pg.Gref).Where(g => g != pages[100].Gref).OrderBy(g => g).Take(5).ToArray();
            Assert.All(lowest, g => Assert.False(full.Backend.QueueHoldsPersistentGrant(0, g)));
            Assert.True(full.Backend.QueueHoldsPersistentGrant(0, pages[100].Gref));
        }

        [Fact]
        public void LinuxBlkback_PersistentFreedOnDisconnect_closing_unmaps_every_kept_grant()
        {
            using var rig = PersistentRig();
            var pages = rig.GrantPages(3);
            for (int i = 0; i < 3; i++) ReadPage(rig, pages[i].Gref, (ulong)i);
            Assert.Equal(3, rig.Backend.PersistentGrantCount);
            rig.Frontend.SetState(XenbusState.Closed);
            rig.Frontend.Run();
            Assert.All(pages, pg => Assert.False(rig.Frontend.Grants.IsMapped(pg.Gref)));
            Assert.Equal(3, rig.Backend.Statistics.PersistentGrantsPurged);
        }

        [Fact]
        public void LinuxBlkback_PersistentStillMapped_the_frontend_cannot_end_access_to_a_kept_grant_until_blkback_lets_go()
        {
            using var rig = PersistentRig();
            var page = rig.GrantPages(1)[0];
            ReadPage(rig, page.Gref);
            Assert.False(rig.Frontend.Grants.EndAccess(page.Gref));
            rig.Frontend.SetState(XenbusState.Closed);
            rig.Frontend.Run();
            Assert.True(rig.Frontend.Grants.EndAccess(page.Gref));
        }

        [Fact]
        public void LinuxBlkback_MultiQueueMaxQueues_written_at_probe_from_the_parameter()
        {
            using var rig = BackendRig.Create(As(BackendPersonality.LinuxBlkback));
            Assert.Equal(XenbusState.InitWait, rig.Backend.State);
            Assert.Equal("4", Key(rig, "multi-queue-max-queues"));
            using var two = BackendRig.Create(As(BackendPersonality.LinuxBlkback, o => o.MaxQueues = 2));
            Assert.Equal("2", Key(two, "multi-queue-max-queues"));
        }

        [Theory]
        [InlineData("0", "guest requested 0 queues, exceeding the maximum of 4.")]
        [InlineData("5", "guest requested 5 queues, exceeding the maximum of 4.")]
        [InlineData("many", null)]
        public void LinuxBlkback_MultiQueueNumQueues_zero_or_too_many_is_fatal_unparsable_is_one(string value, string? error)
        {
            using var rig = BackendRig.Create(As(BackendPersonality.LinuxBlkback));
            rig.Host.Store.Write(rig.Frontend.Path + "/multi-queue-num-queues", value);
            rig.Frontend.Connect("x86_64-abi");
            if (error is null)
            {
                Assert.Equal(XenbusState.Connected, rig.Backend.State);
                Assert.Equal(1, rig.Backend.QueueCount);
            }
            else
            {
                Assert.Equal(XenbusState.Closing, rig.Backend.State);
                Assert.Equal(error, Key(rig, "error"));
            }
        }

        [Fact]
        public void LinuxBlkback_PerQueueRingKeys_each_queue_has_its_own_ring_and_event_channel_under_queue_N()
        {
            using var rig = BackendRig.Create(As(BackendPersonality.LinuxBlkback));
            var fe = rig.Frontend;
            var q1 = new TestQueueRing(fe);
            fe.Store.Write(fe.Path + "/multi-queue-num-queues", 2);
            fe.Store.Write(fe.Path + "/queue-0/ring-ref", fe.RingRefs[0]);
            fe.Store.Write(fe.Path + "/queue-0/event-channel", fe.Channel.Port);
            q1.Publish(fe.Path + "/queue-1");
            fe.Store.Write(fe.Path + "/protocol", "x86_64-abi");
            fe.SetState(XenbusState.Initialised);
            fe.Run();
            Assert.Equal(XenbusState.Connected, rig.Backend.State);
            Assert.Equal(2, rig.Backend.QueueCount);

            var page = rig.GrantPages(1)[0];
            q1.Queue(BlkifOp.Read, 77, 0, new BlkifSegment(page.Gref, 0, 7));
            q1.Push();
            fe.Run();
            var r = Assert.Single(q1.TakeResponses());
            Assert.Equal(77UL, r.Id);
            Assert.Empty(fe.TakeResponses());
            Assert.Equal(1U, rig.Backend.QueueRing(1).ReqCons);
            Assert.Equal(0U, rig.Backend.QueueRing(0).ReqCons);

            // Both queues naming one event channel: the second cannot bind it.
            using var same = BackendRig.Create(As(BackendPersonality.LinuxBlkback));
            var f2 = same.Frontend;
            var q = new TestQueueRing(f2, f2.Channel);
            f2.Store.Write(f2.Path + "/multi-queue-num-queues", 2);
            f2.Store.Write(f2.Path + "/queue-0/ring-ref", f2.RingRefs[0]);
            f2.Store.Write(f2.Path + "/queue-0/event-channel", f2.Channel.Port);
            q.Publish(f2.Path + "/queue-1");
            f2.SetState(XenbusState.Initialised);
            f2.Run();
            Assert.Equal(XenbusState.Closing, same.Backend.State);
            Assert.StartsWith("mapping ring-ref port", Key(same, "error"));
            Assert.False(f2.Grants.IsMapped(f2.RingRefs[0]));
        }

        // ---------------- LinuxBlkback2008 ----------------

        [Fact]
        public void LinuxBlkback2008_NativeLayoutOnly_protocol_key_is_ignored()
        {
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback2008, "x86_32-abi", o => o.NativeAbi = BlkifAbi.X86_64, abi: BlkifAbi.X86_32);
            Assert.Equal(BlkifAbi.X86_64, rig.Backend.ChosenAbi);
        }

        [Fact]
        public void LinuxBlkback2008_UnknownOpError_probe_op_is_answered_ERROR()
        {
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback2008);
            var rsp = Raw(rig, BlkifOp.Probe);
            Assert.Equal(BlkifStatus.Error, rsp.Status);
            Assert.Equal(BlkifOp.Probe, rsp.Operation);
        }

        [Fact]
        public void LinuxBlkback2008_BarrierWithFua_barrier_flushes_before_and_after()
        {
            var disk = new RecordingDisk(new MemoryDisk(1 << 20));
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback2008, disk: disk);
            var page = rig.GrantPages(1)[0];
            Assert.Equal(BlkifStatus.Okay, rig.Frontend.Submit(BlkifOp.WriteBarrier, 1, 0, new BlkifSegment(page.Gref, 0, 7)).Status);
            Assert.Equal(new[] { "flush", "write 0+4096", "flush" }, disk.Log);
        }

        [Fact]
        public void LinuxBlkback2008_BarrierNotSupportedWithdraws_barrier_key_goes_to_0()
        {
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback2008, disk: new NoFlushDisk());
            Assert.Equal("1", Key(rig, "feature-barrier"));
            Assert.Equal(BlkifStatus.NotSupported, rig.Frontend.Submit(BlkifOp.WriteBarrier, 1, 0).Status);
            Assert.Equal("0", Key(rig, "feature-barrier"));
        }

        [Theory]
        [InlineData(BlkifOp.FlushDiskCache)]
        [InlineData(BlkifOp.Discard)]
        [InlineData(BlkifOp.Indirect)]
        public void LinuxBlkback2008_OnlyReadWriteBarrier_later_operations_are_unknown(byte op)
        {
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback2008);
            var rsp = Raw(rig, op);
            Assert.Equal(BlkifStatus.Error, rsp.Status);
            Assert.Equal(1, rig.Backend.Statistics.Rejected(RequestRejectReason.UnknownOperation));
            Assert.False(Has(rig, "feature-flush-cache"));
            Assert.False(Has(rig, "feature-discard"));
            Assert.False(Has(rig, "feature-max-indirect-segments"));
        }

        [Fact]
        public void LinuxBlkback2008_SinglePageRing_no_order_offered_and_ring_ref_required()
        {
            using var rig = BackendRig.Create(As(BackendPersonality.LinuxBlkback2008), ringPageOrder: 1);
            Assert.False(Has(rig, "max-ring-page-order"));
            rig.Frontend.Connect(null);
            Assert.False(rig.Backend.IsConnected);
            Assert.Contains("/ring-ref", Key(rig, "error"));
        }

        [Fact]
        public void LinuxBlkback2008_NoReqProdOverflowCheck_a_wild_req_prod_is_served_not_halted()
        {
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback2008);
            rig.Frontend.PushRaw(40);
            rig.Frontend.Run();
            Assert.False(rig.Backend.IsRingHalted);
            Assert.True(rig.Backend.Statistics.RequestsConsumed > 0);
        }

        [Fact]
        public void LinuxBlkback2008_NoAlignmentCheck_unaligned_request_reaches_the_disk()
        {
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback2008, disk: new MemoryDisk(1 << 20, 4096));
            var page = rig.GrantPages(1)[0];
            Assert.Equal(BlkifStatus.Error, rig.Frontend.Submit(BlkifOp.Write, 1, 1, new BlkifSegment(page.Gref, 0, 7)).Status);
            // Refused by the disk, not by a blkback check.
            Assert.Equal(0, rig.Backend.Statistics.Rejected(RequestRejectReason.Misaligned));
            Assert.Equal(1, rig.Backend.Statistics.Rejected(RequestRejectReason.StorageError));
        }

        [Fact]
        public void LinuxBlkback2008_RingInit_starts_from_index_0_whatever_the_ring_holds()
        {
            using var rig = BackendRig.Create(As(BackendPersonality.LinuxBlkback2008));
            rig.Frontend.Shared.ReqProd = 5;
            rig.Frontend.Shared.RspProd = 5;
            rig.Frontend.Connect(null);
            rig.Frontend.Channel.Frontend.Notify();
            rig.Frontend.Run();
            Assert.Equal(5, rig.Backend.Statistics.RequestsConsumed);
        }

        [Fact]
        public void LinuxBlkback2008_BarrierKeyAtConnect_barrier_key_written_in_connect()
        {
            using var rig = BackendRig.Create(As(BackendPersonality.LinuxBlkback2008));
            Assert.False(Has(rig, "feature-barrier"));
            rig.Frontend.Connect(null);
            Assert.Equal("1", Key(rig, "feature-barrier"));
        }

        [Fact]
        public void LinuxBlkback2008_NoPhysicalSectorSize_only_sector_size()
        {
            using var rig = ConnectedAs(BackendPersonality.LinuxBlkback2008, null, disk: new MemoryDisk(1 << 20, 512, 4096));
            Assert.Equal("512", Key(rig, "sector-size"));
            Assert.False(Has(rig, "physical-sector-size"));
        }

        [Fact]
        public void LinuxBlkback2008_NoPersistentNoMultiQueue_no_keys_and_every_grant_is_unmapped_after_its_request()
        {
            using var rig = PersistentRig(p: BackendPersonality.LinuxBlkback2008);
            Assert.False(Has(rig, "feature-persistent"));
            Assert.False(Has(rig, "multi-queue-max-queues"));
            Assert.False(rig.Backend.PersistentGrantsEnabled);
            var page = rig.GrantPages(1)[0];
            ReadPage(rig, page.Gref);
            Assert.False(rig.Frontend.Grants.IsMapped(page.Gref));
        }

        // ---------------- Qemu72 / Qemu10 ----------------

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("sparc-abi")]
        public void Qemu72_ProtocolDefaultNative_absent_empty_or_unknown_protocol_is_native(string? protocol)
        {
            using var rig = ConnectedAs(BackendPersonality.Qemu72, protocol);
            Assert.Equal(XenbusState.Connected, rig.Backend.State);
            Assert.Equal(BlkifAbi.X86_64, rig.Backend.ChosenAbi);
        }

        [Fact]
        public void Qemu10_ProtocolDefaultX86_32_absent_protocol_is_x86_32_unknown_still_native()
        {
            using (var rig = ConnectedAs(BackendPersonality.Qemu10, null, abi: BlkifAbi.X86_32))
                Assert.Equal(BlkifAbi.X86_32, rig.Backend.ChosenAbi);
            using (var rig = ConnectedAs(BackendPersonality.Qemu10, "sparc-abi"))
                Assert.Equal(BlkifAbi.X86_64, rig.Backend.ChosenAbi);
        }

        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_RingPageOrderAbsentIfUnparsable_and_Qemu10_RingPageOrderAbsentIfUnparsable_(BackendPersonality p)
        {
            using var rig = BackendRig.Create(As(p));
            rig.Frontend.Store.Write(rig.Frontend.Path + "/ring-page-order", "x");
            rig.Frontend.Connect("x86_64-abi");
            Assert.Equal(1, rig.Backend.RingPageCount);

            using var big = BackendRig.Create(As(p));
            big.Frontend.Store.Write(big.Frontend.Path + "/ring-page-order", 5);
            big.Frontend.Connect("x86_64-abi");
            Assert.False(big.Backend.IsConnected);
            Assert.Equal("invalid ring-page-order (5)", big.Backend.ConnectError);
        }

        [Fact]
        public void Qemu10_RingPageOrderAbsentIfUnparsable_same_as_72() => Qemu72_RingPageOrderAbsentIfUnparsable_and_Qemu10_RingPageOrderAbsentIfUnparsable_(BackendPersonality.Qemu10);

        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_LargeSectorNeedsFeature_4k_disk_needs_the_frontend_feature(BackendPersonality p)
        {
            using (var rig = ConnectedAs(p, disk: new MemoryDisk(1 << 20, 4096)))
            {
                Assert.False(rig.Backend.IsConnected);
                Assert.Equal("logical_block_size != 512 not supported by frontend", rig.Backend.ConnectError);
            }
            using var ok = BackendRig.Create(As(p), new MemoryDisk(1 << 20, 4096));
            ok.Frontend.Store.Write(ok.Frontend.Path + "/feature-large-sector-size", 1);
            ok.Frontend.Connect("x86_64-abi");
            Assert.True(ok.Backend.IsConnected);
        }

        [Fact]
        public void Qemu10_LargeSectorNeedsFeature_same_as_72() => Qemu72_LargeSectorNeedsFeature_4k_disk_needs_the_frontend_feature(BackendPersonality.Qemu10);

        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_FlushCacheKeyAlwaysOne_flush_key_1_and_no_barrier_key(BackendPersonality p)
        {
            using var rig = ConnectedAs(p, more: o => o.FeatureFlushCache = false);
            Assert.Equal("1", Key(rig, "feature-flush-cache"));
            Assert.False(Has(rig, "feature-barrier"));
        }

        [Fact]
        public void Qemu10_FlushCacheKeyAlwaysOne_same_as_72() => Qemu72_FlushCacheKeyAlwaysOne_flush_key_1_and_no_barrier_key(BackendPersonality.Qemu10);

        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_DiscardKeys_granularity_is_the_physical_block_alignment_0_no_secure(BackendPersonality p)
        {
            using (var rig = ConnectedAs(p, more: o => o.DiscardSecure = true, disk: new MemoryDisk(1 << 20, 512, 4096)))
            {
                Assert.Equal("1", Key(rig, "feature-discard"));
                Assert.Equal("4096", Key(rig, "discard-granularity"));
                Assert.Equal("0", Key(rig, "discard-alignment"));
                Assert.False(Has(rig, "discard-secure"));
            }
            using var off = ConnectedAs(p, more: o => o.FeatureDiscard = false);
            Assert.False(Has(off, "feature-discard"));
        }

        [Fact]
        public void Qemu10_DiscardKeys_same_as_72() => Qemu72_DiscardKeys_granularity_is_the_physical_block_alignment_0_no_secure(BackendPersonality.Qemu10);

        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_NoPhysicalSectorSize_only_sector_size_and_sectors(BackendPersonality p)
        {
            using var rig = ConnectedAs(p, disk: new MemoryDisk(1 << 20, 512, 4096));
            Assert.Equal("512", Key(rig, "sector-size"));
            Assert.False(Has(rig, "physical-sector-size"));
            using var linux = ConnectedAs(BackendPersonality.LinuxBlkback, disk: new MemoryDisk(1 << 20, 512, 4096));
            Assert.Equal("4096", Key(linux, "physical-sector-size"));
        }

        [Fact]
        public void Qemu10_NoPhysicalSectorSize_same_as_72() => Qemu72_NoPhysicalSectorSize_only_sector_size_and_sectors(BackendPersonality.Qemu10);

        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_NoIndirectNoPersistent_no_keys_and_indirect_is_an_error(BackendPersonality p)
        {
            using var rig = ConnectedAs(p);
            Assert.False(Has(rig, "feature-max-indirect-segments"));
            Assert.False(Has(rig, "feature-persistent"));
            Assert.Equal(BlkifStatus.Error, Raw(rig, BlkifOp.Indirect).Status);
        }

        [Fact]
        public void Qemu10_NoIndirectNoPersistent_same_as_72() => Qemu72_NoIndirectNoPersistent_no_keys_and_indirect_is_an_error(BackendPersonality.Qemu10);

        [Theory]
        [InlineData(BackendPersonality.Qemu72, BlkifOp.Probe)]
        [InlineData(BackendPersonality.Qemu72, BlkifOp.WriteBarrier)]
        [InlineData(BackendPersonality.Qemu10, BlkifOp.Probe)]
        [InlineData(BackendPersonality.Qemu10, BlkifOp.WriteBarrier)]
        public void Qemu72_UnknownOpError_unknown_op_and_barrier_are_ERROR(BackendPersonality p, byte op)
        {
            using var rig = ConnectedAs(p);
            var rsp = Raw(rig, op);
            Assert.Equal(BlkifStatus.Error, rsp.Status);
            Assert.Equal(op, rsp.Operation);
        }

        [Fact]
        public void Qemu10_UnknownOpError_same_as_72() => Qemu72_UnknownOpError_unknown_op_and_barrier_are_ERROR(BackendPersonality.Qemu10, BlkifOp.Probe);

        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_OnlyOkayOrError_a_refused_flush_is_ERROR_and_the_key_stays(BackendPersonality p)
        {
            using var rig = ConnectedAs(p, disk: new NoFlushDisk());
            Assert.Equal(BlkifStatus.Error, rig.Frontend.Submit(BlkifOp.FlushDiskCache, 1, 0).Status);
            Assert.Equal("1", Key(rig, "feature-flush-cache"));
        }

        [Fact]
        public void Qemu10_OnlyOkayOrError_same_as_72() => Qemu72_OnlyOkayOrError_a_refused_flush_is_ERROR_and_the_key_stays(BackendPersonality.Qemu10);

        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_ZeroSegmentReadOkay_read_and_write_without_segments_are_okay(BackendPersonality p)
        {
            using var rig = ConnectedAs(p);
            Assert.Equal(BlkifStatus.Okay, rig.Frontend.Submit(BlkifOp.Read, 1, 0).Status);
            Assert.Equal(BlkifStatus.Okay, rig.Frontend.Submit(BlkifOp.Write, 2, 0).Status);
            // Even an empty request must start inside the image (start + size > length).
            Assert.Equal(BlkifStatus.Error, rig.Frontend.Submit(BlkifOp.Read, 3, 1UL << 40).Status);
        }

        [Fact]
        public void Qemu10_ZeroSegmentReadOkay_same_as_72() => Qemu72_ZeroSegmentReadOkay_read_and_write_without_segments_are_okay(BackendPersonality.Qemu10);

        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_FlushNoFeatureCheck_flush_goes_to_the_disk(BackendPersonality p)
        {
            var disk = new RecordingDisk(new MemoryDisk(1 << 20));
            using var rig = ConnectedAs(p, disk: disk);
            Assert.Equal(BlkifStatus.Okay, rig.Frontend.Submit(BlkifOp.FlushDiskCache, 1, 0).Status);
            Assert.Equal(new[] { "flush" }, disk.Log);
        }

        [Fact]
        public void Qemu10_FlushNoFeatureCheck_same_as_72() => Qemu72_FlushNoFeatureCheck_flush_goes_to_the_disk(BackendPersonality.Qemu10);

        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_NoReqProdOverflowCheck_wild_req_prod_is_not_halted(BackendPersonality p)
        {
            using var rig = ConnectedAs(p);
            rig.Frontend.PushRaw(40);
            rig.Frontend.Run();
            Assert.False(rig.Backend.IsRingHalted);
            Assert.True(rig.Backend.Statistics.RequestsConsumed > 0);
        }

        [Fact]
        public void Qemu10_NoReqProdOverflowCheck_same_as_72() => Qemu72_NoReqProdOverflowCheck_wild_req_prod_is_not_halted(BackendPersonality.Qemu10);

        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_RingInit_starts_at_index_0(BackendPersonality p)
        {
            using var rig = BackendRig.Create(As(p));
            rig.Frontend.Shared.ReqProd = 5;
            rig.Frontend.Shared.RspProd = 5;
            rig.Frontend.Connect("x86_64-abi");
            rig.Frontend.Channel.Frontend.Notify();
            rig.Frontend.Run();
            Assert.Equal(5, rig.Backend.Statistics.RequestsConsumed);
        }

        [Fact]
        public void Qemu10_RingInit_same_as_72() => Qemu72_RingInit_starts_at_index_0(BackendPersonality.Qemu10);

        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_NoAlignmentCheck_no_blkback_alignment_check(BackendPersonality p)
        {
            using var rig = BackendRig.Create(As(p), new MemoryDisk(1 << 20, 4096));
            rig.Frontend.Store.Write(rig.Frontend.Path + "/feature-large-sector-size", 1);
            rig.Frontend.Connect("x86_64-abi");
            var page = rig.GrantPages(1)[0];
            rig.Frontend.Submit(BlkifOp.Write, 1, 1, new BlkifSegment(page.Gref, 0, 0));
            Assert.Equal(0, rig.Backend.Statistics.Rejected(RequestRejectReason.Misaligned));
        }

        [Fact]
        public void Qemu10_NoAlignmentCheck_same_as_72() => Qemu72_NoAlignmentCheck_no_blkback_alignment_check(BackendPersonality.Qemu10);

        [Fact]
        public void Qemu72_SectorsInLogicalBlocks_sectors_and_ring_sectors_count_4k_blocks()
        {
            var disk = new RecordingDisk(new MemoryDisk(1 << 20, 4096));
            using var rig = BackendRig.Create(As(BackendPersonality.Qemu72), disk);
            rig.Frontend.Store.Write(rig.Frontend.Path + "/feature-large-sector-size", 1);
            rig.Frontend.Connect("x86_64-abi");
            Assert.Equal(((1 << 20) / 4096).ToString(), Key(rig, "sectors"));
            var page = rig.GrantPages(1, 0x5A)[0];
            Assert.Equal(BlkifStatus.Okay, rig.Frontend.Submit(BlkifOp.Write, 1, 2, new BlkifSegment(page.Gref, 0, 0)).Status);
            Assert.Equal("write 8192+4096", disk.Log.Last());
            // last_sect * 4096 >= 4096: a second "sector" would cross the page.
            Assert.Equal(BlkifStatus.Error, rig.Frontend.Submit(BlkifOp.Write, 2, 2, new BlkifSegment(page.Gref, 0, 1)).Status);
        }

        [Fact]
        public void Qemu10_SectorsIn512Units_sectors_count_512_byte_units()
        {
            var disk = new RecordingDisk(new MemoryDisk(1 << 20, 4096));
            using var rig = BackendRig.Create(As(BackendPersonality.Qemu10), disk);
            rig.Frontend.Store.Write(rig.Frontend.Path + "/feature-large-sector-size", 1);
            rig.Frontend.Connect("x86_64-abi");
            Assert.Equal(((1 << 20) / 512).ToString(), Key(rig, "sectors"));
            var page = rig.GrantPages(1, 0x5A)[0];
            Assert.Equal(BlkifStatus.Okay, rig.Frontend.Submit(BlkifOp.Write, 1, 16, new BlkifSegment(page.Gref, 0, 7)).Status);
            Assert.Equal("write 8192+4096", disk.Log.Last());
        }

        [Fact]
        public void Qemu72_KeysBeforeInitWait_feature_keys_are_written_before_the_state()
        {
            using var rig = BackendRig.Create(As(BackendPersonality.Qemu72));
            var s = rig.Host.Store;
            string be = rig.Frontend.BackendPath;
            Assert.Equal(XenbusState.InitWait, rig.Backend.State);
            Assert.True(s.GenerationOf(be + "/feature-flush-cache") < s.GenerationOf(be + "/state"));
            Assert.True(s.GenerationOf(be + "/sectors") < s.GenerationOf(be + "/state"));
        }

        [Fact]
        public void Qemu10_InitWaitBeforeKeys_InitWait_is_written_before_the_feature_keys()
        {
            using var rig = BackendRig.Create(As(BackendPersonality.Qemu10));
            var s = rig.Host.Store;
            string be = rig.Frontend.BackendPath;
            Assert.Equal(XenbusState.InitWait, rig.Backend.State);
            Assert.True(s.GenerationOf(be + "/feature-flush-cache") > s.GenerationOf(be + "/state"));
        }

        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_CloseDropsInFlight_close_unmaps_at_once(BackendPersonality p)
        {
            using var rig = ConnectedAs(p, more: o => o.ServiceTicks = 100_000);
            var page = rig.GrantPages(1)[0];
            rig.Frontend.Queue(BlkifOp.Write, 9, 0, new BlkifSegment(page.Gref, 0, 7));
            rig.Frontend.Push();
            rig.Host.Scheduler.RunUntil(rig.Host.Scheduler.Now + 1000);
            rig.Frontend.SetState(XenbusState.Closed);
            rig.Frontend.Run();
            Assert.Equal(0u, rig.Frontend.Shared.RspProd);
            Assert.Equal(0, rig.Frontend.Grants.ActiveMappings);
            Assert.Equal(0, rig.Backend.DrainingResponses);
        }

        [Fact]
        public void Qemu10_CloseDropsInFlight_same_as_72() => Qemu72_CloseDropsInFlight_close_unmaps_at_once(BackendPersonality.Qemu10);
        // ---- found by the differential suite against the real QEMU (tests/interop/qemu/QemuDiff) ----

        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_ResponseFieldsInPlace_padding_keeps_the_request_bytes(BackendPersonality p)
        {
            using var rig = ConnectedAs(p);
            var raw = new byte[112];
            raw.AsSpan().Fill(0xA5);
            raw[0] = 0xEE;
            BinaryPrimitives.WriteUInt64LittleEndian(raw.AsSpan(8), 0xA5A5_A5A5_A5A5_1122);
            rig.Frontend.QueueRaw(raw);
            rig.Frontend.Push();
            rig.Frontend.Run();
            var slot = rig.Frontend.Slot(0);
            // The id at 0..7, operation at 8, status -1 at 10..11; bytes 9 and 12..15 are the request's (its id's).
            Assert.Equal(0xA5A5_A5A5_A5A5_1122UL, BinaryPrimitives.ReadUInt64LittleEndian(slot));
            Assert.Equal(0xEE, slot[8]);
            Assert.Equal(0x11, slot[9]);
            Assert.Equal(new byte[] { 0xA5, 0xA5, 0xA5, 0xA5 }, slot.Slice(12, 4).ToArray());
            Assert.Equal(-1, BinaryPrimitives.ReadInt16LittleEndian(slot.Slice(10)));

            using var linux = ConnectedAs(BackendPersonality.LinuxBlkback);
            linux.Frontend.QueueRaw(raw);
            linux.Frontend.Push();
            linux.Frontend.Run();
            Assert.Equal(0, linux.Frontend.Slot(0)[9]);
        }

        [Fact]
        public void Qemu10_ResponseFieldsInPlace_same_as_72() => Qemu72_ResponseFieldsInPlace_padding_keeps_the_request_bytes(BackendPersonality.Qemu10);

        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_ReadCopiesEachSegment_good_segments_get_their_data_when_another_grant_fails(BackendPersonality p)
        {
            var disk = new MemoryDisk(1 << 20);
            var pattern = new byte[1024];
            pattern.AsSpan().Fill(0x77);
            disk.Write(0, pattern);
            using var rig = ConnectedAs(p, disk: disk);
            var good = rig.GrantPages(1, 0x11)[0];
            var ro = rig.GrantPages(1, 0x22, readOnly: true)[0];
            int ringMappings = rig.Frontend.Grants.ActiveMappings;
            var r = rig.Frontend.Submit(BlkifOp.Read, 1, 0, new BlkifSegment(good.Gref, 0, 0), new BlkifSegment(ro.Gref, 0, 0));
            Assert.Equal(BlkifStatus.Error, r.Status);
            Assert.Equal(0x77, rig.Frontend.Page(good.Frame)[0]);
            Assert.Equal(0x22, rig.Frontend.Page(ro.Frame)[0]);
            Assert.Equal(ringMappings, rig.Frontend.Grants.ActiveMappings);

            // Linux maps every grant first: nothing lands.
            using var linux = ConnectedAs(BackendPersonality.LinuxBlkback, disk: disk);
            var lg = linux.GrantPages(1, 0x11)[0];
            var lro = linux.GrantPages(1, 0x22, readOnly: true)[0];
            Assert.Equal(BlkifStatus.Error, linux.Frontend.Submit(BlkifOp.Read, 1, 0, new BlkifSegment(lg.Gref, 0, 0), new BlkifSegment(lro.Gref, 0, 0)).Status);
            Assert.Equal(0x11, linux.Frontend.Page(lg.Frame)[0]);
        }

        [Fact]
        public void Qemu10_ReadCopiesEachSegment_same_as_72() => Qemu72_ReadCopiesEachSegment_good_segments_get_their_data_when_another_grant_fails(BackendPersonality.Qemu10);

        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_ByteOffsetWraps_a_wrapping_sector_number_reads_at_the_wrapped_offset(BackendPersonality p)
        {
            var disk = new MemoryDisk(1 << 20);
            var pattern = new byte[512];
            pattern.AsSpan().Fill(0x66);
            disk.Write(4096, pattern);
            using var rig = ConnectedAs(p, disk: disk);
            var page = rig.GrantPages(1)[0];
            // (2^55 + 8) * 512 = 2^64 + 4096: wraps to byte 4096.
            Assert.Equal(BlkifStatus.Okay, rig.Frontend.Submit(BlkifOp.Read, 1, (1UL << 55) + 8, new BlkifSegment(page.Gref, 0, 0)).Status);
            Assert.Equal(0x66, rig.Frontend.Page(page.Frame)[0]);
            // 2^54 * 512 = 2^63: far past the end as an unsigned byte offset.
            Assert.Equal(BlkifStatus.Error, rig.Frontend.Submit(BlkifOp.Read, 2, 1UL << 54, new BlkifSegment(page.Gref, 0, 0)).Status);
            // A WRITE without segments at 2^63 (offset 0) issues no I/O: OKAY; at 2^64 - 14 (offset -7168) it is past the end.
            Assert.Equal(BlkifStatus.Okay, rig.Frontend.Submit(BlkifOp.Write, 3, 1UL << 63).Status);
            Assert.Equal(BlkifStatus.Error, rig.Frontend.Submit(BlkifOp.Write, 4, ulong.MaxValue - 13).Status);
            // Offset -512 plus 1024 bytes wraps to 512: it passes the check, and the read at -512 fails (ERROR).
            Assert.Equal(BlkifStatus.Error, rig.Frontend.Submit(BlkifOp.Read, 5, ulong.MaxValue, new BlkifSegment(page.Gref, 0, 1)).Status);

            using var linux = ConnectedAs(BackendPersonality.LinuxBlkback, disk: disk);
            var lp = linux.GrantPages(1)[0];
            Assert.Equal(BlkifStatus.Error, linux.Frontend.Submit(BlkifOp.Read, 1, (1UL << 55) + 8, new BlkifSegment(lp.Gref, 0, 0)).Status);
        }

        [Fact]
        public void Qemu10_ByteOffsetWraps_same_as_72() => Qemu72_ByteOffsetWraps_a_wrapping_sector_number_reads_at_the_wrapped_offset(BackendPersonality.Qemu10);

        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_FlushWithoutDataUnchecked_any_sector_number_is_a_flush(BackendPersonality p)
        {
            var disk = new RecordingDisk(new MemoryDisk(1 << 20));
            using var rig = ConnectedAs(p, disk: disk);
            Assert.Equal(BlkifStatus.Okay, rig.Frontend.Submit(BlkifOp.FlushDiskCache, 1, (1UL << 55) - 1).Status);
            Assert.Equal(new[] { "flush" }, disk.Log);
        }

        [Fact]
        public void Qemu10_FlushWithoutDataUnchecked_same_as_72() => Qemu72_FlushWithoutDataUnchecked_any_sector_number_is_a_flush(BackendPersonality.Qemu10);

        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_ConnectErrorOnlyLogged_an_unmappable_ring_ref_leaves_InitWait_and_no_error_key(BackendPersonality p)
        {
            using var rig = BackendRig.Create(As(p));
            rig.Frontend.PublishRing("x86_64-abi");
            rig.Frontend.Store.Write(rig.Frontend.Path + "/ring-ref", 300);
            rig.Frontend.SetState(XenbusState.Initialised);
            rig.Frontend.Run();
            Assert.False(rig.Backend.IsConnected);
            Assert.Equal(XenbusState.InitWait, rig.Backend.State);
            Assert.False(Has(rig, "error"));
            Assert.StartsWith("mapping ring-ref 300", rig.Backend.ConnectError);

            using var linux = BackendRig.Create(As(BackendPersonality.LinuxBlkback));
            linux.Frontend.PublishRing("x86_64-abi");
            linux.Frontend.Store.Write(linux.Frontend.Path + "/ring-ref", 300);
            linux.Frontend.SetState(XenbusState.Initialised);
            linux.Frontend.Run();
            Assert.Equal(XenbusState.Closing, linux.Backend.State);
            Assert.StartsWith("mapping ring-ref 300", Key(linux, "error"));
        }

        [Fact]
        public void Qemu10_ConnectErrorOnlyLogged_same_as_72() => Qemu72_ConnectErrorOnlyLogged_an_unmappable_ring_ref_leaves_InitWait_and_no_error_key(BackendPersonality.Qemu10);

        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_OnlineHotplugStatus_written_before_InitWait(BackendPersonality p)
        {
            using var rig = BackendRig.Create(As(p));
            var s = rig.Host.Store;
            string be = rig.Frontend.BackendPath;
            Assert.Equal("1", Key(rig, "online"));
            Assert.Equal("connected", Key(rig, "hotplug-status"));
            Assert.True(s.GenerationOf(be + "/hotplug-status") < s.GenerationOf(be + "/state"));
            using var linux = BackendRig.Create(As(BackendPersonality.LinuxBlkback));
            Assert.False(Has(linux, "hotplug-status"));
        }

        [Fact]
        public void Qemu10_OnlineHotplugStatus_same_as_72() => Qemu72_OnlineHotplugStatus_written_before_InitWait(BackendPersonality.Qemu10);

        [Fact]
        public void Qemu10_ModeKey_mode_is_written_by_the_device()
        {
            using var rig = BackendRig.Create(As(BackendPersonality.Qemu10));
            Assert.Equal("w", Key(rig, "mode"));
            using var ro = BackendRig.Create(As(BackendPersonality.Qemu10, o => o.ReadOnly = true));
            Assert.Equal("r", Key(ro, "mode"));
        }
        [Theory]
        [InlineData(BackendPersonality.Qemu72)]
        [InlineData(BackendPersonality.Qemu10)]
        public void Qemu72_NoMultiQueue_no_key_and_queue_directories_are_not_read(BackendPersonality p)
        {
            using var rig = BackendRig.Create(As(p));
            Assert.False(Has(rig, "multi-queue-max-queues"));
            Assert.False(Has(rig, "feature-persistent"));
            var fe = rig.Frontend;
            fe.Store.Write(fe.Path + "/multi-queue-num-queues", 2);
            fe.Store.Write(fe.Path + "/queue-0/ring-ref", fe.RingRefs[0]);
            fe.Store.Write(fe.Path + "/queue-0/event-channel", fe.Channel.Port);
            new TestQueueRing(fe).Publish(fe.Path + "/queue-1");
            fe.SetState(XenbusState.Initialised);
            fe.Run();
            // No ring-ref in the device's own directory: connect fails, and QEMU only logs it (ConnectErrorOnlyLogged).
            Assert.Equal(XenbusState.InitWait, rig.Backend.State);
            Assert.Contains("ring-ref", rig.Backend.ConnectError);
            Assert.False(Has(rig, "error"));
        }

        [Fact]
        public void Qemu10_NoMultiQueue_same_as_72() => Qemu72_NoMultiQueue_no_key_and_queue_directories_are_not_read(BackendPersonality.Qemu10);
    }
}
