using System;
using System.Linq;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Faults;
using XenVbd.Frontend;
using XenVbd.Scsi;
using XenVbd.Tests.Device;

namespace XenVbd.Tests.Faults
{
    /// <summary>
    /// A backend that answers one request with the id of another it has in flight (<see cref="FaultKind.SwappedId"/>),
    /// and what each frontend personality does with that answer, as its real driver's response path does.
    /// </summary>
    public sealed class SwappedIdTests
    {
        private static readonly TimeSpan Late = TimeSpan.FromMilliseconds(100);

        /// <summary>Request A (sectors 0..7) is answered late; request B (sectors 8..15) is answered on time with A's id.</summary>
        private sealed class Pair : IDisposable
        {
            public Pair(FrontendPersonality personality, bool aIsWrite = false)
            {
                Device = VbdDevice.Create(new VbdDeviceOptions
                {
                    Personality = personality,
                    SizeBytes = 8 << 20,
                    Seed = 11,
                    RequestTimeout = TimeSpan.FromSeconds(1),
                    BackendMode = BackendAbiMode.Native,
                });
                // Every sector of the disk says which sector it is, so a buffer shows whose bytes it holds.
                var disk = new byte[64 * 512];
                for (int s = 0; s < 64; s++) disk.AsSpan(s * 512, 512).Fill((byte)(0x40 + s));
                Assert.True(Device.Execute(Cdb.Write10(0, 64), disk).IsSuccess);
                Session = DeviceFaultSession.Attach(Device);
                Session.Plan.Add(new FaultRule(FaultKind.Latency) { Target = new FaultTarget(FaultOps.All, 0, 8), Latency = LatencyDistribution.Fixed(Late) });
                Swap = new FaultRule(FaultKind.SwappedId) { Target = new FaultTarget(FaultOps.Read, 8, 16), MaxCount = 1 };
                Session.Plan.Add(Swap);
                A = new Srb();
                AAddress = Device.AllocateGuestBuffer(8 * 512);
                Device.GuestBytes(AAddress, 8 * 512).Fill(0xEE);
                if (aIsWrite)
                {
                    Device.GuestBytes(AAddress, 8 * 512).Fill(0x99);
                    A.Prepare(Cdb.Write10(0, 8), AAddress, 8 * 512, DataDirection.Out);
                }
                else A.Prepare(Cdb.Read10(0, 8), AAddress, 8 * 512, DataDirection.In);
                B = new Srb();
                BAddress = Device.AllocateGuestBuffer(8 * 512);
                Device.GuestBytes(BAddress, 8 * 512).Fill(0xEE);
                B.Prepare(Cdb.Read10(8, 8), BAddress, 8 * 512, DataDirection.In);
                long start = Device.Host.Scheduler.Now;
                A.Completed = _ =>
                {
                    AtTicks = Device.Host.Scheduler.Now - start;
                    AMarksAtCompletion = ASectorMarks;
                };
                Device.Submit(A);
                Device.Submit(B);
                Device.RunUntilIdle();
            }

            public VbdDevice Device { get; }
            public DeviceFaultSession Session { get; }
            public FaultRule Swap { get; }
            public Srb A { get; }
            public Srb B { get; }
            public ulong AAddress { get; }
            public ulong BAddress { get; }

            /// <summary>Virtual ticks from submission to A's completion; -1 when it never completed.</summary>
            public long AtTicks { get; private set; } = -1;

            /// <summary>A's sector marks at the moment A completed (what the guest would read then).</summary>
            public byte[] AMarksAtCompletion { get; private set; } = Array.Empty<byte>();

            public void Dispose() => Device.Dispose();

            public bool ACompletedEarly => AtTicks >= 0 && AtTicks < Late.Ticks / 2;

            /// <summary>The first byte of each of A's sectors (0x40 + sector: A's own; 0xEE: never written).</summary>
            public byte[] ASectorMarks => Enumerable.Range(0, 8).Select(i => Device.GuestBytes(AAddress, 8 * 512)[i * 512]).ToArray();
        }

        private static readonly byte[] SectorsZeroToSeven = Enumerable.Range(0, 8).Select(i => (byte)(0x40 + i)).ToArray();

        // ---- the fault ----

        [Fact]
        public void SwappedId_answers_with_the_id_of_another_request_in_flight_and_records_which()
        {
            using var p = new Pair(FrontendPersonality.XenProject);
            Assert.Equal(1, p.Swap.Injected);
            Assert.Equal(1, p.Session.Counters[FaultKind.SwappedId]);
            Assert.Equal(1, p.Device.Backend.Statistics.IdOverrides);
            var swap = Assert.NotNull(p.Swap.LastSwap);
            Assert.Equal(8ul, swap.AnsweredSector);
            Assert.Equal(0ul, swap.NamedSector);
            Assert.NotEqual(swap.AnsweredId, swap.NamedId);
            Assert.Contains("carried the id of request " + swap.NamedId + " (sector 0)", swap.ToString());
        }

