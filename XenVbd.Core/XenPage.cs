namespace XenVbd
{
    /// <summary>
    /// The page Xen shares in: XEN_PAGE_SIZE of xen/include/public (4 KiB on x86 and Arm alike). A grant,
    /// a ring page, a guest frame, a blkif segment's reach and a page of the shared-memory file are all one of
    /// these, so the size is defined once here, in the root namespace every layer may name (Ring names nothing
    /// of Xen, and Xen names nothing of Ring).
    /// </summary>
    public static class XenPage
    {
        /// <summary>Bytes in one page.</summary>
        public const int Size = 4096;
    }
}
