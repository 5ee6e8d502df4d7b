using System.Collections.Generic;
using XenVbd.Ring;

namespace XenVbd.Frontend
{
    /// <summary>One request the frontend has on the ring.</summary>
    public sealed class RingSlotInfo
    {
        public RingSlotInfo(uint ringIndex, int slot, int id, byte operation, ulong sector, int segments, bool orphaned, long ageTicks)
        {
            RingIndex = ringIndex;
            Slot = slot;
            Id = id;
            Operation = operation;
            Sector = sector;
            Segments = segments;
            Orphaned = orphaned;
            AgeTicks = ageTicks;
        }

        public uint RingIndex { get; }
        public int Slot { get; }
        public int Id { get; }
        public byte Operation { get; }
        public string OperationName => BlkifOp.Name(Operation);
        public ulong Sector { get; }
        public int Segments { get; }
        public bool Orphaned { get; }
        public long AgeTicks { get; }

        /// <summary>The frontend queue whose ring holds this request (0 for a single-queue frontend).</summary>
        public int Queue { get; init; }

        public override string ToString() => "[" + Slot + "] id=" + Id + " " + OperationName + " sector=" + Sector + " segs=" + Segments + (Orphaned ? " (orphaned)" : string.Empty);
    }

    /// <summary>The ring as the frontend sees it at one instant (for people; allocates).</summary>
    public sealed class RingSnapshot
    {
        public RingSnapshot(BlkifAbi abi, int ringPageOrder, int size, RingIndices shared, uint reqProdPvt, uint rspCons, IReadOnlyList<RingSlotInfo> inFlight)
        {
            Abi = abi;
            RingPageOrder = ringPageOrder;
            Size = size;
            Shared = shared;
            ReqProdPvt = reqProdPvt;
            RspCons = rspCons;
            InFlight = inFlight;
        }

        public BlkifAbi Abi { get; }
        public int RingPageOrder { get; }
        public int Size { get; }
        public RingIndices Shared { get; }
        public uint ReqProd => Shared.ReqProd;
        public uint RspProd => Shared.RspProd;
        public uint ReqEvent => Shared.ReqEvent;
        public uint RspEvent => Shared.RspEvent;
        public uint ReqProdPvt { get; }
        public uint RspCons { get; }
        public int Outstanding => (int)(ReqProdPvt - RspCons);
        public IReadOnlyList<RingSlotInfo> InFlight { get; }

        /// <summary>Which of the frontend's queues this ring is (0 for a single-queue frontend).</summary>
        public int Queue { get; init; }

        /// <summary>Queues the frontend uses on this connection.</summary>
        public int Queues { get; init; } = 1;

        /// <summary>Requests this queue put on its ring (all connections).</summary>
        public long Requests { get; init; }

        /// <summary>Responses this queue consumed.</summary>
        public long Responses { get; init; }

        /// <summary>Notifies this queue sent on its event channel.</summary>
        public long Notifies { get; init; }

        /// <summary>Events that came in on this queue's event channel.</summary>
        public long Interrupts { get; init; }

        /// <summary>Times this queue's work waited for a ring slot or a request id.</summary>
        public long RingFullWaits { get; init; }

        /// <summary>SRBs waiting in this queue for ring room.</summary>
        public int QueuedSrbs { get; init; }
    }
}
