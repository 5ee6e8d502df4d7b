using System;
using System.Collections.Generic;
#if NET
using System.Runtime.CompilerServices;
#endif
using System.Runtime.InteropServices;

namespace XenVbd.Xen
{
    /// <summary>
    /// A domain's memory as 4 KiB frames in one block that does not move: an anonymous mapping committed on
    /// first touch (Linux), a pinned array (elsewhere), or a memory-mapped file shared with another process. Guest physical address = frame * <see cref="XenPage.Size"/> + offset, so an SRB buffer at
    /// a chosen address has a real alignment. Pages are handed out once, at device creation: the
    /// driver may not allocate on the I/O path.
    /// </summary>
    public sealed unsafe class GuestMemory : IDisposable, ISnapshotContent
    {
        private readonly byte[]? _array;
        private GCHandle _handle;
        private readonly MemoryRegion _region;
        private readonly bool _external;
#if NET
        private readonly AnonymousMemory? _anonymous;
#endif
        private uint _nextFree;

        public GuestMemory(int domainId, int pageCount)
        {
            if (pageCount <= 0) ThrowHelper.ThrowArgumentOutOfRange(nameof(pageCount), pageCount, "A domain needs at least one page.");
            DomainId = domainId;
            PageCount = pageCount;
            // Frames start on a 4 KiB boundary as real machine frames do, so a page copy has no split loads or
            // stores (misaligned, a 4 KiB copy took ~13 % longer on the bench machine).
            int bytes = checked(pageCount * XenPage.Size + XenPage.Size - 1);
#if NET
            // Where the kernel offers it, an anonymous mapping: page-aligned already, and committed page by page
            // as the guest touches it, so a device's reserved-but-idle buffers cost nothing (1,000 devices fit).
            _anonymous = AnonymousMemory.TryCreate((long)pageCount * XenPage.Size);
            if (_anonymous != null)
            {
                _region = new MemoryRegion(_anonymous.Address, pageCount * XenPage.Size, _anonymous);
                return;
            }
            _array = GC.AllocateArray<byte>(bytes, pinned: true);
            byte* start = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
#else
            _array = new byte[bytes];
            _handle = GCHandle.Alloc(_array, GCHandleType.Pinned);
            byte* start = (byte*)_handle.AddrOfPinnedObject();
#endif
            byte* aligned = (byte*)(((ulong)start + XenPage.Size - 1) & ~(ulong)(XenPage.Size - 1));
            _region = new MemoryRegion(aligned, pageCount * XenPage.Size, this);
        }

        /// <summary>Guest memory that lives elsewhere (a shared file mapping); the caller owns its lifetime.</summary>
        public GuestMemory(int domainId, MemoryRegion external)
        {
            if (external.Length < XenPage.Size || external.Length % XenPage.Size != 0)
                ThrowHelper.ThrowArgument(nameof(external), "Guest memory must be a whole number of 4096-byte pages; got " + external.Length + " bytes.");
            DomainId = domainId;
            PageCount = external.Length / XenPage.Size;
            _region = external;
            _external = true;
        }

        public int DomainId { get; }

        public int PageCount { get; }

        public long ByteLength => (long)PageCount * XenPage.Size;

        public int PagesFree => PageCount - (int)_nextFree;

        public MemoryRegion Region => _region;

        /// <summary>Hands out <paramref name="count"/> consecutive zeroed frames (setup only).</summary>
        public uint AllocatePages(int count)
        {
            if (count <= 0) ThrowHelper.ThrowArgumentOutOfRange(nameof(count), count, "Page count must be positive.");
            if (count > PagesFree)
                throw new InsufficientMemoryException("Domain " + DomainId + " has " + PagesFree + " free pages; " + count + " were asked for.");
            uint first = _nextFree;
            _nextFree += (uint)count;
            // Own memory starts zeroed and a page is handed out once, so only memory shared with another
            // process needs clearing; clearing fresh pages would also commit every one of them.
            if (_external) Pages(first, count).Span.Clear();
            return first;
        }

        public MemoryRegion Page(uint frame) => Pages(frame, 1);

