namespace XenVbd.Frontend
{
    /// <summary>The frontend's XenBus states on the way to Connected.</summary>
    public enum XenbusPathPolicy
    {
        /// <summary>Initialising, Initialised (keys written), Connected (after the backend connected): 1 → 3 → 4.</summary>
        ThroughInitialised = 0,

        /// <summary>Initialising, then Connected as soon as the keys are written, before the backend connects: 1 → 4.</summary>
        StraightToConnected,
    }
}
