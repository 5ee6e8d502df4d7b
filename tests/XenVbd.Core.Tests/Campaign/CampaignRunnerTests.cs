using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using XenVbd.Campaign;
using XenVbd.Faults;

namespace XenVbd.Tests.Campaign
{
    public sealed class CampaignRunnerTests
    {
        /// <summary>A matrix with passes and several kinds of failure (errors, broken, corruption), small enough to run often.</summary>
        internal static CampaignMatrix Mixed()
        {
            var m = new CampaignMatrix(PlantedBug.Axes) { Name = "mixed" };
            m.Sweep("FrontendAbi", "X86_64", "X86_32");
            m.Sweep("Bounce", "PerSrb", "SegmentPool");
            m.Sweep("PlantedBug", "Off", "On");
            m.Sweep("MaxIndirectSegments", "32");
            m.AddFaultPlan("none");
            m.AddFaultPlan("errors", new CampaignFaultRule { Kind = FaultKind.Error, Rate = 0.05, Operation = FaultOps.Read });
            m.AddFaultPlan("rogue", new CampaignFaultRule { Kind = FaultKind.Duplicate, MaxCount = 1 });
            m.AddWorkload("small", new CampaignWorkload { BlockSizes = new[] { 4096, 65536 }, Count = 120, QueueDepth = 4, LengthBytes = 1 << 20, MisalignedFraction = 0.3 });
            m.WithSeeds(new ulong[] { 7, 8 });
            return m;
        }

        private static string Lines(CampaignMatrix m, IEnumerable<CampaignResult> results, CampaignShard? shard = null)
            => CampaignReport.For(m, shard ?? CampaignShard.All, results).ToJsonLines();

        [Fact]
        public void Results_are_the_same_on_one_thread_two_threads_and_eight()
        {
            var m = Mixed();
            string one = Lines(m, CampaignRunner.Run(m, new CampaignRunOptions { MaxDegreeOfParallelism = 1 }));
            string two = Lines(m, CampaignRunner.Run(m, new CampaignRunOptions { MaxDegreeOfParallelism = 2 }));
            string eight = Lines(m, CampaignRunner.Run(m, new CampaignRunOptions { MaxDegreeOfParallelism = 8 }));
            Assert.Equal(one, two);
            Assert.Equal(one, eight);
            // Not a degenerate campaign: it passes, fails and fails in more than one way.
            var report = CampaignReport.ReadJsonLines(one, PlantedBug.Axes);
            Assert.Contains(report.Results, r => r.Passed);
            Assert.True(report.Results.Where(r => !r.Passed).Select(r => r.Failure).Distinct().Count() >= 2, one);
        }

        [Fact]
        public void Devices_restored_from_snapshots_give_the_same_results_as_a_fresh_device_per_case()
        {
            // Small device-level cases under latency, errors and a dropped response (pooled: no interceptor axis),
            // then the mixed matrix (its planted bug is an interceptor, so those cases get fresh devices anyway).
            var small = new CampaignMatrix { Name = "pooled" };
            small.Sweep("FrontendAbi", "X86_64", "X86_32");
            small.AddFaultPlan("none");
            small.AddFaultPlan("latency", new CampaignFaultRule { Kind = FaultKind.Latency, Rate = 0.2, Delay = TimeSpan.FromMicroseconds(100) });
            small.AddFaultPlan("errors", new CampaignFaultRule { Kind = FaultKind.Error, Rate = 0.05 });
            small.AddFaultPlan("drop", new CampaignFaultRule { Kind = FaultKind.Drop, MaxCount = 1 });
            small.AddWorkload("tiny", new CampaignWorkload { Count = 20, QueueDepth = 4, LengthBytes = 1 << 20 });
            small.WithSeeds(Enumerable.Range(1, 12).Select(i => (ulong)i).ToArray());
            foreach (var m in new[] { small, Mixed() })
            {
                string fresh = Lines(m, CampaignRunner.Run(m, new CampaignRunOptions { MaxDegreeOfParallelism = 2, ReuseDevices = false }));
                string reused = Lines(m, CampaignRunner.Run(m, new CampaignRunOptions { MaxDegreeOfParallelism = 2 }));
                string reusedOneThread = Lines(m, CampaignRunner.Run(m, new CampaignRunOptions { MaxDegreeOfParallelism = 1 }));
                Assert.Equal(fresh, reused);
                Assert.Equal(fresh, reusedOneThread);
            }
            var report = CampaignReport.ReadJsonLines(Lines(small, CampaignRunner.Run(small)), CampaignAxisSet.Default);
            Assert.Contains(report.Results, r => r.Passed);
            Assert.Contains(report.Results, r => !r.Passed);
        }

