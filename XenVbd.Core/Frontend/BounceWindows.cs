using System;
using XenVbd.Ring;
using XenVbd.Sim;

namespace XenVbd.Frontend
{
    /// <summary>
    /// An SRB's transfer goes out window by window: the SRB's own buffer when it can be granted as it is, else one
    /// bounce pass of the personality's strategy (GPLPV 2008's 4 KiB SRB extension, 2012's one 11-page device buffer,
    /// a page pool). This part opens a window, copies it in and out, and scrubs the bounce pages (XSA-403): a grant
    /// exposes a whole 4 KiB page, so every byte of a bounce page that is not part of the transfer must be zero, or the
    /// backend reads whatever an earlier SRB left there. The guest's own buffers, granted directly when aligned, are
    /// the guest's business with a trusted backend; <see cref="FrontendOptions.UntrustedBackend"/> bounces everything
    /// so the backend never sees them at all (Linux blkfront's <c>trusted=0</c>).
    /// </summary>
    internal sealed class BounceWindows
    {
        /// <summary>The frontend that owns this part (memory, statistics, trace, the disk's block size).</summary>
        private readonly XenVbdFrontend _f;

        /// <summary>The personality's (or, under the hardened design, the options') bounce strategy; all memory reserved up front.</summary>
        private readonly IBounceStrategy _strategy;

        public BounceWindows(XenVbdFrontend frontend, IBounceStrategy strategy)
        {
            _f = frontend;
            _strategy = strategy;
        }

        public BounceStrategyKind Kind => _strategy.Kind;

        /// <summary>True while the one device buffer is lent out (GPLPV 2012/2013 stall the whole queue on it).</summary>
        public bool Busy => _strategy.Busy;

        public void Release(SrbExtension extension) => _strategy.Release(extension);

        /// <summary>The next window: the whole buffer when it can be granted, else one bounce pass. False when the pass must wait for memory.</summary>
        public bool TryOpen(SrbExtension ext)
        {
            var srb = ext.Srb!;
            if (ext.Direct)
            {
                ext.WindowPaged = false;
                ext.WindowBase = srb.DataAddress;
                ext.WindowBytes = ext.TotalBytes;
            }
            else
            {
                int bytes = _strategy.TryOpen(ext, ext.TotalBytes - ext.DoneBytes, (int)_f.Disk!.LogicalBlockSize);
                if (bytes == 0) return false;
                ext.HoldsBounce = true;
                ext.WindowBytes = bytes;
                Scrub(ext, read: ext.Operation != BlkifOp.Write);
                if (ext.Operation == BlkifOp.Write) Copy(ext, toBounce: true);
                srb.BouncePasses++;
                srb.BytesBounced += bytes;
                _f.Statistics.BouncePasses++;
                _f.Statistics.BytesBounced += bytes;
                _f.Trace.Record(TraceKind.Bounce, _f.DeviceId, (uint)ext.Index, (ulong)ext.DoneBytes, bytes);
            }

            ext.WindowIssued = 0;
            ext.WindowOpen = true;
            return true;
        }

        /// <summary>Copies the current window between the SRB buffer and the bounce memory.</summary>
        public void Copy(SrbExtension ext, bool toBounce)
        {
            var memory = _f.Memory;
            var user = memory.At(ext.Srb!.DataAddress + (ulong)ext.DoneBytes, ext.WindowBytes);
            if (!ext.WindowPaged)
            {
                var bounce = memory.At(ext.WindowBase, ext.WindowBytes);
                if (toBounce) user.CopyTo(bounce);
                else bounce.CopyTo(user);
                return;
            }

            int done = 0;
            for (int i = 0; done < ext.WindowBytes; i++)
            {
                int n = Math.Min(XenPage.Size, ext.WindowBytes - done);
                var page = memory.Page(ext.WindowFrames[i]).Slice(0, n);
                if (toBounce) user.Slice(done, n).CopyTo(page);
                else page.CopyTo(user.Slice(done, n));
                done += n;
            }
        }

        /// <summary>
        /// Zeroes what the backend could see of the current bounce window's pages besides the data: for a READ the whole
        /// span (the backend fills the window; nothing stale shows through before it does), for a WRITE the bytes around
        /// the copied data. Called before any of the window is granted; touches only the window's own pages, allocation-free.
        /// </summary>
        private void Scrub(SrbExtension ext, bool read)
        {
            const int page = XenPage.Size;
            var memory = _f.Memory;
            if (ext.WindowPaged)
            {
                // Pool pages: the window starts at offset 0 of its first frame, one frame per 4 KiB.
                int pages = (ext.WindowBytes + page - 1) / page;
                for (int i = 0; i < pages; i++)
                {
                    var span = memory.Page(ext.WindowFrames[i]).Span;
                    int used = read ? 0 : Math.Min(page, ext.WindowBytes - i * page);
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
                memory.At(first, (int)(last - first)).Clear();
                return;
            }

            if (start > first) memory.At(first, (int)(start - first)).Clear();
            if (last > end) memory.At(end, (int)(last - end)).Clear();
        }
    }
}
