using System;
using XenVbd.Device;
using XenVbd.Faults;
using XenVbd.Sim;

namespace XenVbd.Tests.Sim
{
    /// <summary>Extreme TimeSpans: refused with the range by name at the input, and virtual time never wraps inside.</summary>
    public sealed class VirtualTimeLimitTests
    {
        private sealed class Recorder : ISimEventHandler
        {
            public long FiredAt = -1;
            public Scheduler? Scheduler;

            public void OnSimEvent(int kind, long argument) => FiredAt = Scheduler!.Now;
        }

        [Fact]
        public void A_huge_delay_saturates_instead_of_wrapping_into_the_past()
        {
            var s = new Scheduler(1);
            var early = new Recorder { Scheduler = s };
            var late = new Recorder { Scheduler = s };
            s.Schedule(10, early, 0);
            s.RunUntilIdle();
            s.Schedule(TimeSpan.MaxValue.Ticks, late, 0);   // Now + MaxValue wrapped negative: it ran "now"
            s.Schedule(5, early, 0);
            s.RunNext();
            Assert.Equal(15, early.FiredAt);                // the 5-tick event comes first
            s.RunNext();
            Assert.Equal(long.MaxValue, late.FiredAt);
        }

        [Theory]
        [InlineData("RequestTimeout")]
        [InlineData("BackendServiceTime")]
        public void Device_time_inputs_beyond_the_range_are_refused_by_name(string which)
        {
            var o = new VbdDeviceOptions { SizeBytes = 1 << 20 };
            if (which == "RequestTimeout") o.RequestTimeout = TimeSpan.MaxValue;
            else o.BackendServiceTime = TimeSpan.MaxValue;
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => o.Validate());
            Assert.Equal(which, ex.ParamName);
            Assert.Contains("365 days", ex.Message);
            // The range's end itself is accepted.
            if (which == "RequestTimeout") o.RequestTimeout = VirtualTimeLimit.Max;
            else o.BackendServiceTime = VirtualTimeLimit.Max;
            o.Validate();
        }

        [Fact]
        public void Fault_delays_and_windows_beyond_the_range_are_refused_by_name()
        {
            Assert.Equal("Delay", Assert.Throws<ArgumentOutOfRangeException>(() => LatencyDistribution.Fixed(TimeSpan.MaxValue)).ParamName);
            Assert.Equal("MaxDelay", Assert.Throws<ArgumentOutOfRangeException>(() => LatencyDistribution.Uniform(TimeSpan.Zero, TimeSpan.MaxValue)).ParamName);
            var rule = new FaultRule(FaultKind.Drop) { Period = TimeSpan.MaxValue };
            Assert.Equal("Period", Assert.Throws<ArgumentOutOfRangeException>(() => rule.Validate()).ParamName);
        }
    }
}
