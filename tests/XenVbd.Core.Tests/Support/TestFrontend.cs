using System;
using System.Collections.Generic;
using XenVbd.Ring;
using XenVbd.Xen;

namespace XenVbd.Tests.Support
{
    /// <summary>
    /// A frontend double for backend tests, and the rogue frontend too: it owns a domU, grants a ring
    /// and data pages to dom0, does the XenBus handshake by writing keys, and writes raw request bytes
    /// into ring slots in whichever layout a test asks for. It keeps its own producer index so a test can
    /// publish anything, including a req_prod no honest frontend would.
    /// </summary>
    public sealed class TestFrontend
    {
        public const int DefaultDeviceId = 51712;

        private readonly XenHost _host;

        public XenHost Host => _host;

        public TestFrontend(XenHost host, int domainId = 1, int deviceId = DefaultDeviceId, int pages = 1024, int ringPageOrder = 0)
        {
            _host = host;
            Domain = host.CreateDomain(domainId, pages);
            DeviceId = deviceId;
            Path = XenbusPaths.Frontend(domainId, deviceId);
            BackendPath = XenbusPaths.Backend(0, domainId, deviceId);
            Channel = host.AllocateEventChannel();
            Channel.Frontend.Handler = new CountingHandler(this);
            SetUpRing(ringPageOrder);
        }

        public Domain Domain { get; }

        public GuestMemory Memory => Domain.Memory;

        public GrantTable Grants => Domain.Grants;

        public int DeviceId { get; }

        public string Path { get; }

        public string BackendPath { get; }

        public EventChannel Channel { get; }

        public SharedRing Shared { get; private set; } = null!;

        public uint[] RingRefs { get; private set; } = Array.Empty<uint>();

        public uint RingFirstFrame { get; private set; }

        /// <summary>The layout this frontend writes requests and reads responses in.</summary>
        public BlkifAbi Abi { get; set; } = BlkifAbi.X86_64;

        public int RingSize => Shared.Entries(Abi);

        public uint ReqProdPvt { get; set; }

        public uint RspCons { get; set; }

        /// <summary>Upcalls the frontend's end received (backend notifications).</summary>
        public int EventsReceived { get; private set; }

        public XenStore Store => _host.Store;

        public XenbusState BackendState => (XenbusState)Store.ReadInt64OrDefault(BackendPath + "/state", 0);

        /// <summary>Allocates a fresh ring (consecutive frames, zeroed), grants it writable to dom0.</summary>
        public void SetUpRing(int ringPageOrder)
        {
            int pages = 1 << ringPageOrder;
            RingFirstFrame = Memory.AllocatePages(pages);
            RingRefs = new uint[pages];
            for (int i = 0; i < pages; i++) RingRefs[i] = Grant(RingFirstFrame + (uint)i, readOnly: false);
            Shared = new SharedRing(Memory.Pages(RingFirstFrame, pages), ringPageOrder);
            Shared.ClearAll();
            ReqProdPvt = 0;
            RspCons = 0;
        }

        /// <summary>Writes ring-ref (or ring-page-order + ring-refN), event-channel and, unless null, protocol.</summary>
        public void PublishRing(string? protocol)
        {
            if (RingRefs.Length == 1)
            {
                Store.Write(Path + "/ring-ref", RingRefs[0]);
            }
            else
            {
                Store.Write(Path + "/ring-page-order", Shared.RingPageOrder);
                for (int i = 0; i < RingRefs.Length; i++) Store.Write(Path + "/ring-ref" + i, RingRefs[i]);
            }
            Store.Write(Path + "/event-channel", Channel.Port);
            if (protocol != null) Store.Write(Path + "/protocol", protocol);
            else if (Store.Exists(Path + "/protocol")) Store.Remove(Path + "/protocol");
        }

        public void SetState(XenbusState state) => Store.Write(Path + "/state", (int)state);

        /// <summary>The whole handshake: ring keys, Initialised, wait for the backend, Connected.</summary>
        public void Connect(string? protocol)
        {
            PublishRing(protocol);
            SetState(XenbusState.Initialised);
            Run();
            SetState(XenbusState.Connected);
            Run();
        }

        public void Run(long maxEvents = 1_000_000) => _host.Scheduler.RunUntilIdle(maxEvents);

        public uint AllocatePage() => Memory.AllocatePages(1);

        public uint Grant(uint frame, bool readOnly)
        {
            uint gref = Grants.ClaimReference();
            Grants.GrantAccess(gref, 0, frame, readOnly);
            return gref;
        }

