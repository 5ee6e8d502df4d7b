using System;

namespace XenVbd.Workload
{
    /// <summary>
    /// One in-flight operation of a workload. The runner owns a fixed set of these (one per queue slot,
    /// each with a buffer for the largest transfer plus 511 bytes of alignment slack) and reuses them, so
    /// steady-state I/O allocates nothing. The target fills in the outcome before it reports completion.
    /// </summary>
    public sealed class WorkloadIo
    {
        internal WorkloadIo(int slot, int maxBytes)
        {
            Slot = slot;
            Buffer = new byte[maxBytes + 512];
        }

        public int Slot { get; }

        public WorkloadIoKind Kind { get; internal set; }

        /// <summary>First logical block (in the target's logical sector size).</summary>
        public long Lba { get; internal set; }

        public int Blocks { get; internal set; }

        /// <summary>Bytes transferred.</summary>
        public int Length { get; internal set; }

        /// <summary>Offset of the data from a 512-byte boundary (0 = aligned); the target must honour it as the buffer's real misalignment.</summary>
        public int AlignmentOffset { get; internal set; }

        /// <summary>Backing store; the data lives at [<see cref="AlignmentOffset"/>, +<see cref="Length"/>).</summary>
        public byte[] Buffer { get; }

        public Span<byte> Data => new Span<byte>(Buffer, AlignmentOffset, Length);

        // ---- set by the target on completion ----

        public bool Success { get; set; }

        /// <summary>Ring requests the operation took (more than one means it was split).</summary>
        public int RequestsUsed { get; set; }

        public int BouncePasses { get; set; }

        public long BytesBounced { get; set; }

        /// <summary>Completions beyond the first the target saw for this operation (must stay 0).</summary>
        public int ExtraCompletions { get; set; }

        // ---- runner bookkeeping ----

        internal long SubmitTicks;
        internal ulong Generation;
        internal long OpIndex;
        internal long Sector512;
        internal int Sectors512;
        internal bool Busy;
    }
}
