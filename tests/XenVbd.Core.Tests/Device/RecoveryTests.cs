using System;
using System.Collections.Generic;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Scsi;

namespace XenVbd.Tests.Device
{
    /// <summary>Late, reordered, missing and rogue responses; reset; reconnect and migration.</summary>
    public sealed class RecoveryTests
    {
        private static VbdDevice NewDevice(BlkifAbi fe = BlkifAbi.X86_64, BlkifAbi be = BlkifAbi.X86_64, BackendAbiMode bm = BackendAbiMode.Protocol, TimeSpan? timeout = null)
            => VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.Hardened, FrontendAbi = fe, BackendAbi = be, BackendMode = bm, SizeBytes = 8 << 20, RequestTimeout = timeout ?? TimeSpan.FromSeconds(30) });

        private static (Srb Srb, ulong Addr, byte[] Data) Prepare(VbdDevice dev, bool write, uint lba, int blocks, int alignment, int seed)
        {
            var srb = new Srb();
            ulong addr = dev.AllocateGuestBuffer(blocks * 512 + 4096) + (ulong)alignment;
            var data = Cdb.Pattern(blocks * 512, seed);
            if (write) data.CopyTo(dev.GuestBytes(addr, data.Length));
            srb.Prepare(write ? Cdb.Write10(lba, (ushort)blocks) : Cdb.Read10(lba, (ushort)blocks), addr, blocks * 512, write ? DataDirection.Out : DataDirection.In);
            return (srb, addr, data);
        }

        [Fact]
        public void Responses_out_of_order_still_complete_every_srb_once_with_its_own_data()
        {
            using var dev = NewDevice();
            dev.BackendInterceptor = new Bend((ref BackendRequestPlan p, int n) => p.ExtraLatencyTicks = (n * 7919 % 13) * 1000);
            var order = new List<int>();
            var writes = new List<(Srb Srb, ulong Addr, byte[] Data)>();
            for (int i = 0; i < 40; i++)
            {
                var w = Prepare(dev, true, (uint)(i * 16), 16, i % 3 == 0 ? 5 : 0, i);
                int id = i;
                w.Srb.Completed = s => order.Add(id);
                writes.Add(w);
                dev.Submit(w.Srb);
            }

            dev.RunUntilIdle();
            Assert.Equal(40, order.Count);
            Assert.NotEqual(order, new List<int>(System.Linq.Enumerable.Range(0, 40)));
            foreach (var w in writes)
            {
                Assert.Equal(SrbStatus.Success, w.Srb.SrbStatus);
                Assert.Equal(0, w.Srb.ExtraCompletionAttempts);
            }

            for (int i = 0; i < 40; i++)
                Assert.Equal(writes[i].Data, dev.Execute(Cdb.Read10((uint)(i * 16), 16), dataInLength: 8192, bufferAlignment: 77).Data);
        }

        [Fact]
        public void Bus_reset_completes_in_flight_srbs_once_and_late_responses_only_release_grants()
        {
            using var dev = NewDevice();
            dev.BackendInterceptor = new Bend((ref BackendRequestPlan p, int n) => p.ExtraLatencyTicks = TimeSpan.TicksPerSecond);
            var srbs = new List<Srb>();
            for (int i = 0; i < 6; i++)
            {
                var s = Prepare(dev, i % 2 == 0, (uint)(i * 8), 8, i % 2 == 0 ? 0 : 3, i).Srb;
                srbs.Add(s);
                dev.Submit(s);
            }

            dev.Host.Scheduler.RunUntil(dev.Host.Scheduler.Now + 10_000);
            Assert.True(dev.Frontend.RequestsInFlight > 0);
            int grantsBefore = dev.Guest.Grants.FreeReferences;
            dev.Reset();
            foreach (var s in srbs) Assert.Equal(SrbStatus.BusReset, s.SrbStatus);
            Assert.Equal(6, dev.GetRing()!.InFlight.Count);
            Assert.All(dev.GetRing()!.InFlight, slot => Assert.True(slot.Orphaned));

            dev.BackendInterceptor = null;
            dev.RunUntilIdle();
            Assert.Equal(6, dev.GetStatistics().LateResponses);
            Assert.Equal(0, dev.Frontend.RequestsInFlight);
            foreach (var s in srbs) Assert.Equal(0, s.ExtraCompletionAttempts);
            Assert.Equal(grantsBefore, dev.Guest.Grants.FreeReferences);
            Assert.Equal(dev.Backend.RingPageCount, dev.Guest.Grants.ActiveMappings); // only the ring stays mapped
            Assert.True(dev.Execute(Cdb.Read10(0, 8), dataInLength: 4096).IsSuccess);
        }

        [Fact]
        public void A_lost_response_times_out_and_resets_the_bus_on_the_virtual_clock()
        {
            using var dev = NewDevice(timeout: TimeSpan.FromSeconds(5));
            dev.BackendInterceptor = new Bend((ref BackendRequestPlan p, int n) => p.DropResponse = n == 1);
            long start = dev.Host.Scheduler.Now;
            var lost = Prepare(dev, false, 0, 8, 0, 1).Srb;
            var other = Prepare(dev, false, 64, 8, 0, 2).Srb;
            dev.Submit(lost);
            dev.Submit(other);
            dev.RunUntilComplete(lost);
            Assert.Equal(SrbStatus.Timeout, lost.SrbStatus);
            Assert.Equal(SrbStatus.Success, other.SrbStatus);
            long waited = lost.CompleteTicks - start;
            Assert.InRange(waited, TimeSpan.FromSeconds(5).Ticks, TimeSpan.FromSeconds(6.25).Ticks);
            Assert.Equal(1, dev.GetStatistics().Timeouts);
            Assert.Equal(1, dev.GetStatistics().Resets);
            dev.BackendInterceptor = null;
            Assert.True(dev.Execute(Cdb.Read10(0, 8), dataInLength: 4096).IsSuccess);
        }

        public static IEnumerable<object[]> RogueCases()
        {
            yield return new object[] { "corrupt id", (PlanEdit)((ref BackendRequestPlan p, int n) => p.CorruptId = n == 3), "not pending|out of range" };
            yield return new object[] { "corrupt op", (PlanEdit)((ref BackendRequestPlan p, int n) => p.CorruptOperation = n == 3), "operation" };
            yield return new object[] { "duplicate", (PlanEdit)((ref BackendRequestPlan p, int n) => p.DuplicateResponse = n == 3), "not pending" };
            yield return new object[] { "rsp_prod jump", (PlanEdit)((ref BackendRequestPlan p, int n) => p.RspProdJump = n == 3 ? (ushort)100 : (ushort)0), "rsp_prod" };
        }

        [Theory]
        [MemberData(nameof(RogueCases))]
        public void A_rogue_response_breaks_the_device_and_fails_every_pending_srb_exactly_once(string name, PlanEdit edit, string reason)
        {
            using var dev = NewDevice();
            dev.BackendInterceptor = new Bend(edit);
            var srbs = new List<Srb>();
            for (int i = 0; i < 10; i++)
            {
                var s = Prepare(dev, true, (uint)(i * 8), 8, i % 2, i).Srb;
                srbs.Add(s);
                dev.Submit(s);
            }

            dev.RunUntilIdle();
            Assert.Equal(FrontendState.Broken, dev.State);
            Assert.Matches(reason, dev.Frontend.FailureReason);
            foreach (var s in srbs)
            {
                Assert.True(s.IsComplete, name);
                Assert.Equal(0, s.ExtraCompletionAttempts);
            }

            Assert.Contains(srbs, s => s.SrbStatus.Base() == SrbStatus.Error);
            var after = dev.Execute(Cdb.Read10(0, 8), dataInLength: 4096);
            Assert.Equal(SrbStatus.Error, after.SrbStatus.Base());
            Assert.Equal(SenseKey.HardwareError, after.SenseInfo!.Value.Key);
        }

        [Fact]
        public void Backend_restart_resubmits_in_flight_work_and_probes_again()
        {
            using var dev = NewDevice(BlkifAbi.X86_64, BlkifAbi.X86_64, BackendAbiMode.Native);
            dev.BackendInterceptor = new Bend((ref BackendRequestPlan p, int n) => p.DropResponse = true);
            var w = Prepare(dev, true, 100, 24, 0, 42);
            dev.Submit(w.Srb);
            dev.Host.Scheduler.RunUntil(dev.Host.Scheduler.Now + 10_000);
            Assert.False(w.Srb.IsComplete);

            dev.BackendInterceptor = null;
            dev.Backend.Disconnect();
            dev.Host.Scheduler.RunUntil(dev.Host.Scheduler.Now + 10_000);
            Assert.Equal(FrontendState.Disconnected, dev.State);
            dev.Backend.Reconnect();
            Assert.True(dev.RunUntilComplete(w.Srb));
            Assert.Equal(SrbStatus.Success, w.Srb.SrbStatus);
            Assert.Equal(2, dev.GetStatistics().Probes);
            Assert.Equal(1, dev.GetStatistics().Requeues);
            Assert.Equal(w.Data, dev.Execute(Cdb.Read10(100, 24), dataInLength: w.Data.Length).Data);
        }

        [Theory]
        [InlineData(BlkifAbi.X86_64, BlkifAbi.X86_32)]
        [InlineData(BlkifAbi.X86_32, BlkifAbi.X86_64)]
        public void Migration_to_a_dom0_of_other_bitness_reprobes_switches_and_resubmits(BlkifAbi from, BlkifAbi to)
        {
            using var dev = NewDevice(BlkifAbi.X86_64, from, BackendAbiMode.Native);
            Assert.Equal(from, dev.FrontendAbi);
            var before = Prepare(dev, true, 0, 16, 0, 1);
            dev.Submit(before.Srb);
            dev.RunUntilComplete(before.Srb);

            dev.BackendInterceptor = new Bend((ref BackendRequestPlan p, int n) => p.DropResponse = true);
            var inFlight = Prepare(dev, true, 200, 40, 9, 2);
            dev.Submit(inFlight.Srb);
            dev.Host.Scheduler.RunUntil(dev.Host.Scheduler.Now + 10_000);
            Assert.False(inFlight.Srb.IsComplete);
            // The old dom0 consumed the request and lost its response; the new one is healthy.
            dev.BackendInterceptor = null;

            var m = dev.MigrateBackend(to, BackendAbiMode.Native);
            Assert.Equal(from, m.OldBackendAbi);
            Assert.Equal(to, m.NewBackendAbi);
            Assert.True(m.Reprobed);
            Assert.Equal(to != BlkifAbi.X86_64, m.Switched); // the probe starts from the frontend's own x86_64 layout
            Assert.True(m.LayoutChanged);
            Assert.Equal(from, m.FrontendAbiBefore);
            Assert.Equal(to, m.FrontendAbiAfter);
            Assert.Equal(1, m.SrbsResubmitted);
            Assert.Equal(FrontendState.Ready, m.State);
            Assert.Equal(to, dev.ProbeResult!.Detected);
            Assert.Equal(2, dev.ProbeResult.BackendGeneration);

            Assert.True(dev.RunUntilComplete(inFlight.Srb));
            Assert.Equal(SrbStatus.Success, inFlight.Srb.SrbStatus);
            Assert.Equal(0, inFlight.Srb.ExtraCompletionAttempts);
            Assert.Equal(before.Data, dev.Execute(Cdb.Read10(0, 16), dataInLength: before.Data.Length).Data);
            Assert.Equal(inFlight.Data, dev.Execute(Cdb.Read10(200, 40), dataInLength: inFlight.Data.Length, bufferAlignment: 1).Data);
        }
    }
}
