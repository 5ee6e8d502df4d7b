namespace XenVbd.Scsi
{
    /// <summary>One range from an UNMAP block descriptor: what becomes one blkif discard request.</summary>
    public readonly struct UnmapExtent
    {
        public UnmapExtent(ulong lba, uint blockCount)
        {
            Lba = lba;
            BlockCount = blockCount;
        }

        public ulong Lba { get; }

        public uint BlockCount { get; }

        public override string ToString() => "lba=" + Lba + " blocks=" + BlockCount;
    }
}
