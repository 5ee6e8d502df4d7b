using System.Collections.Generic;
using XenVbd.Ring;
using XenVbd.Xen;

namespace XenVbd.Tests.Support
{
    /// <summary>
    /// One more ring and event channel of a <see cref="TestFrontend"/>'s domain, for multi-queue tests: published under
    /// <c>queue-N/</c> as Linux blkfront's talk_to_blkback writes them, driven like the frontend's own ring.
    /// </summary>
    public sealed class TestQueueRing
    {
        private readonly TestFrontend _frontend;

        public TestQueueRing(TestFrontend frontend, EventChannel? channel = null)
        {
            _frontend = frontend;
            Channel = channel ?? frontend.Host.AllocateEventChannel();
            uint frame = frontend.Memory.AllocatePages(1);
            RingRef = frontend.Grant(frame, readOnly: false);
            Shared = new SharedRing(frontend.Memory.Pages(frame, 1), 0);
            Shared.ClearAll();
        }

        public EventChannel Channel { get; }

        public uint RingRef { get; }

        public SharedRing Shared { get; }

        public uint ReqProdPvt { get; private set; }

        public uint RspCons { get; private set; }

        /// <summary>Writes ring-ref and event-channel into <paramref name="directory"/> (e.g. the frontend's <c>queue-1</c>).</summary>
        public void Publish(string directory)
        {
            _frontend.Store.Write(directory + "/ring-ref", RingRef);
            _frontend.Store.Write(directory + "/event-channel", Channel.Port);
        }

        public void Queue(byte op, ulong id, ulong sector, params BlkifSegment[] segments)
        {
            var r = new BlkifRequest { Operation = op, NrSegments = (byte)segments.Length, Handle = (ushort)_frontend.DeviceId, Id = id, SectorNumber = sector };
            for (int i = 0; i < segments.Length; i++) r.SetSegment(i, segments[i]);
            var abi = _frontend.Abi;
            BlkifCodec.WriteRequest(Shared.Entry(abi, Shared.Entries(abi), ReqProdPvt++), abi, r);
        }

        public void Push()
        {
            Shared.ReqProd = ReqProdPvt;
            Channel.Frontend.Notify();
        }

        public List<BlkifResponse> TakeResponses()
        {
            var abi = _frontend.Abi;
            var list = new List<BlkifResponse>();
            while (RspCons != Shared.RspProd)
            {
                BlkifCodec.ReadResponse(Shared.Entry(abi, Shared.Entries(abi), RspCons++), abi, out var r);
                list.Add(r);
            }
            Shared.RspEvent = RspCons + 1;
            return list;
        }
    }
}
