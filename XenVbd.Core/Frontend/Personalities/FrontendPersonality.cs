namespace XenVbd.Frontend
{
    /// <summary>
    /// Which real frontend the model behaves as (see <see cref="FrontendBehaviours"/> for what each one does and
    /// where in its code). <see cref="Hardened"/> is this project's own design, not a real driver.
    /// </summary>
    public enum FrontendPersonality
    {
        /// <summary>This project's hardened design (what the model did before personalities): no real driver behaves like it.</summary>
        Hardened = 0,

        /// <summary>GPLPV xenvbd of February 2008: writes <c>protocol</c> and also probes at every Connected.</summary>
        Gplpv2008a,

        /// <summary>GPLPV xenvbd of November 2008 (the driver the Xen wiki's 2008 GPLPV page describes): no <c>protocol</c>, probe once, 4 KiB per-SRB bounce.</summary>
        Gplpv2008b,

        /// <summary>GPLPV xenvbd scsiport of 2012: one 11-page device buffer that stalls the queue, cached probe bits, unchecked masked ids.</summary>
        Gplpv2012,

        /// <summary>GPLPV's 2013 rewrite (final, 2014): writes <c>protocol</c>, no probe, flush a no-op, UNMAP an error.</summary>
        Gplpv2013,

        /// <summary>The Xen Project Windows driver (win-xenvbd, current).</summary>
        XenProject,

        /// <summary>Linux xen-blkfront, current (2021 response hardening).</summary>
        LinuxBlkfront,
    }
}
