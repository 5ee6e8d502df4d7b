namespace XenVbd.Sim
{
    /// <summary>What happened at a trace point. Values are stable: exported traces carry the names.</summary>
    public enum TraceKind : byte
    {
        RequestPushed = 1,
        NotifyBackend = 2,
        RequestConsumed = 3,
        ResponsePushed = 4,
        NotifyFrontend = 5,
        ResponseConsumed = 6,
        StateChange = 7,
        Fault = 8,
        ProbeStep = 9,
        AbiSwitch = 10,
        SrbStart = 11,
        SrbComplete = 12,
        Reset = 13,
        Broken = 14,
        Timeout = 15,
        Bounce = 16,
        Reconnect = 17,
        RequestRejected = 18,
        SpuriousEvent = 19,

        /// <summary>The frontend's own state changed (A the new <c>FrontendState</c>, B the old one).</summary>
        FrontendState = 20,

        /// <summary>A backend ring purged persistent grants: A = queue, B = grants unmapped, C = grants left, D = 1 if the tree had overflowed.</summary>
        PersistentGrantPurge = 21,
    }
}
