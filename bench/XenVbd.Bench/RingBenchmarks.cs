using System;
using BenchmarkDotNet.Attributes;
using XenVbd.Ring;
using XenVbd.Xen;

namespace XenVbd.Bench
{
    /// <summary>The protocol's inner loops in isolation: codecs, a full ring round trip, grant map, page copy.</summary>
    [MemoryDiagnoser]
    public class RingBenchmarks
    {
        private GuestMemory _memory = null!;
        private SharedRing _shared = null!;
        private FrontRing _front = null!;
        private BackRing _back = null!;
        private GrantTable _grants = null!;
        private uint _gref;
        private byte[] _entry = new byte[112];
        private byte[] _source = new byte[4096];
        private byte[] _dest = new byte[4096];
        private BlkifRequest _request;

        [Params(BlkifAbi.X86_32, BlkifAbi.X86_64)]
        public BlkifAbi Abi { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            var host = new XenHost();
            var domU = host.CreateDomain(1, 64);
            _memory = domU.Memory;
            _grants = domU.Grants;
            uint ringFrame = _memory.AllocatePages(1);
            _shared = new SharedRing(_memory.Page(ringFrame), 0);
            _front = new FrontRing(_shared, Abi);
            _front.Initialize();
            _back = new BackRing(_shared, Abi);
            _back.Attach();
            _gref = _grants.ClaimReference();
            _grants.GrantAccess(_gref, 0, _memory.AllocatePages(1), readOnly: false);
            _request = new BlkifRequest { Operation = BlkifOp.Read, NrSegments = 11, Id = 7, SectorNumber = 1234 };
            for (int i = 0; i < 11; i++) _request.SetSegment(i, new BlkifSegment((uint)i + 8, 0, 7));
        }

        [Benchmark]
        public void EncodeRequest() => BlkifCodec.WriteRequest(_entry, Abi, _request);

        [Benchmark]
        public ulong DecodeRequest()
        {
            BlkifCodec.ReadRequest(_entry, Abi, out var r);
            return r.Id;
        }

        /// <summary>One request through the ring and its response back, as both ends do it.</summary>
        [Benchmark]
        public ulong RingRoundTrip()
        {
            BlkifCodec.WriteRequest(_front.NextRequestSlot(), Abi, _request);
            _front.Produce();
            _front.PushRequestsAndCheckNotify();
            BlkifCodec.ReadRequest(_back.RequestSlot(_back.ReqCons), Abi, out var req);
            _back.ConsumeRequest();
            BlkifCodec.WriteResponse(_back.NextResponseSlot(), Abi, new BlkifResponse(req.Id, req.Operation, BlkifStatus.Okay));
            _back.Produce();
            _back.PushResponsesAndCheckNotify();
            BlkifCodec.ReadResponse(_front.ResponseSlot(_front.RspCons), Abi, out var rsp);
            _front.ConsumeResponse();
            return rsp.Id;
        }

        [Benchmark]
        public int GrantMapUnmap()
        {
            var status = _grants.Map(_gref, 0, writable: true, out var page);
            _grants.Unmap(_gref);
            return (int)status + page.Length;
        }

        /// <summary>The bounce copy: one page, the unit every bounce strategy moves.</summary>
        [Benchmark]
        public void PageCopy() => _source.AsSpan().CopyTo(_dest);
    }
}
