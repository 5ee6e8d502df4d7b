using System;
using System.Buffers.Binary;

namespace XenVbd.Scsi
{
    /// <summary>REPORT LUNS parameter data (SPC-4 6.33): a xenvbd target has exactly one LU, LUN 0.</summary>
    public static class ReportLunsData
    {
        public const int Length = 16;

        public static ScsiResult Build(in ScsiCommand command, Span<byte> dest)
        {
            if (command.Kind != CdbKind.ReportLuns || !command.IsValid)
            {
                throw new ArgumentException("Needs a valid decoded REPORT LUNS.", nameof(command));
            }

            Span<byte> full = stackalloc byte[Length];
            full.Clear();
            switch (command.SelectReport)
            {
                case 0x00: // all LUs addressable by the initiator
                case 0x02: // all LUs, including well-known ones (there are none)
                    BinaryPrimitives.WriteUInt32BigEndian(full, 8); // one 8-byte LUN 0 entry, already zero
                    return ScsiResult.Ok(AnswerCopy.Copy(full, command.AllocationLength, dest));
                case 0x01: // well-known LUs only: an empty list
                    return ScsiResult.Ok(AnswerCopy.Copy(full.Slice(0, 8), command.AllocationLength, dest));
                default:
                    return ScsiResult.Fail(SenseInfo.InvalidFieldInCdb(2));
            }
        }
    }
}
