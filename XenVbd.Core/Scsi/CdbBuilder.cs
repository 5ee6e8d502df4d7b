using System;
using System.Buffers.Binary;

namespace XenVbd.Scsi
{
    /// <summary>
    /// The one builder of CDBs in the engine and the module: Invoke-Srb's friendly parameter sets, the
    /// workload runner and the shared-memory I/O check all build their commands here, the way a Windows
    /// disk class driver does (the 10-byte form while LBA and count fit, the 16-byte form beyond). The
    /// span writers fill a caller's buffer, so the I/O path builds CDBs without allocating. Also knows the
    /// CDB length each operation-code group needs, to reject a raw CDB that is too short before it goes out.
    /// Tests build their CDBs by hand from SBC/SPC instead, so they do not trust this builder.
    /// </summary>
    public static class CdbBuilder
    {
        public const int MinCdbLength = 6;
        public const int MaxCdbLength = 16;

        // SBC: bit 3 of byte 1 of READ/WRITE(10/16), "force unit access".
        private const byte ForceUnitAccess = 0x08;

        /// <summary>READ(10)/WRITE(10), or the (16) form when the LBA or the block count does not fit.</summary>
        public static byte[] ReadWrite(bool write, long lba, long blockCount, bool fua = false)
        {
            Span<byte> cdb = stackalloc byte[MaxCdbLength];
            int length = WriteReadWrite(cdb, write, lba, blockCount, fua);
            return cdb.Slice(0, length).ToArray();
        }

        /// <summary>
        /// Writes READ(10)/WRITE(10) into <paramref name="cdb"/>, or the (16) form when the LBA or the block
        /// count does not fit, and returns the CDB's length. Every byte of the written form is set.
        /// </summary>
        public static int WriteReadWrite(Span<byte> cdb, bool write, long lba, long blockCount, bool fua = false)
        {
            if (lba < 0) throw new ArgumentOutOfRangeException(nameof(lba));
            if (blockCount < 0 || blockCount > uint.MaxValue) throw new ArgumentOutOfRangeException(nameof(blockCount));
            if (lba > uint.MaxValue || blockCount > ushort.MaxValue) return WriteReadWrite16(cdb, write, lba, (uint)blockCount, fua);
            Span<byte> c = cdb.Slice(0, 10);
            c.Clear();
            c[0] = write ? ScsiOp.Write10 : ScsiOp.Read10;
            c[1] = fua ? ForceUnitAccess : (byte)0;
            BinaryPrimitives.WriteUInt32BigEndian(c.Slice(2), (uint)lba);
            BinaryPrimitives.WriteUInt16BigEndian(c.Slice(7), (ushort)blockCount);
            return 10;
        }

        /// <summary>Writes READ(16)/WRITE(16) into <paramref name="cdb"/> whatever the LBA, and returns 16.</summary>
        public static int WriteReadWrite16(Span<byte> cdb, bool write, long lba, uint blockCount, bool fua = false)
        {
            if (lba < 0) throw new ArgumentOutOfRangeException(nameof(lba));
            Span<byte> c = cdb.Slice(0, 16);
            c.Clear();
            c[0] = write ? ScsiOp.Write16 : ScsiOp.Read16;
            c[1] = fua ? ForceUnitAccess : (byte)0;
            BinaryPrimitives.WriteUInt64BigEndian(c.Slice(2), (ulong)lba);
            BinaryPrimitives.WriteUInt32BigEndian(c.Slice(10), blockCount);
            return 16;
        }

        /// <summary>INQUIRY: standard data, or the VPD page when <paramref name="vpdPage"/> is given.</summary>
        public static byte[] Inquiry(byte? vpdPage, int allocationLength)
        {
            var cdb = new byte[6];
            cdb[0] = ScsiOp.Inquiry;
            if (vpdPage.HasValue)
            {
                cdb[1] = 0x01; // EVPD
                cdb[2] = vpdPage.Value;
            }

            PutBE(cdb, 3, (ulong)allocationLength, 2);
            return cdb;
        }

        /// <summary>READ CAPACITY(10), or READ CAPACITY(16) (SERVICE ACTION IN(16)).</summary>
        public static byte[] ReadCapacity(bool sixteen)
        {
            if (!sixteen)
            {
                var cdb10 = new byte[10];
                cdb10[0] = ScsiOp.ReadCapacity10;
                return cdb10;
            }

            var cdb = new byte[16];
            cdb[0] = ScsiOp.ServiceActionIn16;
            cdb[1] = ScsiOp.ReadCapacity16ServiceAction;
            PutBE(cdb, 10, 32, 4);
            return cdb;
        }

        public static byte[] TestUnitReady() => new byte[6];

        public static byte[] RequestSense(int allocationLength)
        {
            var cdb = new byte[6];
            cdb[0] = ScsiOp.RequestSense;
            cdb[4] = (byte)Math.Min(allocationLength, 255);
            return cdb;
        }

        /// <summary>MODE SENSE(10), current values, DBD clear.</summary>
        public static byte[] ModeSense(byte page, int allocationLength)
        {
            var cdb = new byte[10];
            cdb[0] = ScsiOp.ModeSense10;
            cdb[2] = (byte)(page & 0x3F);
            PutBE(cdb, 7, (ulong)allocationLength, 2);
            return cdb;
        }

        /// <summary>SYNCHRONIZE CACHE(10) over the whole disk (LBA 0, 0 blocks = to the end).</summary>
        public static byte[] SynchronizeCache()
        {
            var cdb = new byte[10];
            WriteSynchronizeCache(cdb);
            return cdb;
        }

