using System;
using System.Buffers.Binary;

namespace XenVbd.Workload
{
    /// <summary>
    /// fio-style verify header stamped into every 512-byte sector a workload writes:
    /// magic @0, checksum @4 (over the whole sector with this field zero), sector @8, generation @16,
    /// seed @24, then a payload derived from (seed, sector, generation). Per 512-byte sector rather than
    /// per transfer, because transfers of different sizes overlap and a read must judge each sector alone.
    /// </summary>
    public static class BlockHeader
    {
        public const int SectorSize = 512;

        /// <summary>"XVBD" read little-endian.</summary>
        public const uint Magic = 0x44425658;

        public static void Stamp(Span<byte> sector, long sectorNumber, ulong generation, ulong seed)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(sector, Magic);
            BinaryPrimitives.WriteUInt32LittleEndian(sector.Slice(4), 0);
            BinaryPrimitives.WriteInt64LittleEndian(sector.Slice(8), sectorNumber);
            BinaryPrimitives.WriteUInt64LittleEndian(sector.Slice(16), generation);
            BinaryPrimitives.WriteUInt64LittleEndian(sector.Slice(24), seed);
            ulong x = Mix(seed ^ ((ulong)sectorNumber * 0x9E3779B97F4A7C15UL) ^ (generation << 17));
            for (int i = 32; i < SectorSize; i += 8)
            {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                BinaryPrimitives.WriteUInt64LittleEndian(sector.Slice(i), x);
            }
            BinaryPrimitives.WriteUInt32LittleEndian(sector.Slice(4), Checksum(sector));
        }

        /// <summary>Judges one sector read back. <paramref name="foundGeneration"/>/<paramref name="foundSector"/> are valid when the header is.</summary>
        public static SectorCheck Check(ReadOnlySpan<byte> sector, ulong seed, out long foundSector, out ulong foundGeneration)
        {
            foundSector = -1;
            foundGeneration = 0;
            if (BinaryPrimitives.ReadUInt32LittleEndian(sector) != Magic)
                return IsZero(sector) ? SectorCheck.Zero : SectorCheck.Garbage;
            if (BinaryPrimitives.ReadUInt32LittleEndian(sector.Slice(4)) != Checksum(sector)) return SectorCheck.BadChecksum;
            foundSector = BinaryPrimitives.ReadInt64LittleEndian(sector.Slice(8));
            foundGeneration = BinaryPrimitives.ReadUInt64LittleEndian(sector.Slice(16));
            return BinaryPrimitives.ReadUInt64LittleEndian(sector.Slice(24)) == seed ? SectorCheck.Valid : SectorCheck.ForeignSeed;
        }

        /// <summary>A 64-bit multiply-xorshift hash folded to 32 bits; checksum word counted as zero.</summary>
        public static uint Checksum(ReadOnlySpan<byte> sector)
        {
            ulong h = 0xCBF29CE484222325UL;
            for (int i = 0; i < SectorSize; i += 8)
            {
                ulong w = BinaryPrimitives.ReadUInt64LittleEndian(sector.Slice(i));
                if (i == 0) w &= 0xFFFFFFFFUL;
                h = (h ^ w) * 0x100000001B3UL;
                h ^= h >> 29;
            }
            return (uint)(h ^ (h >> 32));
        }

        private static bool IsZero(ReadOnlySpan<byte> span)
        {
#if NET
            return !span.ContainsAnyExcept((byte)0);
#else
            foreach (var b in span) if (b != 0) return false;
            return true;
#endif
        }

        private static ulong Mix(ulong z)
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return z == 0 ? 0x9E3779B97F4A7C15UL : z;
        }
    }
}
