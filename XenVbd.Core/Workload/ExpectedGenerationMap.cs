using System;

namespace XenVbd.Workload
{
    /// <summary>
    /// What each 512-byte sector of the verified region may hold: a generation in [floor, ceiling]. A
    /// completed write sets both to its generation; a failed write only raises the ceiling, because a
    /// write that reported an error may or may not have reached the disk. Generation 0 means "as before
    /// the run" (zeros on a fresh disk). The map outlives a single run so a later workload (after a
    /// migration, a reset, a power cut) verifies what an earlier one wrote.
    /// </summary>
    public sealed class ExpectedGenerationMap
    {
        /// <summary>8 bytes per sector: 16M sectors (8 GiB) is 128 MiB of map, plenty for a lab.</summary>
        public const long MaxSectors = 16L << 20;

        private readonly uint[] _floor;
        private readonly uint[] _ceiling;

        public ExpectedGenerationMap(long firstSector, long sectorCount, ulong seed)
        {
            if (firstSector < 0) throw new ArgumentOutOfRangeException(nameof(firstSector), firstSector, "Cannot be negative.");
            if (sectorCount <= 0 || sectorCount > MaxSectors) throw new ArgumentOutOfRangeException(nameof(sectorCount), sectorCount, $"A verified region holds 1..{MaxSectors} sectors.");
            FirstSector = firstSector;
            SectorCount = sectorCount;
            Seed = seed;
            _floor = new uint[sectorCount];
            _ceiling = new uint[sectorCount];
        }

        public long FirstSector { get; }

        public long SectorCount { get; }

        public ulong Seed { get; }

        /// <summary>The last generation handed out.</summary>
        public ulong Generation { get; private set; }

        public ulong NextGeneration() => ++Generation;

        public bool Contains(long sector) => sector >= FirstSector && sector < FirstSector + SectorCount;

        public void WriteCompleted(long sector, int count, ulong generation)
        {
            int i = Index(sector);
            for (int k = 0; k < count; k++)
            {
                _floor[i + k] = (uint)generation;
                _ceiling[i + k] = (uint)generation;
            }
        }

        public void WriteFailed(long sector, int count, ulong generation)
        {
            int i = Index(sector);
            for (int k = 0; k < count; k++) if (_ceiling[i + k] < generation) _ceiling[i + k] = (uint)generation;
        }

        public ulong Floor(long sector) => _floor[Index(sector)];

        public ulong Ceiling(long sector) => _ceiling[Index(sector)];

        /// <summary>Judges one sector read back; null when it is acceptable.</summary>
        public IntegrityViolationKind? Judge(long sector, SectorCheck check, long foundSector, ulong foundGeneration, bool assumeZeroed)
        {
            int i = Index(sector);
            uint floor = _floor[i], ceiling = _ceiling[i];
            switch (check)
            {
                case SectorCheck.Zero:
                    return floor == 0 ? (IntegrityViolationKind?)null : IntegrityViolationKind.Lost;
                case SectorCheck.Garbage:
                    // Unknown bytes in a sector this run never touched are the disk's own business.
                    return floor == 0 && ceiling == 0 && !assumeZeroed ? (IntegrityViolationKind?)null : IntegrityViolationKind.Torn;
                case SectorCheck.BadChecksum:
                    return IntegrityViolationKind.Torn;
                case SectorCheck.ForeignSeed:
                    return floor == 0 && ceiling == 0 && !assumeZeroed ? (IntegrityViolationKind?)null : IntegrityViolationKind.Unexpected;
            }
            // A sector this run never wrote, on a disk not promised to start zeroed, may hold anything an
            // earlier run (even one with this seed) left there: only what this run wrote is checked.
            if (floor == 0 && ceiling == 0 && !assumeZeroed) return null;
            if (foundSector != sector) return IntegrityViolationKind.Misdirected;
            if (foundGeneration < floor) return IntegrityViolationKind.Stale;
            if (foundGeneration > ceiling) return IntegrityViolationKind.Unexpected;
            return null;
        }

        private int Index(long sector)
        {
            long i = sector - FirstSector;
            if ((ulong)i >= (ulong)SectorCount) throw new ArgumentOutOfRangeException(nameof(sector), sector, "Outside the verified region.");
            return (int)i;
        }
    }
}
