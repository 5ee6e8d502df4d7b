using System.Collections.Generic;

namespace XenVbd.Faults
{
    /// <summary>
    /// dm-dust semantics at blkback's door: a read touching a bad 512-byte sector fails with
    /// BLKIF_RSP_ERROR; a write covering it "remaps" the sector and heals it. Used when the device's disk
    /// stack has no <see cref="XenVbd.Storage.DustDisk"/> layer the lab can reach.
    /// </summary>
    public sealed class BadSectorMap
    {
        private readonly SortedSet<long> _bad = new SortedSet<long>();

        public int Count => _bad.Count;

        public long ReadsFailed { get; private set; }

        public long SectorsHealed { get; private set; }

        public bool Add(long sector) => _bad.Add(sector);

        public bool Remove(long sector) => _bad.Remove(sector);

        public bool Contains(long sector) => _bad.Contains(sector);

        /// <summary>True if a read of [sector, sector+count) must fail.</summary>
        public bool FailsRead(long sector, long count)
        {
            if (_bad.Count == 0 || count <= 0) return false;
            if (_bad.GetViewBetween(sector, sector + count - 1).Count == 0) return false;
            ReadsFailed++;
            return true;
        }

        /// <summary>A write heals every bad sector it covers.</summary>
        public void Written(long sector, long count)
        {
            if (_bad.Count == 0 || count <= 0) return;
            var hit = _bad.GetViewBetween(sector, sector + count - 1);
            if (hit.Count == 0) return;
            SectorsHealed += hit.Count;
            foreach (var s in new List<long>(hit)) _bad.Remove(s);
        }
    }
}
