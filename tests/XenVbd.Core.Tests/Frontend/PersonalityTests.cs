using System;
using System.Collections.Generic;
using System.Linq;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Scsi;
using XenVbd.Storage;
using XenVbd.Tests.Device;
using XenVbd.Xen;

namespace XenVbd.Tests.Frontend
{
    /// <summary>Every behaviour of every frontend personality, each test named by the behaviour it holds to its source.</summary>
    public sealed class PersonalityTests
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

        private static VbdDevice New(FrontendPersonality p, Action<VbdDeviceOptions>? edit = null)
        {
            // A Native backend of the frontend's own layout, so the probe's second slot is op 0xff, never a READ a test bends.
            var o = new VbdDeviceOptions { Personality = p, SizeBytes = 8 << 20, RequestTimeout = Timeout, BackendMode = BackendAbiMode.Native };
            edit?.Invoke(o);
            return VbdDevice.Create(o);
        }

        private static (Srb Srb, ulong Addr) Read(VbdDevice dev, uint lba, int blocks, int alignment = 0)
        {
            var srb = new Srb();
            ulong addr = dev.AllocateGuestBuffer(blocks * 512 + 4096) + (ulong)alignment;
            srb.Prepare(Cdb.Read10(lba, (ushort)blocks), addr, blocks * 512, DataDirection.In);
            return (srb, addr);
        }

        private static byte[] Fua(byte[] write10)
        {
            write10[1] |= 0x08;
            return write10;
        }

        public static IEnumerable<object[]> AllPersonalities() => Enum.GetValues<FrontendPersonality>().Select(p => new object[] { p });

        // ---- the catalogue ----

        [Fact]
        public void Catalogue_lists_every_behaviour_once_for_every_personality_with_a_source_or_a_reason()
        {
            Assert.Equal(Enum.GetValues<FrontendPersonality>().Length, FrontendPersonalities.All.Count);
            foreach (var p in FrontendPersonalities.All)
            {
                Assert.Equal(p.Personality.ToString(), p.Name);
                Assert.Equal(FrontendPersonalities.BehaviourIds, p.Behaviours.Select(b => b.Id).ToArray());
                Assert.Equal(p.Personality != FrontendPersonality.Hardened, p.IsRealDriver);
                foreach (var b in p.Behaviours)
                {
                    Assert.True(b.Source != null ^ b.Unpinned != null, p.Name + "." + b.Id);
                    if (p.IsRealDriver && b.Source == null) Assert.DoesNotContain("this project's own design", b.Unpinned);
                }
            }
        }

        [Fact]
        public void Hardened_is_presented_as_this_projects_own_design_never_as_a_real_driver()
        {
            var h = FrontendPersonalities.For(FrontendPersonality.Hardened);
            Assert.False(h.IsRealDriver);
            Assert.Contains("No real driver", h.Description);
            Assert.All(h.Behaviours, b => Assert.Null(b.Source));
        }

        [Fact]
        public void Default_personality_is_Gplpv2008b_the_driver_the_original_wiki_page_describes()
        {
            Assert.Equal(FrontendPersonality.Gplpv2008b, FrontendOptions.DefaultPersonality);
            Assert.Equal(FrontendOptions.DefaultPersonality, new FrontendOptions().Personality);
            Assert.Equal(FrontendOptions.DefaultPersonality, new VbdDeviceOptions().Personality);
            using var dev = VbdDevice.Create(new VbdDeviceOptions { SizeBytes = 1 << 20 });
            Assert.Equal(FrontendPersonality.Gplpv2008b, dev.Personality);
            Assert.Null(dev.Host.Store.Read(BlkifKeys.Path(dev.Frontend.FrontendPath, BlkifKeys.Protocol)));
        }

        // ---- ProtocolKey and Probe ----

        [Theory]
        [InlineData(FrontendPersonality.Hardened, false, 1)]
        [InlineData(FrontendPersonality.Gplpv2008a, true, 1)]
        [InlineData(FrontendPersonality.Gplpv2008b, false, 1)]
        [InlineData(FrontendPersonality.Gplpv2012, false, 1)]
        [InlineData(FrontendPersonality.Gplpv2013, true, 0)]
        [InlineData(FrontendPersonality.XenProject, true, 0)]
        [InlineData(FrontendPersonality.LinuxBlkfront, true, 0)]
        public void ProtocolKey_and_Probe_as_each_driver_did(FrontendPersonality p, bool writesProtocol, long probes)
        {
            using var dev = New(p);
            Assert.Equal(FrontendState.Ready, dev.State);
            Assert.Equal(writesProtocol, dev.Host.Store.Read(dev.Frontend.FrontendPath + "/protocol") != null);
            Assert.Equal(probes, dev.GetStatistics().Probes);
            Assert.True(dev.Execute(Cdb.Write10(8, 8), Cdb.Pattern(4096, 3)).IsSuccess);
        }

        // ---- ProbeResultAcrossResume ----

