using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using ScottPlot;
using XenVbd.Lab;
using XenVbd.Workload;

namespace XenVbd.Reports
{
    /// <summary>
    /// The page a person looks at: per lab, its verdict, findings and metrics, and ScottPlot charts —
    /// completion-latency distribution, throughput and ring occupancy over virtual time, bounce cost against
    /// transfer size — rendered to PNG and embedded, so the page is one self-contained file.
    /// </summary>
    public static class HtmlReportWriter
    {
        public const string FileName = "index.html";

        /// <summary>Most workloads drawn in one chart; more lines stop being readable.</summary>
        public const int MaxSeriesPerChart = 8;

        private const int Width = 760;
        private const int Height = 380;

        /// <summary>Writes results.json, junit.xml, timings.json and index.html into <paramref name="directory"/>.</summary>
        public static IReadOnlyList<string> WriteFolder(string directory, IReadOnlyList<LabResult> results)
        {
            var paths = new List<string>(LabReportWriter.WriteFolder(directory, results));
            string html = Path.Combine(directory, FileName);
            File.WriteAllText(html, Render(results), new UTF8Encoding(false));
            paths.Add(html);
            return paths;
        }

        public static string Render(IReadOnlyList<LabResult> results)
        {
            var sb = new StringBuilder();
            sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>XenVbd lab report</title><style>")
              .Append("body{font-family:system-ui,sans-serif;margin:2em;max-width:1600px;color:#222}h2{margin-top:2em}")
              .Append(".pass{color:#17803d}.fail{color:#b3261e}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}")
              .Append("td:first-child{text-align:left}code{background:#f3f3f3;padding:2px 4px}img{margin:4px;border:1px solid #ddd}</style></head><body>");
            int passed = results.Count(r => r.Passed);
            sb.Append("<h1>XenVbd lab report</h1><p>").Append(passed).Append(" passed, ").Append(results.Count - passed).Append(" failed.</p><ul>");
            foreach (var r in results)
                sb.Append("<li><a href=\"#").Append(Enc(r.Name)).Append("\" class=\"").Append(r.Passed ? "pass" : "fail").Append("\">")
                  .Append(r.Passed ? "PASS " : "FAIL ").Append(Enc(r.Name)).Append("</a></li>");
            sb.Append("</ul>");
            foreach (var r in results) Lab(sb, r);
            sb.Append("</body></html>");
            return sb.ToString();
        }

        private static void Lab(StringBuilder sb, LabResult r)
        {
            sb.Append("<h2 id=\"").Append(Enc(r.Name)).Append("\" class=\"").Append(r.Passed ? "pass" : "fail").Append("\">")
              .Append(r.Passed ? "PASS " : "FAIL ").Append(Enc(r.Name)).Append("</h2>");
            sb.Append("<p>Seed ").Append(r.Seed.ToString(CultureInfo.InvariantCulture)).Append(" &middot; replay: <code>").Append(Enc(r.ReplayCommand)).Append("</code></p>");
            if (r.Failures.Count > 0)
            {
                sb.Append("<ul class=\"fail\">");
                foreach (var f in r.Failures) sb.Append("<li>").Append(Enc(f)).Append("</li>");
                sb.Append("</ul>");
            }
            sb.Append("<ul>");
            foreach (var f in r.Findings) sb.Append("<li>").Append(Enc(f)).Append("</li>");
            sb.Append("</ul>");

            var workloads = r.Workloads.Where(w => w.Result.Operations > 0).Take(MaxSeriesPerChart).ToList();
            if (workloads.Count > 0)
            {
                Image(sb, LatencyChart(workloads), "Completion-latency distribution");
                Image(sb, TimelineChart(workloads, "Throughput over virtual time", "IOPS", p => p.Iops), "Throughput over time");
                Image(sb, TimelineChart(workloads, "Ring occupancy over virtual time", "requests on the ring (mean)", p => p.MeanRingOccupancy), "Ring occupancy over time");
            }
            foreach (var plot in r.Points.Select(p => p.Plot).Distinct()) Image(sb, PointsChart(plot, r.Points.Where(p => p.Plot == plot)), plot);

            if (r.Metrics.Count > 0)
            {
                sb.Append("<details><summary>Metrics (").Append(r.Metrics.Count).Append(")</summary><table><tr><th>metric</th><th>value</th></tr>");
                foreach (var kv in r.Metrics)
                    sb.Append("<tr><td>").Append(Enc(kv.Key)).Append("</td><td>").Append(kv.Value.ToString("0.###", CultureInfo.InvariantCulture)).Append("</td></tr>");
                sb.Append("</table></details>");
            }
        }

