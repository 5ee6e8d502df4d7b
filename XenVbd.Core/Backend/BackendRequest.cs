namespace XenVbd.Backend
{
    /// <summary>
    /// blkback's private copy of one request, decoded from its private copy of the ring entry; the
    /// segments sit in the executor's preallocated array. Nothing here points back into the ring
    /// (XSA-155: the frontend may rewrite the slot at any time after we read it).
    /// </summary>
    internal struct BackendRequest
    {
        /// <summary>The op byte on the ring.</summary>
        public byte Operation;

        /// <summary>The op that moves data and is echoed in the response (indirect_op for INDIRECT), as Linux does.</summary>
        public byte IoOperation;

        public ulong Id;

        public ulong SectorNumber;

        /// <summary>nr_segments as the frontend claimed it (u8 direct, u16 indirect).</summary>
        public int SegmentCount;

        public ulong DiscardSectors;

        public byte DiscardFlag;

        /// <summary>512-byte sectors claimed, for the interceptor and the trace; not trusted for I/O.</summary>
        public ulong SectorCount;

        /// <summary>Set by decoding or execution when the request is refused.</summary>
        public RequestRejectReason Reject;
    }
}
