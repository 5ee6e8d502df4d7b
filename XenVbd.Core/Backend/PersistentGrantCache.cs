using System;
using XenVbd.Xen;

namespace XenVbd.Backend
{
    /// <summary>
    /// One ring's persistent grants, as Linux blkback keeps them (<c>struct xen_blkif_ring</c>'s
    /// <c>persistent_gnts</c> tree and <c>persistent_gnt_c</c>, drivers/block/xen-blkback/blkback.c): grants
    /// the frontend offered with <c>feature-persistent</c> stay mapped after their request, so the next request
    /// that names the same grant reference costs no map, no unmap and no TLB flush. The tree is ordered by
    /// grant reference (an array kept sorted here, searched by bisection: the same order the purge walks in),
    /// it holds at most <see cref="Capacity"/> grants, and it is trimmed every
    /// <see cref="BlkBackOptions.LruIntervalTicks"/> by <see cref="Purge"/>. Everything is allocated when the
    /// ring connects; lookups, adds and puts allocate nothing.
    /// </summary>
    internal sealed class PersistentGrantCache
    {
        private readonly GrantTable _grants;
        private readonly uint[] _gref;
        private readonly MemoryRegion[] _page;
        private readonly bool[] _active;
        private readonly long[] _lastUsed;
        private readonly long _timeoutTicks;
        private int _count;

        public PersistentGrantCache(GrantTable grants, int capacity, long timeoutTicks)
        {
            if (capacity < 0) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "Must not be negative.");
            _grants = grants;
            Capacity = capacity;
            _timeoutTicks = timeoutTicks;
            _gref = new uint[capacity];
            _page = new MemoryRegion[capacity];
            _active = new bool[capacity];
            _lastUsed = new long[capacity];
        }

        /// <summary>max_pgrants: the most grants this ring keeps mapped (Linux: 1056).</summary>
        public int Capacity { get; }

        /// <summary>persistent_gnt_c: grants in the tree.</summary>
        public int Count => _count;

        /// <summary>persistent_gnt_in_use: grants in the tree that a request in flight is using.</summary>
        public int InUse { get; private set; }

        /// <summary>vbd.overflow_max_grants: a grant could not be kept because the tree was full; the next purge makes room.</summary>
        public bool Overflow { get; private set; }

        /// <summary>ring->next_lru: when the next purge is due.</summary>
        public long NextPurgeAt { get; set; }

        /// <summary>
        /// get_persistent_gnt: the page of <paramref name="gref"/> if the tree holds it and no request is using it.
        /// A grant the tree holds that is already in use ("requesting a grant already in use") is not handed out
        /// twice: <paramref name="alreadyInUse"/> says so and the caller maps it once more, non-persistently.
        /// </summary>
        public bool TryGet(uint gref, out MemoryRegion page, out bool alreadyInUse)
        {
            page = default;
            alreadyInUse = false;
            int i = Find(gref);
            if (i < 0) return false;
            if (_active[i])
            {
                alreadyInUse = true;
                return false;
            }
            _active[i] = true;
            InUse++;
            page = _page[i];
            return true;
        }

        /// <summary>
        /// add_persistent_gnt: keeps a grant just mapped. Refused (false) when the tree is full, which sets the
        /// overflow flag: the grant is then used once and unmapped, as a non-persistent one.
        /// </summary>
        public bool TryAdd(uint gref, MemoryRegion page)
        {
            if (_count >= Capacity)
            {
                Overflow = true;
                return false;
            }
            int i = Find(gref);
            // "trying to add a gref that's already in the tree": -EINVAL, the grant stays non-persistent.
            if (i >= 0) return false;
            int at = ~i;
            if (at < _count)
            {
                Array.Copy(_gref, at, _gref, at + 1, _count - at);
                Array.Copy(_page, at, _page, at + 1, _count - at);
                Array.Copy(_active, at, _active, at + 1, _count - at);
                Array.Copy(_lastUsed, at, _lastUsed, at + 1, _count - at);
            }
            _gref[at] = gref;
            _page[at] = page;
            _active[at] = true;
            _lastUsed[at] = 0;
            _count++;
            InUse++;
            return true;
        }

        /// <summary>put_persistent_gnt: the request is done with the grant; it stays mapped, stamped with when it was last used.</summary>
        public void Put(uint gref, long now)
        {
            int i = Find(gref);
            if (i < 0 || !_active[i]) return;
            _active[i] = false;
            _lastUsed[i] = now;
            InUse--;
        }

        /// <summary>True if the tree holds <paramref name="gref"/>.</summary>
        public bool Contains(uint gref) => Find(gref) >= 0;

        /// <summary>
        /// purge_persistent_gnt, current Linux: first every grant not in use and unused for the timeout
        /// (persistent_grant_unused_seconds, 60 s) goes; then, if the tree is full and has overflowed (or is over
        /// its limit), enough more grants not in use go, in grant-reference order, to leave
        /// <c>max_pgrants / 100 * LRU_PERCENT_CLEAN</c> (5 %) free. Removed grants are unmapped
        /// (xen_blkbk_unmap_purged_grants, deferred work in Linux, done at once here). Returns how many went.
        /// </summary>
        public int Purge(long now)
        {
            int numClean = 0;
            if (_count > Capacity || (_count == Capacity && Overflow))
            {
                numClean = Capacity / 100 * BlkBackOptions.LruPercentClean;
                numClean = _count - Capacity + numClean;
                numClean = Math.Min(_count, numClean);
            }
            int total = 0;
            // First scan: expired grants only. Second scan (only if the first fell short): any grant not in use.
            for (int scan = 0; scan < 2; scan++)
            {
                bool scanUsed = scan == 1;
                if (scanUsed && total >= numClean) break;
                int write = 0;
                for (int read = 0; read < _count; read++)
                {
                    bool remove = !_active[read]
                        && (scanUsed ? total < numClean : Expired(read, now));
                    if (remove)
                    {
                        _grants.Unmap(_gref[read]);
                        total++;
                        continue;
                    }
                    if (write != read)
                    {
                        _gref[write] = _gref[read];
                        _page[write] = _page[read];
                        _active[write] = _active[read];
                        _lastUsed[write] = _lastUsed[read];
                    }
                    write++;
                }
                for (int i = write; i < _count; i++) _page[i] = default;
                _count = write;
            }
            if (total > 0) Overflow = false;
            return total;
        }

        /// <summary>xen_blkbk_free_caches: the ring is going away, every persistent grant is unmapped.</summary>
        public int Clear()
        {
            int n = _count;
            for (int i = 0; i < _count; i++)
            {
                _grants.Unmap(_gref[i]);
                _page[i] = default;
                _active[i] = false;
            }
            _count = 0;
            InUse = 0;
            Overflow = false;
            return n;
        }

        private bool Expired(int i, long now) => _timeoutTicks > 0 && now - _lastUsed[i] >= _timeoutTicks;

        private int Find(uint gref) => Array.BinarySearch(_gref, 0, _count, gref);
    }
}