        /// <summary>Writes SYNCHRONIZE CACHE(10) over the whole disk into <paramref name="cdb"/>, and returns 10.</summary>
        public static int WriteSynchronizeCache(Span<byte> cdb)
        {
            Span<byte> c = cdb.Slice(0, 10);
            c.Clear();
            c[0] = ScsiOp.SynchronizeCache10;
            return 10;
        }

        /// <summary>UNMAP with one block descriptor; returns the CDB and its parameter list.</summary>
        public static (byte[] Cdb, byte[] ParameterList) Unmap(long lba, long blockCount)
        {
            if (lba < 0) throw new ArgumentOutOfRangeException(nameof(lba));
            if (blockCount < 0 || blockCount > uint.MaxValue) throw new ArgumentOutOfRangeException(nameof(blockCount));
            var list = new byte[8 + 16];
            PutBE(list, 0, 6 + 16, 2);   // UNMAP DATA LENGTH: the bytes after this field
            PutBE(list, 2, 16, 2);       // BLOCK DESCRIPTOR DATA LENGTH
            PutBE(list, 8, (ulong)lba, 8);
            PutBE(list, 16, (ulong)blockCount, 4);
            var cdb = new byte[10];
            cdb[0] = ScsiOp.Unmap;
            PutBE(cdb, 7, (ulong)list.Length, 2);
            return (cdb, list);
        }

        public static byte[] ReportLuns(int allocationLength)
        {
            var cdb = new byte[12];
            cdb[0] = ScsiOp.ReportLuns;
            PutBE(cdb, 6, (ulong)allocationLength, 4);
            return cdb;
        }

        /// <summary>
        /// The CDB length the operation code's group implies (SAM: group 0 is 6 bytes, 1 and 2 are 10,
        /// 4 is 16, 5 is 12); groups 3, 6 and 7 (reserved, vendor-specific) need at least 6.
        /// </summary>
        public static int RequiredLength(byte operationCode) => (operationCode >> 5) switch
        {
            0 => 6,
            1 => 10,
            2 => 10,
            4 => 16,
            5 => 12,
            _ => MinCdbLength,
        };

        /// <summary>A short name for the command in a CDB, for output (READ(10), INQUIRY, ...).</summary>
        public static string Name(ReadOnlySpan<byte> cdb)
        {
            if (cdb.IsEmpty) return "(empty)";
            switch (cdb[0])
            {
                case ScsiOp.TestUnitReady: return "TEST UNIT READY";
                case ScsiOp.RequestSense: return "REQUEST SENSE";
                case ScsiOp.Read6: return "READ(6)";
                case ScsiOp.Write6: return "WRITE(6)";
                case ScsiOp.Inquiry: return cdb.Length > 1 && (cdb[1] & 1) != 0 && cdb.Length > 2 ? "INQUIRY VPD 0x" + cdb[2].ToString("X2") : "INQUIRY";
                case ScsiOp.ModeSense6: return "MODE SENSE(6)";
                case ScsiOp.StartStopUnit: return "START STOP UNIT";
                case ScsiOp.ReadCapacity10: return "READ CAPACITY(10)";
                case ScsiOp.Read10: return "READ(10)";
                case ScsiOp.Write10: return "WRITE(10)";
                case ScsiOp.Verify10: return "VERIFY(10)";
                case ScsiOp.SynchronizeCache10: return "SYNCHRONIZE CACHE(10)";
                case ScsiOp.Unmap: return "UNMAP";
                case ScsiOp.ModeSense10: return "MODE SENSE(10)";
                case ScsiOp.Read16: return "READ(16)";
                case ScsiOp.Write16: return "WRITE(16)";
                case ScsiOp.Verify16: return "VERIFY(16)";
                case ScsiOp.SynchronizeCache16: return "SYNCHRONIZE CACHE(16)";
                case ScsiOp.ServiceActionIn16: return cdb.Length > 1 && (cdb[1] & 0x1F) == ScsiOp.ReadCapacity16ServiceAction ? "READ CAPACITY(16)" : "SERVICE ACTION IN(16)";
                case ScsiOp.ReportLuns: return "REPORT LUNS";
                case ScsiOp.Read12: return "READ(12)";
                case ScsiOp.Write12: return "WRITE(12)";
                case ScsiOp.Verify12: return "VERIFY(12)";
                default: return "OPCODE 0x" + cdb[0].ToString("X2");
            }
        }

        /// <summary>The LBA a READ/WRITE/VERIFY CDB addresses, or -1 when it has none.</summary>
        public static long Lba(ReadOnlySpan<byte> cdb)
        {
            if (cdb.IsEmpty) return -1;
            switch (cdb[0])
            {
                case ScsiOp.Read6:
                case ScsiOp.Write6:
                    return cdb.Length >= 6 ? ((cdb[1] & 0x1F) << 16) | (cdb[2] << 8) | cdb[3] : -1;
                case ScsiOp.Read10:
                case ScsiOp.Write10:
                case ScsiOp.Verify10:
                case ScsiOp.Read12:
                case ScsiOp.Write12:
                case ScsiOp.Verify12:
                    return cdb.Length >= 10 ? (long)GetBE(cdb, 2, 4) : -1;
                case ScsiOp.Read16:
                case ScsiOp.Write16:
                case ScsiOp.Verify16:
                    return cdb.Length >= 16 ? (long)GetBE(cdb, 2, 8) : -1;
                default:
                    return -1;
            }
        }

        private static void PutBE(byte[] buffer, int offset, ulong value, int size)
        {
            for (int i = size - 1; i >= 0; i--)
            {
                buffer[offset + i] = (byte)value;
                value >>= 8;
            }
        }

        private static ulong GetBE(ReadOnlySpan<byte> buffer, int offset, int size)
        {
            ulong value = 0;
            for (int i = 0; i < size; i++)
            {
                value = (value << 8) | buffer[offset + i];
            }

            return value;
        }
    }
}
