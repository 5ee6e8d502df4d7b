using System;
using XenVbd.Scsi;

namespace XenVbd.Frontend
{
    /// <summary>
    /// A SCSI request block as scsiport hands it to a miniport. Created once and reused: nothing in it
    /// allocates after construction, so the I/O path can recycle SRBs without touching the GC. The data
    /// buffer is guest memory at an explicit guest-physical address, so its alignment is whatever the
    /// caller chose — the whole point of the GPLPV 2008 driver's bounce-buffer problem.
    /// </summary>
    public sealed class Srb
    {
        public const int MaxCdbLength = 16;

        /// <summary>Room for fixed-format sense (18 bytes) with slack, as SENSE_BUFFER_SIZE is in Windows.</summary>
        public const int SenseBufferLength = 32;

        private readonly byte[] _cdb = new byte[MaxCdbLength];
        private readonly byte[] _sense = new byte[SenseBufferLength];
        private int _completions;

        public SrbFunction Function { get; set; } = SrbFunction.ExecuteScsi;

        public int CdbLength { get; private set; }

        public ReadOnlySpan<byte> Cdb => new ReadOnlySpan<byte>(_cdb, 0, CdbLength);

        /// <summary>Guest-physical address of the data buffer in the frontend domain's memory.</summary>
        public ulong DataAddress { get; set; }

        /// <summary>On submit: the buffer's length. On completion: bytes actually transferred (underrun shows here).</summary>
        public int DataTransferLength { get; set; }

        public DataDirection Direction { get; set; }

        public SrbStatus SrbStatus { get; private set; } = SrbStatus.Pending;

        public ScsiStatus ScsiStatus { get; private set; }

        public int SenseLength { get; private set; }

        /// <summary>Auto-sense: valid when <see cref="SrbStatus"/> carries AUTOSENSE_VALID.</summary>
        public ReadOnlySpan<byte> SenseBuffer => new ReadOnlySpan<byte>(_sense, 0, SenseLength);

        /// <summary>Ring requests this SRB needed (split parts, bounce passes and retries all count).</summary>
        public int RequestsUsed { get; internal set; }

        /// <summary>The simulated vCPU that submitted this SRB (see <see cref="XenVbdFrontend.Submit"/>); it picks the frontend queue.</summary>
        public int SubmittingCpu { get; internal set; }

        public int BouncePasses { get; internal set; }

        public long BytesBounced { get; internal set; }

        /// <summary>Virtual time (ticks) when the frontend accepted it.</summary>
        public long StartTicks { get; internal set; }

        public long CompleteTicks { get; internal set; }

        public long LatencyTicks => CompleteTicks - StartTicks;

        public bool IsComplete => SrbStatus != SrbStatus.Pending;

        /// <summary>True between submission and completion.</summary>
        public bool InProgress { get; internal set; }

        /// <summary>Called once when the SRB completes (set it once; it is not reallocated per I/O).</summary>
        public Action<Srb>? Completed { get; set; }

        /// <summary>Free for the owner's use (a workload's bookkeeping).</summary>
        public object? Context { get; set; }

        /// <summary>Times completion was attempted after the first one; a correct frontend keeps this at 0.</summary>
        public int ExtraCompletionAttempts => Math.Max(0, _completions - 1);

        // Frontend bookkeeping: the intrusive queue link (so queueing allocates nothing) and the extension.
        internal Srb? NextInQueue;
        internal SrbExtension? Extension;
        internal int RequestedLength;

        /// <summary>Readies the SRB for (re)submission: sets the CDB and buffer and clears every result.</summary>
        public void Prepare(ReadOnlySpan<byte> cdb, ulong dataAddress, int dataTransferLength, DataDirection direction)
        {
            if (InProgress) ThrowHelper.ThrowInvalidOperation("The SRB is still in progress.");
            if (cdb.Length > MaxCdbLength) ThrowHelper.ThrowArgument(nameof(cdb), "A CDB is at most " + MaxCdbLength + " bytes.");
            if (dataTransferLength < 0) ThrowHelper.ThrowArgumentOutOfRange(nameof(dataTransferLength), dataTransferLength, "Must not be negative.");
            cdb.CopyTo(_cdb);
            Array.Clear(_cdb, cdb.Length, MaxCdbLength - cdb.Length);
            CdbLength = cdb.Length;
            Function = SrbFunction.ExecuteScsi;
            DataAddress = dataAddress;
            DataTransferLength = dataTransferLength;
            Direction = direction;
            SrbStatus = SrbStatus.Pending;
            ScsiStatus = ScsiStatus.Good;
            SenseLength = 0;
            RequestsUsed = 0;
            BouncePasses = 0;
            BytesBounced = 0;
            StartTicks = 0;
            CompleteTicks = 0;
            _completions = 0;
        }

        /// <summary>Completes with a status; false (and counted) if it was already complete.</summary>
        internal bool TryComplete(SrbStatus status, ScsiStatus scsiStatus, long nowTicks)
        {
            _completions++;
            if (_completions > 1) return false;
            SrbStatus = status == SrbStatus.Pending ? SrbStatus.Error : status;
            ScsiStatus = scsiStatus;
            CompleteTicks = nowTicks;
            InProgress = false;
            return true;
        }

        /// <summary>CHECK CONDITION with auto-sense in fixed format.</summary>
        internal bool TryCompleteWithSense(in SenseInfo sense, long nowTicks)
        {
            if (_completions > 0)
            {
                _completions++;
                return false;
            }

            SenseLength = SenseData.Write(_sense, sense);
            return TryComplete(SrbStatus.Error | SrbStatus.AutosenseValid, ScsiStatus.CheckCondition, nowTicks);
        }

        public override string ToString()
            => "SRB op=" + (CdbLength > 0 ? _cdb[0].ToString("X2") : "--") + " len=" + DataTransferLength + " addr=0x" + DataAddress.ToString("x") + " " + SrbStatus;
    }
}
