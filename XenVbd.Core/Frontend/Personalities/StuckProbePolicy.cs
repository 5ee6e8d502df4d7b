namespace XenVbd.Frontend
{
    /// <summary>What happens when the ABI probe gets no answer.</summary>
    public enum StuckProbePolicy
    {
        /// <summary>After a request timeout the device goes Broken with the reason.</summary>
        Broken = 0,

        /// <summary>Nothing: the driver waits for the answer for ever, and read/write SRBs with it.</summary>
        Hang,
    }
}
