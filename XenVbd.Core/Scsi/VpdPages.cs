using System;
using System.Buffers.Binary;

namespace XenVbd.Scsi
{
    /// <summary>
    /// The vital product data pages (SPC-4 7.8, SBC-3 6.6) behind INQUIRY with EVPD set. Each writer
    /// fills a buffer of at least <see cref="MaxPageLength"/> bytes with the whole page and returns its
    /// length; <see cref="InquiryData"/> cuts it to the allocation length.
    /// </summary>
    internal static class VpdPages
    {
        public const byte SupportedPages = 0x00;
        public const byte UnitSerialNumber = 0x80;
        public const byte DeviceIdentification = 0x83;
        public const byte BlockLimits = 0xB0;
        public const byte BlockDeviceCharacteristics = 0xB1;
        public const byte LogicalBlockProvisioning = 0xB2;

        /// <summary>The longest page: 83h with a 64-character serial (4 + 4+8+64 + 4+8).</summary>
        public const int MaxPageLength = 4 + 4 + 8 + ScsiDiskInfo.MaxSerialLength + 4 + 8;

        /// <summary>Block limits and characteristics both have PAGE LENGTH 3Ch (SBC-3 6.6.3, 6.6.2).</summary>
        private const int SbcPageLength = 0x40;

        private static ReadOnlySpan<byte> Vendor => new byte[] { (byte)'X', (byte)'E', (byte)'N', 0x20, 0x20, 0x20, 0x20, 0x20 };

        public static bool IsSupported(ScsiDiskInfo disk, byte page) => page switch
        {
            SupportedPages or UnitSerialNumber or DeviceIdentification => true,

            // The B0h..B2h pages belong to SBC (direct-access devices); an MMC drive has none of them.
            BlockLimits or BlockDeviceCharacteristics => !disk.CdRom,
            LogicalBlockProvisioning => !disk.CdRom && disk.DiscardSupported,
            _ => false,
        };

        /// <summary>Writes page <paramref name="page"/>; the caller has checked <see cref="IsSupported"/>.</summary>
        public static int Write(ScsiDiskInfo disk, byte page, Span<byte> buf)
        {
            buf.Slice(0, MaxPageLength).Clear();
            buf[0] = disk.PeripheralDeviceType;
            buf[1] = page;
            return page switch
            {
                SupportedPages => WriteSupportedPages(disk, buf),
                UnitSerialNumber => WriteSerial(disk, buf),
                DeviceIdentification => WriteDeviceIdentification(disk, buf),
                BlockLimits => WriteBlockLimits(disk, buf),
                BlockDeviceCharacteristics => WriteCharacteristics(buf),
                _ => WriteProvisioning(buf),
            };
        }

        private static int WriteSupportedPages(ScsiDiskInfo disk, Span<byte> buf)
        {
            // Ascending order, as SPC-4 7.8.13 requires.
            int n = 4;
            for (int page = 0; page <= 0xFF; page++)
            {
                if (IsSupported(disk, (byte)page))
                {
                    buf[n++] = (byte)page;
                }
            }

            buf[3] = (byte)(n - 4);
            return n;
        }

        private static int WriteSerial(ScsiDiskInfo disk, Span<byte> buf)
        {
            int len = WriteAscii(disk.SerialNumber, buf.Slice(4));
            buf[3] = (byte)len;
            return 4 + len;
        }

        private static int WriteDeviceIdentification(ScsiDiskInfo disk, Span<byte> buf)
        {
            int n = 4;

            // T10 vendor ID designator: code set ASCII (2), association LU, type 1; vendor then the serial.
            buf[n] = 0x02;
            buf[n + 1] = 0x01;
            int idLen = Vendor.Length + disk.SerialNumber.Length;
            buf[n + 3] = (byte)idLen;
            Vendor.CopyTo(buf.Slice(n + 4));
            WriteAscii(disk.SerialNumber, buf.Slice(n + 4 + Vendor.Length));
            n += 4 + idLen;

            // NAA designator: code set binary (1), association LU, type 3; Windows prefers it for disk identity.
            buf[n] = 0x01;
            buf[n + 1] = 0x03;
            buf[n + 3] = 8;
            BinaryPrimitives.WriteUInt64BigEndian(buf.Slice(n + 4, 8), disk.NaaIdentifier);
            n += 12;

            BinaryPrimitives.WriteUInt16BigEndian(buf.Slice(2, 2), (ushort)(n - 4));
            return n;
        }

        private static int WriteBlockLimits(ScsiDiskInfo disk, Span<byte> buf)
        {
            BinaryPrimitives.WriteUInt16BigEndian(buf.Slice(2, 2), SbcPageLength - 4);

            // OPTIMAL TRANSFER LENGTH GRANULARITY: one physical block, so writes avoid read-modify-write.
            BinaryPrimitives.WriteUInt16BigEndian(buf.Slice(6, 2), (ushort)(disk.PhysicalBlockSize / disk.LogicalBlockSize));
            BinaryPrimitives.WriteUInt32BigEndian(buf.Slice(8, 4), disk.MaxTransferBlocks);
            if (disk.DiscardSupported)
            {
                // blkif discard counts sectors in a u64, so no LBA count limit is needed; descriptors cost ring slots.
                BinaryPrimitives.WriteUInt32BigEndian(buf.Slice(20, 4), UnmapParameterList.MaxUnmapLbaCount);
                BinaryPrimitives.WriteUInt32BigEndian(buf.Slice(24, 4), disk.MaxUnmapDescriptors);
                uint granularity = disk.DiscardGranularityBytes / disk.LogicalBlockSize;
                BinaryPrimitives.WriteUInt32BigEndian(buf.Slice(28, 4), granularity);
                if (granularity != 0)
                {
                    // UGAVALID plus the 31-bit alignment (the LBA of the first whole granule).
                    uint alignment = (disk.DiscardAlignmentBytes / disk.LogicalBlockSize) % granularity;
                    BinaryPrimitives.WriteUInt32BigEndian(buf.Slice(32, 4), 0x8000_0000u | alignment);
                }
            }

            return SbcPageLength;
        }

        private static int WriteCharacteristics(Span<byte> buf)
        {
            BinaryPrimitives.WriteUInt16BigEndian(buf.Slice(2, 2), SbcPageLength - 4);

            // MEDIUM ROTATION RATE 0001h: non-rotating (solid state), so Windows skips seek-oriented tuning.
            BinaryPrimitives.WriteUInt16BigEndian(buf.Slice(4, 2), 0x0001);
            return SbcPageLength;
        }

        private static int WriteProvisioning(Span<byte> buf)
        {
            // SBC-3 6.6.4: PAGE LENGTH 4; LBPU set because UNMAP is supported; provisioning type "not reported".
            buf[3] = 0x04;
            buf[5] = 0x80;
            return 8;
        }

        private static int WriteAscii(string text, Span<byte> dest)
        {
            for (int i = 0; i < text.Length; i++)
            {
                dest[i] = (byte)text[i];
            }

            return text.Length;
        }
    }
}
