using System;
using XenVbd.Ring;

namespace XenVbd.Tests.Ring
{
    public class SharedRingTests
    {
        [Fact]
        public void Initialize_sets_prods_to_zero_and_event_indices_to_one()
        {
            using var mem = new RingTestMemory(1);
            mem.Region.Span.Fill(0xAB);
            var ring = new SharedRing(mem.Region, 0);
            ring.Initialize();
            Assert.Equal(0u, ring.ReqProd);
            Assert.Equal(0u, ring.RspProd);
            Assert.Equal(1u, ring.ReqEvent);
            Assert.Equal(1u, ring.RspEvent);
            Assert.All(mem.Region.Slice(16, 48).ToArray(), b => Assert.Equal(0, b));
        }

        [Theory]
        [InlineData(BlkifAbi.X86_64)]
        [InlineData(BlkifAbi.X86_32)]
        public void Indices_wrap_past_two_to_the_32_without_losing_entries(BlkifAbi abi)
        {
            using var mem = new RingTestMemory(1);
            var shared = new SharedRing(mem.Region, 0);
            shared.Initialize();
            uint start = uint.MaxValue - 40;
            shared.ReqProd = start;
            shared.RspProd = start;
            var front = new FrontRing(shared, abi);
            front.Attach(start);
            var back = new BackRing(shared, abi);
            back.Attach();

            ulong nextId = 0, expected = 0;
            for (int round = 0; round < 10; round++)
            {
                while (!front.IsFull)
                {
                    BlkifCodec.WriteRequest(front.NextRequestSlot(), abi, new BlkifRequest { Operation = BlkifOp.Read, Id = nextId++ });
                    front.Produce();
                }
                front.PushRequestsAndCheckNotify();
                Assert.Equal(32u, back.UnconsumedRequests);
                while (back.UnconsumedRequests > 0)
                {
                    BlkifCodec.ReadRequest(back.RequestSlot(back.ReqCons), abi, out var req);
                    back.ConsumeRequest();
                    BlkifCodec.WriteResponse(back.NextResponseSlot(), abi, new BlkifResponse(req.Id, req.Operation, BlkifStatus.Okay));
                    back.Produce();
                }
                back.PushResponsesAndCheckNotify();
                while (front.UnconsumedResponses > 0)
                {
                    BlkifCodec.ReadResponse(front.ResponseSlot(front.RspCons), abi, out var rsp);
                    front.ConsumeResponse();
                    Assert.Equal(expected++, rsp.Id);
                }
            }
            Assert.True(front.RspCons < start, "the index wrapped past 2^32");
            Assert.Equal(nextId, expected);
        }

        [Fact]
        public void Push_notifies_only_when_the_peer_event_index_is_in_the_new_range()
        {
            using var mem = new RingTestMemory(1);
            var shared = new SharedRing(mem.Region, 0);
            var front = new FrontRing(shared, BlkifAbi.X86_64);
            front.Initialize();

            front.Produce();
            Assert.True(front.PushRequestsAndCheckNotify(), "req_event = 1 lies in (0, 1]");
            front.Produce();
            Assert.False(front.PushRequestsAndCheckNotify(), "the backend has not asked to be woken at 2");
            shared.ReqEvent = 5;
            front.Produce();
            front.Produce();
            Assert.False(front.PushRequestsAndCheckNotify(), "5 is not in (2, 4]");
            front.Produce();
            Assert.True(front.PushRequestsAndCheckNotify(), "5 is in (4, 5]");
        }

        [Fact]
        public void Final_check_arms_the_event_index_then_looks_again()
        {
            using var mem = new RingTestMemory(1);
            var shared = new SharedRing(mem.Region, 0);
            var front = new FrontRing(shared, BlkifAbi.X86_64);
            front.Initialize();
            Assert.False(front.FinalCheckForResponses());
            Assert.Equal(1u, shared.RspEvent);

            var back = new BackRing(shared, BlkifAbi.X86_64);
            back.Attach();
            Assert.False(back.FinalCheckForRequests());
            Assert.Equal(1u, shared.ReqEvent);
            front.Produce();
            front.PushRequestsAndCheckNotify();
            Assert.True(back.FinalCheckForRequests());
        }

        [Fact]
        public void Overflow_checks_catch_a_peer_claiming_more_than_the_ring_holds()
        {
            using var mem = new RingTestMemory(1);
            var shared = new SharedRing(mem.Region, 0);
            shared.Initialize();
            var back = new BackRing(shared, BlkifAbi.X86_32);
            back.Attach();
            Assert.False(back.RequestProdOverflow(32));
            Assert.True(back.RequestProdOverflow(33));
            var front = new FrontRing(shared, BlkifAbi.X86_32);
            Assert.False(front.ResponseProdOverflow(32));
            Assert.True(front.ResponseProdOverflow(33));
            Assert.True(front.ResponseProdOverflow(uint.MaxValue), "a rsp_prod behind rsp_cons is a huge jump ahead");
        }

        [Fact]
        public void Layout_switch_is_refused_with_requests_outstanding()
        {
            using var mem = new RingTestMemory(1);
            var front = new FrontRing(new SharedRing(mem.Region, 0), BlkifAbi.X86_64);
            front.Initialize();
            front.Produce();
            Assert.Throws<InvalidOperationException>(() => front.SwitchAbi(BlkifAbi.X86_32));
        }

        [Theory]
        [InlineData(1)]
        [InlineData(4)]
        public void Multi_page_ring_entries_may_straddle_pages(int order)
        {
            using var mem = new RingTestMemory(1 << order);
            var shared = new SharedRing(mem.Region, order);
            shared.Initialize();
            int entries = shared.Entries(BlkifAbi.X86_64);
            var last = shared.Entry(BlkifAbi.X86_64, entries, (uint)entries - 1);
            Assert.Equal(112, last.Length);
            for (uint i = 0; i < entries; i++) BlkifCodec.WriteResponse(shared.Entry(BlkifAbi.X86_64, entries, i), BlkifAbi.X86_64, new BlkifResponse(i, 0, 0));
            for (uint i = 0; i < entries; i++)
            {
                BlkifCodec.ReadResponse(shared.Entry(BlkifAbi.X86_64, entries, i), BlkifAbi.X86_64, out var r);
                Assert.Equal(i, r.Id);
            }
        }
    }
}
