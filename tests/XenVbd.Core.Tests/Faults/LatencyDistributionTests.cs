using System;
using XenVbd.Faults;
using XenVbd.Sim;

namespace XenVbd.Tests.Faults
{
    public class LatencyDistributionTests
    {
        [Fact]
        public void Fixed_always_gives_the_constant()
        {
            var d = LatencyDistribution.Fixed(TimeSpan.FromMilliseconds(3));
            var r = new SimRandom(1);
            for (int i = 0; i < 100; i++) Assert.Equal(30000, d.Sample(r));
        }

        [Fact]
        public void Uniform_stays_within_its_bounds_and_reaches_both_halves()
        {
            var d = LatencyDistribution.Uniform(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2));
            var r = new SimRandom(2);
            int low = 0;
            for (int i = 0; i < 1000; i++)
            {
                long s = d.Sample(r);
                Assert.InRange(s, 10000, 20000);
                if (s < 15000) low++;
            }
            Assert.InRange(low, 400, 600);
        }

        [Fact]
        public void Exponential_has_about_the_given_mean()
        {
            var d = LatencyDistribution.Exponential(TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(10));
            var r = new SimRandom(3);
            double sum = 0;
            for (int i = 0; i < 20000; i++) sum += d.Sample(r);
            Assert.InRange(sum / 20000, 9500, 10500);
        }

        [Fact]
        public void Pareto_has_a_long_tail_but_respects_the_ceiling()
        {
            var d = LatencyDistribution.Pareto(TimeSpan.FromMilliseconds(1), 1.2, TimeSpan.FromSeconds(5));
            var r = new SimRandom(4);
            long max = 0;
            for (int i = 0; i < 20000; i++)
            {
                long s = d.Sample(r);
                Assert.InRange(s, 10000, TimeSpan.FromSeconds(5).Ticks);
                max = Math.Max(max, s);
            }
            Assert.True(max > TimeSpan.FromMilliseconds(500).Ticks, "20,000 draws with alpha 1.2 should reach past 500 ms");
        }
    }
}