        /// <summary>
        /// Cumulative completion latency (the fio "clat percentiles" view): x = latency on a log axis,
        /// y = % of completions at or below it, one staircase per workload. A fixed-latency workload is a
        /// single step; a long tail shows as a line that creeps to 100 % far to the right.
        /// </summary>
        public static byte[] LatencyChart(IReadOnlyList<LabWorkload> workloads)
        {
            var plot = new Plot();
            foreach (var w in workloads)
            {
                var h = w.Result.Histogram;
                if (h.Count == 0) continue;
                var xs = new List<double>();
                var ys = new List<double>();
                long seen = 0;
                for (int b = 0; b < LatencyHistogram.BucketCount; b++)
                {
                    long n = h.CountAt(b);
                    if (n == 0) continue;
                    double lower = Math.Log10(Math.Max(0.1, LatencyHistogram.LowerBound(b) / 10.0));
                    double upper = Math.Log10(Math.Max(0.1, Math.Min(LatencyHistogram.UpperBound(b), LatencyHistogram.LowerBound(b) * 2L + 1) / 10.0));
                    xs.Add(lower);
                    ys.Add(100.0 * seen / h.Count);
                    seen += n;
                    xs.Add(upper);
                    ys.Add(100.0 * seen / h.Count);
                }
                var s = plot.Add.Scatter(xs.ToArray(), ys.ToArray());
                s.LegendText = w.Label;
                s.MarkerSize = 3;
                s.LineWidth = 2;
            }
            plot.Title("Completion latency, cumulative (virtual time)");
            plot.XLabel("latency, µs (log scale)");
            plot.YLabel("% of completions ≤ latency");
            plot.Axes.SetLimitsY(0, 101);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = v => FormatMicros(Math.Pow(10, v)),
            };
            plot.ShowLegend(Alignment.LowerRight);
            return plot.GetImageBytes(Width, Height, ImageFormat.Png);
        }

        public static byte[] TimelineChart(IReadOnlyList<LabWorkload> workloads, string title, string yLabel, Func<TimelinePoint, double> value)
        {
            var plot = new Plot();
            foreach (var w in workloads)
            {
                var points = w.Result.Timeline.Points();
                if (points.Count == 0) continue;
                var s = plot.Add.Scatter(points.Select(p => p.StartMs).ToArray(), points.Select(value).ToArray());
                s.LegendText = w.Label;
                s.MarkerSize = 0;
            }
            plot.Title(title);
            plot.XLabel("virtual time since the workload started, ms");
            plot.YLabel(yLabel);
            plot.ShowLegend(Alignment.UpperRight);
            return plot.GetImageBytes(Width, Height, ImageFormat.Png);
        }

        /// <summary>A lab's own series (bounce cost against transfer size): x on a log2 axis.</summary>
        public static byte[] PointsChart(string title, IEnumerable<LabPoint> points)
        {
            var plot = new Plot();
            foreach (var series in points.GroupBy(p => p.Series))
            {
                var ordered = series.OrderBy(p => p.X).ToArray();
                var s = plot.Add.Scatter(ordered.Select(p => Math.Log(p.X, 2)).ToArray(), ordered.Select(p => p.Y).ToArray());
                s.LegendText = series.Key;
            }
            plot.Title(title);
            plot.XLabel("transfer size (log scale)");
            plot.YLabel("virtual µs per operation");
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = v => FormatBytes(Math.Pow(2, v)),
            };
            plot.ShowLegend(Alignment.UpperLeft);
            return plot.GetImageBytes(Width, Height, ImageFormat.Png);
        }

        private static void Image(StringBuilder sb, byte[] png, string alt)
            => sb.Append("<img alt=\"").Append(Enc(alt)).Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(png)).Append("\">");

        private static string FormatMicros(double us) => us >= 1e6 ? (us / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + " s"
            : us >= 1e3 ? (us / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + " ms"
            : us.ToString("0.##", CultureInfo.InvariantCulture) + " µs";

        private static string FormatBytes(double b) => b >= 1 << 20 ? (b / (1 << 20)).ToString("0.#", CultureInfo.InvariantCulture) + " MiB"
            : b >= 1024 ? (b / 1024).ToString("0.#", CultureInfo.InvariantCulture) + " KiB"
            : b.ToString("0", CultureInfo.InvariantCulture) + " B";

        private static string Enc(string s) => WebUtility.HtmlEncode(s);
    }
}
