using System;
using XenVbd.Xen;

namespace XenVbd.Frontend
{
    /// <summary>
    /// Linux blkfront's persistent grants (drivers/block/xen-blkfront.c): with <c>feature-persistent</c> agreed, every
    /// data segment goes through a page of the frontend's own that stays granted to the backend (each shadow slot has
    /// one page per segment, so the same grant reference always names the same page): a write is copied into it
    /// before the request goes out (blkif_setup_rw_req_grant), a read copied out of it when the answer comes
    /// (blkif_completion). After a response a grant the backend still maps is kept, not ended: with persistent grants
    /// that is the point, not an XSA-396 leak. One the backend did not keep is ended at once, and every 10 s
    /// (blkfront_delay_work → purge_persistent_grants) free grants the backend has since unmapped are ended too; their
    /// pages stay, granted again on their next use. Pages are taken from the guest's reserve the first time a slot
    /// uses them; nothing here allocates managed memory.
    /// </summary>
    internal sealed class PersistentGrantPool
    {
        /// <summary>blkfront_delay_work runs every 10 s (schedule_delayed_work(&amp;blkfront_work, HZ * 10)).</summary>
        public const long PurgeIntervalTicks = 10 * TimeSpan.TicksPerSecond;

        private readonly XenVbdFrontend _f;
        private readonly GrantTable _grants;
        private readonly int _segmentsPerShadow;

        /// <summary>The persistent page of (shadow, segment); 0 = not taken yet.</summary>
        private readonly uint[] _frame;

        /// <summary>The data segment a read's answer is copied back to: frame, first and last sector.</summary>
        private readonly uint[] _dataFrame;
        private readonly byte[] _first;
        private readonly byte[] _last;

        public PersistentGrantPool(XenVbdFrontend frontend, GrantTable grants, int shadows, int segmentsPerShadow)
        {
            _f = frontend;
            _grants = grants;
            _segmentsPerShadow = segmentsPerShadow;
            int slots = shadows * segmentsPerShadow;
            _frame = new uint[slots];
            _dataFrame = new uint[slots];
            _first = new byte[slots];
            _last = new byte[slots];
        }

        /// <summary>
        /// Pages this pool may take from the guest: one per segment of every shadow. That reserves two rings' worth (request
        /// ids are twice the ring, headroom for ids quarantined under XSA-396), where blkfront keeps one:
        /// (segments + INDIRECT_GREFS) × BLK_RING_SIZE per ring (blkfront_setup_indirect → fill_grant_buffer). Pages are taken
        /// on a slot's first use and request ids are reused last-freed first, so with at most a ring of requests outstanding
        /// the pages taken stay within blkfront's bound (<see cref="PagesTaken"/>; a test holds them to it).
        /// </summary>
        public static int PagesFor(FrontendOptions options) => options.ShadowCount * options.SegmentsPerShadow;

        /// <summary>Pages taken from the guest so far (each stays this pool's).</summary>
        public int PagesTaken { get; private set; }

        /// <summary>
        /// Grants segment <paramref name="i"/> of <paramref name="shadow"/> through its persistent page, copying a write's data
        /// into it at the same offset; <paramref name="segment"/> keeps its sectors, the request names the persistent page.
        /// </summary>
        public void Prepare(Shadow shadow, int i, PageSegment segment, bool write, int backendDomain)
        {
            int slot = shadow.Id * _segmentsPerShadow + i;
            if (_frame[slot] == 0)
            {
                _frame[slot] = _f.Memory.AllocatePages(1);
                PagesTaken++;
            }
            uint frame = _frame[slot];
            uint gref = shadow.Grefs[i];
            // Granted once; still granted (and so still this page) from an earlier request: nothing to do.
            if (!_grants.IsActive(gref)) _grants.GrantAccess(gref, backendDomain, frame, readOnly: false);
            _dataFrame[slot] = segment.Frame;
            _first[slot] = segment.FirstSect;
            _last[slot] = segment.LastSect;
            if (write) Copy(segment.Frame, frame, segment.FirstSect, segment.LastSect);
            _f.Statistics.PersistentSegments++;
        }

        /// <summary>A read answered OKAY: its data goes from the persistent pages to where the SRB's segments are.</summary>
        public void CopyBack(Shadow shadow)
        {
            for (int i = 0; i < shadow.ActiveGrants; i++)
            {
                int slot = shadow.Id * _segmentsPerShadow + i;
                Copy(_frame[slot], _dataFrame[slot], _first[slot], _last[slot]);
            }
        }

        /// <summary>
        /// blkif_completion with persistent grants: a grant the backend still maps is kept for the next request; one it let go of
        /// is ended now (and granted again when its slot is next used). Indirect pages are the shadow's own and are treated alike.
        /// </summary>
        public void Retire(Shadow shadow)
        {
            for (int i = 0; i < shadow.ActiveGrants; i++) EndIfUnmapped(shadow.Grefs[i]);
            for (int i = 0; i < shadow.ActiveIndirectGrants; i++) EndIfUnmapped(shadow.IndirectGrefs[i]);
        }

        /// <summary>
        /// purge_persistent_grants, from blkfront_delay_work every <see cref="PurgeIntervalTicks"/> (the frontend's
        /// background timer): free grants the backend no longer maps are ended.
        /// </summary>
        public void Purge(ShadowTable shadows)
        {
            foreach (var shadow in shadows.All)
            {
                if (shadow.State != ShadowState.Free) continue;
                for (int i = 0; i < shadow.Capacity; i++)
                    if (_grants.IsActive(shadow.Grefs[i]) && !_grants.IsMapped(shadow.Grefs[i]) && _grants.EndAccess(shadow.Grefs[i]))
                        _f.Statistics.PersistentGrantsPurged++;
            }
        }

        private void EndIfUnmapped(uint gref)
        {
            if (!_grants.IsActive(gref) || _grants.IsMapped(gref)) return;
            _grants.EndAccess(gref);
            _f.Statistics.PersistentGrantsEnded++;
        }

        private void Copy(uint from, uint to, byte firstSect, byte lastSect)
        {
            int offset = firstSect * Ring.BlkifLayout.SectorSize;
            int length = (lastSect - firstSect + 1) * Ring.BlkifLayout.SectorSize;
            _f.Memory.Page(from).Span.Slice(offset, length).CopyTo(_f.Memory.Page(to).Span.Slice(offset, length));
        }
    }
}
