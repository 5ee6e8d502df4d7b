using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using XenVbd.Lab;
using XenVbd.Reports;

namespace XenVbd.Tests.Lab
{
    /// <summary>
    /// The report page's content: every series of every lab reachable (no cap), the chart library inside the
    /// page (offline), findings beside the chart that names their series. How the page looks in a browser is
    /// tests/pester/Report.Tests.ps1 (headless Chromium).
    /// </summary>
    public class HtmlReportTests
    {
        private static JsonElement[] Charts(string html) => Regex.Matches(html, "<script type=\"application/json\" id=\"chart-\\d+\">(.*?)</script>", RegexOptions.Singleline)
            .Select(m => JsonDocument.Parse(m.Groups[1].Value.Replace("<\\/", "</", StringComparison.Ordinal)).RootElement.Clone()).ToArray();

        [Fact]
        public void The_report_folder_gets_a_self_contained_page_with_every_series()
        {
            string dir = Path.Combine(Path.GetTempPath(), "xenvbd-html-" + Guid.NewGuid().ToString("N"));
            try
            {
                // Two labs built on the engine; the first gets more "Bounce cost" series than the old cap of 8,
                // one per strategy and alignment as the MisalignedBuffers script draws them.
                var first = SampleLab.Run("MisalignedBuffers", 2);
                foreach (string strategy in new[] { "DeviceBuffer", "SegmentPool", "PerSrb" })
                    foreach (int alignment in new[] { 1, 3, 64 })
                        first.Points.Add(new LabPoint("Bounce cost against transfer size", strategy + " +" + alignment, 512, 10 + alignment));
                var results = new[] { first, SampleLab.Run("BitnessMatrix", 2) };
                var paths = HtmlReportWriter.WriteFolder(dir, results);
                Assert.Contains(paths, p => Path.GetFileName(p) == "index.html");
                string html = File.ReadAllText(Path.Combine(dir, "index.html"));
                Assert.Contains("Invoke-VbdLab -Name MisalignedBuffers -Seed 2", html);
                Assert.Contains("leeoniya/uPlot (v1.6.32)", html);                 // the library is inside the page
                Assert.DoesNotMatch("<script[^>]+src=|<link[^>]+href=\"http", html);  // nothing fetched from elsewhere

                var charts = Charts(html);
                var bounce = charts.First(c => c.GetProperty("title").GetString() == "Bounce cost against transfer size");   // the first lab's
                var expected = results[0].Points.Where(p => p.Plot == "Bounce cost against transfer size").Select(p => p.Series).Distinct().OrderBy(s => s).ToArray();
                var drawn = bounce.GetProperty("series").EnumerateArray().Select(s => s.GetProperty("label").GetString()!).OrderBy(s => s).ToArray();
                Assert.Equal(expected, drawn);
                Assert.True(drawn.Length > 8, "more series than the old cap of 8: " + drawn.Length);

                // BitnessMatrix: one latency curve per workload, all of them.
                var bitness = results[1];
                int workloads = bitness.Workloads.Count(w => w.Result.Operations > 0);
                var latency = charts.Where(c => c.GetProperty("title").GetString()!.StartsWith("Completion latency", StringComparison.Ordinal)).ToArray();
                Assert.Equal(2, latency.Length);
                Assert.Equal(workloads, latency[1].GetProperty("series").GetArrayLength());
                // One throughput chart per workload, each on its own time axis.
                int timelines = charts.Count(c => c.TryGetProperty("y2Label", out var y2) && y2.ValueKind == JsonValueKind.String);
                Assert.Equal(results.Sum(r => r.Workloads.Count(w => w.Result.Operations > 0 && w.Result.Timeline.Points().Count > 0)), timelines);
                Assert.All(charts.Where(c => c.TryGetProperty("y2Label", out var y2) && y2.ValueKind == JsonValueKind.String),
                    c => Assert.True(c.GetProperty("x").GetArrayLength() <= HtmlReportWriter.MaxTimelinePoints));
            }
            finally
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void A_finding_that_names_a_series_sits_beside_its_chart()
        {
            var result = new LabResult("Sample", 1);
            result.Points.Add(new LabPoint("Cost", "DeviceBuffer", 512, 10));
            result.Points.Add(new LabPoint("Cost", "DeviceBuffer", 65536, 40));
            result.Points.Add(new LabPoint("Cost", "PerSrb", 512, 12));
            result.Find("DeviceBuffer costs 40 us at 64 KiB.");
            result.Find("Nothing here names a series.");
            string html = HtmlReportWriter.Render(new[] { result });
            int chart = html.IndexOf("<div class=\"chart\" data-spec=\"chart-1\">", StringComparison.Ordinal);
            int beside = html.IndexOf("DeviceBuffer costs 40 us", StringComparison.Ordinal);
            int general = html.IndexOf("Nothing here names a series.", StringComparison.Ordinal);
            Assert.True(general >= 0 && general < chart, "a finding that names no series is in the lab's summary, above the charts");
            Assert.True(beside > chart, "the finding about DeviceBuffer is beside the chart that draws it");
        }
    }
}
