namespace XenVbd.Backend
{
    /// <summary>
    /// The requests one ring has consumed and not yet answered, as an interceptor may see them while it decides about
    /// another: what a fault that answers with another in-flight request's id picks from. Walking it allocates nothing.
    /// </summary>
    public interface IInFlightRequests
    {
        /// <summary>Requests consumed whose response is still to be written (the one being decided is not among them).</summary>
        int InFlightCount { get; }

        /// <summary>The <paramref name="ordinal"/>-th of them (0..<see cref="InFlightCount"/>-1, in the ring's table order): its id and first sector.</summary>
        ulong InFlightRequestId(int ordinal, out ulong sectorNumber);
    }
}