        [Theory]
        [InlineData(FrontendPersonality.Hardened, 2L, BlkifAbi.X86_32, 0L)]
        [InlineData(FrontendPersonality.Gplpv2008a, 2L, BlkifAbi.X86_32, 0L)]
        [InlineData(FrontendPersonality.Gplpv2008b, 1L, BlkifAbi.X86_64, 1L)]
        [InlineData(FrontendPersonality.Gplpv2012, 1L, BlkifAbi.X86_64, 1L)]
        public void ProbeResultAcrossResume_kept_by_gplpv_so_a_move_to_the_other_bitness_keeps_the_stale_layout(FrontendPersonality p, long probes, BlkifAbi after, long kept)
        {
            using var dev = New(p);
            Assert.Equal(BlkifAbi.X86_64, dev.FrontendAbi);
            dev.MigrateBackend(BlkifAbi.X86_32, BackendAbiMode.Native);
            Assert.Equal(probes, dev.GetStatistics().Probes);
            Assert.Equal(after, dev.FrontendAbi);
            Assert.Equal(kept, dev.GetStatistics().KeptProbeResults);
        }

        // ---- SrbsDuringProbe and StuckProbe ----

        private static VbdDevice WithProbeUnanswered(FrontendPersonality p)
            => New(p, o => o.BackendInterceptor = new Bend((ref BackendRequestPlan plan, int n) => { if (plan.Operation == BlkifOp.Probe) plan.DropResponse = true; }));

        [Fact]
        public void StuckProbe_makes_the_hardened_device_Broken_with_the_reason()
        {
            using var dev = WithProbeUnanswered(FrontendPersonality.Hardened);
            Assert.Equal(FrontendState.Broken, dev.State);
            Assert.Contains("probe", dev.FailureReason);
        }

        [Theory]
        [InlineData(FrontendPersonality.Gplpv2008b)]
        [InlineData(FrontendPersonality.Gplpv2012)]
        public void StuckProbe_hangs_gplpv_and_says_so(FrontendPersonality p)
        {
            using var dev = WithProbeUnanswered(p);
            Assert.Equal(FrontendState.Probing, dev.State);
            Assert.Contains("waits for it for ever", dev.Warning);
            var r = Read(dev, 0, 1);
            dev.Submit(r.Srb);
            Assert.False(dev.RunUntilComplete(r.Srb));
        }

        [Fact]
        public void SrbsDuringProbe_gplpv2012_answers_inquiry_while_the_probe_is_out()
        {
            using var dev = WithProbeUnanswered(FrontendPersonality.Gplpv2012);
            var r = dev.Execute(Cdb.Inquiry(false, 0, 36), dataInLength: 36);
            Assert.True(r.IsSuccess);
        }

        [Fact]
        public void SrbsDuringProbe_gplpv2008b_holds_everything_while_the_probe_is_out()
        {
            using var dev = WithProbeUnanswered(FrontendPersonality.Gplpv2008b);
            var r = dev.Execute(Cdb.Inquiry(false, 0, 36), dataInLength: 36);
            Assert.Equal(SrbStatus.Pending, r.SrbStatus.Base());
        }

        // ---- BounceAlignment and BounceStrategy ----

        [Fact]
        public void BounceAlignment_gplpv_tests_DataBuffer_and_511_so_a_4k_disk_refuses_a_512_aligned_buffer()
        {
            using var g = New(FrontendPersonality.Gplpv2008b, o => o.LogicalSectorSize = 4096);
            var bad = g.Execute(Cdb.Read10(0, 1), dataInLength: 4096, bufferAlignment: 512);
            Assert.False(bad.IsSuccess);
            Assert.Equal(SenseKey.MediumError, bad.SenseInfo!.Value.Key);
            Assert.Equal(0, bad.BouncePasses);

            using var h = New(FrontendPersonality.Hardened, o => o.LogicalSectorSize = 4096);
            var good = h.Execute(Cdb.Read10(0, 1), dataInLength: 4096, bufferAlignment: 512);
            Assert.True(good.IsSuccess);
            Assert.True(good.BouncePasses > 0);
        }

        [Fact]
        public void BounceAlignment_gplpv2008a_copies_every_transfer_even_an_aligned_one()
        {
            using var dev = New(FrontendPersonality.Gplpv2008a);
            var r = dev.Execute(Cdb.Write10(0, 8), Cdb.Pattern(4096, 1));
            Assert.True(r.IsSuccess);
            Assert.True(r.BouncePasses > 0);
            Assert.Equal(Cdb.Pattern(4096, 1), dev.Execute(Cdb.Read10(0, 8), dataInLength: 4096).Data);
        }

        [Theory]
        [InlineData(FrontendPersonality.Gplpv2008a, BounceStrategyKind.SegmentPool)]
        [InlineData(FrontendPersonality.Gplpv2008b, BounceStrategyKind.PerSrb)]
        [InlineData(FrontendPersonality.Gplpv2012, BounceStrategyKind.DeviceBuffer)]
        [InlineData(FrontendPersonality.Gplpv2013, BounceStrategyKind.DeviceBuffer)]
        [InlineData(FrontendPersonality.XenProject, BounceStrategyKind.SegmentPool)]
        [InlineData(FrontendPersonality.LinuxBlkfront, BounceStrategyKind.SegmentPool)]
        public void BounceStrategy_is_the_drivers_own_whatever_the_options_say(FrontendPersonality p, BounceStrategyKind kind)
        {
            using var dev = New(p, o => o.Bounce = kind == BounceStrategyKind.PerSrb ? BounceStrategyKind.SegmentPool : BounceStrategyKind.PerSrb);
            Assert.Equal(kind, dev.Frontend.BounceStrategy);
            var data = Cdb.Pattern(16384, 9);
            Assert.True(dev.Execute(Cdb.Write10(16, 32), data, bufferAlignment: 3).IsSuccess);
            var back = dev.Execute(Cdb.Read10(16, 32), dataInLength: 16384, bufferAlignment: 5);
            Assert.Equal(data, back.Data);
            if (kind == BounceStrategyKind.PerSrb) Assert.Equal(4, back.BouncePasses);
        }

