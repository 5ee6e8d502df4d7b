namespace XenVbd.Storage
{
    /// <summary>A snapshot of one storage layer's counters; a struct so taking it allocates nothing.</summary>
    public readonly struct StorageStatistics
    {
        public StorageStatistics(long reads, long writes, long bytesRead, long bytesWritten, long flushes, long discards, long bytesDiscarded)
        {
            Reads = reads;
            Writes = writes;
            BytesRead = bytesRead;
            BytesWritten = bytesWritten;
            Flushes = flushes;
            Discards = discards;
            BytesDiscarded = bytesDiscarded;
        }

        /// <summary>Completed read calls; failed ones are not counted.</summary>
        public long Reads { get; }

        public long Writes { get; }

        public long BytesRead { get; }

        public long BytesWritten { get; }

        public long Flushes { get; }

        public long Discards { get; }

        public long BytesDiscarded { get; }

        public override string ToString() =>
            $"Reads={Reads} ({BytesRead} B), Writes={Writes} ({BytesWritten} B), Flushes={Flushes}, Discards={Discards} ({BytesDiscarded} B)";
    }
}
