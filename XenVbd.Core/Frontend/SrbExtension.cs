using XenVbd.Scsi;

namespace XenVbd.Frontend
{
    /// <summary>What an extension is doing; an extension outlives its SRB while late requests drain.</summary>
    internal enum ExtensionState : byte
    {
        Free,
        Active,

        /// <summary>The SRB was completed (reset, broken ring) but requests it issued are still out.</summary>
        Draining,
    }

    /// <summary>What kind of ring work an SRB needs.</summary>
    internal enum TransferKind : byte
    {
        ReadWrite,
        Flush,
        Discard,
    }

    /// <summary>
    /// The per-SRB working state a miniport keeps in the SRB extension: how far the transfer got, the
    /// current window (the SRB buffer itself or a bounce pass) and the parts in flight. One is created
    /// per queue slot when the frontend is built, so accepting an SRB allocates nothing.
    /// </summary>
    internal sealed class SrbExtension
    {
        public SrbExtension(int index, int unmapCapacity)
        {
            Index = index;
            Extents = new UnmapExtent[unmapCapacity];
        }

        public int Index { get; }

        public ExtensionState State;
        public Srb? Srb;
        public TransferKind Kind;

        /// <summary>blkif operation for read/write parts (READ or WRITE), flush op for Flush.</summary>
        public byte Operation;

        /// <summary>First 512-byte sector of the whole transfer.</summary>
        public ulong StartSector;

        public int TotalBytes;

        /// <summary>Bytes whose window has fully completed (and been copied out, for bounce reads).</summary>
        public int DoneBytes;

        /// <summary>True when the buffer can be granted directly; false means it goes through the bounce strategy.</summary>
        public bool Direct;

        // The current window: a run of bytes of the transfer starting at DoneBytes.
        public bool WindowOpen;
        public int WindowBytes;
        public int WindowIssued;

        /// <summary>Contiguous window: guest address of its first byte.</summary>
        public ulong WindowBase;

        /// <summary>Paged window (segment pool): one frame per 4 KiB of the window.</summary>
        public bool WindowPaged;
        public readonly uint[] WindowFrames = new uint[BounceLimits.MaxPagesPerPass];
        public int WindowFrameCount;

        /// <summary>The bounce strategy lent this extension a buffer for the current window.</summary>
        public bool HoldsBounce;

        /// <summary>
        /// Requests of this extension's bounce window whose grants the backend still maps (XSA-396): while
        /// non-zero the bounce memory can neither go back to the strategy nor carry another pass, so the
        /// extension is never freed (it waits in Draining until the grants end).
        /// </summary>
        public int QuarantinedParts;

        /// <summary>Virtual time this extension started waiting for bounce memory; -1 when not waiting.</summary>
        public long BounceWaitSince = -1;

        /// <summary>Virtual time the extension went Draining, and the connection it was on then (forced-reconnect policy).</summary>
        public long DrainingSince;
        public int DrainingGeneration;

        public int PartsOutstanding;
        public bool Failed;
        public short FailStatus;
        public bool InQueue;

        /// <summary>The frontend queue (<see cref="RequestRing.Index"/>) whose SRB queue this extension is in, or was last in.</summary>
        public int Queue;

        // UNMAP: parsed extents and how many have been issued.
        public readonly UnmapExtent[] Extents;
        public int ExtentCount;
        public int ExtentsIssued;

        /// <summary>A WRITE with FUA set whose personality honours it: a flush follows the data before the SRB completes.</summary>
        public bool Fua;

        /// <summary>A bus reset of a personality that completes in-flight SRBs only when their answer comes: complete it BUS RESET then.</summary>
        public bool ResetPending;

        public void Reset()
        {
            Srb = null;
            Kind = TransferKind.ReadWrite;
            Operation = 0;
            StartSector = 0;
            TotalBytes = 0;
            DoneBytes = 0;
            Direct = false;
            WindowOpen = false;
            WindowBytes = 0;
            WindowIssued = 0;
            WindowBase = 0;
            WindowPaged = false;
            WindowFrameCount = 0;
            HoldsBounce = false;
            QuarantinedParts = 0;
            BounceWaitSince = -1;
            PartsOutstanding = 0;
            Failed = false;
            FailStatus = 0;
            InQueue = false;
            ExtentCount = 0;
            ExtentsIssued = 0;
            Fua = false;
            ResetPending = false;
        }
    }
}
