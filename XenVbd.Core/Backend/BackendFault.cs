namespace XenVbd.Backend
{
    /// <summary>The <c>D</c> field of a blkback <see cref="XenVbd.Sim.TraceKind.Fault"/> trace record: what went wrong or was injected.</summary>
    public enum BackendFault
    {
        RingHalted = 1,
        DropResponse = 2,
        DuplicateResponse = 3,
        StatusOverride = 4,
        RspProdJump = 5,
        ConnectFailed = 6,

        /// <summary>A connect refused because a closed ring still had requests in flight (Linux's "pending I/O").</summary>
        PendingIo = 7,

        /// <summary>A response given another id than its request's (trace B: the request's id, C: the id answered with).</summary>
        IdOverride = 8,
    }
}
