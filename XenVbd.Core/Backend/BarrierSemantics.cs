namespace XenVbd.Backend
{
    /// <summary>How a backend carries out BLKIF_OP_WRITE_BARRIER.</summary>
    public enum BarrierSemantics
    {
        /// <summary>Current Linux: wait for in-flight requests, flush, write; no FUA, so the barrier's data may still be volatile when answered.</summary>
        DrainThenPreflushWrite,

        /// <summary>Old Linux (REQ_FLUSH|REQ_FUA, a BIO_RW_BARRIER before): flush, write, and the write durable before the answer.</summary>
        PreflushWriteFua,

        /// <summary>QEMU: an unknown operation, answered ERROR.</summary>
        Unsupported,
    }
}
