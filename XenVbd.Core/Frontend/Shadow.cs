namespace XenVbd.Frontend
{
    /// <summary>
    /// The frontend's private copy of one outstanding request (blkfront's <c>shadow</c>): the id the
    /// backend echoes, what was asked, which grants it holds. Its grant refs and indirect pages are
    /// claimed when the frontend is built and stay with the shadow for life.
    /// </summary>
    internal sealed class Shadow
    {
        public Shadow(int id, uint[] grefs, uint[] indirectGrefs, uint[] indirectFrames)
        {
            Id = id;
            Grefs = grefs;
            IndirectGrefs = indirectGrefs;
            IndirectFrames = indirectFrames;
        }

        public int Id { get; }

        public ShadowState State;
        public SrbExtension? Owner;

        /// <summary>The operation on the ring (INDIRECT for indirect requests) and, for those, the real one.</summary>
        public byte Operation;
        public byte IndirectOperation;
        public ulong Sector;
        public int Segments;
        public int Bytes;
        public int ActiveGrants;
        public int ActiveIndirectGrants;
        public long IssuedTicks;
        public uint RingIndex;

        /// <summary>The port driver's timeout already fired for this request (a personality whose reset leaves it on the ring).</summary>
        public bool TimeoutSeen;

        /// <summary>One pre-claimed grant ref per segment this shadow can carry.</summary>
        public readonly uint[] Grefs;

        public readonly uint[] IndirectGrefs;
        public readonly uint[] IndirectFrames;

        public int Capacity => Grefs.Length;
    }
}