        [Theory]
        [InlineData(FrontendPersonality.Gplpv2012, true)]
        [InlineData(FrontendPersonality.Hardened, false)]
        public void BounceStrategy_gplpv2012_device_buffer_stalls_aligned_srbs_too(FrontendPersonality p, bool stalls)
        {
            using var dev = New(p, o =>
            {
                o.Bounce = BounceStrategyKind.DeviceBuffer;
                o.BackendInterceptor = new Bend((ref BackendRequestPlan plan, int n) => { if (plan.SectorNumber == 0) plan.ExtraLatencyTicks = TimeSpan.TicksPerMillisecond * 100; });
            });
            var order = new List<string>();
            var slow = Read(dev, 0, 8, alignment: 7);
            var fast = Read(dev, 64, 8);
            slow.Srb.Completed = s => order.Add("unaligned");
            fast.Srb.Completed = s => order.Add("aligned");
            dev.Submit(slow.Srb);
            dev.Submit(fast.Srb);
            dev.RunUntilIdle();
            Assert.Equal(stalls ? new[] { "unaligned", "aligned" } : new[] { "aligned", "unaligned" }, order);
        }

        // ---- ResponseChecks ----

        [Fact]
        public void ResponseChecks_gplpv2012_masked_id_past_the_64_entry_shadow_array_stops_the_device_with_the_finding()
        {
            using var dev = New(FrontendPersonality.Gplpv2012, o => o.BackendInterceptor = new Bend((ref BackendRequestPlan plan, int n) => { if (plan.Operation == BlkifOp.Read) plan.IdOverride = 0x4000 | 100; }));
            var r = Read(dev, 0, 1);
            dev.Submit(r.Srb);
            dev.RunUntilIdle();
            Assert.Equal(FrontendState.Stopped, dev.State);
            Assert.Contains("shadows[100] past the driver's 64-entry shadow array", dev.FailureReason);
            Assert.Contains("0x3ff", dev.FailureReason);
            Assert.False(r.Srb.IsComplete);
            Assert.Equal(SenseKey.HardwareError, dev.Execute(Cdb.Read10(0, 1), dataInLength: 512).SenseInfo!.Value.Key);
        }

        [Fact]
        public void ResponseChecks_gplpv2012_completes_the_wrong_srb_when_an_answer_names_another_id()
        {
            using var dev = New(FrontendPersonality.Gplpv2012, o => o.BackendInterceptor = new Bend((ref BackendRequestPlan plan, int n) =>
            {
                if (plan.Operation != BlkifOp.Read) return;
                if (plan.SectorNumber == 0) plan.IdOverride = plan.Id + 1; // A's answer names B
                else plan.ExtraLatencyTicks = TimeSpan.TicksPerMillisecond * 100;
            }));
            var a = Read(dev, 0, 8);
            var b = Read(dev, 8, 8);
            dev.Submit(a.Srb);
            dev.Submit(b.Srb);
            dev.RunUntilIdle();
            // B completed with A's answer, long before its own came; A never completes.
            Assert.True(b.Srb.IsComplete);
            Assert.Equal(SrbStatus.Success, b.Srb.SrbStatus.Base());
            Assert.True(b.Srb.LatencyTicks < TimeSpan.TicksPerMillisecond * 50, "B completed after " + b.Srb.LatencyTicks + " ticks");
            Assert.False(a.Srb.IsComplete);
            // B's own answer then names a shadow with no request: the driver would dereference a NULL SRB.
            Assert.Equal(FrontendState.Stopped, dev.State);
            Assert.Contains("has no request outstanding", dev.FailureReason);
        }

        [Fact]
        public void ResponseChecks_xenproject_ignores_an_unknown_id_and_the_srb_times_out()
        {
            using var dev = New(FrontendPersonality.XenProject, o => o.BackendInterceptor = new Bend((ref BackendRequestPlan plan, int n) => { if (plan.Operation == BlkifOp.Read) plan.IdOverride = 1000; }));
            var r = Read(dev, 0, 1);
            dev.Submit(r.Srb);
            Assert.True(dev.RunUntilComplete(r.Srb));
            Assert.Equal(1, dev.GetStatistics().IgnoredResponses);
            Assert.Equal(SrbStatus.Timeout, r.Srb.SrbStatus.Base());
            Assert.Equal(FrontendState.Ready, dev.State);
        }

        [Fact]
        public void ResponseChecks_xenproject_never_checks_the_operation()
        {
            using var dev = New(FrontendPersonality.XenProject, o => o.BackendInterceptor = new Bend((ref BackendRequestPlan plan, int n) => { if (plan.Operation == BlkifOp.Read) plan.CorruptOperation = true; }));
            Assert.True(dev.Execute(Cdb.Read10(0, 1), dataInLength: 512).IsSuccess);
            Assert.Equal(FrontendState.Ready, dev.State);
        }

