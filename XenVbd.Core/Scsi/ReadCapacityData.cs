using System;
using System.Buffers.Binary;

namespace XenVbd.Scsi
{
    /// <summary>READ CAPACITY(10) and (16) parameter data (SBC-3 5.16, 5.17).</summary>
    public static class ReadCapacityData
    {
        public const int Length10 = 8;
        public const int Length16 = 32;

        /// <summary>
        /// 8 bytes: last LBA and block length. A last LBA that does not fit is sent as FFFFFFFFh, which tells
        /// the initiator to use READ CAPACITY(16). No allocation length: the CDB has none.
        /// </summary>
        public static int Write10(ScsiDiskInfo disk, Span<byte> dest)
        {
            Span<byte> full = stackalloc byte[Length10];
            ulong last = disk.LastLba;
            BinaryPrimitives.WriteUInt32BigEndian(full, last >= uint.MaxValue ? uint.MaxValue : (uint)last);
            BinaryPrimitives.WriteUInt32BigEndian(full.Slice(4), disk.LogicalBlockSize);
            return AnswerCopy.Copy(full, Length10, dest);
        }

        /// <summary>32 bytes, cut to the allocation length: last LBA, block length, physical exponent, LBPME.</summary>
        public static int Write16(in ScsiCommand command, ScsiDiskInfo disk, Span<byte> dest)
        {
            if (command.Kind != CdbKind.ReadCapacity16 || !command.IsValid)
            {
                throw new ArgumentException("Needs a valid decoded READ CAPACITY(16).", nameof(command));
            }

            Span<byte> full = stackalloc byte[Length16];
            full.Clear();
            BinaryPrimitives.WriteUInt64BigEndian(full, disk.LastLba);
            BinaryPrimitives.WriteUInt32BigEndian(full.Slice(8), disk.LogicalBlockSize);
            full[13] = (byte)disk.PhysicalBlockExponent; // P_I_EXPONENT 0 in the high nibble

            // LBPME: logical block provisioning (UNMAP) is on; lowest aligned LBA stays 0.
            full[14] = disk.DiscardSupported ? (byte)0x80 : (byte)0x00;
            return AnswerCopy.Copy(full, command.AllocationLength, dest);
        }
    }
}
