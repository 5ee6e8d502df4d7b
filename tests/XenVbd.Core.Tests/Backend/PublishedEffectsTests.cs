using System;
using XenVbd.Backend;
using Xunit.Abstractions;

namespace XenVbd.Tests.Backend
{
    /// <summary>
    /// The published effects of multi-page rings, persistent grants and multi-queue, reproduced in virtual time with one
    /// set of costs: each ratio must fall in its published band. These are ratios of virtual-time throughput, deterministic,
    /// never readings of the machine's clock.
    /// </summary>
    public class PublishedEffectsTests
    {
        private readonly ITestOutputHelper _out;

        public PublishedEffectsTests(ITestOutputHelper output) => _out = output;

        private PublishedEffect Show(PublishedEffect e)
        {
            _out.WriteLine(e.Name + ": model " + e.Baseline.Iops.ToString("F0") + " -> " + e.Improved.Iops.ToString("F0") + " IOPS = "
                + e.ModelRatio.ToString("F2") + "x (published " + e.PublishedRatio.ToString("F2") + "x, band " + e.BandLow + ".." + e.BandHigh
                + "); bottlenecks " + e.Baseline.Bottleneck + " " + e.Baseline.BottleneckUtilisation.ToString("F2") + " / " + e.Improved.Bottleneck + " " + e.Improved.BottleneckUtilisation.ToString("F2"));
            return e;
        }

        [Fact]
        public void Multi_page_ring_512_in_flight_against_32_is_about_15x_on_high_latency_storage()
        {
            var e = Show(PublishedEffects.MultiPageRing());
            Assert.Equal(32, e.Baseline.OutstandingPerRing);
            Assert.Equal(512, e.Improved.OutstandingPerRing);
            Assert.InRange(e.ModelRatio, e.BandLow, e.BandHigh);
            Assert.Equal("requests in flight (ring size)", e.Baseline.Bottleneck);
        }

        [Fact]
        public void Persistent_grants_double_the_IOPS_of_15_guests_on_a_ram_disk()
        {
            var e = Show(PublishedEffects.PersistentGrants());
            Assert.InRange(e.ModelRatio, e.BandLow, e.BandHigh);
            Assert.Equal("dom0 CPUs", e.Baseline.Bottleneck);
            Assert.Equal(1.0, e.Baseline.MapsPerRequest, 3);
            Assert.Equal(0.0, e.Improved.MapsPerRequest, 3);
        }

        [Fact]
        public void Four_queues_give_about_1_5x_without_persistent_grants()
        {
            var e = Show(PublishedEffects.MultiQueue());
            Assert.InRange(e.ModelRatio, e.BandLow, e.BandHigh);
            Assert.Equal("ring thread", e.Baseline.Bottleneck);
            Assert.Equal("grant-table lock", e.Improved.Bottleneck);
        }

        [Fact]
        public void Four_queues_with_per_queue_persistent_grants_give_about_2_3x()
        {
            var e = Show(PublishedEffects.MultiQueuePersistent());
            Assert.InRange(e.ModelRatio, e.BandLow, e.BandHigh);
            Assert.Equal("guest CPUs", e.Improved.Bottleneck);
        }

        [Fact]
        public void The_simulation_is_deterministic_and_a_ring_past_1056_grants_maps_again()
        {
            var s = new ServiceTimeScenario { RingPageOrder = 4, SegmentsPerRequest = 11, PersistentGrants = true, Costs = PublishedEffects.NullBlkHost, WarmUpRequests = 2_000, MeasuredRequests = 10_000 };
            var a = ServiceTimeSimulation.Run(s);
            var b = ServiceTimeSimulation.Run(s);
            Assert.Equal(a, b);
            // 512 slots x 11 grants = 5632 grants in use; the tree keeps 1056, the rest are mapped and unmapped each time.
            Assert.InRange(a.MapsPerRequest, 8.0, 10.0);
            Assert.Equal(a.MapsPerRequest, a.UnmapsPerRequest, 6);
            var unlimited = ServiceTimeSimulation.Run(s with { MaxPersistentGrants = 6000 });
            Assert.Equal(0.0, unlimited.MapsPerRequest, 6);
            Assert.True(unlimited.Iops > a.Iops);
        }

        [Fact]
        public void A_scenario_that_makes_no_sense_is_refused()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => ServiceTimeSimulation.Run(new ServiceTimeScenario { Guests = 0 }));
            Assert.Throws<ArgumentOutOfRangeException>(() => ServiceTimeSimulation.Run(new ServiceTimeScenario { RingPageOrder = 5 }));
            Assert.Throws<ArgumentOutOfRangeException>(() => ServiceTimeSimulation.Run(new ServiceTimeScenario { Costs = BackendServiceModel.Reference with { GrantMapTicks = -1 } }));
        }
    }
}
