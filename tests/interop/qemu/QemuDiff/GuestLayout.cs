namespace XenVbd.Interop.QemuDiff
{
    /// <summary>
    /// The frontend's memory in the shared-memory file, the same for every stream: the grant table in frames
    /// 0..7, four reserved ring frames, then <see cref="DataPages"/> data pages; which grant refs name what.
    /// </summary>
    public static class GuestLayout
    {
        public const int GrantEntries = 4096;
        public const int GrantPages = GrantEntries * 8 / 4096;
        public const int MaxRingPageOrder = 2;
        public const int RingPagesReserved = 1 << MaxRingPageOrder;
        public const int DataPages = 48;

        /// <summary>The disk: 8 MiB of 512-byte sectors.</summary>
        public const long DiskBytes = 8L << 20;
        public const ulong DiskSectors = (ulong)(DiskBytes / 512);

        /// <summary>A batch's requests each keep to their own group of pages and their own zone of the disk.</summary>
        public const int BatchLanes = 4;
        public const int PagesPerLane = DataPages / BatchLanes;
        public const ulong SectorsPerLane = DiskSectors / BatchLanes;

        /// <summary>Ring page i is granted as ref RingRef + i (frame GrantPages + i), writable, to dom0.</summary>
        public const uint RingRef = 8;

        /// <summary>Data page j is granted writable to dom0 as ref DataRef + j.</summary>
        public const uint DataRef = 16;

        /// <summary>The last four data pages are also granted read-only, as refs ReadOnlyRef + 0..3.</summary>
        public const uint ReadOnlyRef = 80;
        public const int ReadOnlyCount = 4;

        /// <summary>Data page 0 granted to domain 7, not to the backend's dom0.</summary>
        public const uint WrongDomainRef = 90;

        /// <summary>Inside the table, never granted (flags 0).</summary>
        public const uint UngrantedRef = 300;

        /// <summary>Past the end of the grant table.</summary>
        public const uint OutOfTableRef = 5000;

        public static uint RingFrame(int page) => (uint)(GrantPages + page);

        public static uint DataFrame(int page) => (uint)(GrantPages + RingPagesReserved + page);
    }
}
