using System;
using XenVbd.Sim;

namespace XenVbd.Faults
{
    /// <summary>
    /// The host pipeline's retry delays: exponential back-off with "equal jitter" (half the capped exponential
    /// delay plus a seeded random share of the other half), in whole milliseconds, computed in integer ticks.
    /// </summary>
    /// <remarks>
    /// Why not Polly's own jittered back-off: Polly.Core waits through <c>TimeProvider.Delay</c>, and that call
    /// is not the same on every runtime the engine runs on. On .NET 8 and later it is the runtime's
    /// <c>Task.Delay(TimeSpan, TimeProvider)</c>, which truncates the delay to whole milliseconds first (so a
    /// 0.96 ms back-off is no wait at all and the retry goes out at once); on netstandard2.0 / .NET Framework
    /// (the module's Windows PowerShell 5.1 edition, Mono) it is Microsoft.Bcl.TimeProvider's, which waits the
    /// exact ticks. Polly's jitter gives sub-millisecond fractions, so the same seed retried at different
    /// virtual instants on the two runtimes and drew different faults. A delay that is already a whole number
    /// of milliseconds is waited the same on both, so every delay the engine hands Polly is one.
    /// </remarks>
    public sealed class HostRetryBackoff
    {
        private readonly long _baseTicks;
        private readonly long _maxTicks;
        private readonly SimRandom _random;

        public HostRetryBackoff(TimeSpan baseDelay, TimeSpan maxDelay, SimRandom random)
        {
            if (baseDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(baseDelay), baseDelay, "The retry delay cannot be negative.");
            if (maxDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(maxDelay), maxDelay, "The maximum retry delay cannot be negative.");
            _baseTicks = baseDelay.Ticks;
            // Capped to whole milliseconds too, downwards, so the cap itself is a delay both runtimes wait alike.
            _maxTicks = maxDelay.Ticks / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond;
            _random = random ?? throw new ArgumentNullException(nameof(random));
        }

        /// <summary>The delay before retry <paramref name="attempt"/> (0 for the first retry); draws once from the stream.</summary>
        public TimeSpan Next(int attempt)
        {
            if (attempt < 0) throw new ArgumentOutOfRangeException(nameof(attempt), attempt, "The retry attempt cannot be negative.");
            long cap = _baseTicks;
            for (int i = 0; i < attempt && cap < _maxTicks; i++) cap = cap > long.MaxValue / 2 ? long.MaxValue : cap * 2;
            cap = Math.Min(cap, _maxTicks);
            long half = cap / 2;
            long ticks = half + (long)_random.NextUInt64((ulong)(cap - half) + 1);
            return TimeSpan.FromTicks(Math.Min(_maxTicks, RoundUpToMilliseconds(ticks)));
        }

        /// <summary>
        /// <paramref name="delay"/> rounded up to a whole number of milliseconds (zero stays zero), so Polly's
        /// waits (retry delay, chaos latency, attempt timeout) last the same virtual time on every runtime.
        /// </summary>
        public static TimeSpan RoundUpToMilliseconds(TimeSpan delay) => TimeSpan.FromTicks(RoundUpToMilliseconds(delay.Ticks));

        private static long RoundUpToMilliseconds(long ticks)
        {
            if (ticks <= 0) return 0;
            long ms = ticks / TimeSpan.TicksPerMillisecond + (ticks % TimeSpan.TicksPerMillisecond == 0 ? 0 : 1);
            return ms > TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMillisecond ? TimeSpan.MaxValue.Ticks : ms * TimeSpan.TicksPerMillisecond;
        }
    }
}