        [Fact]
        public void SwappedId_waits_while_no_other_request_is_in_flight()
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.Gplpv2012, SizeBytes = 8 << 20 });
            var session = DeviceFaultSession.Attach(dev);
            var rule = new FaultRule(FaultKind.SwappedId) { MaxCount = 1 };
            session.Plan.Add(rule);
            // One SRB at a time: nothing else is ever in flight, so there is no id to swap with and the rule never fires.
            for (uint i = 0; i < 20; i++) Assert.True(dev.Execute(Cdb.Read10(i * 8, 8), dataInLength: 8 * 512).IsSuccess);
            Assert.Equal(0, rule.Injected);
            Assert.Null(rule.LastSwap);
            Assert.Equal(0, dev.Backend.Statistics.IdOverrides);
            Assert.Equal(FrontendState.Ready, dev.State);
        }

        [Fact]
        public void SwappedId_picks_the_same_partner_for_the_same_seed()
        {
            static string Run(ulong seed)
            {
                using var dev = VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.XenProject, SizeBytes = 8 << 20, Seed = seed, RequestTimeout = TimeSpan.FromSeconds(1) });
                var session = DeviceFaultSession.Attach(dev);
                session.Plan.Add(new FaultRule(FaultKind.Latency) { Latency = LatencyDistribution.Uniform(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5)) });
                var rule = new FaultRule(FaultKind.SwappedId) { Rate = 0.3 };
                session.Plan.Add(rule);
                string log = "";
                for (int round = 0; round < 4; round++)
                {
                    var srbs = Enumerable.Range(0, 8).Select(i =>
                    {
                        var s = new Srb();
                        s.Prepare(Cdb.Read10((uint)(round * 64 + i * 8), 8), dev.AllocateGuestBuffer(4096), 4096, DataDirection.In);
                        dev.Submit(s);
                        return s;
                    }).ToArray();
                    dev.RunUntilIdle();
                    log += rule.Injected + ":" + rule.LastSwap + ";";
                }
                return log;
            }

            Assert.Equal(Run(3), Run(3));
            Assert.NotEqual(Run(3), Run(4));
        }

        /// <summary>A pending table of four requests, as a ring would show it to the interceptor.</summary>
        private sealed class FourInFlight : IInFlightRequests
        {
            public int InFlightCount => 4;

            public ulong InFlightRequestId(int ordinal, out ulong sectorNumber)
            {
                sectorNumber = (ulong)ordinal * 8;
                return (ulong)ordinal + 100;
            }
        }

        [Fact]
        public void SwappedId_decision_and_swap_allocate_nothing_per_request()
        {
            var scheduler = new XenVbd.Sim.Scheduler(5);
            var plan = new FaultPlan();
            var rule = new FaultRule(FaultKind.SwappedId);
            plan.Add(rule);
            var interceptor = new FaultInterceptor(new FaultInjector(scheduler, plan));
            var inFlight = new FourInFlight();
            int wrong = 0;
            void Run(int n)
            {
                for (int i = 0; i < n; i++)
                {
                    var p = new BackendRequestPlan((uint)i, 0, 0, 7, 64, 8, XenVbd.Ring.BlkifAbi.X86_64, 0) { InFlight = inFlight };
                    interceptor.OnRequest(null!, ref p);
                    if (p.IdOverride is not (>= 100 and <= 103)) wrong++;
                }
            }

            // Under load tiered JIT settles late: warm up until a round allocates nothing (at most ten rounds).
            long warmed = 0;
            for (int warm = 0; warm < 10; warm++)
            {
                long start = GC.GetAllocatedBytesForCurrentThread();
                Run(4000);
                warmed += 4000;
                if (GC.GetAllocatedBytesForCurrentThread() == start) break;
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            Run(100_000);
            Assert.Equal(0L, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Equal(0, wrong);
            Assert.Equal(100_000 + warmed, rule.Injected);
            Assert.Equal(64ul, rule.LastSwap!.Value.AnsweredSector);
        }

        // ---- what each frontend does with the answer ----

        [Theory]
        [InlineData(FrontendPersonality.Gplpv2008a)]
        [InlineData(FrontendPersonality.Gplpv2008b)]
        [InlineData(FrontendPersonality.Gplpv2012)]
        [InlineData(FrontendPersonality.Gplpv2013)]
        public void ResponseChecks_gplpv_completes_the_named_srb_early_leaves_the_served_one_hanging_and_crashes_on_the_named_ones_own_answer(FrontendPersonality personality)
        {
            using var p = new Pair(personality);
            Assert.Equal(1, p.Swap.Injected);
            // shadows[rep->id & mask] with no check: A's SRB completes on B's answer, at B's service time, not A's.
            Assert.True(p.ACompletedEarly, personality + ": A completed after " + p.AtTicks + " ticks");
            Assert.Equal(SrbStatus.Success, p.A.SrbStatus.Base());
            // A completes before its own read has been served (a backend fills a read's pages when the read completes),
            // so the guest is told A is done while A's buffer does not hold A's sectors.
            Assert.NotEqual(SectorsZeroToSeven, p.AMarksAtCompletion);
            // Later A's own read is served: 2008a copies every transfer through its shadow's pages and copied them out
            // at the early completion, so A's buffer keeps the empty shadow page's bytes for good; the others grant A's
            // buffer directly and it is still granted, so A's sectors land in it after the SRB was completed.
            if (personality == FrontendPersonality.Gplpv2008a) Assert.Equal(new byte[8], p.ASectorMarks);
            else Assert.Equal(SectorsZeroToSeven, p.ASectorMarks);
            Assert.False(p.B.IsComplete);
            // B's bytes: 2008a copies every transfer through its shadow's pages, so they sit there uncopied; the others
            // grant B's aligned buffer directly, so the backend wrote them into it, yet the SRB never completes.
            Assert.Equal(personality == FrontendPersonality.Gplpv2008a ? 0xEE : 0x40 + 8, p.Device.GuestBytes(p.BAddress, 1)[0]);
            // A's own answer then finds shadows[A] free, its srb NULL (put_shadow_on_freelist): the driver dereferences it.
            Assert.Equal(FrontendState.Stopped, p.Device.State);
            Assert.Contains("which has no request outstanding", p.Device.FailureReason);
            Assert.Contains("NULL", p.Device.FailureReason);
        }

        [Fact]
        public void ResponseChecks_xenproject_completes_the_named_srb_early_ignores_its_own_answer_and_the_reset_fails_the_served_one()
        {
            using var p = new Pair(FrontendPersonality.XenProject);
            // BlkifRingPoll finds A's id on the submitted list and completes A; A's own answer is then an unknown id.
            Assert.True(p.ACompletedEarly, "A completed after " + p.AtTicks + " ticks");
            Assert.Equal(SectorsZeroToSeven, p.ASectorMarks);
            Assert.Equal(1, p.Device.GetStatistics().IgnoredResponses);
            // B's answer never comes: the request timeout resets and completes it, and the device carries on.
            Assert.True(p.B.IsComplete);
            Assert.NotEqual(SrbStatus.Success, p.B.SrbStatus.Base());
            Assert.Equal(FrontendState.Ready, p.Device.State);
        }

        [Fact]
        public void ResponseChecks_linux_blkfront_completes_the_named_request_early_then_disables_on_its_own_answer_not_waiting()
        {
            using var p = new Pair(FrontendPersonality.LinuxBlkfront);
            // id in range, REQ_WAITING and READ = READ: blkif_interrupt completes A on B's answer.
            Assert.True(p.ACompletedEarly, "A completed after " + p.AtTicks + " ticks");
            Assert.Equal(SectorsZeroToSeven, p.ASectorMarks);
            // A's own answer: shadow A is no longer waiting, BLKIF_STATE_ERROR; B is left hanging.
            Assert.Equal(FrontendState.Broken, p.Device.State);
            Assert.Contains("is not pending", p.Device.FailureReason);
            Assert.False(p.B.IsComplete);
        }

        [Fact]
        public void ResponseChecks_linux_blkfront_disables_at_once_when_the_named_request_has_another_operation()
        {
            using var p = new Pair(FrontendPersonality.LinuxBlkfront, aIsWrite: true);
            Assert.Equal(1, p.Swap.Injected);
            // B is a READ, A a WRITE: the answer's operation does not match shadow A's, "wrong operation": nothing completes.
            Assert.Equal(FrontendState.Broken, p.Device.State);
            Assert.Contains("has operation READ for a WRITE request", p.Device.FailureReason);
            Assert.False(p.A.IsComplete);
            Assert.False(p.B.IsComplete);
        }

        [Fact]
        public void ResponseChecks_hardened_completes_the_named_srb_early_then_goes_broken_and_fails_the_served_one_once()
        {
            using var p = new Pair(FrontendPersonality.Hardened);
            // A pending id with the matching operation passes every check a frontend can make.
            Assert.True(p.ACompletedEarly, "A completed after " + p.AtTicks + " ticks");
            Assert.Equal(SectorsZeroToSeven, p.ASectorMarks);
            Assert.Equal(FrontendState.Broken, p.Device.State);
            Assert.Contains("is not pending", p.Device.FailureReason);
            Assert.True(p.B.IsComplete);
            Assert.Equal(SenseKey.HardwareError, (SenseKey)(p.B.SenseBuffer[2] & 0x0F));
        }
    }
}
