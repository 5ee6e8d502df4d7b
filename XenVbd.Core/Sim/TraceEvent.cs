namespace XenVbd.Sim
{
    /// <summary>
    /// One trace record, a plain struct so recording is a store into a preallocated array. The
    /// meaning of A/B/C/D depends on <see cref="Kind"/> (e.g. ring index, request id, op, status).
    /// </summary>
    public readonly struct TraceEvent
    {
        public TraceEvent(long time, TraceKind kind, int device, uint a, ulong b, long c, int d)
        {
            Time = time;
            Kind = kind;
            Device = device;
            A = a;
            B = b;
            C = c;
            D = d;
        }

        /// <summary>Virtual time in 100-ns ticks.</summary>
        public long Time { get; }
        public TraceKind Kind { get; }
        public int Device { get; }
        public uint A { get; }
        public ulong B { get; }
        public long C { get; }
        public int D { get; }
    }
}
