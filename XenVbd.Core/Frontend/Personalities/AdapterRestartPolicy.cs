namespace XenVbd.Frontend
{
    /// <summary>What a driver does to its ABI detector when the port driver restarts the adapter (ScsiRestartAdapter, after a power transition).</summary>
    public enum AdapterRestartPolicy
    {
        /// <summary>This project's design: the layout is probed again, from the native one, at once.</summary>
        Hardened = 0,

        /// <summary>The restart only logs: the detector and the layout it chose stay as they are (GPLPV 2008).</summary>
        KeepsDetector,

        /// <summary>
        /// GPLPV 2012: the detector goes back to NOT_STARTED so the next SRB probes again, but <c>use_other</c> is never
        /// cleared: once switched, the driver stays on the other layout whatever the new probe finds.
        /// </summary>
        ResetsDetectorKeepsUseOther,

        /// <summary>The driver does not probe: nothing to reset.</summary>
        NoDetector,
    }
}
