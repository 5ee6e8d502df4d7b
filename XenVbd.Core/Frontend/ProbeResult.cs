using XenVbd.Ring;

namespace XenVbd.Frontend
{
    /// <summary>What the last ABI probe found. Cached: a crash-dump path could reuse it; a reconnect probes again.</summary>
    public sealed class ProbeResult
    {
        public ProbeResult(BlkifAbi startedWith, BlkifAbi detected, bool switched, byte secondResponseOperation, long startTicks, long completeTicks, int roundTrips, int backendGeneration)
        {
            StartedWith = startedWith;
            Detected = detected;
            Switched = switched;
            SecondResponseOperation = secondResponseOperation;
            StartTicks = startTicks;
            CompleteTicks = completeTicks;
            RoundTrips = roundTrips;
            BackendGeneration = backendGeneration;
        }

        /// <summary>The layout the frontend wrote the probe in (its own).</summary>
        public BlkifAbi StartedWith { get; }

        /// <summary>The layout the backend reads, now in use.</summary>
        public BlkifAbi Detected { get; }

        public bool Switched { get; }

        /// <summary>0xFF when the backend read the second probe request at our stride; anything else means it did not.</summary>
        public byte SecondResponseOperation { get; }

        public long StartTicks { get; }

        public long CompleteTicks { get; }

        public long DurationTicks => CompleteTicks - StartTicks;

        /// <summary>Interrupts it took to see both responses.</summary>
        public int RoundTrips { get; }

        /// <summary>Which connection (1 = first, +1 per reconnect) this probe belongs to.</summary>
        public int BackendGeneration { get; }

        public override string ToString()
            => "probe: " + StartedWith + " -> " + Detected + (Switched ? " (switched)" : " (kept)") + ", " + RoundTrips + " round trip(s), " + DurationTicks + " ticks";
    }
}
