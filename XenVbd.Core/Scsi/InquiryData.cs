using System;

namespace XenVbd.Scsi
{
    /// <summary>
    /// The INQUIRY answer: standard data (SPC-4 6.6.2) or a VPD page. Writes at most the allocation length
    /// and the caller's buffer; the length fields inside still describe the whole answer, as SPC-4 requires.
    /// </summary>
    public static class InquiryData
    {
        public const int StandardLength = 36;

        /// <summary>SPC-3: the version this model answers to; Windows treats 5 like any modern disk.</summary>
        public const byte Version = 0x05;

        public const string VendorId = "XEN     ";

        public const string ProductId = "PV DISK         ";

        public static ScsiResult Build(in ScsiCommand command, ScsiDiskInfo disk, Span<byte> dest)
        {
            if (command.Kind != CdbKind.Inquiry || !command.IsValid)
            {
                throw new ArgumentException("Needs a valid decoded INQUIRY.", nameof(command));
            }

            Span<byte> full = stackalloc byte[VpdPages.MaxPageLength];
            int length;
            if (!command.Evpd)
            {
                length = WriteStandard(disk, full);
            }
            else if (VpdPages.IsSupported(disk, command.PageCode))
            {
                length = VpdPages.Write(disk, command.PageCode, full);
            }
            else
            {
                return ScsiResult.Fail(SenseInfo.InvalidFieldInCdb(2));
            }

            return ScsiResult.Ok(AnswerCopy.Copy(full.Slice(0, length), command.AllocationLength, dest));
        }

        private static int WriteStandard(ScsiDiskInfo disk, Span<byte> buf)
        {
            buf.Slice(0, StandardLength).Clear();
            buf[0] = disk.PeripheralDeviceType; // peripheral qualifier 0: the LU is connected
            buf[1] = disk.Removable ? (byte)0x80 : (byte)0x00;
            buf[2] = Version;
            buf[3] = 0x02; // RESPONSE DATA FORMAT 2
            buf[4] = StandardLength - 5;

            // CMDQUE: the ring takes many requests at once, so the OS may queue tagged commands.
            buf[7] = 0x02;
            Ascii(VendorId, buf.Slice(8, 8));
            Ascii(ProductId, buf.Slice(16, 16));
            Ascii(disk.ProductRevision, buf.Slice(32, 4));
            return StandardLength;
        }

        private static void Ascii(string text, Span<byte> dest)
        {
            for (int i = 0; i < dest.Length; i++)
            {
                dest[i] = (byte)text[i];
            }
        }
    }
}
