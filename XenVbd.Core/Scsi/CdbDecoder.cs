using System;
using System.Buffers.Binary;

namespace XenVbd.Scsi
{
    /// <summary>
    /// Turns CDB bytes into a <see cref="ScsiCommand"/>. Never throws and never allocates: a bad CDB comes
    /// back as a command whose <see cref="ScsiCommand.Error"/> holds the sense SPC-4/SBC-3 prescribe.
    /// Checks here are the ones that need only the CDB; checks against the disk (LBA range, write protect,
    /// maximum transfer) are in <see cref="MediumAccessCheck"/>, and page support in the builders.
    /// </summary>
    public static class CdbDecoder
    {
        /// <summary>
        /// CDB length by group code (opcode bits 7..5, SPC-4 4.3.4): 6, 10, 10, reserved, 16, 12, vendor,
        /// vendor. Returns 0 for the reserved and vendor-specific groups, whose length the opcode does not fix.
        /// </summary>
        public static int CdbLength(byte opcode) => (opcode >> 5) switch
        {
            0 => 6,
            1 => 10,
            2 => 10,
            4 => 16,
            5 => 12,
            _ => 0,
        };

        public static ScsiCommand Decode(ReadOnlySpan<byte> cdb)
        {
            if (cdb.IsEmpty)
            {
                // No opcode at all: nothing to execute, which SCSI can only call an unknown operation.
                return new ScsiCommand { Kind = CdbKind.Unsupported, Error = SenseInfo.InvalidOpcode() };
            }

            byte op = cdb[0];
            int length = CdbLength(op);
            CdbKind kind = KindOf(op);
            var head = new ScsiCommand { Opcode = op, Kind = kind, CdbLength = length };
            if (kind == CdbKind.Unsupported)
            {
                return head with { Error = SenseInfo.InvalidOpcode() };
            }

            if (cdb.Length < length)
            {
                // The missing bytes are fields of the CDB; there is no byte to point at, so no field pointer.
                return head with { Error = SenseInfo.Of(SenseKey.IllegalRequest, AdditionalSense.InvalidFieldInCdb) };
            }

            cdb = cdb.Slice(0, length);

            // CONTROL byte NACA (bit 2): this target has no ACA support, so SAM-5 5.9.1.2 requires a refusal.
            if ((cdb[length - 1] & 0x04) != 0)
            {
                return head with { Error = SenseInfo.InvalidFieldInCdb(length - 1, 2) };
            }

            switch (op)
            {
                case ScsiOp.TestUnitReady:
                    return head;
                case ScsiOp.RequestSense:
                    return RequestSense(head, cdb);
                case ScsiOp.Read6:
                case ScsiOp.Write6:
                    return ReadWrite6(head, cdb);
                case ScsiOp.Inquiry:
                    return Inquiry(head, cdb);
                case ScsiOp.ModeSense6:
                    return ModeSense6(head, cdb);
                case ScsiOp.StartStopUnit:
                    return StartStopUnit(head, cdb);
                case ScsiOp.ReadCapacity10:
                    return ReadCapacity10(head, cdb);
                case ScsiOp.Read10:
                case ScsiOp.Write10:
                    return ReadWrite(head, cdb, 2, 4, 7, 2);
                case ScsiOp.Read12:
                case ScsiOp.Write12:
                    return ReadWrite(head, cdb, 2, 4, 6, 4);
                case ScsiOp.Read16:
                case ScsiOp.Write16:
                    return ReadWrite(head, cdb, 2, 8, 10, 4);
                case ScsiOp.Verify10:
                    return Verify(head, cdb, 2, 4, 7, 2);
                case ScsiOp.Verify12:
                    return Verify(head, cdb, 2, 4, 6, 4);
                case ScsiOp.Verify16:
                    return Verify(head, cdb, 2, 8, 10, 4);
                case ScsiOp.SynchronizeCache10:
                    return SynchronizeCache(head, cdb, 2, 4, 7, 2);
                case ScsiOp.SynchronizeCache16:
                    return SynchronizeCache(head, cdb, 2, 8, 10, 4);
                case ScsiOp.Unmap:
                    return Unmap(head, cdb);
                case ScsiOp.ModeSense10:
                    return ModeSense10(head, cdb);
                case ScsiOp.ServiceActionIn16:
                    return ServiceActionIn16(head, cdb);
                case ScsiOp.ReportLuns:
                    return ReportLuns(head, cdb);
                default:
                    // KindOf and this switch list the same opcodes; reaching here is a bug in this file.
                    return head with { Kind = CdbKind.Unsupported, Error = SenseInfo.InvalidOpcode() };
            }
        }

