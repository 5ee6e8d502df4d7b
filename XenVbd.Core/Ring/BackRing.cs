using System;
using System.Threading;

namespace XenVbd.Ring
{
    /// <summary>
    /// The backend's private view of a shared ring (ring.h's <c>back_ring</c>): where it consumes
    /// requests and produces responses, in the layout the backend chose.
    /// </summary>
    public sealed class BackRing
    {
        public BackRing(SharedRing shared, BlkifAbi abi)
        {
            Shared = shared;
            Abi = abi;
            Size = shared.Entries(abi);
            _scratch = new byte[BlkifLayout.RequestSize(BlkifAbi.X86_64)];
        }

        /// <summary>A straddling slot of a ring on scattered pages is read and written through this (made once).</summary>
        private readonly byte[] _scratch;

        public SharedRing Shared { get; }
        public BlkifAbi Abi { get; }
        public int Size { get; }

        /// <summary>rsp_prod_pvt: responses written but not yet published.</summary>
        public uint RspProdPvt { get; private set; }

        /// <summary>req_cons: the next request to read.</summary>
        public uint ReqCons { get; private set; }

        /// <summary>BACK_RING_ATTACH at the ring's current position (a backend connects to a ring the frontend initialised).</summary>
        public void Attach()
        {
            RspProdPvt = Shared.RspProd;
            ReqCons = RspProdPvt;
        }

        /// <summary>RING_REQUEST_PROD_OVERFLOW: a frontend claiming more requests than the ring holds.</summary>
        public bool RequestProdOverflow(uint reqProd) => (uint)(reqProd - RspProdPvt) > (uint)Size;

        /// <summary>RING_REQUEST_CONS_OVERFLOW: consuming this request would leave no room for its response.</summary>
        public bool RequestConsOverflow(uint cons) => (uint)(cons - RspProdPvt) >= (uint)Size;

        /// <summary>RING_HAS_UNCONSUMED_REQUESTS: requests published, limited by the responses room.</summary>
        public uint UnconsumedRequests
        {
            get
            {
                uint req = Shared.ReqProd - ReqCons;
                uint rsp = (uint)Size - (ReqCons - RspProdPvt);
                return req < rsp ? req : rsp;
            }
        }

        public System.Span<byte> RequestSlot(uint index) => Shared.Entry(Abi, Size, index);

        /// <summary>The XSA-155 copy of a request slot, wherever its bytes lie (a ring on scattered pages may split it).</summary>
        public void CopyRequest(uint index, System.Span<byte> destination)
        {
            if (Shared.EntryIsContiguous(Abi, Size, index)) Shared.Entry(Abi, Size, index).Slice(0, destination.Length).CopyTo(destination);
            else Shared.CopyEntry(Abi, Size, index, destination);
        }

        /// <summary>A look at a request slot: the slot itself, or a copy of it when it straddles two scattered pages.</summary>
        public System.ReadOnlySpan<byte> PeekRequest(uint index)
        {
            if (Shared.EntryIsContiguous(Abi, Size, index)) return Shared.Entry(Abi, Size, index);
            var copy = _scratch.AsSpan(0, BlkifLayout.EntryStride(Abi));
            Shared.CopyEntry(Abi, Size, index, copy);
            return copy;
        }

        /// <summary>
        /// Writes the next response (not yet produced). <paramref name="fieldsOnly"/>: id, operation and status only
        /// (QEMU); otherwise the response area zeroed first (Linux's make_response, XSA-216).
        /// </summary>
        public void WriteResponse(in BlkifResponse response, bool fieldsOnly)
        {
            int size = BlkifLayout.ResponseSize(Abi);
            bool whole = Shared.EntryIsContiguous(Abi, Size, RspProdPvt);
            System.Span<byte> slot = whole ? Shared.Entry(Abi, Size, RspProdPvt) : _scratch.AsSpan(0, size);
            if (!whole) Shared.CopyEntry(Abi, Size, RspProdPvt, slot);
            if (fieldsOnly) BlkifCodec.WriteResponseFields(slot, Abi, response);
            else BlkifCodec.WriteResponse(slot, Abi, response);
            if (!whole) Shared.WriteEntry(Abi, Size, RspProdPvt, slot);
        }

        public void ConsumeRequest() => ReqCons++;

        public System.Span<byte> NextResponseSlot() => Shared.Entry(Abi, Size, RspProdPvt);

        public void Produce() => RspProdPvt++;

        /// <summary>RING_PUSH_RESPONSES_AND_CHECK_NOTIFY.</summary>
        public bool PushResponsesAndCheckNotify()
        {
            uint old = Shared.RspProd;
            uint now = RspProdPvt;
            // xen_wmb(): the entries before the index. Shared.RspProd is a Volatile.Write, a release store,
            // which is exactly that (a compiler barrier on x86, as Linux's virt_wmb; stlr on Arm).
            Shared.RspProd = now;
            // xen_mb(): the index store before the event load is store→load ordering, the one reordering
            // x86 does; only a full fence stops it.
            Interlocked.MemoryBarrier();
            return (uint)(now - Shared.RspEvent) < (uint)(now - old);
        }

        /// <summary>RING_FINAL_CHECK_FOR_REQUESTS: before idling, ask to be woken at req_cons+1 and look once more.</summary>
        public bool FinalCheckForRequests()
        {
            if (UnconsumedRequests != 0) return true;
            Shared.ReqEvent = ReqCons + 1;
            Interlocked.MemoryBarrier();
            return UnconsumedRequests != 0;
        }
    }
}
