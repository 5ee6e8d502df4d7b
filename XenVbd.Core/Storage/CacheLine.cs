using System;

namespace XenVbd.Storage
{
    /// <summary>
    /// One 64 KiB slot of <see cref="WriteCacheDisk"/>: the data plus a bit per logical sector saying
    /// whether the cache holds that sector. Tracking sectors rather than whole lines means a write-back
    /// or a read never has to fetch the rest of the line from the inner disk.
    /// </summary>
    internal sealed class CacheLine
    {
        private readonly ulong[] _dirty;
        private readonly int _sectorSize;

        public CacheLine(int lineSize, int sectorSize)
        {
            Data = new byte[lineSize];
            _sectorSize = sectorSize;
            int sectors = lineSize / sectorSize;
            _dirty = new ulong[(sectors + 63) / 64];
            SectorCount = sectors;
        }

        public byte[] Data { get; }

        public int SectorCount { get; }

        public int DirtySectors { get; private set; }

        public bool IsDirty(int sector) => (_dirty[sector >> 6] & (1UL << sector)) != 0;

        /// <summary>Copies whole sectors in at a byte offset within the line and marks them held.</summary>
        public void Store(int byteOffset, ReadOnlySpan<byte> source)
        {
            source.CopyTo(Data.AsSpan(byteOffset));
            int first = byteOffset / _sectorSize;
            int end = first + source.Length / _sectorSize;
            for (int sector = first; sector < end; sector++)
            {
                ref ulong word = ref _dirty[sector >> 6];
                ulong bit = 1UL << sector;
                if ((word & bit) == 0)
                {
                    word |= bit;
                    DirtySectors++;
                }
            }
        }

        /// <summary>Forgets sectors [first, end) so they are neither served nor written back.</summary>
        public void Drop(int first, int end)
        {
            for (int sector = first; sector < end; sector++)
            {
                ref ulong word = ref _dirty[sector >> 6];
                ulong bit = 1UL << sector;
                if ((word & bit) != 0)
                {
                    word &= ~bit;
                    DirtySectors--;
                }
            }
        }

        public void Reset()
        {
            Array.Clear(_dirty, 0, _dirty.Length);
            DirtySectors = 0;
        }
    }
}
