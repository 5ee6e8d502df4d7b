using System;
using System.Globalization;
using XenVbd.Sim;

namespace XenVbd.Faults
{
    /// <summary>
    /// A delay distribution in virtual ticks (100 ns). Sampling draws only from the given
    /// <see cref="SimRandom"/>, so a seed fixes every delay.
    /// </summary>
    public sealed class LatencyDistribution
    {
        private LatencyDistribution(LatencyShape shape, long minTicks, long meanTicks, long maxTicks, double alpha)
        {
            Shape = shape;
            MinTicks = minTicks;
            MeanTicks = meanTicks;
            MaxTicks = maxTicks;
            ParetoAlpha = alpha;
        }

        public LatencyShape Shape { get; }

        /// <summary>Lower bound (Uniform), the constant (Fixed) or the scale x_m (Pareto).</summary>
        public long MinTicks { get; }

        /// <summary>Mean of the Exponential shape.</summary>
        public long MeanTicks { get; }

        /// <summary>Upper bound for every shape; a long tail still needs a ceiling or one sample can stall a lab for days of virtual time.</summary>
        public long MaxTicks { get; }

        /// <summary>Pareto tail index; smaller is heavier (1.1..3 are typical).</summary>
        public double ParetoAlpha { get; }

        public static LatencyDistribution Fixed(TimeSpan delay)
            => new LatencyDistribution(LatencyShape.Fixed, Check(InRange(delay, "Delay").Ticks), delay.Ticks, delay.Ticks, 0);

        public static LatencyDistribution Uniform(TimeSpan min, TimeSpan max)
        {
            InRange(min, "Delay");
            InRange(max, "MaxDelay");
            if (max < min) throw new ArgumentOutOfRangeException(nameof(max), max, "The maximum must not be below the minimum.");
            return new LatencyDistribution(LatencyShape.Uniform, Check(min.Ticks), (min.Ticks + max.Ticks) / 2, max.Ticks, 0);
        }

        public static LatencyDistribution Exponential(TimeSpan mean, TimeSpan max)
        {
            InRange(mean, "Delay");
            InRange(max, "MaxDelay");
            if (mean <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(mean), mean, "The mean must be positive.");
            return new LatencyDistribution(LatencyShape.Exponential, 0, mean.Ticks, Math.Max(mean.Ticks, max.Ticks), 0);
        }

        public static LatencyDistribution Pareto(TimeSpan scale, double alpha, TimeSpan max)
        {
            InRange(scale, "Delay");
            InRange(max, "MaxDelay");
            if (scale <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be positive.");
            if (!(alpha > 0)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The tail index must be positive.");
            double mean = alpha > 1 ? alpha * scale.Ticks / (alpha - 1) : max.Ticks;
            return new LatencyDistribution(LatencyShape.Pareto, scale.Ticks, (long)Math.Min(mean, max.Ticks), Math.Max(scale.Ticks, max.Ticks), alpha);
        }

        private static TimeSpan InRange(TimeSpan value, string name)
        {
            VirtualTimeLimit.Check(value, name);
            return value;
        }

        public long Sample(SimRandom random)
        {
            long value = Shape switch
            {
                LatencyShape.Fixed => MinTicks,
                LatencyShape.Uniform => MaxTicks == MinTicks ? MinTicks : random.NextInt64(MinTicks, MaxTicks + 1),
                LatencyShape.Exponential => (long)random.NextExponential(MeanTicks),
                // Inverse transform: x_m / U^(1/alpha), U in (0, 1].
                _ => (long)(MinTicks / Math.Pow(1.0 - random.NextDouble(), 1.0 / ParetoAlpha)),
            };
            return Math.Min(Math.Max(0, value), MaxTicks);
        }

        public override string ToString() => Shape switch
        {
            LatencyShape.Fixed => "fixed " + Ms(MinTicks),
            LatencyShape.Uniform => "uniform " + Ms(MinTicks) + ".." + Ms(MaxTicks),
            LatencyShape.Exponential => "exponential mean " + Ms(MeanTicks) + " max " + Ms(MaxTicks),
            _ => "pareto x_m " + Ms(MinTicks) + " alpha " + ParetoAlpha.ToString("0.##", CultureInfo.InvariantCulture) + " max " + Ms(MaxTicks),
        };

        private static string Ms(long ticks) => (ticks / 10000.0).ToString("0.###", CultureInfo.InvariantCulture) + " ms";

        private static long Check(long ticks)
        {
            if (ticks < 0) throw new ArgumentOutOfRangeException(nameof(ticks), ticks, "A delay cannot be negative.");
            return ticks;
        }
    }
}
