using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using XenVbd.Frontend;
using XenVbd.Lab;
using XenVbd.Reports;
using XenVbd.Workload;

namespace XenVbd.Tests.Lab
{
    /// <summary>
    /// A lab's expected outcome per personality: stated with the behaviour that decides it (and so its source),
    /// observed from what the checkers saw, a failure naming both when they differ; the classification of a
    /// workload; the summaries the side-by-side table shows; the outcomes in results.json and the HTML grid.
    /// </summary>
    public class LabOutcomeTests
    {
        private static LabResult Under(FrontendPersonality p, string name = "RogueBackend") =>
            new LabResult(name, 1, p.ToString(), FrontendPersonalities.For(p).Behaviours);

        [Fact]
        public void An_expected_outcome_carries_the_behaviour_and_its_source()
        {
            var lab = Under(FrontendPersonality.Gplpv2012);
            LabOutcome o = lab.Expect("RspProdJump", "Stopped", FrontendPersonalities.ResponseChecks);
            Assert.Equal("ResponseChecks", o.Behaviour);
            Assert.Equal("spurious/win-pvdrivers-mirror", o.Source!.Repository);
            Assert.Equal("XenVbd_HwScsiInterrupt", o.Source.Function);
            Assert.Equal("XenVbd_HwScsiInterrupt (xenvbd_scsiport.c)", o.SourceText);
            Assert.Contains("MAX_SHADOW_ENTRIES is 64", o.Because);
            Assert.False(lab.Passed);                                  // expected, not yet observed
            Assert.True(lab.Observe("RspProdJump", "Stopped", "device Stopped"));
            Assert.True(lab.Passed);
            Assert.Equal("Stopped", lab.Expected);
            Assert.Equal("Stopped", lab.Observed);
        }

        [Fact]
        public void A_behaviour_not_pinned_to_code_says_why_instead_of_a_source()
        {
            LabOutcome o = Under(FrontendPersonality.Hardened).Expect("BadId", "Broken", FrontendPersonalities.ResponseChecks);
            Assert.Null(o.Source);
            Assert.StartsWith("not pinned: this project's own design", o.SourceText);
        }

        [Fact]
        public void An_outcome_that_stops_happening_is_a_failure_naming_expected_observed_behaviour_and_source()
        {
            var lab = Under(FrontendPersonality.LinuxBlkfront);
            lab.Expect("BadId", "Hangs", FrontendPersonalities.ResponseChecks);
            Assert.False(lab.Observe("BadId", "Broken", "400 SRBs completed; device Broken"));
            string failure = Assert.Single(lab.Failures);
            Assert.Contains("BadId: expected Hangs under LinuxBlkfront", failure);
            Assert.Contains("blkif_interrupt (xen-blkfront.c)", failure);
            Assert.Contains("observed Broken: 400 SRBs completed; device Broken", failure);
            Assert.False(lab.Passed);
        }

        [Fact]
        public void Bad_expectations_are_refused_with_what_is_wrong()
        {
            var lab = Under(FrontendPersonality.Gplpv2008b);
            Assert.Contains("no behaviour 'NoSuchThing'", Assert.Throws<ArgumentException>(() => lab.Expect("x", "Hangs", "NoSuchThing")).Message);
            Assert.Contains("no expected outcome for 'x' under the personality Gplpv2008b", Assert.Throws<ArgumentException>(() => lab.Expect("x", "", "Probe")).Message);
            lab.Expect("x", "Probed", "Probe");
            Assert.Throws<ArgumentException>(() => lab.Expect("x", "Probed", "Probe"));
            Assert.Contains("has no expected outcome", Assert.Throws<ArgumentException>(() => lab.Observe("y", "Probed", "")).Message);
            lab.Observe("x", "Probed", "");
            Assert.Contains("already observed", Assert.Throws<ArgumentException>(() => lab.Observe("x", "Probed", "")).Message);
            Assert.Contains("New-VbdLabResult -Personality", Assert.Throws<ArgumentException>(() => new LabResult("L", 1).Expect("x", "Probed", "Probe")).Message);
        }

        [Theory]
        [InlineData("Stopped", 0, 0, 3, 0, "Stopped")]
        [InlineData("Ready", 2, 0, 3, 0, "Corrupt")]
        [InlineData("Ready", 0, 1, 0, 0, "Twice")]
        [InlineData("Broken", 0, 0, 8, 0, "Hangs")]
        [InlineData("Broken", 0, 0, 0, 5, "Broken")]
        [InlineData("Ready", 0, 0, 0, 1, "Errors")]
        [InlineData("Ready", 0, 0, 0, 0, "Intact")]
        public void A_workload_is_classified_worst_first(string state, long violations, long twice, long stuck, long errors, string outcome)
        {
            var r = new WorkloadResult { Operations = 100, ViolationCount = violations, DoubleCompletions = twice, Stuck = stuck, Errors = errors, VirtualElapsed = TimeSpan.FromSeconds(1.5) };
            Assert.Equal(outcome, LabResult.OutcomeOf(r, state));
        }

