namespace XenVbd.Backend
{
    /// <summary>A response waiting out its service time: everything needed to write it, already bent by the interceptor.</summary>
    internal struct PendingResponse
    {
        public ulong Id;
        public byte Operation;
        public short Status;
        public bool Duplicate;
        public ushort RspProdJump;

        /// <summary>The next response due in the same completion event, or -1.</summary>
        public int NextInBatch;
    }
}
