using System.Diagnostics;
using System.Linq;
using XenVbd.Campaign;
using XenVbd.Faults;
using XenVbd.Workload;

namespace XenVbd.Tests.Campaign
{
    /// <summary>The shrinker on pooled, restored devices (as the campaign runner runs cases) against a fresh device per candidate.</summary>
    public sealed class CampaignShrinkerPoolTests
    {
        private readonly Xunit.Abstractions.ITestOutputHelper _output;

        public CampaignShrinkerPoolTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

        [Fact]
        public void The_planted_bug_shrinks_to_the_same_bytes_on_restored_devices_as_on_fresh_ones()
        {
            var m = PlantedBugTests.Matrix();
            var failing = Enumerable.Range(0, (int)m.Count).Select(i => m.CaseAt(i))
                .First(c => c.Setting("FrontendAbi") == "X86_32" && c.Setting("MaxIndirectSegments") == "32" && c.Setting("PlantedBug") == "On" && c.FaultPlan == "slow");
            var original = CampaignCaseRunner.Run(failing, PlantedBug.Axes);
            Assert.Equal(CampaignOutcome.Failed, original.Outcome);

            var fresh = CampaignShrinker.ForAxes(PlantedBug.Axes);
            fresh.ReuseDevices = false;
            var pooled = CampaignShrinker.ForAxes(PlantedBug.Axes);
            Assert.True(pooled.ReuseDevices);
            Assert.Equal(fresh.Shrink(original).ToJson(), pooled.Shrink(original).ToJson());
        }

        [Fact]
        public void A_fault_failure_shrinks_to_the_same_bytes_and_faster_on_restored_devices()
        {
            // Read errors on a clean backend: every candidate's device is one the pool can restore.
            var m = new CampaignMatrix { Name = "errors" };
            m.Sweep("Personality", "Hardened");
            m.Sweep("Bounce", "SegmentPool");
            m.AddFaultPlan("errors", new CampaignFaultRule { Kind = FaultKind.Error, Rate = 0.05, Operation = FaultOps.Read });
            m.AddWorkload("w", new CampaignWorkload { Pattern = IoPattern.Random, ReadFraction = 0.5, BlockSizes = new[] { 4096, 65536 }, QueueDepth = 8, Count = 400, LengthBytes = 4 << 20, MisalignedFraction = 0.3 });
            m.WithSeeds(new ulong[] { 3 });
            var original = CampaignCaseRunner.Run(m.CaseAt(0).With(devices: 2), m.AxisSet);
            Assert.Equal(CampaignOutcome.Failed, original.Outcome);

            var fresh = CampaignShrinker.ForAxes(m.AxisSet);
            fresh.ReuseDevices = false;
            var pooled = CampaignShrinker.ForAxes(m.AxisSet);
            // Three rounds of fresh then restored, the best of each: a warm-up or a busy moment flatters neither.
            CampaignReproduction a = null!, b = null!;
            double freshSeconds = double.MaxValue, pooledSeconds = double.MaxValue;
            for (int round = 0; round < 3; round++)
            {
                var clock = Stopwatch.StartNew();
                a = fresh.Shrink(original);
                freshSeconds = System.Math.Min(freshSeconds, clock.Elapsed.TotalSeconds);
                clock.Restart();
                b = pooled.Shrink(original);
                pooledSeconds = System.Math.Min(pooledSeconds, clock.Elapsed.TotalSeconds);
            }
            Assert.Equal(a.ToJson(), b.ToJson());
            Assert.True(b.Runs > 10, "a shrink of " + b.Runs + " candidates says little about speed");
            double freshRate = a.Runs / freshSeconds, pooledRate = b.Runs / pooledSeconds;
            _output.WriteLine(b.Runs + " candidates, " + b.Steps + " steps; fresh devices " + freshRate.ToString("0.0") + " candidates/s, restored "
                + pooledRate.ToString("0.0") + " candidates/s: x" + (pooledRate / freshRate).ToString("0.00"));
        }
    }
}