        private static CdbKind KindOf(byte op) => op switch
        {
            ScsiOp.TestUnitReady => CdbKind.TestUnitReady,
            ScsiOp.RequestSense => CdbKind.RequestSense,
            ScsiOp.Read6 or ScsiOp.Read10 or ScsiOp.Read12 or ScsiOp.Read16 => CdbKind.Read,
            ScsiOp.Write6 or ScsiOp.Write10 or ScsiOp.Write12 or ScsiOp.Write16 => CdbKind.Write,
            ScsiOp.Verify10 or ScsiOp.Verify12 or ScsiOp.Verify16 => CdbKind.Verify,
            ScsiOp.SynchronizeCache10 or ScsiOp.SynchronizeCache16 => CdbKind.SynchronizeCache,
            ScsiOp.Inquiry => CdbKind.Inquiry,
            ScsiOp.ModeSense6 => CdbKind.ModeSense6,
            ScsiOp.ModeSense10 => CdbKind.ModeSense10,
            ScsiOp.StartStopUnit => CdbKind.StartStopUnit,
            ScsiOp.ReadCapacity10 => CdbKind.ReadCapacity10,
            ScsiOp.ServiceActionIn16 => CdbKind.ReadCapacity16, // refined by the service action
            ScsiOp.Unmap => CdbKind.Unmap,
            ScsiOp.ReportLuns => CdbKind.ReportLuns,
            _ => CdbKind.Unsupported,
        };

        private static ulong ReadBig(ReadOnlySpan<byte> cdb, int offset, int size) => size switch
        {
            2 => BinaryPrimitives.ReadUInt16BigEndian(cdb.Slice(offset, 2)),
            4 => BinaryPrimitives.ReadUInt32BigEndian(cdb.Slice(offset, 4)),
            _ => BinaryPrimitives.ReadUInt64BigEndian(cdb.Slice(offset, 8)),
        };

        private static ScsiCommand ReadWrite6(ScsiCommand head, ReadOnlySpan<byte> cdb)
        {
            // SBC-3 5.15: a 21-bit LBA, and a TRANSFER LENGTH of 0 means 256 blocks (unlike the longer forms).
            uint lba = ((uint)(cdb[1] & 0x1F) << 16) | ((uint)cdb[2] << 8) | cdb[3];
            return head with { Lba = lba, BlockCount = cdb[4] == 0 ? 256u : cdb[4] };
        }

        private static ScsiCommand ReadWrite(ScsiCommand head, ReadOnlySpan<byte> cdb, int lbaAt, int lbaSize, int lenAt, int lenSize)
        {
            // RDPROTECT/WRPROTECT: this disk has no protection information, so SBC-3 requires a refusal.
            if ((cdb[1] & 0xE0) != 0)
            {
                return head with { Error = SenseInfo.InvalidFieldInCdb(1, 7) };
            }

            return head with
            {
                Lba = ReadBig(cdb, lbaAt, lbaSize),
                BlockCount = (uint)ReadBig(cdb, lenAt, lenSize),
                Dpo = (cdb[1] & 0x10) != 0,
                Fua = (cdb[1] & 0x08) != 0,
            };
        }

        private static ScsiCommand Verify(ScsiCommand head, ReadOnlySpan<byte> cdb, int lbaAt, int lbaSize, int lenAt, int lenSize)
        {
            if ((cdb[1] & 0xE0) != 0)
            {
                return head with { Error = SenseInfo.InvalidFieldInCdb(1, 7) };
            }

            // SBC-4 5.31: BYTCHK 10b is reserved.
            byte byteCheck = (byte)((cdb[1] >> 1) & 0x03);
            if (byteCheck == 2)
            {
                return head with { Error = SenseInfo.InvalidFieldInCdb(1, 2) };
            }

            return head with
            {
                Lba = ReadBig(cdb, lbaAt, lbaSize),
                BlockCount = (uint)ReadBig(cdb, lenAt, lenSize),
                Dpo = (cdb[1] & 0x10) != 0,
                ByteCheck = byteCheck,
            };
        }

        private static ScsiCommand SynchronizeCache(ScsiCommand head, ReadOnlySpan<byte> cdb, int lbaAt, int lbaSize, int lenAt, int lenSize)
            => head with
            {
                Lba = ReadBig(cdb, lbaAt, lbaSize),
                BlockCount = (uint)ReadBig(cdb, lenAt, lenSize),
                Immediate = (cdb[1] & 0x02) != 0,
            };

        private static ScsiCommand RequestSense(ScsiCommand head, ReadOnlySpan<byte> cdb)
        {
            // DESC asks for descriptor-format sense, which this disk does not produce (SPC-4 6.39).
            if ((cdb[1] & 0x01) != 0)
            {
                return head with { Error = SenseInfo.InvalidFieldInCdb(1, 0) };
            }

            return head with { AllocationLength = cdb[4] };
        }

