using XenVbd.Ring;

namespace XenVbd.Backend
{
    /// <summary>
    /// What blkback is about to do with one consumed request, passed by ref to an
    /// <see cref="IBackendInterceptor"/>. The first group describes the request as the backend copied
    /// it; the second group is the interceptor's say over the answer. A plain struct so consulting
    /// the interceptor allocates nothing.
    /// </summary>
    public struct BackendRequestPlan
    {
        public BackendRequestPlan(uint ringIndex, byte operation, byte ioOperation, ulong id, ulong sectorNumber, ulong sectorCount, BlkifAbi abi, long now)
        {
            RingIndex = ringIndex;
            Operation = operation;
            IoOperation = ioOperation;
            Id = id;
            SectorNumber = sectorNumber;
            SectorCount = sectorCount;
            Abi = abi;
            Now = now;
            ExtraLatencyTicks = 0;
            DropResponse = false;
            DuplicateResponse = false;
            StatusOverride = null;
            CorruptId = false;
            IdOverride = null;
            InFlight = null;
            CorruptOperation = false;
            OperationOverride = null;
            RspProdJump = 0;
        }

        // ---- in: the request as copied off the ring ----

        /// <summary>The ring index (req_cons) the request was read from.</summary>
        public uint RingIndex { get; }

        /// <summary>The operation byte on the ring (6 for INDIRECT, 0xff for a probe).</summary>
        public byte Operation { get; }

        /// <summary>The operation that moves data and is echoed in the response: indirect_op for INDIRECT, else <see cref="Operation"/>.</summary>
        public byte IoOperation { get; }

        public ulong Id { get; }

        /// <summary>First 512-byte sector.</summary>
        public ulong SectorNumber { get; }

        /// <summary>512-byte sectors the request claims (segments' sum, or a discard's nr_sectors); may be nonsense for a malformed request.</summary>
        public ulong SectorCount { get; }

        public BlkifAbi Abi { get; }

        /// <summary>Virtual time of consumption, in 100-ns ticks.</summary>
        public long Now { get; }

        /// <summary>The other requests this ring has in flight (consumed, not yet answered), for a fault that names one of them; null when the backend offers no view.</summary>
        public IInFlightRequests? InFlight { get; init; }

        // ---- out: the interceptor's say over the answer ----

        /// <summary>Added to the service time before the response is written (responses then overtake each other).</summary>
        public long ExtraLatencyTicks { get; set; }

        /// <summary>Never answer this request (the I/O is still done): a lost response.</summary>
        public bool DropResponse { get; set; }

        /// <summary>Write the response twice, in two consecutive response slots.</summary>
        public bool DuplicateResponse { get; set; }

        /// <summary>
        /// Report this status instead of the real outcome. The request is then not executed at all:
        /// a failure that touched nothing, or (with OKAY) a backend that claims work it never did.
        /// </summary>
        public short? StatusOverride { get; set; }

        /// <summary>Flip the id's top bit in the response, so it names no request a frontend could have pending.</summary>
        public bool CorruptId { get; set; }

        /// <summary>
        /// Answer with this id instead of the request's (applied before <see cref="CorruptId"/>): a backend
        /// that mixes up its requests, e.g. answers another one the frontend has pending. The request is
        /// still executed; its own answer never comes.
        /// </summary>
        public ulong? IdOverride { get; set; }

        /// <summary>Flip bit 7 of the response's operation byte, so it matches no request's operation.</summary>
        public bool CorruptOperation { get; set; }

        /// <summary>
        /// Answer with this operation instead of the request's (applied when <see cref="CorruptOperation"/> is off): e.g.
        /// INDIRECT (6) itself for an indirect request, where Linux blkfront requires the indirect operation echoed.
        /// </summary>
        public byte? OperationOverride { get; set; }

        /// <summary>After this response, advance rsp_prod by this many more slots holding whatever bytes they hold (a backend running ahead).</summary>
        public ushort RspProdJump { get; set; }

        public const ulong CorruptIdMask = 1UL << 63;

        public const byte CorruptOperationMask = 0x80;
    }
}