        [Fact]
        public void ResponseChecks_linux_blkfront_disables_the_device_and_leaves_outstanding_io_hanging()
        {
            using var dev = New(FrontendPersonality.LinuxBlkfront, o => o.BackendInterceptor = new Bend((ref BackendRequestPlan plan, int n) => { if (plan.Operation == BlkifOp.Read) plan.CorruptOperation = true; }));
            var r = Read(dev, 0, 1);
            dev.Submit(r.Srb);
            dev.RunUntilIdle();
            Assert.Equal(FrontendState.Broken, dev.State);
            Assert.Contains("operation", dev.FailureReason);
            Assert.False(r.Srb.IsComplete);
            var later = Read(dev, 8, 1);
            dev.Submit(later.Srb);
            dev.RunUntilIdle();
            Assert.False(later.Srb.IsComplete);
        }

        [Fact]
        public void ResponseChecks_hardened_goes_Broken_and_fails_every_pending_srb_once()
        {
            using var dev = New(FrontendPersonality.Hardened, o => o.BackendInterceptor = new Bend((ref BackendRequestPlan plan, int n) => { if (plan.Operation == BlkifOp.Read) plan.CorruptOperation = true; }));
            var r = dev.Execute(Cdb.Read10(0, 1), dataInLength: 512);
            Assert.Equal(SenseKey.HardwareError, r.SenseInfo!.Value.Key);
            Assert.Equal(FrontendState.Broken, dev.State);
        }

        // ---- SynchronizeCache and Unmap ----

        [Theory]
        [InlineData(FrontendPersonality.Hardened, true, 1)]
        [InlineData(FrontendPersonality.Gplpv2008a, false, 0)]
        [InlineData(FrontendPersonality.Gplpv2008b, false, 0)]
        [InlineData(FrontendPersonality.Gplpv2012, false, 0)]
        [InlineData(FrontendPersonality.Gplpv2013, true, 0)]
        [InlineData(FrontendPersonality.XenProject, true, 1)]
        [InlineData(FrontendPersonality.LinuxBlkfront, true, 1)]
        public void SynchronizeCache_as_each_driver_did(FrontendPersonality p, bool succeeds, long requests)
        {
            using var dev = New(p);
            long before = dev.GetStatistics().Requests;
            var r = dev.Execute(Cdb.SynchronizeCache10());
            Assert.Equal(succeeds, r.IsSuccess);
            if (!succeeds) Assert.Equal(SenseKey.IllegalRequest, r.SenseInfo!.Value.Key);
            Assert.Equal(requests, dev.GetStatistics().Requests - before);
        }

        [Theory]
        [InlineData(FrontendPersonality.Hardened, true)]
        [InlineData(FrontendPersonality.Gplpv2008b, false)]
        [InlineData(FrontendPersonality.Gplpv2012, false)]
        [InlineData(FrontendPersonality.Gplpv2013, false)]
        [InlineData(FrontendPersonality.XenProject, true)]
        [InlineData(FrontendPersonality.LinuxBlkfront, true)]
        public void Unmap_as_each_driver_did(FrontendPersonality p, bool onRing)
        {
            using var dev = New(p);
            long before = dev.GetStatistics().Requests;
            var list = Cdb.UnmapList(0, 8);
            var r = dev.Execute(Cdb.Unmap((ushort)list.Length), list);
            Assert.Equal(onRing, r.IsSuccess);
            Assert.Equal(onRing ? 1 : 0, dev.GetStatistics().Requests - before);
        }

        // ---- FlushAnswers ----

        private static VbdDevice FlushAnswered(FrontendPersonality p, byte op, short status)
            => New(p, o => o.BackendInterceptor = new Bend((ref BackendRequestPlan plan, int n) => { if (plan.Operation == op) plan.StatusOverride = status; }));

        [Fact]
        public void FlushAnswers_linux_blkfront_takes_an_empty_flush_error_as_notsupp_and_stops_flushing()
        {
            using var dev = FlushAnswered(FrontendPersonality.LinuxBlkfront, BlkifOp.FlushDiskCache, BlkifStatus.Error);
            Assert.True(dev.Execute(Cdb.SynchronizeCache10()).IsSuccess);
            Assert.False(dev.Frontend.FeatureFlush);
        }

        [Fact]
        public void FlushAnswers_hardened_fails_a_flush_answered_error()
        {
            using var dev = FlushAnswered(FrontendPersonality.Hardened, BlkifOp.FlushDiskCache, BlkifStatus.Error);
            Assert.False(dev.Execute(Cdb.SynchronizeCache10()).IsSuccess);
            Assert.True(dev.Frontend.FeatureFlush);
        }

        [Fact]
        public void FlushAnswers_linux_blkfront_fails_a_discard_answered_eopnotsupp_and_stops_discarding()
        {
            using var dev = FlushAnswered(FrontendPersonality.LinuxBlkfront, BlkifOp.Discard, BlkifStatus.NotSupported);
            var list = Cdb.UnmapList(0, 8);
            Assert.False(dev.Execute(Cdb.Unmap((ushort)list.Length), list).IsSuccess);
            Assert.False(dev.Frontend.FeatureDiscard);
        }

