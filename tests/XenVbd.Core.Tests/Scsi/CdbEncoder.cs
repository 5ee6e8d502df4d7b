using System;
using System.Buffers.Binary;
using XenVbd.Scsi;

namespace XenVbd.Tests.Scsi
{
    /// <summary>
    /// Test-side CDB writer, laid out from the SBC-3 CDB tables independently of the decoder, so that
    /// encode-then-decode checks the decoder's field positions rather than agreeing with itself.
    /// </summary>
    internal static class CdbEncoder
    {
        /// <summary>READ/WRITE/VERIFY in the form given by opcode; blocks must fit that form's length field.</summary>
        public static byte[] Transfer(byte opcode, ulong lba, uint blocks, byte byte1 = 0)
        {
            switch (opcode)
            {
                case ScsiOp.Read6:
                case ScsiOp.Write6:
                    // 21-bit LBA in byte 1 bits 4..0 and bytes 2..3; 256 blocks is encoded as 0.
                    return new byte[] { opcode, (byte)((lba >> 16) & 0x1F), (byte)(lba >> 8), (byte)lba, (byte)(blocks == 256 ? 0 : blocks), 0 };
                case ScsiOp.Read10:
                case ScsiOp.Write10:
                case ScsiOp.Verify10:
                case ScsiOp.SynchronizeCache10:
                {
                    var cdb = new byte[10];
                    cdb[0] = opcode;
                    cdb[1] = byte1;
                    BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(2), (uint)lba);
                    BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(7), (ushort)blocks);
                    return cdb;
                }

                case ScsiOp.Read12:
                case ScsiOp.Write12:
                case ScsiOp.Verify12:
                {
                    var cdb = new byte[12];
                    cdb[0] = opcode;
                    cdb[1] = byte1;
                    BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(2), (uint)lba);
                    BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(6), blocks);
                    return cdb;
                }

                default:
                {
                    var cdb = new byte[16];
                    cdb[0] = opcode;
                    cdb[1] = byte1;
                    BinaryPrimitives.WriteUInt64BigEndian(cdb.AsSpan(2), lba);
                    BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(10), blocks);
                    return cdb;
                }
            }
        }
    }
}
