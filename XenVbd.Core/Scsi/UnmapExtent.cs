namespace XenVbd.Scsi
{
    /// <summary>One range from an UNMAP block descriptor: what becomes one blkif discard request.</summary>
    public readonly record struct UnmapExtent(ulong Lba, uint BlockCount)
    {
        public override string ToString() => "lba=" + Lba + " blocks=" + BlockCount;
    }
}