        [Fact]
        public void The_evidence_names_each_checker_that_saw_something()
        {
            var r = new WorkloadResult { Operations = 104, Stuck = 8, DoubleCompletions = 1, Errors = 2, VirtualElapsed = TimeSpan.FromSeconds(30.25) };
            Assert.Equal("104 SRBs completed; hang detector: 8 never completed by 30.25 s virtual; exactly-once: 1 completed twice; 2 failed", LabResult.EvidenceOf(r));
            var lab = Under(FrontendPersonality.LinuxBlkfront);
            lab.Expect("BadId", "Hangs", FrontendPersonalities.ResponseChecks);
            Assert.False(lab.ObserveWorkload("BadId", r, "Broken", "response id 7 is not pending"));   // exactly-once is worse than a hang
            Assert.Equal("Twice", lab.Outcomes[0].Observed);
            Assert.EndsWith("; device Broken (response id 7 is not pending)", lab.Outcomes[0].Evidence);
            Assert.Single(lab.Workloads);
        }

        [Fact]
        public void Summaries_group_outcomes_in_the_order_met()
        {
            var lab = Under(FrontendPersonality.Gplpv2008b);
            lab.Expect("BadId", "Stopped", FrontendPersonalities.ResponseChecks);
            lab.Expect("WrongOp", "Intact", FrontendPersonalities.ResponseChecks);
            lab.Expect("RspProdJump", "Stopped", FrontendPersonalities.ResponseChecks);
            lab.Expect("Duplicate", "Stopped", FrontendPersonalities.ResponseChecks);
            Assert.Equal("Stopped 3, Intact 1", lab.Expected);
            Assert.Equal("?", lab.Observed);
            var two = Under(FrontendPersonality.Gplpv2008b, "DelayedResponses");
            two.Expect("probe", "Probed", FrontendPersonalities.Probe);
            two.Expect("watchdog", "Waited", FrontendPersonalities.UnansweredRequests);
            Assert.Equal("Probed, Waited", two.Expected);
        }

        [Fact]
        public void The_replay_command_names_the_personality()
        {
            Assert.Equal("Invoke-VbdLab -Name RogueBackend -Seed 1 -Personality Gplpv2012", Under(FrontendPersonality.Gplpv2012).ReplayCommand);
            Assert.Equal("Invoke-VbdLab -Name X -Seed 3", new LabResult("X", 3).ReplayCommand);
        }

        [Fact]
        public void Results_json_and_the_page_carry_each_outcome_and_the_side_by_side_grid()
        {
            var results = new[] { FrontendPersonality.Hardened, FrontendPersonality.LinuxBlkfront }.Select(p =>
            {
                var lab = Under(p);
                lab.Expect("BadId", p == FrontendPersonality.Hardened ? "Broken" : "Hangs", FrontendPersonalities.ResponseChecks);
                lab.Observe("BadId", "Hangs", "hang detector: 8 never completed");
                return lab;
            }).ToArray();
            using var json = new MemoryStream();
            LabReportWriter.WriteJson(json, results);
            using var doc = JsonDocument.Parse(json.ToArray());
            JsonElement linux = doc.RootElement.GetProperty("labs")[1];
            Assert.Equal("LinuxBlkfront", linux.GetProperty("personality").GetString());
            JsonElement o = linux.GetProperty("outcomes")[0];
            Assert.Equal("Hangs", o.GetProperty("expected").GetString());
            Assert.True(o.GetProperty("matched").GetBoolean());
            Assert.Equal("torvalds/linux drivers/block/xen-blkfront.c blkif_interrupt", o.GetProperty("source").GetString());
            Assert.False(doc.RootElement.GetProperty("labs")[0].GetProperty("outcomes")[0].GetProperty("matched").GetBoolean());

            string html = HtmlReportWriter.Render(results);
            Assert.Contains("<h2 id=\"side-by-side\">", html);
            Assert.Contains("<th>Hardened</th><th>LinuxBlkfront</th>", html);
            Assert.Contains("<td class=\"fail\" title=\"BadId: expected Broken, observed Hangs", html);
            Assert.Contains("FAIL Hangs</a><br>expected Broken</td>", html);
            Assert.Contains("id=\"RogueBackend-LinuxBlkfront\"", html);
            Assert.Contains("blkif_interrupt (xen-blkfront.c)", html);
            // One personality: no grid.
            Assert.DoesNotContain("side-by-side\">", HtmlReportWriter.Render(results.Take(1).ToArray()));
        }
    }
}
