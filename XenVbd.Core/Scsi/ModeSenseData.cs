using System;
using System.Buffers.Binary;

namespace XenVbd.Scsi
{
    /// <summary>
    /// MODE SENSE(6)/(10) answers (SPC-4 7.5, SBC-3 6.4): header, optional block descriptor, and the caching
    /// mode page, the only page this disk has. MODE SELECT is not supported, so nothing is changeable or saveable.
    /// </summary>
    public static class ModeSenseData
    {
        public const byte CachingPage = 0x08;
        public const byte AllPages = 0x3F;
        public const int CachingPageLength = 20;

        private const int MaxLength = 8 + 16 + CachingPageLength;

        public static ScsiResult Build(in ScsiCommand command, ScsiDiskInfo disk, Span<byte> dest)
        {
            bool ten = command.Kind == CdbKind.ModeSense10;
            if ((!ten && command.Kind != CdbKind.ModeSense6) || !command.IsValid)
            {
                throw new ArgumentException("Needs a valid decoded MODE SENSE.", nameof(command));
            }

            if (command.PageControl == PageControl.Saved)
            {
                return ScsiResult.Fail(SenseInfo.SavingParametersNotSupported(2, 7));
            }

            if (command.PageCode != CachingPage && command.PageCode != AllPages)
            {
                return ScsiResult.Fail(SenseInfo.InvalidFieldInCdb(2, 5));
            }

            // Subpage 00h is the page itself; FFh with page 3Fh asks for all subpages too, and there are none.
            if (command.SubpageCode != 0 && !(command.PageCode == AllPages && command.SubpageCode == 0xFF))
            {
                return ScsiResult.Fail(SenseInfo.InvalidFieldInCdb(3));
            }

            Span<byte> full = stackalloc byte[MaxLength];
            full.Clear();
            int header = ten ? 8 : 4;
            int descriptor = command.DisableBlockDescriptors ? 0 : (ten && command.LongLbaAccepted ? 16 : 8);
            byte deviceSpecific = (byte)((disk.ReadOnly ? 0x80 : 0) | (disk.FuaSupported ? 0x10 : 0));

            int n = header;
            if (descriptor == 16)
            {
                BinaryPrimitives.WriteUInt64BigEndian(full.Slice(n), disk.BlockCount);
                BinaryPrimitives.WriteUInt32BigEndian(full.Slice(n + 12), disk.LogicalBlockSize);
            }
            else if (descriptor == 8)
            {
                // Short descriptor: a block count too big for 32 bits is sent as FFFFFFFFh (SBC-3 6.4.2).
                uint blocks = disk.BlockCount >= uint.MaxValue ? uint.MaxValue : (uint)disk.BlockCount;
                BinaryPrimitives.WriteUInt32BigEndian(full.Slice(n), blocks);
                BinaryPrimitives.WriteUInt32BigEndian(full.Slice(n + 4), disk.LogicalBlockSize & 0x00FF_FFFF);
            }

            n += descriptor;
            n += WriteCachingPage(disk, command.PageControl, full.Slice(n));

            if (ten)
            {
                BinaryPrimitives.WriteUInt16BigEndian(full, (ushort)(n - 2));
                full[3] = deviceSpecific;
                full[4] = descriptor == 16 ? (byte)0x01 : (byte)0x00; // LONGLBA
                BinaryPrimitives.WriteUInt16BigEndian(full.Slice(6), (ushort)descriptor);
            }
            else
            {
                full[0] = (byte)(n - 1);
                full[2] = deviceSpecific;
                full[3] = (byte)descriptor;
            }

            return ScsiResult.Ok(AnswerCopy.Copy(full.Slice(0, n), command.AllocationLength, dest));
        }

        private static int WriteCachingPage(ScsiDiskInfo disk, PageControl pc, Span<byte> page)
        {
            page[0] = CachingPage; // PS 0: the page cannot be saved
            page[1] = CachingPageLength - 2;

            // Changeable values are a bit mask of what MODE SELECT may change: nothing. Default = current.
            if (pc != PageControl.Changeable && disk.WriteCacheEnabled)
            {
                page[2] = 0x04; // WCE
            }

            return CachingPageLength;
        }
    }
}
