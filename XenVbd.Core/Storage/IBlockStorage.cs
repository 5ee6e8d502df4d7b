using System;

namespace XenVbd.Storage
{
    /// <summary>
    /// The disk behind the blkback model. Offsets and lengths are in bytes, not sectors, because blkif
    /// always counts 512-byte sectors while the disk may use 4096-byte ones; each implementation checks
    /// alignment to its own logical sector size so a misaligned request fails here, loudly.
    /// </summary>
    /// <remarks>
    /// Errors are <see cref="StorageException"/>s whose <see cref="StorageException.Error"/> tells the caller
    /// what went wrong (<see cref="StorageError.OutOfRange"/>, <see cref="StorageError.Misaligned"/>,
    /// <see cref="StorageError.ReadOnly"/>, <see cref="StorageError.MediumError"/>, ...).
    /// Implementations serialise calls on one instance, so concurrent callers are safe but not parallel.
    /// </remarks>
    public interface IBlockStorage : IDisposable
    {
        /// <summary>Capacity in bytes; always a positive multiple of <see cref="LogicalSectorSize"/>.</summary>
        long SizeBytes { get; }

        /// <summary>512 or 4096: the unit every offset and length must be aligned to.</summary>
        int LogicalSectorSize { get; }

        /// <summary>A power-of-two multiple of the logical size; advertised as <c>physical-sector-size</c>.</summary>
        int PhysicalSectorSize { get; }

        bool IsReadOnly { get; }

        /// <summary>Counters since creation, as one consistent snapshot.</summary>
        StorageStatistics Statistics { get; }

        void Read(long byteOffset, Span<byte> destination);

        void Write(long byteOffset, ReadOnlySpan<byte> source);

        /// <summary>
        /// preadv: one contiguous range of the disk into scattered memory, as one operation (one bio in
        /// blkback's terms), so a 256-segment request costs one lock and one range check, not 256.
        /// Each region's length must be a whole number of logical sectors.
        /// </summary>
        void ReadScatter(long byteOffset, ReadOnlySpan<MemoryRegion> destinations);

        /// <summary>pwritev: scattered memory onto one contiguous range of the disk, as one operation.</summary>
        void WriteGather(long byteOffset, ReadOnlySpan<MemoryRegion> sources);

        /// <summary>Makes every completed write durable (fsync for a file; write-back for a cache).</summary>
        void Flush();

        /// <summary>
        /// Forgets a range: later reads return zeros. <paramref name="secure"/> asks for the old data to be
        /// overwritten now rather than merely unmapped (BLKIF_DISCARD_SECURE).
        /// </summary>
        void Discard(long byteOffset, long length, bool secure);

        /// <summary>Changes capacity. Bytes past a shrink are lost; a later grow reads them back as zeros.</summary>
        void Resize(long newSizeBytes);
    }
}