        [Fact]
        public void FlushAnswers_xenproject_succeeds_any_srb_answered_eopnotsupp_and_removes_the_feature()
        {
            using var dev = FlushAnswered(FrontendPersonality.XenProject, BlkifOp.Discard, BlkifStatus.NotSupported);
            var list = Cdb.UnmapList(0, 8);
            Assert.True(dev.Execute(Cdb.Unmap((ushort)list.Length), list).IsSuccess);
            Assert.False(dev.Frontend.FeatureDiscard);
            using var rw = FlushAnswered(FrontendPersonality.XenProject, BlkifOp.Read, BlkifStatus.NotSupported);
            Assert.True(rw.Execute(Cdb.Read10(0, 1), dataInLength: 512).IsSuccess);
        }

        // ---- Fua ----

        [Theory]
        [InlineData(FrontendPersonality.Hardened, true)]
        [InlineData(FrontendPersonality.LinuxBlkfront, true)]
        [InlineData(FrontendPersonality.Gplpv2008b, false)]
        [InlineData(FrontendPersonality.Gplpv2012, false)]
        [InlineData(FrontendPersonality.Gplpv2013, false)]
        [InlineData(FrontendPersonality.XenProject, false)]
        public void Fua_advertised_only_where_honoured(FrontendPersonality p, bool dpofua)
        {
            using var dev = New(p);
            var sense = dev.Execute(Cdb.ModeSense10(0x3F, 255), dataInLength: 255);
            Assert.True(sense.IsSuccess);
            Assert.Equal(dpofua, (sense.Data[3] & 0x10) != 0);
            long before = dev.GetStatistics().Requests;
            Assert.True(dev.Execute(Fua(Cdb.Write10(0, 8)), Cdb.Pattern(4096, 2)).IsSuccess);
            Assert.Equal(dpofua ? 1 : 0, dev.GetStatistics().FuaFlushes);
            Assert.Equal(dpofua ? 2 : 1, dev.GetStatistics().Requests - before);
        }

        [Theory]
        [InlineData(FrontendPersonality.Hardened)]
        [InlineData(FrontendPersonality.LinuxBlkfront)]
        public void Fua_write_survives_a_power_cut(FrontendPersonality p)
        {
            using var dev = New(p, o => o.VolatileWriteCache = true);
            var data = Cdb.Pattern(4096, 6);
            Assert.True(dev.Execute(Fua(Cdb.Write10(8, 8)), data).IsSuccess);
            ((WriteCacheDisk)dev.Storage).PowerCut();
            Assert.Equal(data, dev.Execute(Cdb.Read10(8, 8), dataInLength: 4096).Data);
        }

        // ---- XenbusPath ----

        [Theory]
        [InlineData(FrontendPersonality.Gplpv2012, false)]
        [InlineData(FrontendPersonality.Gplpv2008b, false)]
        [InlineData(FrontendPersonality.XenProject, true)]
        [InlineData(FrontendPersonality.Hardened, true)]
        public void XenbusPath_gplpv2012_goes_from_initialising_straight_to_connected(FrontendPersonality p, bool initialised)
        {
            using var dev = New(p);
            dev.Host.Trace.Enabled = true;
            dev.Host.Trace.Clear();
            dev.MigrateBackend(BlkifAbi.X86_64, BackendAbiMode.Native);
            // The frontend's own XenBus state when it saw the backend's Connected: 3 after Initialised, 4 when it went straight there.
            var seen = dev.Host.Trace.Snapshot().First(e => e.Kind == XenVbd.Sim.TraceKind.StateChange && e.A == (uint)XenbusState.Connected && (e.B == (ulong)XenbusState.Initialised || e.B == (ulong)XenbusState.Connected));
            Assert.Equal(initialised ? (ulong)XenbusState.Initialised : (ulong)XenbusState.Connected, seen.B);
            Assert.Equal(FrontendState.Ready, dev.State);
            Assert.True(dev.Execute(Cdb.Read10(0, 1), dataInLength: 512).IsSuccess);
        }

        // ---- UnansweredRequests (a lost response: what the user sees, and the way back) ----

        private static VbdDevice Dropping(FrontendPersonality p, int count)
        {
            int dropped = 0;
            return New(p, o => o.BackendInterceptor = new Bend((ref BackendRequestPlan plan, int n) =>
            {
                if (plan.Operation == BlkifOp.Read && dropped < count)
                {
                    dropped++;
                    plan.DropResponse = true;
                }
            }));
        }

        [Fact]
        public void UnansweredRequests_hardened_bounds_the_wait_for_a_ring_slot_warns_and_reset_gets_the_slots_back()
        {
            using var dev = Dropping(FrontendPersonality.Hardened, 32);
            for (int i = 0; i < 32; i++) Assert.Equal(SrbStatus.Timeout, dev.Execute(Cdb.Read10(0, 1), dataInLength: 512).SrbStatus.Base());
            Assert.Equal(32, dev.Frontend.OrphanedRequests);

            var wedged = dev.Execute(Cdb.Read10(0, 1), dataInLength: 512);
            Assert.Equal(SrbStatus.Timeout, wedged.SrbStatus.Base());
            Assert.Equal(1, dev.GetStatistics().RingWaitTimeouts);
            Assert.Contains("32 of 32 ring slots", dev.Warning);

            dev.Reset();
            Assert.Equal(FrontendState.Ready, dev.State);
            Assert.Equal(0, dev.Frontend.OrphanedRequests);
            Assert.True(dev.Execute(Cdb.Read10(0, 1), dataInLength: 512).IsSuccess);
        }

