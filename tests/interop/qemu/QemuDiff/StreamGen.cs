using System.Linq;
using CsCheck;
using XenVbd.Ring;

namespace XenVbd.Interop.QemuDiff
{
    /// <summary>
    /// CsCheck generators of request streams, valid and hostile: READ/WRITE with 0..11 segments (and more than
    /// 11), segments with first_sect &gt; last_sect or past the page, sectors near, past and far past the end
    /// (up to values whose byte offset wraps 2^64), unknown operations, WRITE_BARRIER, INDIRECT, DISCARD in and
    /// out of range, FLUSH with and without data, grants that are read-only, foreign, absent or out of the table,
    /// and req_prod set past a full ring.
    /// </summary>
    public static class StreamGen
    {
        private static readonly uint[] HostileRefs =
        {
            GuestLayout.ReadOnlyRef, GuestLayout.ReadOnlyRef + 3, GuestLayout.WrongDomainRef,
            GuestLayout.UngrantedRef, GuestLayout.OutOfTableRef, 3,
        };

        private static Gen<uint> Ref(int firstPage, int pages) => Gen.Frequency(
            (92, Gen.Int[firstPage, firstPage + pages - 1].Select(p => GuestLayout.DataRef + (uint)p)),
            (8, Gen.Int[0, HostileRefs.Length - 1].Select(i => HostileRefs[i])));

        private static readonly Gen<(byte, byte)> SectorRange = Gen.Frequency(
            (86, from first in Gen.Byte[0, 7] from last in Gen.Byte[first, 7] select (first, last)),
            (5, from first in Gen.Byte[1, 7] from last in Gen.Byte[0, (byte)(first - 1)] select (first, last)),
            (5, from first in Gen.Byte[0, 7] from last in Gen.Byte[8, 15] select (first, last)),
            (4, Gen.Const(((byte)0, (byte)255))));

        private static Gen<(uint, byte, byte)> Segment(int firstPage, int pages) =>
            from gref in Ref(firstPage, pages)
            from range in SectorRange
            select (gref, range.Item1, range.Item2);

        /// <summary>Sector numbers: inside the lane mostly; at, past and far past the end; offsets that wrap.</summary>
        private static Gen<ulong> Sector(ulong laneStart, ulong laneSectors) => Gen.Frequency(
            (84, Gen.ULong[laneStart, laneStart + laneSectors - 100]),
            (5, Gen.ULong[GuestLayout.DiskSectors - 8, GuestLayout.DiskSectors]),
            (4, Gen.ULong[GuestLayout.DiskSectors + 1, GuestLayout.DiskSectors + 4096]),
            (7, Gen.OneOf(
                Gen.Const(1UL << 54), Gen.Const((1UL << 55) + 8), Gen.Const(1UL << 63),
                Gen.ULong[ulong.MaxValue - 16, ulong.MaxValue], Gen.Const((1UL << 55) - 1))));

        private static readonly Gen<byte> SegmentCount = Gen.Frequency(
            (88, Gen.Byte[1, 11]),
            (7, Gen.Const((byte)0)),
            (5, Gen.Byte[12, 255]));

        private static readonly Gen<byte> UnknownOp = Gen.Frequency(
            (1, Gen.Byte[7, 255]),
            (1, Gen.Const((byte)0xff)));

        private static readonly Gen<ulong> DiscardCount = Gen.Frequency(
            (75, Gen.ULong[1, 2048]),
            (5, Gen.Const(0UL)),
            (8, Gen.ULong[GuestLayout.DiskSectors, GuestLayout.DiskSectors + 64]),
            (7, Gen.OneOf(Gen.Const(ulong.MaxValue), Gen.Const(1UL << 63), Gen.ULong[ulong.MaxValue - 4096, ulong.MaxValue])),
            (5, Gen.Const(1UL << 54)));

        public static Gen<DiffRequest> Request(int lane) => Request(lane * GuestLayout.PagesPerLane, GuestLayout.PagesPerLane,
            (ulong)lane * GuestLayout.SectorsPerLane, GuestLayout.SectorsPerLane);

        /// <summary>
        /// A request whose pages lie in [firstPage, firstPage+pages) and sectors (mostly) in the zone: half of them
        /// well-formed READ/WRITE/FLUSH/DISCARD (so real I/O is compared, not only refusals), half of any kind.
        /// </summary>
        public static Gen<DiffRequest> Request(int firstPage, int pages, ulong laneStart, ulong laneSectors) => Gen.Frequency(
            (1, WellFormed(firstPage, pages, laneStart, laneSectors)),
            (1, AnyRequest(firstPage, pages, laneStart, laneSectors)));

        private static readonly Gen<(byte, byte)> ValidRange = from first in Gen.Byte[0, 7] from last in Gen.Byte[first, 7] select (first, last);

