using System;
using XenVbd.Xen;

namespace XenVbd.Frontend
{
    /// <summary>
    /// The Xen Project driver's way: bounce page by page from a pool. A pass takes as many pages as it
    /// needs (up to one request's worth) or as many as are free, so SRBs share the pool instead of
    /// queueing behind one buffer.
    /// </summary>
    internal sealed class SegmentPoolBounce : IBounceStrategy
    {
        private readonly uint[] _free;
        private int _freeCount;

        public SegmentPoolBounce(GuestMemory memory, int pages)
        {
            if (pages < BounceLimits.MaxPagesPerPass)
                ThrowHelper.ThrowArgumentOutOfRange(nameof(pages), pages, "The segment pool needs at least one request's worth (" + BounceLimits.MaxPagesPerPass + ") of pages.");
            uint first = memory.AllocatePages(pages);
            _free = new uint[pages];
            for (int i = pages - 1; i >= 0; i--) _free[_freeCount++] = first + (uint)i;
            PagesReserved = pages;
        }

        public BounceStrategyKind Kind => BounceStrategyKind.SegmentPool;

        public int PassCapacityBytes => BounceLimits.MaxPagesPerPass * XenPage.Size;

        public int PagesReserved { get; }

        public bool Busy => false;

        public int TryOpen(SrbExtension extension, int wantBytes, int unit)
        {
            int pagesWanted = (Math.Min(wantBytes, PassCapacityBytes) + XenPage.Size - 1) / XenPage.Size;
            int pages = Math.Min(pagesWanted, _freeCount);
            int bytes = Math.Min(wantBytes, pages * XenPage.Size) / unit * unit;
            if (bytes == 0) return 0;
            pages = (bytes + XenPage.Size - 1) / XenPage.Size;
            for (int i = 0; i < pages; i++) extension.WindowFrames[i] = _free[--_freeCount];
            extension.WindowFrameCount = pages;
            extension.WindowPaged = true;
            return bytes;
        }

        public void Release(SrbExtension extension)
        {
            for (int i = 0; i < extension.WindowFrameCount; i++) _free[_freeCount++] = extension.WindowFrames[i];
            extension.WindowFrameCount = 0;
            extension.WindowPaged = false;
        }
    }
}
