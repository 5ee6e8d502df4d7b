namespace XenVbd.Frontend
{
    /// <summary>How buffers that are not sector aligned get to the backend.</summary>
    public enum BounceStrategyKind
    {
        /// <summary>The GPLPV driver of 2008: one 4096-byte buffer per SRB, several passes for larger SRBs.</summary>
        PerSrb = 0,

        /// <summary>Later GPLPV: one 11-page buffer per device; other unaligned SRBs wait while it is busy.</summary>
        DeviceBuffer = 1,

        /// <summary>Xen Project driver: per-segment bounce pages from a pool.</summary>
        SegmentPool = 2,
    }
}
