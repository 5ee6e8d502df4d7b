using System;

namespace XenVbd.Scsi
{
    /// <summary>
    /// What the SCSI answers say about the disk, fixed when the device connects (a resize builds a new one).
    /// Validated once here so that the builders on the I/O path never meet an impossible geometry.
    /// Discard granularity and alignment are in bytes, as blkback's XenStore keys give them.
    /// </summary>
    public sealed class ScsiDiskInfo
    {
        /// <summary>
        /// UNMAP block descriptors one command may carry (MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT of VPD page B0h).
        /// Each SRB extension has room for this many extents, so the limit the disk reports and the room the
        /// frontend made are one number.
        /// </summary>
        public const int DefaultMaxUnmapDescriptors = 16;

        /// <summary>The IEEE OUI of XenSource (00-16-3E), used for the NAA designator derived from the serial.</summary>
        public const uint XenOui = 0x00163E;

        public const int MaxSerialLength = 64;

        public ScsiDiskInfo(
            ulong blockCount,
            string serialNumber,
            uint logicalBlockSize = 512,
            uint physicalBlockSize = 0,
            bool readOnly = false,
            bool removable = false,
            bool cdRom = false,
            bool discardSupported = false,
            uint discardGranularityBytes = 0,
            uint discardAlignmentBytes = 0,
            bool discardSecure = false,
            uint maxTransferBlocks = 0xFFFF,
            uint maxUnmapDescriptors = DefaultMaxUnmapDescriptors,
            bool writeCacheEnabled = false,
            bool flushSupported = false,
            ulong? naaIdentifier = null,
            string productRevision = "0001",
            bool? fuaSupported = null)
        {
            if (blockCount == 0)
            {
                throw new ArgumentOutOfRangeException(nameof(blockCount), "A disk has at least one logical block.");
            }

            if (!IsPowerOfTwo(logicalBlockSize) || logicalBlockSize < 512)
            {
                throw new ArgumentOutOfRangeException(nameof(logicalBlockSize), logicalBlockSize, "Must be a power of two of at least 512.");
            }

            if (physicalBlockSize == 0)
            {
                physicalBlockSize = logicalBlockSize;
            }

            // READ CAPACITY(16) carries the ratio as a 4-bit exponent.
            if (!IsPowerOfTwo(physicalBlockSize) || physicalBlockSize < logicalBlockSize || physicalBlockSize / logicalBlockSize > 1u << 15)
            {
                throw new ArgumentOutOfRangeException(nameof(physicalBlockSize), physicalBlockSize, "Must be a power-of-two multiple (at most 2^15) of the logical block size.");
            }

            if (discardGranularityBytes % logicalBlockSize != 0 || discardAlignmentBytes % logicalBlockSize != 0)
            {
                throw new ArgumentException("Discard granularity and alignment must be whole logical blocks.");
            }

            if (maxTransferBlocks == 0)
            {
                throw new ArgumentOutOfRangeException(nameof(maxTransferBlocks), "A disk must move at least one block per command.");
            }

            if (discardSupported && maxUnmapDescriptors == 0)
            {
                throw new ArgumentOutOfRangeException(nameof(maxUnmapDescriptors), "Discard needs at least one UNMAP descriptor per command.");
            }

            CheckAscii(serialNumber, nameof(serialNumber), 1, MaxSerialLength);
            CheckAscii(productRevision, nameof(productRevision), 4, 4);
            if (naaIdentifier is ulong naa && naa >> 60 != 5)
            {
                throw new ArgumentException("Only NAA type 5 (IEEE registered) identifiers are accepted.", nameof(naaIdentifier));
            }

            BlockCount = blockCount;
            SerialNumber = serialNumber;
            LogicalBlockSize = logicalBlockSize;
            PhysicalBlockSize = physicalBlockSize;
            ReadOnly = readOnly;
            Removable = removable;
            CdRom = cdRom;
            DiscardSupported = discardSupported;
            DiscardGranularityBytes = discardGranularityBytes;
            DiscardAlignmentBytes = discardAlignmentBytes;
            DiscardSecure = discardSecure;
            MaxTransferBlocks = maxTransferBlocks;
            MaxUnmapDescriptors = discardSupported ? maxUnmapDescriptors : 0;
            WriteCacheEnabled = writeCacheEnabled;
            FlushSupported = flushSupported;
            FuaSupported = fuaSupported ?? flushSupported;
            NaaIdentifier = naaIdentifier ?? DeriveNaa(serialNumber);
            ProductRevision = productRevision;
        }

