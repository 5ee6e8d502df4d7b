using XenVbd.Ring;

namespace XenVbd.Frontend
{
    /// <summary>
    /// XSA-403: a grant exposes a whole 4 KiB page, so every byte of a page the frontend grants that is
    /// not part of the transfer must be zero — otherwise the backend reads whatever an earlier SRB (or the
    /// driver) left there. Ring, indirect and scratch pages are zeroed before they are granted; bounce
    /// pages are scrubbed each pass here. The guest's own buffers, granted directly when aligned, are the
    /// guest's business with a trusted backend; <see cref="FrontendOptions.UntrustedBackend"/> bounces
    /// everything so the backend never sees them at all (Linux blkfront's <c>trusted=0</c>).
    /// </summary>
    public sealed partial class XenVbdFrontend
    {
        /// <summary>
        /// Zeroes what the backend could see of the current bounce window's pages besides the data: for a
        /// READ the whole span (the backend fills the window; nothing stale shows through before it does),
        /// for a WRITE the bytes around the copied data. Called before any of the window is granted; touches
        /// only the window's own pages, allocation-free.
        /// </summary>
        private void ScrubBounceWindow(SrbExtension ext, bool read)
        {
            const int page = BlkifLayout.PageSize;
            if (ext.WindowPaged)
            {
                // Pool pages: the window starts at offset 0 of its first frame, one frame per 4 KiB.
                int pages = (ext.WindowBytes + page - 1) / page;
                for (int i = 0; i < pages; i++)
                {
                    var span = _memory.Page(ext.WindowFrames[i]).Span;
                    int used = read ? 0 : System.Math.Min(page, ext.WindowBytes - i * page);
                    span.Slice(used).Clear();
                }

                return;
            }

            ulong start = ext.WindowBase;
            ulong end = start + (ulong)ext.WindowBytes;
            ulong first = start / page * page;
            ulong last = (end + page - 1) / page * page;
            if (read)
            {
                _memory.At(first, (int)(last - first)).Clear();
                return;
            }

            if (start > first) _memory.At(first, (int)(start - first)).Clear();
            if (last > end) _memory.At(end, (int)(last - end)).Clear();
        }
    }
}
