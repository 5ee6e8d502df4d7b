namespace XenVbd.Frontend
{
    /// <summary>GPLPV's probe states: two op-0xff requests out, then their two responses back.</summary>
    public enum AbiProbeState
    {
        NotStarted = 0,

        /// <summary>Requests pushed; waiting for the first response.</summary>
        Detect1 = 1,

        /// <summary>First response seen; waiting for the second, the one that tells.</summary>
        Detect2 = 2,

        Complete = 3,
    }
}