        public MemoryRegion Pages(uint frame, int count)
        {
            if (frame >= (uint)PageCount || count < 0 || count > PageCount - (int)frame)
                ThrowHelper.ThrowArgumentOutOfRange(nameof(frame), frame, "Frames [" + frame + ", +" + count + ") are outside domain " + DomainId + "'s " + PageCount + " pages.");
            return _region.SubRegion((int)frame * XenPage.Size, count * XenPage.Size);
        }

        /// <summary>Bytes at a guest physical address (may span frames).</summary>
        public Span<byte> At(ulong guestAddress, int length)
        {
            if (guestAddress > (ulong)ByteLength || (ulong)length > (ulong)ByteLength - guestAddress)
                ThrowHelper.ThrowArgumentOutOfRange(nameof(guestAddress), guestAddress, "Guest range [0x" + guestAddress.ToString("x") + ", +" + length + ") is outside domain " + DomainId + "'s memory.");
            return _region.Slice((int)guestAddress, length);
        }

        /// <summary>The non-zero pages of a snapshot (their numbers ascending, their bytes back to back) and a residency buffer for restores.</summary>
        private sealed class PageImage
        {
            public PageImage(int[] pages, byte[] data, byte[] residency)
            {
                Pages = pages;
                Data = data;
                Residency = residency;
            }

            public int[] Pages { get; }

            public byte[] Data { get; }

            public byte[] Residency { get; }
        }

        /// <summary>
        /// A device snapshot's copy of the mapping: the pages that were not zero. A pinned array needs nothing
        /// here (the snapshot copies it as a field); memory shared with another process cannot be put back.
        /// </summary>
        object? ISnapshotContent.CaptureContent()
        {
            if (_external) throw new NotSupportedException("Domain " + DomainId + "'s memory is shared with another process (a shared-memory file): a snapshot cannot put it back.");
#if NET
            if (_anonymous == null) return null;
            var pages = new List<int>();
            var data = new List<byte>();
            var all = _region.Span;
            // Reading an untouched page would map it (and every restore would then look at it): only resident pages can hold data.
            var residency = new byte[PageCount];
            bool known = !AnonymousMemory.SwapEnabled && _anonymous.TryGetResidency(residency);
            for (int p = 0; p < PageCount; p++)
            {
                if (known && (residency[p] & 1) == 0) continue;
                var page = all.Slice(p * XenPage.Size, XenPage.Size);
                if (page.IndexOfAnyExcept((byte)0) < 0) continue;
                pages.Add(p);
                data.AddRange(page.ToArray());
            }
            return new PageImage(pages.ToArray(), data.ToArray(), residency);
#else
            return null;
#endif
        }

        /// <summary>
        /// Back to the snapshot's bytes: every page touched since (the kernel's residency map says which)
        /// is zeroed or rewritten in place, so the next run finds it committed; untouched pages already read
        /// as zeros. With swap on, residency proves nothing, so every page is dropped and the image written again.
        /// </summary>
        void ISnapshotContent.RestoreContent(object? content, ISet<object> captured)
        {
#if NET
            if (content is not PageImage image || _anonymous == null) return;
            var all = _region.Span;
            if (AnonymousMemory.SwapEnabled || !_anonymous.TryGetResidency(image.Residency))
            {
                _anonymous.DiscardAll();
                for (int i = 0; i < image.Pages.Length; i++) image.Data.AsSpan(i * XenPage.Size, XenPage.Size).CopyTo(all.Slice(image.Pages[i] * XenPage.Size, XenPage.Size));
                return;
            }
            int next = 0;
            for (int p = 0; p < PageCount; p++)
            {
                bool hasImage = next < image.Pages.Length && image.Pages[next] == p;
                var page = all.Slice(p * XenPage.Size, XenPage.Size);
                if (hasImage)
                {
                    var want = image.Data.AsSpan(next * XenPage.Size, XenPage.Size);
                    if (!page.SequenceEqual(want)) want.CopyTo(page);
                    next++;
                }
                else if ((image.Residency[p] & 1) != 0 && page.IndexOfAnyExcept((byte)0) >= 0)
                {
                    page.Clear();
                }
            }
#endif
        }

        public void Dispose()
        {
            if (_handle.IsAllocated) _handle.Free();
#if NET
            _anonymous?.Release();
#endif
        }
    }
}
