namespace XenVbd.Frontend
{
    /// <summary>How a frontend takes EOPNOTSUPP and ERROR answers to FLUSH_DISKCACHE, WRITE_BARRIER and DISCARD.</summary>
    public enum FlushAnswerPolicy
    {
        /// <summary>This project's design: EOPNOTSUPP on a flush or barrier turns the feature off and succeeds; anything else non-OK fails.</summary>
        Hardened = 0,

        /// <summary>Linux blkfront: a flush answered EOPNOTSUPP, or ERROR with no segments, succeeds; any failed flush turns flush and FUA off; DISCARD answered EOPNOTSUPP fails and turns discard off.</summary>
        Blkfront,

        /// <summary>The Xen Project driver: EOPNOTSUPP on any operation removes that feature and the SRB succeeds; ERROR fails it.</summary>
        XenProject,
    }
}
