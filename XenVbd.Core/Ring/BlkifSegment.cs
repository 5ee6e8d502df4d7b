namespace XenVbd.Ring
{
    /// <summary>One <c>blkif_request_segment</c>: a granted page and the sectors of it (0..7) in use.</summary>
    public readonly record struct BlkifSegment(uint Gref, byte FirstSect, byte LastSect)
    {
        /// <summary>Sectors covered; meaningless (0 or negative) for a malformed segment the backend must reject.</summary>
        public int SectorCount => LastSect - FirstSect + 1;

        internal ulong Pack() => Gref | ((ulong)FirstSect << 32) | ((ulong)LastSect << 40);

        internal static BlkifSegment Unpack(ulong v) => new BlkifSegment((uint)v, (byte)(v >> 32), (byte)(v >> 40));

        public override string ToString() => "gref " + Gref + " [" + FirstSect + ".." + LastSect + "]";
    }
}