        [Fact]
        public void UnansweredRequests_gplpv2013_never_gets_the_slots_back_and_says_so()
        {
            using var dev = Dropping(FrontendPersonality.Gplpv2013, 32);
            for (int i = 0; i < 32; i++) Assert.Equal(SrbStatus.Timeout, dev.Execute(Cdb.Read10(0, 1), dataInLength: 512).SrbStatus.Base());
            Assert.Contains("never gets them back", dev.Warning);
            var r = Read(dev, 0, 1);
            dev.Submit(r.Srb);
            Assert.False(dev.RunUntilComplete(r.Srb));
            dev.Reset();
            dev.RunUntilIdle();
            Assert.True(r.Srb.IsComplete);
            Assert.Equal(SrbStatus.BusReset, r.Srb.SrbStatus.Base());
            Assert.Equal(32, dev.Frontend.OrphanedRequests);
        }

        [Theory]
        [InlineData(FrontendPersonality.Gplpv2008a, 1L)]
        [InlineData(FrontendPersonality.Gplpv2008b, 1L)]
        [InlineData(FrontendPersonality.Gplpv2012, 1L)]
        [InlineData(FrontendPersonality.LinuxBlkfront, 0L)]
        public void UnansweredRequests_the_srb_of_an_unanswered_request_never_completes(FrontendPersonality p, long timeouts)
        {
            using var dev = Dropping(p, 1);
            var r = Read(dev, 0, 1);
            dev.Submit(r.Srb);
            Assert.False(dev.RunUntilComplete(r.Srb));
            Assert.Equal(timeouts, dev.GetStatistics().Timeouts);
            if (timeouts > 0) Assert.True(dev.Now > Timeout);
        }

        [Fact]
        public void UnansweredRequests_hardened_workload_with_lost_responses_runs_to_its_count_and_reports_the_held_slots()
        {
            // The realistic form of a ring filling with orphans: 1% of responses lost under a QD 8 workload used to
            // stop it silently with every slot held; now waits for a slot end in TIMEOUT and the device says why.
            using var dev = VbdDevice.Create(new VbdDeviceOptions
            {
                Personality = FrontendPersonality.Hardened,
                SizeBytes = 8 << 20,
                RequestTimeout = Timeout,
                BackendMode = BackendAbiMode.Native,
                GuestBufferBytes = XenVbd.Workload.DeviceWorkloadTarget.GuestBufferBytesFor(8, 4096),
            });
            var session = XenVbd.Faults.DeviceFaultSession.Attach(dev);
            session.Plan.Add(new XenVbd.Faults.FaultRule(XenVbd.Faults.FaultKind.Drop) { Rate = 0.01 });
            var spec = new XenVbd.Workload.WorkloadSpec { Count = 6000, QueueDepth = 8, Verify = false };
            var target = new XenVbd.Workload.DeviceWorkloadTarget(dev, spec.QueueDepth, spec.BlockSizes.MaxBytes);
            var r = XenVbd.Workload.WorkloadRunner.Run(target, spec);
            Assert.Equal(0, r.Stuck);
            Assert.Equal(6000, r.Operations);
            Assert.True(r.Errors > 0);
            Assert.True(dev.GetStatistics().RingWaitTimeouts > 0);
            Assert.Contains("ring slots", dev.Warning);
            dev.Reset();
            Assert.Equal(0, dev.Frontend.OrphanedRequests);
        }

        // ---- a Broken device: the reason, and the way back ----

        [Fact]
        public void Broken_hardened_device_gives_its_reason_and_reset_brings_it_back()
        {
            int corrupt = 1;
            using var dev = New(FrontendPersonality.Hardened, o => o.BackendInterceptor = new Bend((ref BackendRequestPlan plan, int n) =>
            {
                if (plan.Operation == BlkifOp.Read && corrupt-- > 0) plan.CorruptOperation = true;
            }));
            Assert.Equal(SenseKey.HardwareError, dev.Execute(Cdb.Read10(0, 1), dataInLength: 512).SenseInfo!.Value.Key);
            Assert.Equal(FrontendState.Broken, dev.State);
            var again = dev.Execute(Cdb.Read10(0, 1), dataInLength: 512);
            Assert.Equal(SenseKey.HardwareError, again.SenseInfo!.Value.Key);
            Assert.Contains("operation", dev.FailureReason);

            dev.Reset();
            Assert.Equal(FrontendState.Ready, dev.State);
            Assert.Null(dev.FailureReason);
            Assert.True(dev.Execute(Cdb.Read10(0, 1), dataInLength: 512).IsSuccess);
        }

        // ---- IndirectResponseOp ----

        private static readonly long Slow = TimeSpan.TicksPerMillisecond * 100;

