using System;

namespace XenVbd.Storage
{
    /// <summary>Checks shared by every disk constructor, so all of them reject the same shapes the same way.</summary>
    internal static class DiskGeometry
    {
        /// <summary>Larger physical sectors than this are not something any Xen backend advertises.</summary>
        public const int MaxPhysicalSectorSize = 1 << 20;

        public static void ValidateSectorSizes(int logicalSectorSize, int physicalSectorSize)
        {
            if (logicalSectorSize != 512 && logicalSectorSize != 4096)
            {
                throw new ArgumentOutOfRangeException(nameof(logicalSectorSize), logicalSectorSize,
                    "The logical sector size must be 512 or 4096 bytes.");
            }

            if (physicalSectorSize < logicalSectorSize || physicalSectorSize > MaxPhysicalSectorSize
                || (physicalSectorSize & (physicalSectorSize - 1)) != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(physicalSectorSize), physicalSectorSize,
                    $"The physical sector size must be a power of two from the logical sector size ({logicalSectorSize}) to {MaxPhysicalSectorSize} bytes.");
            }
        }

        /// <summary>Zero means "same as logical", the common case, so callers need not repeat themselves.</summary>
        public static int ResolvePhysical(int logicalSectorSize, int physicalSectorSize) =>
            physicalSectorSize == 0 ? logicalSectorSize : physicalSectorSize;

        public static void ValidateSize(long sizeBytes, int logicalSectorSize, long maxSizeBytes)
        {
            if (sizeBytes <= 0 || sizeBytes > maxSizeBytes)
            {
                throw new StorageException(StorageError.OutOfRange,
                    $"A disk size of {sizeBytes} bytes is outside the supported range 1..{maxSizeBytes}.");
            }

            if (sizeBytes % logicalSectorSize != 0)
            {
                throw new StorageException(StorageError.Misaligned,
                    $"A disk size of {sizeBytes} bytes is not a multiple of the {logicalSectorSize}-byte logical sector size.");
            }
        }
    }
}
