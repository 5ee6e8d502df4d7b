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

        /// <summary>
        /// The ring's pages where they lie, when they are not one run of memory (null otherwise). A real backend
        /// maps each ring-refN page wherever the frontend put it and sees them side by side in its own address
        /// space (Linux: xenbus_map_ring_valloc; QEMU: xengnttab_map_domain_grant_refs). This model has no
        /// address space of its own, so it keeps the pages and splits the entries that straddle two of them.
        /// </summary>
        private readonly MemoryRegion[]? _pages;

        /// <summary>A ring over the pages a backend mapped, one per ring-refN, in ring order, wherever each lies.</summary>
        public SharedRing(MemoryRegion[] pages, int ringPageOrder)
        {
            if (pages == null) ThrowHelper.ThrowArgument(nameof(pages), "The ring's pages are required.");
            if ((uint)ringPageOrder > BlkifLayout.MaxRingPageOrder)
                ThrowHelper.ThrowArgumentOutOfRange(nameof(ringPageOrder), ringPageOrder, "Ring page order must be 0.." + BlkifLayout.MaxRingPageOrder + ".");
            if (pages!.Length != 1 << ringPageOrder)
                ThrowHelper.ThrowArgument(nameof(pages), "A ring of order " + ringPageOrder + " has " + (1 << ringPageOrder) + " pages; " + pages.Length + " were given.");
            bool consecutive = true;
            for (int i = 0; i < pages.Length; i++)
            {
                if (pages[i].Length < XenPage.Size) ThrowHelper.ThrowArgument(nameof(pages), "Ring page " + i + " has " + pages[i].Length + " bytes, not " + XenPage.Size + ".");
                if (pages[i].Address != pages[0].Address + (long)i * XenPage.Size) consecutive = false;
            }
            RingPageOrder = ringPageOrder;
            if (consecutive)
            {
                _memory = new MemoryRegion(pages[0].Address, XenPage.Size << ringPageOrder, pages[0].Owner);
                return;
            }
            _memory = pages[0].SubRegion(0, XenPage.Size);
            _pages = new MemoryRegion[pages.Length];
            for (int i = 0; i < pages.Length; i++) _pages[i] = pages[i].SubRegion(0, XenPage.Size);
        }

        public SharedRing(MemoryRegion memory, int ringPageOrder)
        {
            if ((uint)ringPageOrder > BlkifLayout.MaxRingPageOrder)
                ThrowHelper.ThrowArgumentOutOfRange(nameof(ringPageOrder), ringPageOrder, "Ring page order must be 0.." + BlkifLayout.MaxRingPageOrder + ".");
            int bytes = XenPage.Size << ringPageOrder;
            if (memory.Length < bytes)
                ThrowHelper.ThrowArgument(nameof(memory), "A ring of order " + ringPageOrder + " needs " + bytes + " bytes; the region has " + memory.Length + ".");
            _memory = memory.SubRegion(0, bytes);
            RingPageOrder = ringPageOrder;
        }

        public int RingPageOrder { get; }

        public int PageCount => 1 << RingPageOrder;

        public int ByteLength => XenPage.Size << RingPageOrder;

        /// <summary>The ring as one region; for a ring on scattered pages only its first page (the header's).</summary>
        public MemoryRegion Memory => _memory;

        /// <summary>The pages are not one run of memory: entries that straddle two go through <see cref="CopyEntry"/> and <see cref="WriteEntry"/>.</summary>
        public bool IsScattered => _pages != null;

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
            if (_pages != null) foreach (var page in _pages) page.Span.Clear();
            else _memory.Span.Clear();
            ReqEvent = 1;
            RspEvent = 1;
        }

        /// <summary>The bytes of ring slot <c>index &amp; (size-1)</c> as an ABI lays it out.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Span<byte> Entry(BlkifAbi abi, int entries, uint index)
        {
            int stride = BlkifLayout.EntryStride(abi);
            int offset = BlkifLayout.RingHeaderSize + (int)(index & (uint)(entries - 1)) * stride;
            if (_pages == null) return new Span<byte>(_memory.Address + offset, stride);
            int inPage = offset & (XenPage.Size - 1);
            if (inPage + stride > XenPage.Size)
                ThrowHelper.ThrowInvalidOperation("Ring entry " + index + " straddles two ring pages that are not side by side; use CopyEntry/WriteEntry.");
            return new Span<byte>(_pages[offset / XenPage.Size].Address + inPage, stride);
        }

        /// <summary>Whether <see cref="Entry"/> can hand out the slot as one span (always, unless the pages are scattered and it straddles two).</summary>
        public bool EntryIsContiguous(BlkifAbi abi, int entries, uint index)
        {
            if (_pages == null) return true;
            int stride = BlkifLayout.EntryStride(abi);
            int offset = BlkifLayout.RingHeaderSize + (int)(index & (uint)(entries - 1)) * stride;
            return (offset & (XenPage.Size - 1)) + stride <= XenPage.Size;
        }

        /// <summary>Copies the first <c>destination.Length</c> bytes of a slot, from whichever pages hold them.</summary>
        public void CopyEntry(BlkifAbi abi, int entries, uint index, Span<byte> destination)
        {
            int offset = BlkifLayout.RingHeaderSize + (int)(index & (uint)(entries - 1)) * BlkifLayout.EntryStride(abi);
            for (int done = 0; done < destination.Length;)
            {
                int at = offset + done, inPage = at & (XenPage.Size - 1);
                int n = Math.Min(destination.Length - done, XenPage.Size - inPage);
                new ReadOnlySpan<byte>(PageAddress(at / XenPage.Size) + inPage, n).CopyTo(destination.Slice(done));
                done += n;
            }
        }

        /// <summary>Writes <paramref name="source"/> over the start of a slot, into whichever pages hold it.</summary>
        public void WriteEntry(BlkifAbi abi, int entries, uint index, ReadOnlySpan<byte> source)
        {
            int offset = BlkifLayout.RingHeaderSize + (int)(index & (uint)(entries - 1)) * BlkifLayout.EntryStride(abi);
            for (int done = 0; done < source.Length;)
            {
                int at = offset + done, inPage = at & (XenPage.Size - 1);
                int n = Math.Min(source.Length - done, XenPage.Size - inPage);
                source.Slice(done, n).CopyTo(new Span<byte>(PageAddress(at / XenPage.Size) + inPage, n));
                done += n;
            }
        }

        private byte* PageAddress(int page) => _pages == null ? _memory.Address + (long)page * XenPage.Size : _pages[page].Address;

        /// <summary>A read-only copy of the header for display: prods, events.</summary>
        public RingIndices Snapshot() => new RingIndices(ReqProd, ReqEvent, RspProd, RspEvent);

        private ref uint Field(int offset) => ref Unsafe.AsRef<uint>(_memory.Address + offset);
    }

    /// <summary>The four shared indices at one instant.</summary>
    public readonly record struct RingIndices(uint ReqProd, uint ReqEvent, uint RspProd, uint RspEvent);
}
