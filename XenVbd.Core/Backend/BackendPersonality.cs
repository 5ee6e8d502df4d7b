namespace XenVbd.Backend
{
    /// <summary>
    /// Which real backend the blkback model behaves as. Each value has a <see cref="BackendProfile"/> that lists
    /// its behaviours with the code they come from (<see cref="BackendProfile.For"/>).
    /// </summary>
    public enum BackendPersonality
    {
        /// <summary>Current Linux <c>xen-blkback</c> (drivers/block/xen-blkback in mainline): the default.</summary>
        LinuxBlkback = 0,

        /// <summary>
        /// The Linux blkback of a 2008 Debian dom0, the one the author of the Xen wiki's 2008 GPLPV page ran: no
        /// <c>protocol</c> key (its own layout only), one ring page, no indirect, flush or discard, unknown
        /// operations answered ERROR.
        /// </summary>
        LinuxBlkback2008 = 1,

        /// <summary>QEMU's qdisk backend as Debian 12 ships it (7.2): before the protocol-default and sector-unit changes.</summary>
        Qemu72 = 2,

        /// <summary>QEMU's qdisk backend 10.x: x86_32 default protocol on x86, 512-byte sector units, InitWait before its keys.</summary>
        Qemu10 = 3,
    }
}
