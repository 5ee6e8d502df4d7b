namespace XenVbd.Frontend
{
    /// <summary>Sizes every bounce strategy shares.</summary>
    public static class BounceLimits
    {
        /// <summary>A bounce pass is at most one direct request: 11 pages (the later GPLPV device buffer).</summary>
        public const int MaxPagesPerPass = Ring.BlkifLayout.MaxSegmentsPerRequest;
    }
}
