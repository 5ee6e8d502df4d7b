using System.Collections.Generic;
using XenVbd.Backend;
using XenVbd.Ring;
using XenVbd.Tests.Support;

namespace XenVbd.Tests.Backend
{
    public class InterceptorTests
    {
        private static BackendRig RigWithTwoWrites(out (uint Frame, uint Gref)[] pages)
        {
            var rig = BackendRig.Connected();
            pages = rig.GrantPages(2, 0x55);
            rig.Frontend.Queue(BlkifOp.Write, 10, 0, new BlkifSegment(pages[0].Gref, 0, 7));
            rig.Frontend.Queue(BlkifOp.Write, 11, 8, new BlkifSegment(pages[1].Gref, 0, 3));
            return rig;
        }

        [Fact]
        public void Interceptor_sees_each_consumed_request_once_with_its_decoded_fields()
        {
            using var rig = RigWithTwoWrites(out _);
            var seen = new List<BackendRequestPlan>();
            rig.Interceptor = new LambdaInterceptor((ref BackendRequestPlan p) => seen.Add(p));
            rig.Frontend.Push();
            rig.Frontend.Run();
            Assert.Equal(2, seen.Count);
            Assert.Equal(10ul, seen[0].Id);
            Assert.Equal(BlkifOp.Write, seen[0].Operation);
            Assert.Equal(0ul, seen[0].SectorNumber);
            Assert.Equal(8ul, seen[0].SectorCount);
            Assert.Equal(BlkifAbi.X86_64, seen[0].Abi);
            Assert.Equal(1u, seen[1].RingIndex);
            Assert.Equal(8ul, seen[1].SectorNumber);
            Assert.Equal(4ul, seen[1].SectorCount);
        }

        [Fact]
        public void Dropped_response_is_never_written_but_the_io_is_done()
        {
            using var rig = RigWithTwoWrites(out _);
            rig.Interceptor = new LambdaInterceptor((ref BackendRequestPlan p) => p.DropResponse = p.Id == 10);
            rig.Frontend.Push();
            rig.Frontend.Run();
            var rs = rig.Frontend.TakeResponses();
            Assert.Equal(11ul, Assert.Single(rs).Id);
            Assert.Equal(1, rig.Backend.Statistics.DroppedResponses);
            Assert.Equal(0x55, rig.DiskBytes(0, 512)[0]);
        }

        [Fact]
        public void Duplicate_response_is_written_twice_and_the_ring_keeps_working()
        {
            using var rig = RigWithTwoWrites(out var pages);
            rig.Interceptor = new LambdaInterceptor((ref BackendRequestPlan p) => p.DuplicateResponse = p.Id == 10);
            rig.Frontend.Push();
            rig.Frontend.Run();
            var rs = rig.Frontend.TakeResponses();
            Assert.Equal(new ulong[] { 10, 10, 11 }, rs.ConvertAll(r => r.Id));
            Assert.Equal(1, rig.Backend.Statistics.DuplicateResponses);

            // The duplicate does not make the backend think the frontend overflowed the ring.
            rig.Interceptor = null;
            for (int i = 0; i < 31; i++) rig.Frontend.Queue(BlkifOp.Read, (ulong)(100 + i), 0, new BlkifSegment(pages[0].Gref, 0, 0));
            rig.Frontend.Push();
            rig.Frontend.Run();
            Assert.False(rig.Backend.IsRingHalted);
            Assert.Equal(31, rig.Frontend.TakeResponses().Count);
        }

        [Fact]
        public void Status_override_reports_the_status_and_skips_the_io()
        {
            using var rig = RigWithTwoWrites(out _);
            rig.Interceptor = new LambdaInterceptor((ref BackendRequestPlan p) => { if (p.Id == 10) p.StatusOverride = BlkifStatus.Error; });
            rig.Frontend.Push();
            rig.Frontend.Run();
            var rs = rig.Frontend.TakeResponses();
            Assert.Equal(BlkifStatus.Error, rs.Find(r => r.Id == 10).Status);
            Assert.Equal(BlkifStatus.Okay, rs.Find(r => r.Id == 11).Status);
            Assert.Equal(new byte[4096], rig.DiskBytes(0, 4096));
            Assert.Equal(1, rig.Backend.Statistics.StatusOverrides);
        }

