using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace XenVbd.Ring
{
    /// <summary>
    /// The shared ring page(s), <c>blkif_sring</c>: four free-running u32 indices, padding to 64
    /// bytes, then the entries. Neither side owns it; <see cref="FrontRing"/> and <see cref="BackRing"/>
    /// are the two private views, each in its own ABI. Index reads and writes are volatile because in
    /// the shared-memory mode the peer is another process.
    /// </summary>
    public sealed unsafe class SharedRing
    {
        private readonly MemoryRegion _memory;

        public SharedRing(MemoryRegion memory, int ringPageOrder)
        {
            if ((uint)ringPageOrder > BlkifLayout.MaxRingPageOrder)
                ThrowHelper.ThrowArgumentOutOfRange(nameof(ringPageOrder), ringPageOrder, "Ring page order must be 0.." + BlkifLayout.MaxRingPageOrder + ".");
            int bytes = BlkifLayout.PageSize << ringPageOrder;
            if (memory.Length < bytes)
                ThrowHelper.ThrowArgument(nameof(memory), "A ring of order " + ringPageOrder + " needs " + bytes + " bytes; the region has " + memory.Length + ".");
            _memory = memory.SubRegion(0, bytes);
            RingPageOrder = ringPageOrder;
        }

        public int RingPageOrder { get; }

        public int PageCount => 1 << RingPageOrder;

        public int ByteLength => _memory.Length;

        public MemoryRegion Memory => _memory;

        public uint ReqProd
        {
            get => Volatile.Read(ref Field(BlkifLayout.ReqProdOffset));
            set => Volatile.Write(ref Field(BlkifLayout.ReqProdOffset), value);
        }

        public uint ReqEvent
        {
            get => Volatile.Read(ref Field(BlkifLayout.ReqEventOffset));
            set => Volatile.Write(ref Field(BlkifLayout.ReqEventOffset), value);
        }

        public uint RspProd
        {
            get => Volatile.Read(ref Field(BlkifLayout.RspProdOffset));
            set => Volatile.Write(ref Field(BlkifLayout.RspProdOffset), value);
        }

        public uint RspEvent
        {
            get => Volatile.Read(ref Field(BlkifLayout.RspEventOffset));
            set => Volatile.Write(ref Field(BlkifLayout.RspEventOffset), value);
        }

        /// <summary>Entries in this ring for an ABI (the same for both ABIs at every order).</summary>
        public int Entries(BlkifAbi abi) => BlkifLayout.RingEntries(abi, RingPageOrder);

        /// <summary>SHARED_RING_INIT: indices to 0, event indices to 1, padding zeroed.</summary>
        public void Initialize()
        {
            _memory.Slice(0, BlkifLayout.RingHeaderSize).Clear();
            ReqEvent = 1;
            RspEvent = 1;
        }

        /// <summary>Zeroes the whole ring area, entries included (the probe needs zeros where it does not write).</summary>
        public void ClearAll()
        {
            _memory.Span.Clear();
            ReqEvent = 1;
            RspEvent = 1;
        }

        /// <summary>The bytes of ring slot <c>index &amp; (size-1)</c> as an ABI lays it out.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Span<byte> Entry(BlkifAbi abi, int entries, uint index)
        {
            int stride = BlkifLayout.EntryStride(abi);
            int offset = BlkifLayout.RingHeaderSize + (int)(index & (uint)(entries - 1)) * stride;
            return new Span<byte>(_memory.Address + offset, stride);
        }

        /// <summary>A read-only copy of the header for display: prods, events.</summary>
        public RingIndices Snapshot() => new RingIndices(ReqProd, ReqEvent, RspProd, RspEvent);

        private ref uint Field(int offset) => ref Unsafe.AsRef<uint>(_memory.Address + offset);
    }

    /// <summary>The four shared indices at one instant.</summary>
    public readonly struct RingIndices
    {
        public RingIndices(uint reqProd, uint reqEvent, uint rspProd, uint rspEvent)
        {
            ReqProd = reqProd;
            ReqEvent = reqEvent;
            RspProd = rspProd;
            RspEvent = rspEvent;
        }

        public uint ReqProd { get; }
        public uint ReqEvent { get; }
        public uint RspProd { get; }
        public uint RspEvent { get; }
    }
}
