using System;
using System.Linq;
using XenVbd.Faults;
using XenVbd.Sim;

namespace XenVbd.Tests.Faults
{
    public class HostRetryBackoffTests
    {
        [Fact]
        public void Delays_are_whole_milliseconds_between_half_and_all_of_the_capped_exponential()
        {
            var backoff = new HostRetryBackoff(TimeSpan.FromMilliseconds(3), TimeSpan.FromMilliseconds(50), new SimRandom(1));
            for (int round = 0; round < 200; round++)
            {
                for (int attempt = 0; attempt < 8; attempt++)
                {
                    long cap = Math.Min(3L << attempt, 50) * TimeSpan.TicksPerMillisecond;
                    long d = backoff.Next(attempt).Ticks;
                    Assert.Equal(0, d % TimeSpan.TicksPerMillisecond);
                    Assert.InRange(d, cap / 2, cap);
                }
            }
        }

        [Fact]
        public void The_same_stream_gives_the_same_delays()
        {
            static long[] Delays(ulong seed)
            {
                var b = new HostRetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), new SimRandom(seed));
                return Enumerable.Range(0, 40).Select(i => b.Next(i % 6).Ticks).ToArray();
            }

            Assert.Equal(Delays(4), Delays(4));
            Assert.NotEqual(Delays(4), Delays(5));
        }

        [Theory]
        [InlineData(0, 0)]
        [InlineData(1, 10_000)]
        [InlineData(9_999, 10_000)]
        [InlineData(10_000, 10_000)]
        [InlineData(10_001, 20_000)]
        public void Waits_round_up_to_whole_milliseconds(long ticks, long expected)
            => Assert.Equal(expected, HostRetryBackoff.RoundUpToMilliseconds(TimeSpan.FromTicks(ticks)).Ticks);

        [Fact]
        public void Bad_arguments_are_named()
        {
            var random = new SimRandom(1);
            Assert.Equal("baseDelay", Assert.Throws<ArgumentOutOfRangeException>(() => new HostRetryBackoff(TimeSpan.FromTicks(-1), TimeSpan.FromSeconds(1), random)).ParamName);
            Assert.Equal("maxDelay", Assert.Throws<ArgumentOutOfRangeException>(() => new HostRetryBackoff(TimeSpan.Zero, TimeSpan.FromTicks(-1), random)).ParamName);
            Assert.Equal("attempt", Assert.Throws<ArgumentOutOfRangeException>(() => new HostRetryBackoff(TimeSpan.Zero, TimeSpan.Zero, random).Next(-1)).ParamName);
        }
    }
}