        [Fact]
        public void Four_shards_merge_into_exactly_the_single_run_files()
        {
            var m = Mixed();
            string dir = Path.Combine(Path.GetTempPath(), "xenvbd-campaign-" + Guid.NewGuid().ToString("N"));
            try
            {
                var whole = CampaignReport.For(m, CampaignShard.All, CampaignRunner.Run(m));
                whole.WriteTo(Path.Combine(dir, "single"));
                var shards = new List<CampaignReport>();
                for (int i = 4; i >= 1; i--)
                {
                    var shard = new CampaignShard(i, 4);
                    var results = CampaignRunner.Run(m, new CampaignRunOptions { Shard = shard, MaxDegreeOfParallelism = i });
                    Assert.All(results, r => Assert.True(shard.Contains(r.Index)));
                    string sdir = Path.Combine(dir, "shard" + i);
                    CampaignReport.For(m, shard, results).WriteTo(sdir);
                    shards.Add(CampaignReport.ReadJsonLines(File.ReadAllText(Path.Combine(sdir, CampaignReport.ResultsFileName)), PlantedBug.Axes));
                }
                CampaignReport.Merge(shards).WriteTo(Path.Combine(dir, "merged"));
                foreach (var name in new[] { CampaignReport.ResultsFileName, CampaignReport.JUnitFileName, CampaignReport.HtmlFileName })
                    Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "single", name)), File.ReadAllBytes(Path.Combine(dir, "merged", name)));
            }
            finally
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void Merge_refuses_a_missing_a_repeated_an_incomplete_or_a_foreign_shard()
        {
            var m = Mixed();
            CampaignReport Shard(int i, int n, CampaignMatrix? matrix = null, int drop = 0)
            {
                var x = matrix ?? m;
                var s = new CampaignShard(i, n);
                var results = CampaignRunner.Run(x, new CampaignRunOptions { Shard = s }).Skip(drop);
                return CampaignReport.For(x, s, results);
            }
            var a = Shard(1, 3);
            var b = Shard(2, 3);
            var c = Shard(3, 3);
            Assert.Contains("3/3 is missing", Assert.Throws<ArgumentException>(() => CampaignReport.Merge(new[] { a, b })).Message);
            Assert.Contains("given twice", Assert.Throws<ArgumentException>(() => CampaignReport.Merge(new[] { a, b, b, c })).Message);
            Assert.Contains("incomplete", Assert.Throws<ArgumentException>(() => CampaignReport.Merge(new[] { a, b, Shard(3, 3, drop: 1) })).Message);
            var other = Mixed().WithSeeds(new ulong[] { 9 });
            Assert.Contains("another campaign", Assert.Throws<ArgumentException>(() => CampaignReport.Merge(new[] { a, b, Shard(3, 3, other) })).Message);
            Assert.Equal(m.Count, CampaignReport.Merge(new[] { c, a, b }).Results.Count);
        }

        [Fact]
        public void Cancelling_keeps_every_case_that_finished_and_nothing_half_done()
        {
            var m = Mixed();
            var all = CampaignRunner.Run(m, new CampaignRunOptions { MaxDegreeOfParallelism = 1 });
            using var cts = new CancellationTokenSource();
            int seen = 0;
            var partial = CampaignRunner.Run(m, new CampaignRunOptions
            {
                MaxDegreeOfParallelism = 1,
                CancellationToken = cts.Token,
                OnResult = _ => { if (Interlocked.Increment(ref seen) == 5) cts.Cancel(); },
            });
            Assert.Equal(5, partial.Count);
            var report = CampaignReport.For(m, CampaignShard.All, partial);
            Assert.False(report.IsComplete);
            foreach (var r in partial)
            {
                var same = all.Single(x => x.Index == r.Index);
                Assert.Equal(same.Failure, r.Failure);
                Assert.Equal(same.Operations, r.Operations);
            }
        }

        [Fact]
        public void Results_files_read_back_to_the_same_bytes()
        {
            var m = Mixed();
            var report = CampaignReport.For(m, new CampaignShard(2, 3), CampaignRunner.Run(m, new CampaignRunOptions { Shard = new CampaignShard(2, 3) }));
            string text = report.ToJsonLines();
            var back = CampaignReport.ReadJsonLines(text, PlantedBug.Axes);
            Assert.Equal(text, back.ToJsonLines());
            Assert.Equal(CampaignJUnitWriter.Write(report), CampaignJUnitWriter.Write(back));
            Assert.Equal(CampaignHtmlWriter.Write(report), CampaignHtmlWriter.Write(back));
            Assert.Contains("truncated", Assert.Throws<FormatException>(() => CampaignReport.ReadJsonLines(text.Substring(0, text.LastIndexOf('\n', text.Length - 2) + 1), PlantedBug.Axes)).Message);
        }

        [Fact]
        public void The_html_grid_and_junit_say_which_configuration_survived_and_how_the_others_failed()
        {
            var m = Mixed();
            var report = CampaignReport.For(m, CampaignShard.All, CampaignRunner.Run(m));
            string html = CampaignHtmlWriter.Write(report);
            string junit = CampaignJUnitWriter.Write(report);
            Assert.Contains("<table>", html);
            Assert.DoesNotContain("<script", html);
            Assert.DoesNotContain("http", html);
            foreach (var r in report.Results.Where(r => r.Outcome == CampaignOutcome.Failed))
            {
                Assert.Contains(System.Net.WebUtility.HtmlEncode(r.Failure), html);
                Assert.Contains("type=\"" + r.Failure + "\"", junit);
            }
            var doc = System.Xml.Linq.XDocument.Parse(junit);
            Assert.Equal(report.Results.Count, doc.Descendants("testcase").Count());
            Assert.Equal(report.Failures, doc.Descendants("failure").Count());
            Assert.Equal(report.Failures.ToString(), doc.Root!.Attribute("failures")!.Value);
        }
    }
}
