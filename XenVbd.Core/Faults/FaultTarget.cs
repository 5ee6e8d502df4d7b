using System;

namespace XenVbd.Faults
{
    /// <summary>
    /// Which requests a rule may hit: a set of operations and a sector range [FirstSector, EndSector) in
    /// 512-byte units (blkif always counts 512-byte sectors). A request hits when any of its sectors does.
    /// </summary>
    public readonly struct FaultTarget : IEquatable<FaultTarget>
    {
        public FaultTarget(FaultOps ops, long firstSector = 0, long endSector = long.MaxValue)
        {
            if (firstSector < 0 || endSector <= firstSector)
                throw new ArgumentOutOfRangeException(nameof(endSector), endSector, "The sector range must be non-empty and non-negative.");
            Ops = ops;
            FirstSector = firstSector;
            EndSector = endSector;
        }

        public static FaultTarget Everything => new FaultTarget(FaultOps.All);

        public FaultOps Ops { get; }

        public long FirstSector { get; }

        public long EndSector { get; }

        /// <summary>Requests without sectors (flush, probe) hit when the operation matches and the range is the whole disk.</summary>
        public bool Matches(FaultOps op, long sector, long sectorCount)
        {
            if ((Ops & op) == 0) return false;
            if (sectorCount <= 0) return FirstSector == 0 && EndSector == long.MaxValue || (sector >= FirstSector && sector < EndSector);
            return sector < EndSector && sector + sectorCount > FirstSector;
        }

        public bool Equals(FaultTarget other) => Ops == other.Ops && FirstSector == other.FirstSector && EndSector == other.EndSector;

        public override bool Equals(object? obj) => obj is FaultTarget t && Equals(t);

        public override int GetHashCode() => ((int)Ops * 397) ^ FirstSector.GetHashCode() ^ (EndSector.GetHashCode() * 31);

        public override string ToString()
            => Ops + (FirstSector == 0 && EndSector == long.MaxValue ? "" : " sectors " + FirstSector + ".." + (EndSector - 1));
    }
}
