namespace XenVbd.Backend
{
    /// <summary>A response waiting out its service time: everything needed to write it, already bent by the interceptor.</summary>
    internal struct PendingResponse
    {
        public ulong Id;

        /// <summary>The request this answers (<see cref="Id"/> may have been bent by an interceptor): its id and first sector.</summary>
        public ulong RequestId;

        public ulong RequestSector;

        /// <summary>The slot holds a response still to be written; false (default) when free.</summary>
        public bool InUse;
        public byte Operation;
        public short Status;
        public bool Duplicate;
        public ushort RspProdJump;

        /// <summary>The next response due in the same completion event, or -1.</summary>
        public int NextInBatch;
    }
}
