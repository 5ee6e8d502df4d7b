namespace XenVbd.Frontend
{
    /// <summary>Which buffers a frontend copies through bounce memory instead of granting them.</summary>
    public enum BounceAlignmentTest
    {
        /// <summary>Bounce a buffer whose address is not a multiple of the disk's logical block size.</summary>
        LogicalBlockSize = 0,

        /// <summary>Bounce a buffer whose address has any of its low 9 bits set (<c>DataBuffer &amp; 511</c>), whatever the block size.</summary>
        Sector512,

        /// <summary>Copy every transfer through the driver's own pages.</summary>
        Always,
    }
}
