using System.Globalization;

namespace XenVbd.Workload
{
    /// <summary>One bad sector found by a verifying read.</summary>
    public sealed class IntegrityViolation
    {
        public IntegrityViolation(IntegrityViolationKind kind, long sector, ulong expectedGeneration, ulong foundGeneration, long foundSector, long timeTicks, long operation)
        {
            Kind = kind;
            Sector = sector;
            ExpectedGeneration = expectedGeneration;
            FoundGeneration = foundGeneration;
            FoundSector = foundSector;
            TimeTicks = timeTicks;
            Operation = operation;
        }

        public IntegrityViolationKind Kind { get; }

        /// <summary>The 512-byte sector read.</summary>
        public long Sector { get; }

        /// <summary>Generation of the last write known to have completed there (0: never written).</summary>
        public ulong ExpectedGeneration { get; }

        public ulong FoundGeneration { get; }

        /// <summary>Sector named by the header found, or -1 when there was no valid header.</summary>
        public long FoundSector { get; }

        public long TimeTicks { get; }

        /// <summary>Index of the read operation that found it.</summary>
        public long Operation { get; }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "{0} at sector {1}: expected generation {2}, found {3}{4} (op {5}, t={6:0.###} ms)",
            Kind, Sector, ExpectedGeneration, FoundGeneration, FoundSector >= 0 && FoundSector != Sector ? " from sector " + FoundSector : "", Operation, TimeTicks / 10000.0);
    }
}
