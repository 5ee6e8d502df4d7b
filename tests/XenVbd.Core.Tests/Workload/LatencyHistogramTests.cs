using XenVbd.Workload;

namespace XenVbd.Tests.Workload
{
    public class LatencyHistogramTests
    {
        [Fact]
        public void Percentiles_are_within_the_bucket_resolution()
        {
            var h = new LatencyHistogram();
            for (int i = 1; i <= 100_000; i++) h.Record(i * 10);
            Assert.InRange(h.Percentile(50), 500_000 * 0.94, 500_000 * 1.07);
            Assert.InRange(h.Percentile(99), 990_000 * 0.94, 990_000 * 1.07);
            Assert.Equal(1_000_000, h.Percentile(100));
            Assert.Equal(10, h.MinTicks);
        }

        [Fact]
        public void Small_values_are_exact()
        {
            var h = new LatencyHistogram();
            h.Record(3);
            h.Record(7);
            Assert.Equal(3, h.Percentile(50));
            Assert.Equal(7, h.Percentile(99.99));
        }

        [Fact]
        public void Bucket_bounds_are_contiguous_and_monotonic()
        {
            for (int b = 0; b < LatencyHistogram.BucketCount - 1; b++)
            {
                Assert.Equal(LatencyHistogram.UpperBound(b) + 1, LatencyHistogram.LowerBound(b + 1));
                Assert.Equal(b, LatencyHistogram.BucketOf(LatencyHistogram.LowerBound(b)));
            }
        }

        [Fact]
        public void The_timeline_coarsens_instead_of_growing()
        {
            var t = new ThroughputTimeline(0, 1000);
            for (long now = 0; now < 10_000_000; now += 1000) t.Record(now, 512, 3);
            Assert.True(t.Used <= ThroughputTimeline.Slices);
            Assert.True(t.SliceTicks > 1000);
            long total = 0;
            foreach (var p in t.Points()) total += (long)System.Math.Round(p.Iops * t.SliceTicks / 1e7);
            Assert.Equal(10_000, total);
        }
    }
}
