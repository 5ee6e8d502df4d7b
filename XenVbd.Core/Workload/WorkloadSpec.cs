using System;

namespace XenVbd.Workload
{
    /// <summary>
    /// An fio-like job: where (an LBA range), how (pattern, read/write mix, sizes, buffer alignment), how
    /// much (queue depth, an op count or a virtual duration) and from which seed. Every random choice the
    /// job makes comes from <see cref="Seed"/>, so a spec replays exactly.
    /// </summary>
    public sealed class WorkloadSpec
    {
        public string Name { get; init; } = "workload";

        public IoPattern Pattern { get; init; } = IoPattern.Random;

        /// <summary>Fraction of operations that are reads (fio <c>rwmixread</c> / 100).</summary>
        public double ReadFraction { get; init; } = 0.5;

        public BlockSizeDistribution BlockSizes { get; init; } = BlockSizeDistribution.Fixed(4096);

        /// <summary>Fraction of operations whose buffer is deliberately not 512-byte aligned.</summary>
        public double MisalignedFraction { get; init; }

        /// <summary>Offsets from a 512-byte boundary to choose from for a misaligned buffer; empty means any of 1..511.</summary>
        public int[] AlignmentOffsets { get; init; } = Array.Empty<int>();

        public int QueueDepth { get; init; } = 8;

        /// <summary>Operations to complete; 0 to run for <see cref="Duration"/> instead.</summary>
        public long Count { get; init; } = 10000;

        /// <summary>Virtual time to run when <see cref="Count"/> is 0 (or, with <see cref="StopAtDuration"/>, at most).</summary>
        public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(1);

        /// <summary>
        /// With a <see cref="Count"/> too: also stop issuing once <see cref="Duration"/> of virtual time has passed, so the
        /// run ends at whichever comes first (what Invoke-VbdWorkload -Count -Duration promises). Off, a Count alone decides.
        /// </summary>
        public bool StopAtDuration { get; init; }

        /// <summary>First byte of the region, a multiple of the disk's logical sector size.</summary>
        public long OffsetBytes { get; init; }

        /// <summary>Region size in bytes; 0 for up to the end of the disk (capped for verification memory).</summary>
        public long LengthBytes { get; init; }

        public ulong Seed { get; init; } = 1;

        /// <summary>Write headers and check every read (fio <c>verify</c>).</summary>
        public bool Verify { get; init; } = true;

        /// <summary>Whether a never-written sector must read as zeros (true for a fresh in-memory disk).</summary>
        public bool AssumeZeroedDisk { get; init; } = true;

        /// <summary>Issue a flush every this many writes; 0 for never.</summary>
        public int FlushEvery { get; init; }

        public void Validate()
        {
            if (!(ReadFraction >= 0 && ReadFraction <= 1)) throw new ArgumentOutOfRangeException(nameof(ReadFraction), ReadFraction, "A fraction lies in [0, 1].");
            if (!(MisalignedFraction >= 0 && MisalignedFraction <= 1)) throw new ArgumentOutOfRangeException(nameof(MisalignedFraction), MisalignedFraction, "A fraction lies in [0, 1].");
            foreach (var o in AlignmentOffsets)
                if (o < 1 || o > 511) throw new ArgumentOutOfRangeException(nameof(AlignmentOffsets), o, "An alignment offset lies in 1..511 (0 is aligned).");
            if (QueueDepth < 1 || QueueDepth > 1024) throw new ArgumentOutOfRangeException(nameof(QueueDepth), QueueDepth, "The queue depth lies in 1..1024.");
            if (Count < 0) throw new ArgumentOutOfRangeException(nameof(Count), Count, "The count cannot be negative.");
            if ((Count == 0 || StopAtDuration) && Duration <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Duration), Duration, "Give a count or a positive duration.");
            if (OffsetBytes < 0 || LengthBytes < 0) throw new ArgumentOutOfRangeException(nameof(OffsetBytes), OffsetBytes, "The region cannot be negative.");
            if (FlushEvery < 0) throw new ArgumentOutOfRangeException(nameof(FlushEvery), FlushEvery, "Cannot be negative.");
            if (BlockSizes == null) throw new ArgumentNullException(nameof(BlockSizes));
        }
    }
}
