namespace XenVbd.Tests.Storage
{
    internal enum DiskOpKind
    {
        Write,
        Read,
        Discard,
        Flush,
        Resize,
        PowerCut,
    }

    /// <summary>
    /// One random step. Position and length are raw numbers folded into the disk's current size when the
    /// step runs, so every generated sequence stays valid however earlier resizes changed the size.
    /// </summary>
    internal sealed record DiskOp(DiskOpKind Kind, int RawSector, int RawCount, int Seed, bool Secure)
    {
        public (long FirstSector, int Count) Place(long sectors, int maxCount)
        {
            long first = RawSector % sectors;
            int count = 1 + (int)(RawCount % System.Math.Min(maxCount, sectors - first));
            return (first, count);
        }
    }
}
