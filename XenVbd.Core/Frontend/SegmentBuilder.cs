using System;
using XenVbd.Ring;

namespace XenVbd.Frontend
{
    /// <summary>
    /// Cuts a sector-aligned buffer into blkif segments: one per 4 KiB frame it touches, each naming
    /// the first and last 512-byte sector used inside that frame. A buffer that is not 512-byte
    /// aligned cannot be described this way at all — that is what bounce buffers are for.
    /// </summary>
    public static class SegmentBuilder
    {
        /// <summary>
        /// Segments for up to <paramref name="length"/> bytes at <paramref name="address"/>, at most
        /// <paramref name="maxSegments"/> of them; returns how many were written and the bytes they cover.
        /// </summary>
        public static int Split(ulong address, int length, int maxSegments, Span<PageSegment> destination, out int bytes)
        {
            if ((address & (BlkifLayout.SectorSize - 1)) != 0 || (length & (BlkifLayout.SectorSize - 1)) != 0)
                ThrowHelper.ThrowArgument(nameof(address), "Segments need a 512-byte aligned address and length.");
            int n = 0;
            bytes = 0;
            int limit = Math.Min(maxSegments, destination.Length);
            while (bytes < length && n < limit)
            {
                ulong a = address + (ulong)bytes;
                int inPage = (int)(a & (XenPage.Size - 1));
                int take = Math.Min(XenPage.Size - inPage, length - bytes);
                int first = inPage / BlkifLayout.SectorSize;
                int last = first + take / BlkifLayout.SectorSize - 1;
                destination[n++] = new PageSegment((uint)(a / XenPage.Size), (byte)first, (byte)last);
                bytes += take;
            }

            return n;
        }

        /// <summary>Frames an aligned buffer touches: the segments a transfer of it needs.</summary>
        public static int SegmentsNeeded(ulong address, int length)
        {
            if (length <= 0) return 0;
            ulong first = address / XenPage.Size;
            ulong last = (address + (ulong)length - 1) / XenPage.Size;
            return (int)(last - first + 1);
        }
    }
}