        [Theory]
        [InlineData(FrontendPersonality.LinuxBlkfront, false)]
        [InlineData(FrontendPersonality.Hardened, true)]
        public void IndirectResponseOp_linux_blkfront_rejects_an_indirect_response_echoing_op_6_and_disables_the_device(FrontendPersonality p, bool accepted)
        {
            // blkif_interrupt: the expected operation of an INDIRECT request is its indirect_op; 6 is a wrong operation.
            using var dev = New(p, o =>
            {
                o.MaxIndirectSegments = 64;
                o.BackendInterceptor = new Bend((ref BackendRequestPlan plan, int n) => { if (plan.Operation == BlkifOp.Indirect) plan.OperationOverride = BlkifOp.Indirect; });
            });
            var r = Read(dev, 0, 128); // 16 pages: more than 11 segments, so one INDIRECT request
            dev.Submit(r.Srb);
            dev.RunUntilIdle();
            Assert.Equal(1, dev.GetStatistics().IndirectRequests);
            if (accepted)
            {
                Assert.True(r.Srb.IsComplete);
                Assert.Equal(SrbStatus.Success, r.Srb.SrbStatus.Base());
                Assert.Equal(FrontendState.Ready, dev.State);
                return;
            }

            Assert.Equal(FrontendState.Broken, dev.State);
            Assert.Contains("has operation INDIRECT for a INDIRECT(READ) request", dev.FailureReason);
            Assert.False(r.Srb.IsComplete);
        }

        // ---- OverlappingWrites ----

        [Theory]
        [InlineData(FrontendPersonality.Gplpv2012, true)]
        [InlineData(FrontendPersonality.Gplpv2013, true)]
        [InlineData(FrontendPersonality.Gplpv2008a, false)]
        [InlineData(FrontendPersonality.Gplpv2008b, false)]
        [InlineData(FrontendPersonality.XenProject, false)]
        [InlineData(FrontendPersonality.LinuxBlkfront, false)]
        [InlineData(FrontendPersonality.Hardened, false)]
        public void OverlappingWrites_gplpv2012_and_2013_stall_the_whole_queue_behind_an_srb_that_overlaps_an_outstanding_write(FrontendPersonality p, bool stalls)
        {
            using var dev = New(p, o => o.BackendInterceptor = new Bend((ref BackendRequestPlan plan, int n) => { if (plan.IoOperation == BlkifOp.Write) plan.ExtraLatencyTicks = Slow; }));
            var write = new Srb();
            ulong addr = dev.AllocateGuestBuffer(8 * 512 + 4096);
            write.Prepare(Cdb.Write10(0, 8), addr, 8 * 512, DataDirection.Out);
            var overlapping = Read(dev, 4, 2);
            var behind = Read(dev, 100, 1);
            dev.Submit(write);
            dev.Submit(overlapping.Srb);
            dev.Submit(behind.Srb);
            dev.RunUntilIdle();
            foreach (var srb in new[] { write, overlapping.Srb, behind.Srb })
            {
                Assert.True(srb.IsComplete);
                Assert.Equal(SrbStatus.Success, srb.SrbStatus.Base());
            }

            // Stalled, the read of block 100 (no overlap at all) waits for the slow write; otherwise it is answered at once.
            Assert.Equal(stalls, behind.Srb.LatencyTicks >= Slow);
            Assert.Equal(stalls, overlapping.Srb.LatencyTicks >= Slow);
            Assert.Equal(stalls, dev.GetStatistics().OverlappingWriteStalls > 0);
        }

        // ---- DumpModeProbeCache ----

        [Theory]
        [InlineData(FrontendPersonality.Gplpv2008b, 0xC000_0000u)]
        [InlineData(FrontendPersonality.Gplpv2012, 0xC000_0000u)]
        [InlineData(FrontendPersonality.Gplpv2008a, 0u)]
        [InlineData(FrontendPersonality.Hardened, 0u)]
        [InlineData(FrontendPersonality.Gplpv2013, 0u)]
        public void DumpModeProbeCache_gplpv_saves_the_probe_outcome_in_the_event_channel_word(FrontendPersonality p, uint bits)
        {
            using var dev = New(p, o => o.BackendAbi = BlkifAbi.X86_32);
            Assert.Equal(bits, dev.Frontend.ProbeCacheBits);
        }

        [Theory]
        [InlineData(FrontendPersonality.Gplpv2008b, true, 0L)]
        [InlineData(FrontendPersonality.Gplpv2008b, false, 1L)]
        [InlineData(FrontendPersonality.Gplpv2012, true, 0L)]
        [InlineData(FrontendPersonality.Gplpv2012, false, 0L)]
        [InlineData(FrontendPersonality.Gplpv2008a, true, 1L)]
        [InlineData(FrontendPersonality.Hardened, true, 1L)]
        public void DumpModeProbeCache_an_instance_that_takes_the_saved_bits_skips_the_probe_and_keeps_a_stale_layout(FrontendPersonality p, bool dumpMode, long probes)
        {
            // The bits say "probed, native layout", but this dom0 reads the other one: only a probe finds that out.
            using var dev = New(p, o =>
            {
                o.BackendAbi = BlkifAbi.X86_32;
                o.DumpMode = dumpMode;
                o.InheritedProbeBits = FrontendOptions.ProbeDoneBit;
            });
            Assert.Equal(probes, dev.GetStatistics().Probes);
            Assert.Equal(probes == 0 ? 1L : 0L, dev.GetStatistics().CachedProbeResults);
            Assert.Equal(probes == 0 ? BlkifAbi.X86_64 : BlkifAbi.X86_32, dev.FrontendAbi);
        }