        /// <summary>Capacity in logical blocks (not 512-byte sectors unless the block size is 512).</summary>
        public ulong BlockCount { get; }

        public ulong LastLba => BlockCount - 1;

        public uint LogicalBlockSize { get; }

        public uint PhysicalBlockSize { get; }

        /// <summary>log2(physical / logical): READ CAPACITY(16) LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT.</summary>
        public int PhysicalBlockExponent => Log2(PhysicalBlockSize / LogicalBlockSize);

        public bool ReadOnly { get; }

        public bool Removable { get; }

        /// <summary>Peripheral device type 5 (CD/DVD) instead of 0 (direct access).</summary>
        public bool CdRom { get; }

        public byte PeripheralDeviceType => CdRom ? (byte)0x05 : (byte)0x00;

        public bool DiscardSupported { get; }

        public uint DiscardGranularityBytes { get; }

        public uint DiscardAlignmentBytes { get; }

        /// <summary>blkback's feature-discard secure flag; SCSI UNMAP has no secure variant, kept for the frontend.</summary>
        public bool DiscardSecure { get; }

        public uint MaxTransferBlocks { get; }

        /// <summary>Block limits MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT; 0 when discard is off.</summary>
        public uint MaxUnmapDescriptors { get; }

        public bool WriteCacheEnabled { get; }

        public bool FlushSupported { get; }

        /// <summary>MODE SENSE reports DPOFUA: the frontend honours Force Unit Access on a WRITE (defaults to <see cref="FlushSupported"/>).</summary>
        public bool FuaSupported { get; }

        /// <summary>Printable ASCII, 1..64 characters: VPD page 80h and the T10 vendor designator.</summary>
        public string SerialNumber { get; }

        /// <summary>8-byte NAA-5 designator for VPD page 83h.</summary>
        public ulong NaaIdentifier { get; }

        public string ProductRevision { get; }

        /// <summary>
        /// NAA 5 = XenSource OUI + the low 36 bits of FNV-1a-64 of the serial: stable for a serial, and
        /// distinct disks with distinct serials get distinct ids with overwhelming probability.
        /// </summary>
        public static ulong DeriveNaa(string serialNumber)
        {
            ulong hash = 0xCBF29CE484222325;
            foreach (char c in serialNumber)
            {
                hash ^= (byte)c;
                hash *= 0x100000001B3;
            }

            return (5UL << 60) | ((ulong)XenOui << 36) | (hash & 0xF_FFFF_FFFF);
        }

        private static void CheckAscii(string value, string name, int min, int max)
        {
            if (value is null)
            {
                throw new ArgumentNullException(name);
            }

            if (value.Length < min || value.Length > max)
            {
                throw new ArgumentException($"Must be {min}..{max} characters.", name);
            }

            foreach (char c in value)
            {
                if (c < 0x20 || c > 0x7E)
                {
                    throw new ArgumentException("Must be printable ASCII (SPC-4 4.4.1).", name);
                }
            }
        }

        private static bool IsPowerOfTwo(uint v) => v != 0 && (v & (v - 1)) == 0;

        private static int Log2(uint v)
        {
            int n = 0;
            while (v > 1)
            {
                v >>= 1;
                n++;
            }

            return n;
        }
    }
}
