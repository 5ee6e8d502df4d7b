using System.Linq;
using XenVbd.Backend;
using XenVbd.Ring;
using XenVbd.Tests.Support;

namespace XenVbd.Tests.Backend
{
    public class SecurityHistoryTests
    {
        [Theory]
        [InlineData(BlkifAbi.X86_32)]
        [InlineData(BlkifAbi.X86_64)]
        public void Xsa155_rewriting_the_slot_after_the_backend_read_it_changes_nothing(BlkifAbi abi)
        {
            using var rig = BackendRig.Connected(abi);
            var fe = rig.Frontend;
            var good = rig.GrantPages(1, 0xA1)[0];
            var evil = rig.GrantPages(1, 0xB2)[0];
            uint slot = fe.Queue(BlkifOp.Write, 5, 8, new BlkifSegment(good.Gref, 0, 7));
            rig.Interceptor = new LambdaInterceptor((ref BackendRequestPlan p) =>
            {
                // The double fetch: after the backend copied the request, point it elsewhere entirely.
                var r = new BlkifRequest { Operation = BlkifOp.Write, NrSegments = 11, Id = 6, SectorNumber = 1000 };
                for (int i = 0; i < 11; i++) r.SetSegment(i, new BlkifSegment(evil.Gref, 0, 7));
                BlkifCodec.WriteRequest(fe.Slot(slot), abi, r);
            });
            fe.Push();
            fe.Run();

            var rsp = Assert.Single(fe.TakeResponses());
            Assert.Equal(5ul, rsp.Id);
            Assert.Equal(BlkifStatus.Okay, rsp.Status);
            Assert.Equal(0xA1, rig.DiskBytes(8 * 512, 4096)[4095]);
            Assert.Equal(new byte[512], rig.DiskBytes(1000 * 512, 512));
            Assert.Equal(4096, rig.Backend.Statistics.BytesWritten);
        }

        [Theory]
        [InlineData(BlkifAbi.X86_32, new[] { 9 })]
        [InlineData(BlkifAbi.X86_64, new[] { 9, 12, 13, 14, 15 })]
        public void Xsa216_response_padding_is_zero_and_bytes_past_the_response_are_not_written(BlkifAbi abi, int[] padding)
        {
            using var rig = BackendRig.Connected(abi);
            var fe = rig.Frontend;
            uint slot = fe.Queue(BlkifOp.FlushDiskCache, 0x0102030405060708, 0);
            // Dirty the slot after the backend took its copy, as stale ring bytes would be.
            rig.Interceptor = new LambdaInterceptor((ref BackendRequestPlan p) => fe.Slot(slot).Fill(0xAA));
            fe.Push();
            fe.Run();

            var bytes = fe.Slot(slot).ToArray();
            int size = BlkifLayout.ResponseSize(abi);
            foreach (int i in padding) Assert.Equal(0, bytes[i]);
            Assert.Equal(new byte[] { 8, 7, 6, 5, 4, 3, 2, 1 }, bytes.Take(8).ToArray());
            Assert.Equal(BlkifOp.FlushDiskCache, bytes[8]);
            Assert.Equal(0, bytes[10]);
            Assert.Equal(0, bytes[11]);
            Assert.All(bytes.Skip(size), b => Assert.Equal(0xAA, b));
        }

        [Fact]
        public void Spurious_events_are_counted_backed_off_and_do_not_stop_real_work()
        {
            using var rig = BackendRig.Connected();
            var fe = rig.Frontend;
            var sched = rig.Host.Scheduler;
            long upcallsBefore = fe.Channel.Backend.Upcalls;

            // A storm: one event every microsecond for 100 ms, with nothing on the ring.
            for (int i = 0; i < 100_000; i++)
            {
                fe.Channel.Backend.Raise();
                sched.RunUntil(sched.Now + 10);
            }
            long upcalls = fe.Channel.Backend.Upcalls - upcallsBefore;
            Assert.Equal(upcalls, rig.Backend.Statistics.SpuriousEvents);
            Assert.True(upcalls >= 2 && upcalls < 200, "upcalls during the storm: " + upcalls);
            Assert.True(rig.Backend.Statistics.SpuriousBackoffs > 0);
            Assert.Contains(rig.Host.Trace.Snapshot(), e => e.Kind == global::XenVbd.Sim.TraceKind.SpuriousEvent);

            // The back-off ends and a real request is served.
            fe.Run();
            var page = rig.GrantPages(1, 0x19)[0];
            var rsp = fe.Submit(BlkifOp.Write, 1, 0, new BlkifSegment(page.Gref, 0, 7));
            Assert.Equal(BlkifStatus.Okay, rsp.Status);
        }

        [Fact]
        public void A_single_spurious_event_is_counted_without_backing_off()
        {
            using var rig = BackendRig.Connected();
            rig.Frontend.Channel.Frontend.Notify();
            rig.Frontend.Run();
            Assert.Equal(1, rig.Backend.Statistics.SpuriousEvents);
            Assert.Equal(0, rig.Backend.Statistics.SpuriousBackoffs);
            Assert.False(rig.Frontend.Channel.Backend.Masked);
        }
    }
}
