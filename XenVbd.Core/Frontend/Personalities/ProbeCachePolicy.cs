namespace XenVbd.Frontend
{
    /// <summary>
    /// Whether a driver instance that starts on a config page the running instance already probed through (the crash
    /// dump or hibernate instance) takes the saved probe outcome instead of probing: GPLPV saves it in the top two bits
    /// of the config page's event-channel word (0x80000000 probe done, 0x40000000 the other layout).
    /// </summary>
    public enum ProbeCachePolicy
    {
        /// <summary>Nothing is saved or read: an instance probes (if the driver probes at all) whatever the config page says.</summary>
        None = 0,

        /// <summary>GPLPV 2008b: the bits are written after the probe and read only by the crash-dump instance (dump_mode).</summary>
        DumpModeOnly,

        /// <summary>GPLPV 2012: the bits are written after the probe and any instance that starts with them valid skips its probe.</summary>
        WheneverValid,
    }
}
