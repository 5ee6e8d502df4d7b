using System;

namespace XenVbd.Sim
{
    /// <summary>
    /// The engine's one seeded random source (xoshiro256**, seeded by SplitMix64). Every random
    /// choice — workload, fault, latency — comes from here or from a <see cref="Fork"/> of it, so a
    /// seed replays the same run on every machine and runtime (System.Random's algorithm is not
    /// guaranteed to stay the same across .NET versions).
    /// </summary>
    public sealed class SimRandom
    {
        private ulong _s0, _s1, _s2, _s3;

        public SimRandom(ulong seed)
        {
            Seed = seed;
            ulong x = seed;
            _s0 = SplitMix(ref x);
            _s1 = SplitMix(ref x);
            _s2 = SplitMix(ref x);
            _s3 = SplitMix(ref x);
        }

        public ulong Seed { get; }

        /// <summary>An independent stream derived from this seed and a name, so adding draws to one actor does not shift another's.</summary>
        public SimRandom Fork(string stream)
        {
            ulong h = 14695981039346656037UL;
            foreach (char c in stream) { h ^= c; h *= 1099511628211UL; }
            return new SimRandom(Seed ^ h ^ 0x9E3779B97F4A7C15UL);
        }

        public ulong NextUInt64()
        {
            ulong result = Rotl(_s1 * 5, 7) * 9;
            ulong t = _s1 << 17;
            _s2 ^= _s0;
            _s3 ^= _s1;
            _s1 ^= _s2;
            _s0 ^= _s3;
            _s2 ^= t;
            _s3 = Rotl(_s3, 45);
            return result;
        }

        /// <summary>Uniform in [0, 1) with 53 bits.</summary>
        public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

        /// <summary>Uniform in [0, maxExclusive) without modulo bias.</summary>
        public int Next(int maxExclusive)
        {
            if (maxExclusive <= 0) ThrowHelper.ThrowArgumentOutOfRange(nameof(maxExclusive), maxExclusive, "Must be positive.");
            return (int)NextUInt64((ulong)maxExclusive);
        }

        public int Next(int minInclusive, int maxExclusive)
        {
            if (maxExclusive <= minInclusive) ThrowHelper.ThrowArgumentOutOfRange(nameof(maxExclusive), maxExclusive, "Must exceed the minimum.");
            return minInclusive + (int)NextUInt64((ulong)((long)maxExclusive - minInclusive));
        }

        public long NextInt64(long minInclusive, long maxExclusive)
        {
            if (maxExclusive <= minInclusive) ThrowHelper.ThrowArgumentOutOfRange(nameof(maxExclusive), maxExclusive, "Must exceed the minimum.");
            return minInclusive + (long)NextUInt64((ulong)(maxExclusive - minInclusive));
        }

        /// <summary>Uniform in [0, bound) by Lemire's multiply-shift with rejection.</summary>
        public ulong NextUInt64(ulong bound)
        {
            if (bound == 0) return 0;
            ulong threshold = (0 - bound) % bound;
            while (true)
            {
                ulong r = NextUInt64();
                ulong hi = MulHigh(r, bound, out ulong lo);
                if (lo >= threshold) return hi;
            }
        }

        public bool Chance(double probability) => probability > 0 && (probability >= 1 || NextDouble() < probability);

        public void NextBytes(Span<byte> buffer)
        {
            int i = 0;
            while (i + 8 <= buffer.Length)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(buffer.Slice(i), NextUInt64());
                i += 8;
            }
            if (i < buffer.Length)
            {
                ulong v = NextUInt64();
                for (; i < buffer.Length; i++) { buffer[i] = (byte)v; v >>= 8; }
            }
        }

        /// <summary>Exponential with the given mean (inverse transform).</summary>
        public double NextExponential(double mean) => -mean * Math.Log(1.0 - NextDouble());

        private static ulong MulHigh(ulong a, ulong b, out ulong low)
        {
#if NET
            return Math.BigMul(a, b, out low);
#else
            ulong aLo = (uint)a, aHi = a >> 32, bLo = (uint)b, bHi = b >> 32;
            ulong ll = aLo * bLo, lh = aLo * bHi, hl = aHi * bLo, hh = aHi * bHi;
            ulong mid = (ll >> 32) + (uint)lh + (uint)hl;
            low = (mid << 32) | (uint)ll;
            return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
        }

        private static ulong Rotl(ulong x, int k) => (x << k) | (x >> (64 - k));

        private static ulong SplitMix(ref ulong x)
        {
            ulong z = x += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
