namespace XenVbd.Frontend
{
    /// <summary>What a frontend does with SYNCHRONIZE CACHE.</summary>
    public enum SyncCachePolicy
    {
        /// <summary>FLUSH_DISKCACHE (or WRITE_BARRIER) on the ring when the backend offers one; success without.</summary>
        OnRing = 0,

        /// <summary>Completes it at once with success; nothing reaches the backend.</summary>
        NoOpSuccess,

        /// <summary>Not handled: the opcode falls to the driver's default case and fails.</summary>
        Unhandled,
    }
}
