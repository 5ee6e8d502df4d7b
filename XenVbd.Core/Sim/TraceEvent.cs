namespace XenVbd.Sim
{
    /// <summary>
    /// One trace record, a plain struct so recording is a store into a preallocated array. The
    /// meaning of A/B/C/D depends on <see cref="Kind"/> (e.g. ring index, request id, op, status).
    /// </summary>
    /// <param name="Time">Virtual time in 100-ns ticks.</param>
    public readonly record struct TraceEvent(long Time, TraceKind Kind, int Device, uint A, ulong B, long C, int D);
}
