using System.Threading;

namespace XenVbd.Ring
{
    /// <summary>
    /// The frontend's private view of a shared ring (ring.h's <c>front_ring</c>): where it will
    /// produce the next request and where it consumes responses, plus the layout it believes in.
    /// The layout can change while the ring is quiescent, which is how the ABI probe switches.
    /// </summary>
    public sealed class FrontRing
    {
        public FrontRing(SharedRing shared, BlkifAbi abi)
        {
            Shared = shared;
            Abi = abi;
            Size = shared.Entries(abi);
        }

        public SharedRing Shared { get; }
        public BlkifAbi Abi { get; private set; }
        public int Size { get; private set; }

        /// <summary>req_prod_pvt: requests written but not yet published.</summary>
        public uint ReqProdPvt { get; private set; }

        /// <summary>rsp_cons: the next response to read.</summary>
        public uint RspCons { get; private set; }

        /// <summary>FRONT_RING_INIT with SHARED_RING_INIT (a fresh ring).</summary>
        public void Initialize()
        {
            Shared.Initialize();
            ReqProdPvt = 0;
            RspCons = 0;
        }

        /// <summary>FRONT_RING_ATTACH: take over a ring whose indices are already in use (the start index may be anywhere, e.g. near 2^32).</summary>
        public void Attach(uint start)
        {
            ReqProdPvt = start;
            RspCons = start;
        }

        public void SwitchAbi(BlkifAbi abi)
        {
            if (ReqProdPvt != RspCons)
                ThrowHelper.ThrowInvalidOperation("The ring layout can only change with no request outstanding (" + (ReqProdPvt - RspCons) + " are).");
            Abi = abi;
            Size = Shared.Entries(abi);
        }

        public int Outstanding => (int)(ReqProdPvt - RspCons);

        public int FreeRequests => Size - Outstanding;

        public bool IsFull => FreeRequests == 0;

        /// <summary>The slot the next request goes into (RING_GET_REQUEST at req_prod_pvt).</summary>
        public System.Span<byte> NextRequestSlot() => Shared.Entry(Abi, Size, ReqProdPvt);

        public void Produce() => ReqProdPvt++;

        /// <summary>RING_PUSH_REQUESTS_AND_CHECK_NOTIFY: publish, then notify only if the backend's req_event lies in (old, new].</summary>
        public bool PushRequestsAndCheckNotify()
        {
            uint old = Shared.ReqProd;
            uint now = ReqProdPvt;
            // xen_wmb(): the entries before the index. Shared.ReqProd is a Volatile.Write, a release store,
            // which is exactly that (a compiler barrier on x86, as Linux's virt_wmb; stlr on Arm).
            Shared.ReqProd = now;
            // xen_mb(): the index store before the event load is store→load ordering, the one reordering
            // x86 does; only a full fence stops it.
            Interlocked.MemoryBarrier();
            return (uint)(now - Shared.ReqEvent) < (uint)(now - old);
        }

        /// <summary>Responses published but not consumed; may exceed <see cref="Size"/> if the backend is lying.</summary>
        public uint UnconsumedResponses => Shared.RspProd - RspCons;

        /// <summary>RING_RESPONSE_PROD_OVERFLOW: a backend claiming more responses than requests could fit.</summary>
        public bool ResponseProdOverflow(uint rspProd) => (uint)(rspProd - RspCons) > (uint)Size;

        public System.Span<byte> ResponseSlot(uint index) => Shared.Entry(Abi, Size, index);

        public void ConsumeResponse() => RspCons++;

        /// <summary>RING_FINAL_CHECK_FOR_RESPONSES: before sleeping, ask to be woken at rsp_cons+1 and look once more.</summary>
        public bool FinalCheckForResponses()
        {
            if (UnconsumedResponses != 0) return true;
            Shared.RspEvent = RspCons + 1;
            Interlocked.MemoryBarrier();
            return UnconsumedResponses != 0;
        }
    }
}
