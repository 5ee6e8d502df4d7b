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
    }
}
