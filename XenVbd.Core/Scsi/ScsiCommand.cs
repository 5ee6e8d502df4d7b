namespace XenVbd.Scsi
{
    /// <summary>
    /// A decoded CDB (<see cref="CdbDecoder.Decode"/>). Fields a command does not have stay zero/false.
    /// When <see cref="IsValid"/> is false the command must not run: complete it with CHECK CONDITION and
    /// <see cref="Error"/> as sense. Pass it by <c>in</c>: it is a large struct so that decoding allocates nothing.
    /// </summary>
    public readonly struct ScsiCommand
    {
        public byte Opcode { get; init; }

        /// <summary>The command; for an opcode this disk does not know, <see cref="CdbKind.Unsupported"/>.</summary>
        public CdbKind Kind { get; init; }

        /// <summary>The CDB length the opcode's group implies (bytes the decoder looked at).</summary>
        public int CdbLength { get; init; }

        /// <summary><see cref="SenseInfo.None"/> when the CDB is well formed.</summary>
        public SenseInfo Error { get; init; }

        public bool IsValid => Error.IsNone;

        /// <summary>READ/WRITE/VERIFY/SYNCHRONIZE CACHE: first logical block; READ CAPACITY: the LBA field.</summary>
        public ulong Lba { get; init; }

        /// <summary>
        /// Logical blocks to move. READ(6)/WRITE(6) already turned 0 into 256; for the other forms 0 means
        /// none, except SYNCHRONIZE CACHE where 0 means "through the last block" (SBC-3 5.22).
        /// </summary>
        public uint BlockCount { get; init; }

        /// <summary>Force unit access: the write must be on the medium (or the read come from it) before GOOD.</summary>
        public bool Fua { get; init; }

        /// <summary>Disable page out: a caching hint that the data need not stay cached.</summary>
        public bool Dpo { get; init; }

        /// <summary>VERIFY BYTCHK (SBC-4 2-bit field): 0 = medium check only, no data-out; 1 or 3 = compare data-out.</summary>
        public byte ByteCheck { get; init; }

        /// <summary>IMMED: report completion before the operation (flush, start/stop) finishes.</summary>
        public bool Immediate { get; init; }

        /// <summary>INQUIRY: a VPD page is asked for.</summary>
        public bool Evpd { get; init; }

        /// <summary>INQUIRY VPD page code or MODE SENSE page code (6 bits).</summary>
        public byte PageCode { get; init; }

        public byte SubpageCode { get; init; }

        public PageControl PageControl { get; init; }

        /// <summary>MODE SENSE DBD: leave out block descriptors.</summary>
        public bool DisableBlockDescriptors { get; init; }

        /// <summary>MODE SENSE(10) LLBAA: a 16-byte long-LBA block descriptor may be returned.</summary>
        public bool LongLbaAccepted { get; init; }

        /// <summary>Bytes the initiator made room for (INQUIRY, MODE SENSE, REQUEST SENSE, READ CAPACITY(16), REPORT LUNS).</summary>
        public uint AllocationLength { get; init; }

        /// <summary>UNMAP: bytes of parameter list in the data-out buffer.</summary>
        public uint ParameterListLength { get; init; }

        /// <summary>SERVICE ACTION IN(16): the service action (5 bits).</summary>
        public byte ServiceAction { get; init; }

        /// <summary>REPORT LUNS: SELECT REPORT.</summary>
        public byte SelectReport { get; init; }

        /// <summary>START STOP UNIT: START bit.</summary>
        public bool Start { get; init; }

        /// <summary>START STOP UNIT: LOEJ bit (load/eject medium).</summary>
        public bool LoadEject { get; init; }

        /// <summary>START STOP UNIT: POWER CONDITION field (4 bits).</summary>
        public byte PowerCondition { get; init; }

        /// <summary>READ CAPACITY: PMI bit.</summary>
        public bool PartialMediumIndicator { get; init; }

        /// <summary>Which way data moves for this command (none for an invalid CDB).</summary>
        public DataDirection Direction => !IsValid ? DataDirection.None : Kind switch
        {
            CdbKind.Read or CdbKind.Inquiry or CdbKind.RequestSense or CdbKind.ReadCapacity10
                or CdbKind.ReadCapacity16 or CdbKind.ModeSense6 or CdbKind.ModeSense10
                or CdbKind.ReportLuns => DataDirection.In,
            CdbKind.Write or CdbKind.Unmap => DataDirection.Out,
            CdbKind.Verify when ByteCheck != 0 => DataDirection.Out,
            _ => DataDirection.None,
        };

        public override string ToString()
            => Kind + " op=" + Opcode.ToString("X2") + "h"
               + (Kind is CdbKind.Read or CdbKind.Write or CdbKind.Verify or CdbKind.SynchronizeCache
                   ? " lba=" + Lba + " blocks=" + BlockCount : string.Empty)
               + (IsValid ? string.Empty : " error=" + Error);
    }
}