        [Fact]
        public void Corrupt_id_and_operation_flip_the_documented_bits()
        {
            using var rig = RigWithTwoWrites(out _);
            rig.Interceptor = new LambdaInterceptor((ref BackendRequestPlan p) =>
            {
                p.CorruptId = p.Id == 10;
                p.CorruptOperation = p.Id == 11;
            });
            rig.Frontend.Push();
            rig.Frontend.Run();
            var rs = rig.Frontend.TakeResponses();
            Assert.Equal(10ul | BackendRequestPlan.CorruptIdMask, rs[0].Id);
            Assert.Equal(BlkifOp.Write, rs[0].Operation);
            Assert.Equal(11ul, rs[1].Id);
            Assert.Equal(BlkifOp.Write | BackendRequestPlan.CorruptOperationMask, rs[1].Operation);
        }

        [Fact]
        public void Id_override_answers_with_another_id_and_the_request_is_still_executed()
        {
            using var rig = RigWithTwoWrites(out _);
            rig.Interceptor = new LambdaInterceptor((ref BackendRequestPlan p) =>
            {
                if (p.Id == 10) p.IdOverride = 11;
                if (p.Id == 11) p.IdOverride = 77;
            });
            rig.Frontend.Push();
            rig.Frontend.Run();
            var rs = rig.Frontend.TakeResponses();
            Assert.Equal(new ulong[] { 11, 77 }, rs.ConvertAll(r => r.Id).ToArray());
            Assert.Equal(2, rig.Backend.Statistics.OkayResponses);
            Assert.Equal(4096 + 2048, rig.Backend.Statistics.BytesWritten);
        }

        [Fact]
        public void Rsp_prod_jump_runs_the_published_index_ahead()
        {
            using var rig = RigWithTwoWrites(out _);
            rig.Interceptor = new LambdaInterceptor((ref BackendRequestPlan p) => { if (p.Id == 11) p.RspProdJump = 40; });
            rig.Frontend.Push();
            rig.Frontend.Run();
            Assert.Equal(42u, rig.Frontend.Shared.RspProd);
            // A hardened frontend sees more responses than it has requests outstanding.
            Assert.True(rig.Frontend.Shared.RspProd - rig.Frontend.RspCons > (uint)rig.Frontend.RingSize);
            Assert.False(rig.Backend.IsRingHalted);
        }

        [Fact]
        public void Extra_latency_lets_a_later_request_overtake_an_earlier_one()
        {
            using var rig = RigWithTwoWrites(out _);
            rig.Interceptor = new LambdaInterceptor((ref BackendRequestPlan p) => { if (p.Id == 10) p.ExtraLatencyTicks = 300_000_000; });
            long start = rig.Host.Scheduler.Now;
            rig.Frontend.Push();
            rig.Frontend.Run();
            var rs = rig.Frontend.TakeResponses();
            Assert.Equal(new ulong[] { 11, 10 }, rs.ConvertAll(r => r.Id));
            // 30 s of virtual time passed; no wall-clock time did.
            Assert.True(rig.Host.Scheduler.Now - start >= 300_000_000);
        }

        [Fact]
        public void Responses_arrive_after_the_service_time_on_the_virtual_clock()
        {
            using var rig = BackendRig.Connected(options: new BlkBackOptions { ServiceTicks = 5_000 });
            var page = rig.GrantPages(1)[0];
            var sched = rig.Host.Scheduler;
            rig.Frontend.Queue(BlkifOp.Read, 1, 0, new BlkifSegment(page.Gref, 0, 7));
            long start = sched.Now;
            rig.Frontend.Push();
            sched.RunUntil(start + 4_000);
            Assert.Equal(0u, rig.Frontend.Shared.RspProd);
            Assert.Equal(1, rig.Backend.PendingResponses);
            sched.RunUntil(start + 6_000);
            Assert.Equal(1u, rig.Frontend.Shared.RspProd);
            Assert.True(rig.Frontend.EventsReceived > 0);
        }

        [Fact]
        public void Rejected_requests_are_answered_without_the_service_time()
        {
            using var rig = BackendRig.Connected(options: new BlkBackOptions { ServiceTicks = 1_000_000 });
            var sched = rig.Host.Scheduler;
            rig.Frontend.Queue(BlkifOp.Read, 1, 0);
            long start = sched.Now;
            rig.Frontend.Push();
            sched.RunUntil(start + 1_000);
            Assert.Equal(1u, rig.Frontend.Shared.RspProd);
        }
    }
}
