namespace XenVbd.Faults
{
    /// <summary>What the injector needs to know about a consumed request to decide its fate.</summary>
    public readonly struct RequestInfo
    {
        public RequestInfo(byte operation, ulong id, long sector, long sectorCount, int othersInFlight = 0)
        {
            OthersInFlight = othersInFlight;
            Operation = operation;
            Id = id;
            Sector = sector;
            SectorCount = sectorCount;
        }

        public byte Operation { get; }

        public ulong Id { get; }

        /// <summary>First 512-byte sector.</summary>
        public long Sector { get; }

        /// <summary>512-byte sectors moved (0 for flush and probe).</summary>
        public long SectorCount { get; }

        /// <summary>Other requests the backend has consumed and not yet answered (what a <see cref="FaultKind.SwappedId"/> rule needs one of).</summary>
        public int OthersInFlight { get; }

        public long Bytes => SectorCount * 512;

        public FaultOps Op => FaultOpsExtensions.FromBlkifOp(Operation);
    }
}