        private static ScsiCommand Inquiry(ScsiCommand head, ReadOnlySpan<byte> cdb)
        {
            // CMDDT (obsolete since SPC-3) is not supported.
            if ((cdb[1] & 0x02) != 0)
            {
                return head with { Error = SenseInfo.InvalidFieldInCdb(1, 1) };
            }

            bool evpd = (cdb[1] & 0x01) != 0;

            // SPC-4 6.6.1: a page code with EVPD zero is an error.
            if (!evpd && cdb[2] != 0)
            {
                return head with { Error = SenseInfo.InvalidFieldInCdb(2) };
            }

            return head with
            {
                Evpd = evpd,
                PageCode = cdb[2],
                AllocationLength = BinaryPrimitives.ReadUInt16BigEndian(cdb.Slice(3, 2)),
            };
        }

        private static ScsiCommand ModeSense6(ScsiCommand head, ReadOnlySpan<byte> cdb)
            => head with
            {
                DisableBlockDescriptors = (cdb[1] & 0x08) != 0,
                PageControl = (PageControl)(cdb[2] >> 6),
                PageCode = (byte)(cdb[2] & 0x3F),
                SubpageCode = cdb[3],
                AllocationLength = cdb[4],
            };

        private static ScsiCommand ModeSense10(ScsiCommand head, ReadOnlySpan<byte> cdb)
            => head with
            {
                LongLbaAccepted = (cdb[1] & 0x10) != 0,
                DisableBlockDescriptors = (cdb[1] & 0x08) != 0,
                PageControl = (PageControl)(cdb[2] >> 6),
                PageCode = (byte)(cdb[2] & 0x3F),
                SubpageCode = cdb[3],
                AllocationLength = BinaryPrimitives.ReadUInt16BigEndian(cdb.Slice(7, 2)),
            };

        private static ScsiCommand StartStopUnit(ScsiCommand head, ReadOnlySpan<byte> cdb)
            => head with
            {
                Immediate = (cdb[1] & 0x01) != 0,
                PowerCondition = (byte)(cdb[4] >> 4),
                LoadEject = (cdb[4] & 0x02) != 0,
                Start = (cdb[4] & 0x01) != 0,
            };

        private static ScsiCommand ReadCapacity10(ScsiCommand head, ReadOnlySpan<byte> cdb)
        {
            uint lba = BinaryPrimitives.ReadUInt32BigEndian(cdb.Slice(2, 4));
            bool pmi = (cdb[8] & 0x01) != 0;

            // SBC-3 5.16.1: an LBA without PMI is an error.
            if (!pmi && lba != 0)
            {
                return head with { Error = SenseInfo.InvalidFieldInCdb(2) };
            }

            return head with { Lba = lba, PartialMediumIndicator = pmi };
        }

        private static ScsiCommand ServiceActionIn16(ScsiCommand head, ReadOnlySpan<byte> cdb)
        {
            byte action = (byte)(cdb[1] & 0x1F);
            if (action != ScsiOp.ReadCapacity16ServiceAction)
            {
                // SPC-4 4.3.5.1: an unsupported service action of a supported opcode is a bad CDB field.
                return head with { Kind = CdbKind.Unsupported, ServiceAction = action, Error = SenseInfo.InvalidFieldInCdb(1, 4) };
            }

            ulong lba = BinaryPrimitives.ReadUInt64BigEndian(cdb.Slice(2, 8));
            bool pmi = (cdb[14] & 0x01) != 0;
            if (!pmi && lba != 0)
            {
                return head with { ServiceAction = action, Error = SenseInfo.InvalidFieldInCdb(2) };
            }

            return head with
            {
                ServiceAction = action,
                Lba = lba,
                AllocationLength = BinaryPrimitives.ReadUInt32BigEndian(cdb.Slice(10, 4)),
                PartialMediumIndicator = pmi,
            };
        }

        private static ScsiCommand Unmap(ScsiCommand head, ReadOnlySpan<byte> cdb)
        {
            // ANCHOR needs anchored-LBA support (ANC_SUP), which the provisioning VPD page says is absent.
            if ((cdb[1] & 0x01) != 0)
            {
                return head with { Error = SenseInfo.InvalidFieldInCdb(1, 0) };
            }

            return head with { ParameterListLength = BinaryPrimitives.ReadUInt16BigEndian(cdb.Slice(7, 2)) };
        }

        private static ScsiCommand ReportLuns(ScsiCommand head, ReadOnlySpan<byte> cdb)
            => head with
            {
                SelectReport = cdb[2],
                AllocationLength = BinaryPrimitives.ReadUInt32BigEndian(cdb.Slice(6, 4)),
            };
    }
}