        /// <summary>READ, WRITE (1..11 segments, writable grants, whole range inside the lane), FLUSH with or without data, DISCARD inside the lane.</summary>
        private static Gen<DiffRequest> WellFormed(int firstPage, int pages, ulong laneStart, ulong laneSectors) =>
            from op in Gen.Frequency((4, Gen.Const(BlkifOp.Read)), (4, Gen.Const(BlkifOp.Write)), (1, Gen.Const(BlkifOp.FlushDiskCache)), (1, Gen.Const(BlkifOp.Discard)))
            from nseg in op == BlkifOp.FlushDiskCache ? Gen.Byte[0, 11] : Gen.Byte[1, 11]
            from id in Gen.ULong
            from sector in Gen.ULong[laneStart, laneStart + laneSectors - 100]
            from segs in (from p in Gen.Int[firstPage, firstPage + pages - 1] from r in ValidRange select (GuestLayout.DataRef + (uint)p, r.Item1, r.Item2)).Array[BlkifLayout.MaxSegmentsPerRequest]
            from discardCount in Gen.ULong[0, 96]
            from tail in Gen.Byte.Array[BlkifLayout.RequestSize(BlkifAbi.X86_64)]
            select new DiffRequest { Operation = op, NrSegments = nseg, Id = id, SectorNumber = sector, Segments = segs, DiscardSectors = discardCount, Tail = tail };

        private static Gen<DiffRequest> AnyRequest(int firstPage, int pages, ulong laneStart, ulong laneSectors) =>
            from op in Gen.Frequency(
                (30, Gen.Const(BlkifOp.Read)), (30, Gen.Const(BlkifOp.Write)), (9, Gen.Const(BlkifOp.FlushDiskCache)),
                (11, Gen.Const(BlkifOp.Discard)), (8, UnknownOp), (6, Gen.Const(BlkifOp.WriteBarrier)), (6, Gen.Const(BlkifOp.Indirect)))
            from nseg in op == BlkifOp.FlushDiskCache ? Gen.Frequency((1, Gen.Const((byte)0)), (1, SegmentCount)) : SegmentCount
            from handle in Gen.UShort
            from id in Gen.ULong
            from sector in Sector(laneStart, laneSectors)
            from segs in Segment(firstPage, pages).Array[BlkifLayout.MaxSegmentsPerRequest]
            from discardCount in DiscardCount
            from flag in Gen.Frequency((4, Gen.Const((byte)0)), (1, Gen.Const((byte)1)))
            from tail in Gen.Byte.Array[BlkifLayout.RequestSize(BlkifAbi.X86_64)]
            select new DiffRequest
            {
                Operation = op,
                NrSegments = nseg,
                Handle = handle,
                Id = id,
                SectorNumber = sector,
                Segments = segs,
                DiscardSectors = discardCount,
                DiscardFlag = flag,
                Tail = tail,
            };

        /// <summary>
        /// A request every backend refuses while parsing it, whose id's bytes all have the top bit set: when a
        /// backend reads the slot again after its response overwrote it (req_prod past a full ring), the
        /// operation byte it finds is one of those bytes, again an unknown operation. So the outcome does not
        /// depend on when asynchronous I/O completes, and both sides must produce the same bytes.
        /// </summary>
        private static readonly Gen<DiffRequest> RefusedAtParse =
            from op in Gen.Byte[0x80, 0xff]
            from id in Gen.ULong
            from tail in Gen.Byte.Array[BlkifLayout.RequestSize(BlkifAbi.X86_64)]
            select new DiffRequest { Operation = op, NrSegments = 1, Id = id | 0x8080_8080_8080_8080UL, Tail = tail };

        private static Gen<DiffStep> Step(int ringSize) => Gen.Frequency(
            (60, Request(0, GuestLayout.DataPages, 0, GuestLayout.DiskSectors).Select(r => new DiffStep { Kind = DiffStepKind.Single, Requests = new[] { r } })),
            (35, Gen.Int[2, GuestLayout.BatchLanes].SelectMany(n =>
                Gen.Select(Request(0), Request(1), Request(2), Request(3), (a, b, c, d) =>
                    new DiffStep { Kind = DiffStepKind.Batch, Requests = new[] { a, b, c, d }.Take(n).ToArray() }))),
            (5, from excess in Gen.Int[1, ringSize]
                from reqs in RefusedAtParse.Array[ringSize]
                select new DiffStep { Kind = DiffStepKind.Overflow, Requests = reqs, Excess = excess }));

        public static Gen<DiffStream> Stream(int index, int steps) =>
            from abi in Gen.OneOf(Gen.Const(BlkifAbi.X86_64), Gen.Const(BlkifAbi.X86_32))
            from order in Gen.Int[0, GuestLayout.MaxRingPageOrder]
            from content in Gen.ULong
            from list in Step(BlkifLayout.RingEntries(abi, order)).List[steps]
            select new DiffStream { Index = index, Abi = abi, RingPageOrder = order, ContentSeed = content, Steps = list };
    }
}
