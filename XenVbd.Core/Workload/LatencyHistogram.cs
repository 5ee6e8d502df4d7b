using System;

namespace XenVbd.Workload
{
    /// <summary>
    /// An HDR-style histogram of completion latencies in ticks: exact below 32, then 16 linear sub-buckets
    /// per power of two (about 6 % resolution) up to 2^47 ticks (~163 days). Recording is an array
    /// increment, so the I/O path allocates nothing.
    /// </summary>
    public sealed class LatencyHistogram
    {
        private const int Linear = 32;
        private const int SubBits = 4;
        private const int MaxExponent = 47;
        public const int BucketCount = Linear + (MaxExponent - 5 + 1) * (1 << SubBits);

        private readonly long[] _counts = new long[BucketCount];

        public long Count { get; private set; }

        public long MinTicks { get; private set; } = long.MaxValue;

        public long MaxTicks { get; private set; }

        public double SumTicks { get; private set; }

        public double MeanTicks => Count == 0 ? 0 : SumTicks / Count;

        public void Record(long ticks)
        {
            if (ticks < 0) ticks = 0;
            _counts[BucketOf(ticks)]++;
            Count++;
            SumTicks += ticks;
            if (ticks < MinTicks) MinTicks = ticks;
            if (ticks > MaxTicks) MaxTicks = ticks;
        }

        public void Add(LatencyHistogram other)
        {
            for (int i = 0; i < BucketCount; i++) _counts[i] += other._counts[i];
            Count += other.Count;
            SumTicks += other.SumTicks;
            if (other.Count > 0)
            {
                MinTicks = Math.Min(MinTicks, other.MinTicks);
                MaxTicks = Math.Max(MaxTicks, other.MaxTicks);
            }
        }

        /// <summary>The latency at or below which <paramref name="percentile"/> % of completions fall (bucket upper bound, clamped to the max seen).</summary>
        public long Percentile(double percentile)
        {
            if (Count == 0) return 0;
            long rank = (long)Math.Ceiling(percentile / 100.0 * Count);
            if (rank < 1) rank = 1;
            long seen = 0;
            for (int i = 0; i < BucketCount; i++)
            {
                seen += _counts[i];
                if (seen >= rank) return Math.Min(Math.Max(UpperBound(i), MinTicks), MaxTicks);
            }
            return MaxTicks;
        }

        public long CountAt(int bucket) => _counts[bucket];

        public static int BucketOf(long ticks)
        {
            if (ticks < Linear) return (int)ticks;
            int e = 63 - LeadingZeros((ulong)ticks);
            if (e > MaxExponent) return BucketCount - 1;
            int sub = (int)(ticks >> (e - SubBits)) & ((1 << SubBits) - 1);
            return Linear + (e - 5) * (1 << SubBits) + sub;
        }

        public static long LowerBound(int bucket)
        {
            if (bucket < Linear) return bucket;
            int e = (bucket - Linear) / (1 << SubBits) + 5;
            int sub = (bucket - Linear) % (1 << SubBits);
            return (1L << e) + ((long)sub << (e - SubBits));
        }

        public static long UpperBound(int bucket) => bucket + 1 >= BucketCount ? long.MaxValue : LowerBound(bucket + 1) - 1;

        private static int LeadingZeros(ulong x)
        {
#if NET
            return System.Numerics.BitOperations.LeadingZeroCount(x);
#else
            int n = 0;
            if (x == 0) return 64;
            while ((x & 0x8000000000000000UL) == 0) { n++; x <<= 1; }
            return n;
#endif
        }
    }
}