        [Fact]
        public void DumpModeProbeCache_gplpv2012_dump_instance_takes_the_running_instances_bits_and_moves_data_without_probing()
        {
            uint bits;
            using (var running = New(FrontendPersonality.Gplpv2012, o => o.BackendAbi = BlkifAbi.X86_32))
                bits = running.Frontend.ProbeCacheBits;
            using var dump = New(FrontendPersonality.Gplpv2012, o =>
            {
                o.BackendAbi = BlkifAbi.X86_32;
                o.DumpMode = true;
                o.InheritedProbeBits = bits;
            });
            Assert.Equal(0, dump.GetStatistics().Probes);
            Assert.Equal(BlkifAbi.X86_32, dump.FrontendAbi);
            var data = Cdb.Pattern(4096, 5);
            Assert.True(dump.Execute(Cdb.Write10(16, 8), data).IsSuccess);
            Assert.Equal(data, dump.Execute(Cdb.Read10(16, 8), dataInLength: 4096).Data);
        }

        [Fact]
        public void DumpModeProbeCache_bits_that_are_not_gplpvs_are_refused_with_the_option_named()
        {
            var e = Assert.Throws<ArgumentException>(() => New(FrontendPersonality.Gplpv2012, o => o.InheritedProbeBits = 0x1234));
            Assert.Equal("InheritedProbeBits", e.ParamName);
        }

        // ---- AdapterRestart ----

        [Theory]
        [InlineData(FrontendPersonality.Gplpv2012, 2L, BlkifAbi.X86_32)]
        [InlineData(FrontendPersonality.Gplpv2008b, 1L, BlkifAbi.X86_64)]
        [InlineData(FrontendPersonality.Gplpv2008a, 2L, BlkifAbi.X86_32)]
        [InlineData(FrontendPersonality.Hardened, 3L, BlkifAbi.X86_32)]
        [InlineData(FrontendPersonality.Gplpv2013, 0L, BlkifAbi.X86_64)]
        [InlineData(FrontendPersonality.XenProject, 0L, BlkifAbi.X86_64)]
        public void AdapterRestart_gplpv2012_probes_again_so_the_layout_kept_across_a_migration_is_detected_anew(FrontendPersonality p, long probes, BlkifAbi after)
        {
            using var dev = New(p);
            dev.MigrateBackend(BlkifAbi.X86_32, BackendAbiMode.Native);
            dev.Frontend.RestartAdapter();
            dev.RunUntilIdle();
            Assert.Equal(FrontendState.Ready, dev.State);
            Assert.Equal(probes, dev.GetStatistics().Probes);
            Assert.Equal(after, dev.FrontendAbi);
        }

        [Theory]
        [InlineData(FrontendPersonality.Gplpv2012, BlkifAbi.X86_32)]
        [InlineData(FrontendPersonality.Hardened, BlkifAbi.X86_64)]
        public void AdapterRestart_gplpv2012_never_sets_use_other_back_so_a_switched_driver_stays_on_the_other_layout(FrontendPersonality p, BlkifAbi after)
        {
            using var dev = New(p, o => o.BackendAbi = BlkifAbi.X86_32);
            Assert.Equal(BlkifAbi.X86_32, dev.FrontendAbi);
            dev.MigrateBackend(BlkifAbi.X86_64, BackendAbiMode.Native);
            long before = dev.GetStatistics().Probes;
            dev.Frontend.RestartAdapter();
            dev.RunUntilIdle();
            Assert.Equal(before + 1, dev.GetStatistics().Probes);
            Assert.Equal(after, dev.FrontendAbi);
        }

        [Fact]
        public void AdapterRestart_with_io_outstanding_is_refused_and_says_why()
        {
            using var dev = New(FrontendPersonality.Gplpv2012, o => o.BackendInterceptor = new Bend((ref BackendRequestPlan plan, int n) => { if (plan.IoOperation == BlkifOp.Read) plan.ExtraLatencyTicks = Slow; }));
            var r = Read(dev, 0, 1);
            dev.Submit(r.Srb);
            var e = Assert.Throws<InvalidOperationException>(() => dev.Frontend.RestartAdapter());
            Assert.Contains("no I/O outstanding", e.Message);
            dev.RunUntilIdle();
            Assert.True(r.Srb.IsComplete);
        }

        // ---- every personality moves data correctly with an honest backend ----

        [Theory]
        [MemberData(nameof(AllPersonalities))]
        public void Every_personality_round_trips_aligned_and_unaligned_data(FrontendPersonality p)
        {
            using var dev = New(p);
            var data = Cdb.Pattern(65536, 11);
            Assert.True(dev.Execute(Cdb.Write10(100, 128), data, bufferAlignment: 1).IsSuccess);
            Assert.Equal(data, dev.Execute(Cdb.Read10(100, 128), dataInLength: 65536).Data);
            Assert.Equal(data, dev.Execute(Cdb.Read10(100, 128), dataInLength: 65536, bufferAlignment: 513).Data);
        }
    }
}
