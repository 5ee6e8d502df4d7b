namespace XenVbd.Frontend
{
    /// <summary>One piece of a buffer inside one 4 KiB frame, in whole 512-byte sectors.</summary>
    public readonly struct PageSegment
    {
        public PageSegment(uint frame, byte firstSect, byte lastSect)
        {
            Frame = frame;
            FirstSect = firstSect;
            LastSect = lastSect;
        }

        public uint Frame { get; }
        public byte FirstSect { get; }
        public byte LastSect { get; }
        public int Bytes => (LastSect - FirstSect + 1) * Ring.BlkifLayout.SectorSize;

        public override string ToString() => "frame " + Frame + " [" + FirstSect + ".." + LastSect + "]";
    }
}
