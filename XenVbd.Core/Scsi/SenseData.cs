using System;
using System.Buffers.Binary;

namespace XenVbd.Scsi
{
    /// <summary>
    /// Fixed-format sense data (SPC-4 4.5.3, response code 70h, 18 bytes): the format scsiport's
    /// autosense buffer and the Windows class drivers expect. Writes truncate to the caller's buffer,
    /// which is how a short SenseInfoBufferLength or REQUEST SENSE allocation length behaves.
    /// </summary>
    public static class SenseData
    {
        public const int FixedLength = 18;

        /// <summary>Current-error fixed format; 71h would be a deferred error, which this disk never raises.</summary>
        public const byte CurrentFixed = 0x70;

        private const byte AdditionalLength = FixedLength - 8;

        /// <summary>Writes the 18-byte fixed sense for <paramref name="sense"/>; returns bytes written (≤ dest length).</summary>
        public static int Write(Span<byte> dest, in SenseInfo sense)
        {
            Span<byte> full = stackalloc byte[FixedLength];
            full.Clear();
            full[0] = (byte)(CurrentFixed | (sense.InformationValid ? 0x80 : 0));
            full[2] = (byte)((byte)sense.Key & 0x0F);
            BinaryPrimitives.WriteUInt32BigEndian(full.Slice(3, 4), sense.Information);
            full[7] = AdditionalLength;
            full[12] = sense.Asc;
            full[13] = sense.Ascq;
            if (sense.SenseKeySpecificValid)
            {
                full[15] = (byte)(0x80
                    | (sense.CommandData ? 0x40 : 0)
                    | (sense.BitPointerValid ? 0x08 : 0)
                    | (sense.BitPointer & 0x07));
                BinaryPrimitives.WriteUInt16BigEndian(full.Slice(16, 2), sense.FieldPointer);
            }

            return AnswerCopy.Copy(full, FixedLength, dest);
        }

        /// <summary>The answer to REQUEST SENSE: the pending sense (or NO SENSE) cut to the allocation length.</summary>
        public static int WriteForRequestSense(in ScsiCommand command, in SenseInfo pending, Span<byte> dest)
        {
            int limit = command.AllocationLength < (uint)dest.Length ? (int)command.AllocationLength : dest.Length;
            return Write(dest.Slice(0, limit), pending);
        }

        /// <summary>
        /// Reads fixed (70h/71h) or descriptor (72h/73h) sense. Fields beyond what the buffer or its
        /// ADDITIONAL SENSE LENGTH covers read as zero, as SPC-4 says for truncated sense. Returns false for
        /// an unknown response code or a buffer too short to hold the sense key.
        /// </summary>
        public static bool TryRead(ReadOnlySpan<byte> data, out SenseInfo sense)
        {
            sense = default;
            if (data.Length < 1)
            {
                return false;
            }

            int code = data[0] & 0x7F;
            if (code == 0x72 || code == 0x73)
            {
                if (data.Length < 4)
                {
                    return false;
                }

                sense = new SenseInfo((SenseKey)(data[1] & 0x0F), data[2], data[3]);
                return true;
            }

            if ((code != 0x70 && code != 0x71) || data.Length < 3)
            {
                return false;
            }

            // Bytes past 7 exist only as far as the additional sense length says.
            int valid = data.Length >= 8 ? Math.Min(data.Length, 8 + data[7]) : data.Length;
            bool skValid = valid >= 18 && (data[15] & 0x80) != 0;
            sense = new SenseInfo(
                (SenseKey)(data[2] & 0x0F),
                valid > 12 ? data[12] : (byte)0,
                valid > 13 ? data[13] : (byte)0)
            {
                InformationValid = (data[0] & 0x80) != 0 && valid >= 7,
                Information = valid >= 7 ? BinaryPrimitives.ReadUInt32BigEndian(data.Slice(3, 4)) : 0,
                SenseKeySpecificValid = skValid,
                CommandData = skValid && (data[15] & 0x40) != 0,
                BitPointerValid = skValid && (data[15] & 0x08) != 0,
                BitPointer = skValid ? (byte)(data[15] & 0x07) : (byte)0,
                FieldPointer = skValid ? BinaryPrimitives.ReadUInt16BigEndian(data.Slice(16, 2)) : (ushort)0,
            };
            return true;
        }
    }
}
