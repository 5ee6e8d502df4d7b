using System.IO;
using System.Linq;
using XenVbd.Campaign;
using XenVbd.Faults;
using XenVbd.Workload;

namespace XenVbd.Tests.Campaign
{
    public sealed class PlantedBugTests
    {
        private readonly Xunit.Abstractions.ITestOutputHelper _output;

        public PlantedBugTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

        /// <summary>Two ABIs x two frontend modes x indirect off/on x the bug off/on x two fault plans x two seeds: 64 cases, 12 of them the bug's.</summary>
        internal static CampaignMatrix Matrix()
        {
            var m = new CampaignMatrix(PlantedBug.Axes) { Name = "planted" };
            m.Sweep("FrontendAbi", "X86_64", "X86_32");
            // The frontend mode is the hardened design's to choose; a real driver's personality fixes its own.
            m.Sweep("Personality", "Hardened");
            m.Sweep("FrontendMode", "Probe", "Announce");
            m.Sweep("MaxIndirectSegments", "0", "32");
            m.Sweep("PlantedBug", "Off", "On");
            m.AddFaultPlan("none");
            m.AddFaultPlan("slow",
                new CampaignFaultRule { Kind = FaultKind.Latency, Rate = 0.3, Delay = System.TimeSpan.FromMicroseconds(50) },
                new CampaignFaultRule { Kind = FaultKind.Reorder, Rate = 0.2, Delay = System.TimeSpan.FromMicroseconds(20), Distribution = LatencyShape.Uniform });
            m.AddWorkload("mixed", new CampaignWorkload
            {
                Pattern = IoPattern.Random,
                ReadFraction = 0.5,
                BlockSizes = new[] { 4096, 65536, 131072 },
                QueueDepth = 4,
                Count = 300,
                LengthBytes = 1 << 20,
            });
            m.WithSeeds(new ulong[] { 1, 2 });
            return m;
        }

        [Fact]
        public void The_campaign_finds_the_planted_bug_exactly_where_its_conditions_meet()
        {
            var m = Matrix();
            var results = CampaignRunner.Run(m, new CampaignRunOptions { MaxDegreeOfParallelism = 2 });
            Assert.Equal(64, results.Count);
            foreach (var r in results)
            {
                bool ring32 = r.Case.Setting("FrontendAbi") == "X86_32" || r.Case.Setting("FrontendMode") == "Probe";
                bool planted = ring32 && r.Case.Setting("MaxIndirectSegments") == "32" && r.Case.Setting("PlantedBug") == "On";
                Assert.True(planted == (r.Outcome == CampaignOutcome.Failed), r + " " + r.Detail);
                if (planted) Assert.StartsWith("Corruption:", r.Failure);
            }
        }

        [Fact]
        public void A_planted_failure_shrinks_to_the_known_minimal_case_and_its_replay_file_fails_the_same_way()
        {
            var m = Matrix();
            // The bug's case with every fault rule of the matrix and the biggest transfers: the most to shrink away.
            var failing = Enumerable.Range(0, (int)m.Count).Select(i => m.CaseAt(i))
                .First(c => c.Setting("FrontendAbi") == "X86_32" && c.Setting("FrontendMode") == "Announce" && c.Setting("MaxIndirectSegments") == "32"
                            && c.Setting("PlantedBug") == "On" && c.FaultPlan == "slow");
            failing = failing.With(devices: 3);
            var original = CampaignCaseRunner.Run(failing, PlantedBug.Axes);
            Assert.Equal(CampaignOutcome.Failed, original.Outcome);

            var shrinker = CampaignShrinker.ForAxes(PlantedBug.Axes);
            var repro = shrinker.Shrink(original);
            Assert.True(repro.IsMinimal);
            var small = repro.Minimal.Case;
            Assert.Equal(original.Failure, repro.Minimal.Failure);
            _output.WriteLine(repro.Runs + " runs, " + repro.Steps + " steps; " + repro.Minimal.Detail);
            _output.WriteLine(repro.ToJson());

            // The known minimal case: the frontend back to its defaults (which still give an x86_32 ring), no faults, one device.
            Assert.Equal(1, small.Devices);
            Assert.Empty(small.Faults);
            // The personality shrinks to the default too: GPLPV of November 2008 probes to the same x86_32 ring.
            Assert.Equal(new[] { "FrontendAbi=X86_64", "FrontendMode=Probe", "MaxIndirectSegments=32", "Personality=Gplpv2008b", "PlantedBug=On" }, small.Settings.Select(s => s.Key + "=" + s.Value));
            Assert.Equal(PlantedBug.SmallestTriggeringTransfer, small.Workload.BlockSizes.Max());
            Assert.Equal(1, small.Workload.QueueDepth);
            Assert.True(small.Workload.Count < failing.Workload.Count);

            // 1-minimal: every further step the shrinker knows makes the failure go away (or change).
            foreach (var next in shrinker.Candidates(small))
            {
                var r = CampaignCaseRunner.Run(next, PlantedBug.Axes);
                Assert.False(r.Outcome == CampaignOutcome.Failed && r.Failure == original.Failure, "still fails after a further step: " + next);
            }

            // Trying candidates four at a time takes the same steps to the same case.
            var wide = CampaignShrinker.ForAxes(PlantedBug.Axes);
            wide.MaxDegreeOfParallelism = 4;
            var wideRepro = wide.Shrink(original);
            Assert.Equal(repro.Steps, wideRepro.Steps);
            Assert.Equal(repro.ToJson(), wideRepro.ToJson());

            // Out of budget: still a case that fails the same way, but not claimed minimal.
            var hurried = CampaignShrinker.ForAxes(PlantedBug.Axes);
            hurried.MaxRuns = 5;
            hurried.MaxDegreeOfParallelism = 2;
            var partial = hurried.Shrink(original);
            Assert.False(partial.IsMinimal);
            Assert.Equal(5, partial.Runs);
            Assert.Equal(original.Failure, partial.Minimal.Failure);

            string path = Path.Combine(Path.GetTempPath(), "xenvbd-replay-" + System.Guid.NewGuid().ToString("N") + ".json");
            try
            {
                repro.Save(path);
                Assert.Contains("Invoke-VbdCampaign -Replay '", repro.ReplayCommand);
                var replayed = CampaignReproduction.ReadReplay(File.ReadAllText(path), PlantedBug.Axes, out var expected);
                Assert.Equal(original.Failure, expected);
                var again = CampaignCaseRunner.Run(replayed, PlantedBug.Axes);
                Assert.Equal(repro.Minimal.Failure, again.Failure);
                Assert.Equal(repro.Minimal.Detail, again.Detail);
            }
            finally
            {
                File.Delete(path);
            }
        }
    }
}
