using System;
using System.IO;
using System.Linq;
using XenVbd.Lab;
using XenVbd.Reports;

namespace XenVbd.Tests.Lab
{
    public class HtmlReportTests
    {
        private static readonly byte[] PngSignature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

        [Fact]
        public void ScottPlot_renders_real_pngs_here()
        {
            var result = SampleLab.Run("Sample", 1);
            byte[] png = HtmlReportWriter.LatencyChart(result.Workloads);
            Assert.Equal(PngSignature, png.Take(8).ToArray());
            Assert.True(png.Length > 5000, $"a {png.Length}-byte PNG is too small to hold a chart");
        }

        [Fact]
        public void The_report_folder_gets_an_html_page_with_embedded_plots()
        {
            string dir = Path.Combine(Path.GetTempPath(), "xenvbd-html-" + Guid.NewGuid().ToString("N"));
            try
            {
                var results = new[] { SampleLab.Run("MisalignedBuffers", 2) };
                var paths = HtmlReportWriter.WriteFolder(dir, results);
                Assert.Contains(paths, p => Path.GetFileName(p) == "index.html");
                string html = File.ReadAllText(Path.Combine(dir, "index.html"));
                // Latency, throughput, occupancy and the bounce-cost chart.
                Assert.Equal(4, html.Split("data:image/png;base64,").Length - 1);
                Assert.Contains("Invoke-VbdLab -Name MisalignedBuffers -Seed 2", html);
                Assert.Contains("Bounce cost against transfer size", html);
            }
            finally
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, true);
            }
        }
    }
}
