namespace XenVbd.Backend
{
    /// <summary>When a backend writes its flush, barrier and discard keys.</summary>
    public enum FeatureKeyTiming
    {
        /// <summary>Linux: in connect(), with sectors and info, just before Connected.</summary>
        AtConnect,

        /// <summary>QEMU 7.2: at realize, before the backend reaches InitWait.</summary>
        BeforeInitWait,

        /// <summary>QEMU 10: just after InitWait is published.</summary>
        AfterInitWait,
    }
}
