namespace XenVbd.Frontend
{
    /// <summary>What a frontend does with UNMAP.</summary>
    public enum UnmapPolicy
    {
        /// <summary>DISCARD requests on the ring when the backend offers feature-discard.</summary>
        OnRing = 0,

        /// <summary>Not supported: the SRB fails.</summary>
        Unhandled,
    }
}
