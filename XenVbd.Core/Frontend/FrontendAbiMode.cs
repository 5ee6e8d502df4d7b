namespace XenVbd.Frontend
{
    /// <summary>How the frontend settles which ring layout the backend reads.</summary>
    public enum FrontendAbiMode
    {
        /// <summary>GPLPV 2008–2013: no <c>protocol</c> key; probe with two op-0xff requests and switch if needed.</summary>
        Probe = 0,

        /// <summary>The 2013 rewrite: write <c>protocol</c> and trust it. A Native backend of the other layout
        /// ignores the key; the frontend catches that with a layout check read on connect and reports
        /// <see cref="FrontendState.LayoutMismatch"/> instead of moving data.</summary>
        Announce = 1,

        /// <summary>Write <c>protocol</c> and probe anyway: works with every backend.</summary>
        AnnounceAndProbe = 2,
    }
}
