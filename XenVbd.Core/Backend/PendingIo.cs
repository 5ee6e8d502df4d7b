namespace XenVbd.Backend
{
    /// <summary>
    /// The data half of a request that is in flight: what the disk does when the request completes. Linux's
    /// pending_req and QEMU's XenBlockRequest hold the same between submit and completion. The granted pages
    /// it reads or writes stay mapped in the executor's per-slot tables until then.
    /// </summary>
    internal struct PendingIo
    {
        /// <summary>What happens at completion; <see cref="PendingIoKind.None"/> = nothing (a refused request, a flush without data).</summary>
        public PendingIoKind Kind;

        /// <summary>READ/WRITE: the byte offset on disk. DISCARD: the first byte freed.</summary>
        public long Offset;

        /// <summary>READ/WRITE: bytes moved. DISCARD: bytes freed.</summary>
        public long Length;

        /// <summary>Entries of the slot's segment table in use (mapped grants or the sink).</summary>
        public int Mapped;

        /// <summary>A secure discard.</summary>
        public bool Secure;

        /// <summary>QEMU: a READ segment's grant did not copy; the request is answered ERROR.</summary>
        public bool CopyFailed;

        /// <summary>The 2011 barrier's FUA: the data is made durable before the answer.</summary>
        public bool FlushAfter;

        /// <summary>The operation, for a flush that fails at completion to withdraw its feature key.</summary>
        public byte Operation;
    }
}
