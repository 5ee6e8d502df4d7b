using System.Linq;
using XenVbd.Backend;
using XenVbd.Ring;
using XenVbd.Sim;
using XenVbd.Tests.Support;

namespace XenVbd.Tests.Backend
{
    /// <summary>
    /// Requests consumed in one pass whose responses fall due at the same tick share one scheduler event;
    /// the responses still come out one by one, in the order the requests were consumed.
    /// </summary>
    public class CompletionBatchTests
    {
        [Fact]
        public void Responses_due_at_the_same_tick_come_out_in_request_order_from_one_event()
        {
            using var rig = BackendRig.Connected(options: new BlkBackOptions { ServiceTicks = 5_000 });
            var pages = rig.GrantPages(8);
            for (int i = 0; i < 8; i++) rig.Frontend.Queue(BlkifOp.Read, (ulong)(100 + i), (ulong)i * 8, new BlkifSegment(pages[i].Gref, 0, 7));
            var sched = rig.Host.Scheduler;
            long start = sched.Now;
            rig.Frontend.Push();

            sched.RunUntil(start + 100);
            Assert.Equal(8, rig.Backend.PendingResponses);
            long due = sched.NextEventTime!.Value;
            long eventsBefore = sched.EventsRun;
            // One event answers all eight (the frontend's own notification is scheduled after it).
            sched.RunUntil(due);

            Assert.Equal(0, rig.Backend.PendingResponses);
            Assert.Equal(Enumerable.Range(100, 8).Select(i => (ulong)i), rig.Frontend.TakeResponses().Select(r => r.Id));
            Assert.True(sched.EventsRun - eventsBefore <= 2, "expected one completion event (+ the frontend's notification), ran " + (sched.EventsRun - eventsBefore));
        }

        [Fact]
        public void A_completion_scheduled_after_another_event_waits_behind_it()
        {
            using var rig = BackendRig.Connected(options: new BlkBackOptions { ServiceTicks = 5_000 });
            var pages = rig.GrantPages(2);
            var sched = rig.Host.Scheduler;
            var marker = new Marker(rig.Frontend);
            // Request 1 waits 1000 ticks longer, so request 2, consumed 1000 ticks later, falls due at the same tick.
            rig.Interceptor = new LambdaInterceptor((ref BackendRequestPlan p) => { if (p.Id == 1) p.ExtraLatencyTicks = 1_000; });
            long start = sched.Now;
            rig.Frontend.Queue(BlkifOp.Read, 1, 0, new BlkifSegment(pages[0].Gref, 0, 7));
            rig.Frontend.Push();
            sched.RunUntil(start + 100);
            long firstDue = sched.NextEventTime!.Value;
            // Something else falls due at that tick before the second request is even consumed.
            sched.ScheduleAt(firstDue, marker, 0);
            sched.RunUntil(start + 1_000);
            rig.Frontend.Queue(BlkifOp.Read, 2, 8, new BlkifSegment(pages[1].Gref, 0, 7));
            rig.Frontend.Push();
            sched.RunUntil(start + 1_100);
            Assert.Equal(2, rig.Backend.PendingResponses);

            sched.RunUntil(firstDue);

            // The marker ran between the two responses: the second did not ride on the first's event.
            Assert.Equal(1u, marker.ResponsesSeen);
            Assert.Equal(new ulong[] { 1, 2 }, rig.Frontend.TakeResponses().Select(r => r.Id));
        }

        private sealed class Marker : ISimEventHandler
        {
            private readonly TestFrontend _frontend;

            public Marker(TestFrontend frontend) => _frontend = frontend;

            public uint ResponsesSeen { get; private set; } = uint.MaxValue;

            public void OnSimEvent(int kind, long argument) => ResponsesSeen = _frontend.Shared.RspProd;
        }
    }
}
