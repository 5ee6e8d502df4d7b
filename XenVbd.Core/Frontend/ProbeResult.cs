using XenVbd.Ring;

namespace XenVbd.Frontend
{
    /// <summary>What the last ABI probe found. Cached: a crash-dump path could reuse it; a reconnect probes again.</summary>
    /// <param name="StartedWith">The layout the frontend wrote the probe in (its own).</param>
    /// <param name="Detected">The layout the backend reads, now in use.</param>
    /// <param name="Switched">The probe moved the frontend off its own layout.</param>
    /// <param name="SecondResponseOperation">0xFF when the backend read the second probe request at our stride; anything else means it did not.</param>
    /// <param name="StartTicks">Virtual time the probe started.</param>
    /// <param name="CompleteTicks">Virtual time both responses were seen.</param>
    /// <param name="RoundTrips">Interrupts it took to see both responses.</param>
    /// <param name="BackendGeneration">Which connection (1 = first, +1 per reconnect) this probe belongs to.</param>
    public sealed record ProbeResult(BlkifAbi StartedWith, BlkifAbi Detected, bool Switched, byte SecondResponseOperation, long StartTicks, long CompleteTicks, int RoundTrips, int BackendGeneration)
    {
        public long DurationTicks => CompleteTicks - StartTicks;

        public override string ToString()
            => "probe: " + StartedWith + " -> " + Detected + (Switched ? " (switched)" : " (kept)") + ", " + RoundTrips + " round trip(s), " + DurationTicks + " ticks";
    }
}
