namespace XenVbd.Xen
{
    /// <summary>XenBus device states, as written to a device's <c>state</c> key.</summary>
    public enum XenbusState
    {
        Unknown = 0,
        Initialising = 1,
        InitWait = 2,
        Initialised = 3,
        Connected = 4,
        Closing = 5,
        Closed = 6,
        Reconfiguring = 7,
        Reconfigured = 8,
    }
}