        /// <summary>A fresh page granted to dom0: (frame, gref).</summary>
        public (uint Frame, uint Gref) GrantNewPage(bool readOnly = false)
        {
            uint frame = AllocatePage();
            return (frame, Grant(frame, readOnly));
        }

        public Span<byte> Page(uint frame) => Memory.Page(frame).Span;

        /// <summary>The bytes of ring slot <paramref name="index"/> as <paramref name="abi"/> (default: this frontend's) lays them out.</summary>
        public Span<byte> Slot(uint index, BlkifAbi? abi = null)
        {
            var a = abi ?? Abi;
            return Shared.Entry(a, Shared.Entries(a), index);
        }

        /// <summary>Queues a read/write/barrier/flush request with the given segments; returns its ring index.</summary>
        public uint Queue(byte op, ulong id, ulong sector, params BlkifSegment[] segments)
        {
            var r = new BlkifRequest { Operation = op, NrSegments = (byte)segments.Length, Handle = (ushort)DeviceId, Id = id, SectorNumber = sector };
            for (int i = 0; i < segments.Length; i++) r.SetSegment(i, segments[i]);
            uint index = ReqProdPvt++;
            BlkifCodec.WriteRequest(Slot(index), Abi, r);
            return index;
        }

        public uint QueueDiscard(ulong id, ulong sector, ulong sectors, byte flag = 0)
        {
            var d = new BlkifDiscardRequest { Operation = BlkifOp.Discard, Flag = flag, Handle = (ushort)DeviceId, Id = id, SectorNumber = sector, NrSectors = sectors };
            uint index = ReqProdPvt++;
            BlkifCodec.WriteDiscard(Slot(index), Abi, d);
            return index;
        }

        public uint QueueIndirect(byte indirectOp, ulong id, ulong sector, ushort nrSegments, params uint[] indirectGrefs)
        {
            var r = new BlkifIndirectRequest { Operation = BlkifOp.Indirect, IndirectOp = indirectOp, NrSegments = nrSegments, Handle = (ushort)DeviceId, Id = id, SectorNumber = sector };
            for (int i = 0; i < indirectGrefs.Length; i++) r.SetIndirectGref(i, indirectGrefs[i]);
            uint index = ReqProdPvt++;
            BlkifCodec.WriteIndirect(Slot(index), Abi, r);
            return index;
        }

        /// <summary>Queues raw bytes as the next request (the rogue frontend's way).</summary>
        public uint QueueRaw(ReadOnlySpan<byte> bytes)
        {
            uint index = ReqProdPvt++;
            var slot = Slot(index);
            slot.Clear();
            bytes.Slice(0, Math.Min(bytes.Length, slot.Length)).CopyTo(slot);
            return index;
        }

        /// <summary>Publishes req_prod and notifies if ring.h's rule says the backend wants it (or always, when asked).</summary>
        public void Push(bool forceNotify = false)
        {
            uint old = Shared.ReqProd;
            uint now = ReqProdPvt;
            Shared.ReqProd = now;
            bool notify = (uint)(now - Shared.ReqEvent) < (uint)(now - old);
            if (notify || forceNotify) Channel.Frontend.Notify();
        }

        /// <summary>Publishes an arbitrary req_prod (a lying frontend) and notifies.</summary>
        public void PushRaw(uint reqProd)
        {
            Shared.ReqProd = reqProd;
            Channel.Frontend.Notify();
        }

        public BlkifResponse ResponseAt(uint index, BlkifAbi? abi = null)
        {
            BlkifCodec.ReadResponse(Slot(index, abi), abi ?? Abi, out var r);
            return r;
        }

        /// <summary>Reads every published response not yet consumed, in ring order.</summary>
        public List<BlkifResponse> TakeResponses()
        {
            var list = new List<BlkifResponse>();
            uint prod = Shared.RspProd;
            while (RspCons != prod)
            {
                list.Add(ResponseAt(RspCons));
                RspCons++;
            }
            Shared.RspEvent = RspCons + 1;
            return list;
        }

        /// <summary>Queue, push, run, and return the one response.</summary>
        public BlkifResponse Submit(byte op, ulong id, ulong sector, params BlkifSegment[] segments)
        {
            Queue(op, id, sector, segments);
            Push();
            Run();
            var rs = TakeResponses();
            Assert.Single(rs);
            return rs[0];
        }

        private sealed class CountingHandler : IEventChannelHandler
        {
            private readonly TestFrontend _owner;

            public CountingHandler(TestFrontend owner) => _owner = owner;

            public void OnEvent(EventChannelEnd end) => _owner.EventsReceived++;
        }
    }
}
