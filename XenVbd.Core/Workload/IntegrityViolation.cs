using System.Globalization;

namespace XenVbd.Workload
{
    /// <summary>One bad sector found by a verifying read.</summary>
    /// <param name="Kind">How the sector was wrong.</param>
    /// <param name="Sector">The 512-byte sector read.</param>
    /// <param name="ExpectedGeneration">Generation of the last write known to have completed there (0: never written).</param>
    /// <param name="FoundGeneration">Generation the header found there names.</param>
    /// <param name="FoundSector">Sector named by the header found, or -1 when there was no valid header.</param>
    /// <param name="TimeTicks">Virtual time of the read.</param>
    /// <param name="Operation">Index of the read operation that found it.</param>
    public sealed record IntegrityViolation(IntegrityViolationKind Kind, long Sector, ulong ExpectedGeneration, ulong FoundGeneration, long FoundSector, long TimeTicks, long Operation)
    {
        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "{0} at sector {1}: expected generation {2}, found {3}{4} (op {5}, t={6:0.###} ms)",
            Kind, Sector, ExpectedGeneration, FoundGeneration, FoundSector >= 0 && FoundSector != Sector ? " from sector " + FoundSector : "", Operation, TimeTicks / 10000.0);
    }
}
