using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using XenVbd.Lab;
using XenVbd.Workload;

namespace XenVbd.Reports
{
    /// <summary>
    /// The page a person reads: per lab, its verdict, and each chart with the findings it shows beside it.
    /// Charts are interactive and drawn in the browser by uPlot, embedded in the page (so it works offline,
    /// from one file): every series is drawn and can be toggled from the legend, hovering shows the values,
    /// and each chart picks its own axes (log where the data spans decades). Completion latency is a
    /// cumulative distribution per workload; throughput and ring occupancy are small multiples, one chart per
    /// workload with its own time axis; a lab's own series (bounce cost against transfer size) are one chart
    /// per plot. The input model is <see cref="LabResult"/> as the labs produce it.
    /// </summary>
    public static class HtmlReportWriter
    {
        public const string FileName = "index.html";

        /// <summary>Points per throughput chart at most: finer bins of virtual time only draw a saw-tooth.</summary>
        public const int MaxTimelinePoints = 120;

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
              .Append(Asset("uPlot.min.css"))
              .Append("body{font-family:system-ui,sans-serif;margin:1.5em;max-width:1500px;color:#222}h2{margin-top:2em;border-bottom:1px solid #ddd}")
              .Append(".pass{color:#17803d}.fail{color:#b3261e}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}")
              .Append("td:first-child{text-align:left}table.outcomes td,table.side-by-side td{text-align:left}code{background:#f3f3f3;padding:2px 4px}")
              .Append(".row{display:flex;gap:1.5em;align-items:flex-start;margin:1em 0}.row .chart{flex:1 1 62%;min-width:320px}.row .notes{flex:1 1 38%;font-size:.92em}")
              .Append(".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:1em}.grid .chart{min-width:300px}")
              .Append(".toggles button{font-size:.8em;margin-right:.4em}.uplot .u-legend{font-size:.8em;text-align:left}.uplot .u-title{font-size:1em}")
              .Append("#render-status{white-space:pre;color:#b3261e}</style></head><body>");
            int passed = results.Count(r => r.Passed);
            sb.Append("<h1>XenVbd lab report</h1><p>").Append(passed).Append(" passed, ").Append(results.Count - passed)
              .Append(" failed. Every series is drawn: click a legend entry to hide or show it, hover for values.</p><ul>");
            foreach (var r in results)
                sb.Append("<li><a href=\"#").Append(Enc(Anchor(r))).Append("\" class=\"").Append(r.Passed ? "pass" : "fail").Append("\">")
                  .Append(r.Passed ? "PASS " : "FAIL ").Append(Enc(Title(r))).Append("</a></li>");
            sb.Append("</ul>");
            SideBySide(sb, results);
            sb.Append("<div id=\"render-status\" data-charts=\"0\" data-errors=\"0\"></div>");
            int chartId = 0;
            foreach (var r in results) Lab(sb, r, ref chartId);
            sb.Append("<script>").Append(Asset("uPlot.iife.min.js")).Append("</script><script>").Append(Asset("report.js")).Append("</script>");
            sb.Append("</body></html>");
            return sb.ToString();
        }

        private static void Lab(StringBuilder sb, LabResult r, ref int chartId)
        {
            sb.Append("<h2 id=\"").Append(Enc(Anchor(r))).Append("\" class=\"").Append(r.Passed ? "pass" : "fail").Append("\">")
              .Append(r.Passed ? "PASS " : "FAIL ").Append(Enc(Title(r))).Append("</h2>");
            sb.Append("<p>Seed ").Append(r.Seed.ToString(CultureInfo.InvariantCulture)).Append(" &middot; replay: <code>").Append(Enc(r.ReplayCommand)).Append("</code></p>");
            if (r.Outcomes.Count > 0)
            {
                // Each case: what the real driver does (and where in its code), what the model showed, what the checkers saw.
                sb.Append("<table class=\"outcomes\"><tr><th>case</th><th>expected</th><th>observed</th><th>because</th><th>source</th><th>checkers</th></tr>");
                foreach (var o in r.Outcomes)
                {
                    sb.Append("<tr class=\"").Append(o.Matched ? "pass" : "fail").Append("\"><td>").Append(Enc(o.Case)).Append("</td><td>").Append(Enc(o.Expected))
                      .Append("</td><td>").Append(Enc(o.Observed ?? "not observed")).Append("</td><td>").Append(Enc(o.Behaviour + ": " + o.Because))
                      .Append("</td><td>").Append(Enc(o.Source?.ToString() ?? o.SourceText)).Append("</td><td>").Append(Enc(o.Evidence ?? "")).Append("</td></tr>");
                }
                sb.Append("</table>");
            }
            if (r.Failures.Count > 0)
            {
                sb.Append("<ul class=\"fail\">");
                foreach (var f in r.Failures) sb.Append("<li>").Append(Enc(f)).Append("</li>");
                sb.Append("</ul>");
            }

            var workloads = r.Workloads.Where(w => w.Result.Operations > 0).ToList();
            var charts = new List<ChartSpec>();
            foreach (var plot in r.Points.Select(p => p.Plot).Distinct()) charts.Add(PointsChart(plot, r.Points.Where(p => p.Plot == plot).ToList()));
            if (workloads.Count > 0) charts.Add(LatencyChart(workloads));

            // Each finding goes beside the first chart whose series it names; the rest are the lab's summary.
            var placed = new Dictionary<ChartSpec, List<string>>();
            var general = new List<string>();
            foreach (var finding in r.Findings)
            {
                ChartSpec? home = charts.FirstOrDefault(c => c.Series.Any(s => Mentions(finding, s.Label)));
                if (home == null) general.Add(finding);
                else (placed.TryGetValue(home, out var list) ? list : placed[home] = new List<string>()).Add(finding);
            }

            if (general.Count > 0)
            {
                sb.Append("<ul>");
                foreach (var f in general) sb.Append("<li>").Append(Enc(f)).Append("</li>");
                sb.Append("</ul>");
            }

            foreach (var chart in charts)
            {
                sb.Append("<div class=\"row\">");
                Chart(sb, chart, ref chartId);
                sb.Append("<div class=\"notes\">");
                if (placed.TryGetValue(chart, out var notes))
                {
                    sb.Append("<ul>");
                    foreach (var f in notes) sb.Append("<li>").Append(Enc(f)).Append("</li>");
                    sb.Append("</ul>");
                }
                sb.Append("<p>").Append(Enc(chart.Caption)).Append("</p></div></div>");
            }

            if (workloads.Count > 0)
            {
                sb.Append("<details open><summary>Throughput and ring occupancy over virtual time, one chart per workload (")
                  .Append(workloads.Count).Append(")</summary><div class=\"grid\">");
                foreach (var w in workloads)
                {
                    ChartSpec? timeline = TimelineChart(w);
                    if (timeline != null) Chart(sb, timeline, ref chartId);
                }
                sb.Append("</div></details>");
            }

            if (r.Metrics.Count > 0)
            {
                sb.Append("<details><summary>Metrics (").Append(r.Metrics.Count).Append(")</summary><table><tr><th>metric</th><th>value</th></tr>");
                foreach (var kv in r.Metrics)
                    sb.Append("<tr><td>").Append(Enc(kv.Key)).Append("</td><td>").Append(kv.Value.ToString("0.###", CultureInfo.InvariantCulture)).Append("</td></tr>");
                sb.Append("</table></details>");
            }
        }

        /// <summary>
        /// The labs side by side, one row per lab and one column per personality: each cell the observed outcome,
        /// PASS when it is the real driver's (the expected one, shown when it differs); the cell's tooltip lists each
        /// case with its behaviour and source. Nothing when every result is under one personality or none.
        /// </summary>
        private static void SideBySide(StringBuilder sb, IReadOnlyList<LabResult> results)
        {
            var personalities = results.Select(r => r.Personality).Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            if (personalities.Count < 2) return;
            var labs = results.Select(r => r.Name).Distinct(StringComparer.Ordinal).ToList();
            sb.Append("<h2 id=\"side-by-side\">Side by side</h2><p>Each cell: the outcome the model showed under that frontend; PASS when it is the real driver's (hover for each case, its behaviour and source).</p>");
            sb.Append("<table class=\"side-by-side\"><tr><th>lab</th>");
            foreach (string p in personalities) sb.Append("<th>").Append(Enc(p)).Append("</th>");
            sb.Append("</tr>");
            foreach (string lab in labs)
            {
                sb.Append("<tr><td>").Append(Enc(lab)).Append("</td>");
                foreach (string p in personalities)
                {
                    LabResult? r = results.FirstOrDefault(x => x.Name == lab && x.Personality == p);
                    if (r == null)
                    {
                        sb.Append("<td>-</td>");
                        continue;
                    }

                    string tip = string.Join("\n", r.Outcomes.Select(o => o.Case + ": expected " + o.Expected + ", observed " + (o.Observed ?? "nothing") + " (" + o.Behaviour + ", " + o.SourceText + ")"));
                    sb.Append("<td class=\"").Append(r.Passed ? "pass" : "fail").Append("\" title=\"").Append(Enc(tip)).Append("\"><a href=\"#").Append(Enc(Anchor(r))).Append("\">")
                      .Append(r.Passed ? "PASS " : "FAIL ").Append(Enc(r.Observed.Length == 0 ? "-" : r.Observed)).Append("</a>");
                    if (!r.Passed && r.Expected != r.Observed) sb.Append("<br>expected ").Append(Enc(r.Expected));
                    sb.Append("</td>");
                }

                sb.Append("</tr>");
            }

            sb.Append("</table>");
        }

        private static string Anchor(LabResult r) => r.Personality.Length == 0 ? r.Name : r.Name + "-" + r.Personality;

        private static string Title(LabResult r) => r.Personality.Length == 0 ? r.Name : r.Name + " under " + r.Personality;

        /// <summary>
        /// Cumulative completion latency (the fio "clat percentiles" view), one stepped line per workload: x =
        /// latency (log axis when it spans more than a decade), y = % of completions at or below it.
        /// </summary>
        public static ChartSpec LatencyChart(IReadOnlyList<LabWorkload> workloads)
        {
            // One x grid for all workloads (bucket bounds, in µs); each curve holds its last value between its own steps.
            var edges = new SortedSet<double>();
            foreach (var w in workloads)
            {
                var h = w.Result.Histogram;
                for (int b = 0; b < LatencyHistogram.BucketCount; b++)
                    if (h.CountAt(b) != 0)
                    {
                        edges.Add(Math.Max(0.1, LatencyHistogram.LowerBound(b) / 10.0));
                        edges.Add(Math.Max(0.1, Math.Min(LatencyHistogram.UpperBound(b), LatencyHistogram.LowerBound(b) * 2L + 1) / 10.0));
                    }
            }

            double[] x = edges.ToArray();
            var series = new List<SeriesSpec>();
            foreach (var w in workloads)
            {
                var h = w.Result.Histogram;
                var y = new double?[x.Length];
                if (h.Count > 0)
                {
                    var steps = new List<(double Us, double Pct)>();
                    long seen = 0;
                    for (int b = 0; b < LatencyHistogram.BucketCount; b++)
                    {
                        long n = h.CountAt(b);
                        if (n == 0) continue;
                        seen += n;
                        steps.Add((Math.Max(0.1, Math.Min(LatencyHistogram.UpperBound(b), LatencyHistogram.LowerBound(b) * 2L + 1) / 10.0), 100.0 * seen / h.Count));
                    }

                    int k = 0;
                    double current = 0;
                    for (int i = 0; i < x.Length; i++)
                    {
                        while (k < steps.Count && steps[k].Us <= x[i]) current = steps[k++].Pct;
                        y[i] = Math.Round(current, 3);
                    }
                }

                series.Add(new SeriesSpec(w.Label, y));
            }

            bool log = x.Length > 1 && x[x.Length - 1] / x[0] > 10;
            return new ChartSpec("Completion latency, cumulative (virtual time)", "latency", "us", "% of completions ≤ latency", "pct", x, series)
            {
                XLog = log,
                Stepped = true,
                Caption = "A fixed latency is one step; a long tail is a line that reaches 100 % far to the right. " + (log ? "Latency axis: log scale." : "Latency axis: linear."),
            };
        }

        /// <summary>One workload's throughput (IOPS, left axis) and mean ring occupancy (right axis) over its own time span.</summary>
        public static ChartSpec? TimelineChart(LabWorkload workload)
        {
            var points = workload.Result.Timeline.Points();
            if (points.Count == 0) return null;
            int group = (points.Count + MaxTimelinePoints - 1) / MaxTimelinePoints;
            var x = new List<double>();
            var iops = new List<double?>();
            var occupancy = new List<double?>();
            for (int i = 0; i < points.Count; i += group)
            {
                int n = Math.Min(group, points.Count - i);
                x.Add(points[i].StartMs);
                iops.Add(Math.Round(Enumerable.Range(i, n).Average(j => points[j].Iops), 1));
                occupancy.Add(Math.Round(Enumerable.Range(i, n).Average(j => points[j].MeanRingOccupancy), 2));
            }

            return new ChartSpec(workload.Label, "virtual time", "ms", "IOPS", "count", x.ToArray(),
                new List<SeriesSpec> { new SeriesSpec("IOPS", iops.ToArray()) { Color = "hsl(210,70%,40%)" }, new SeriesSpec("ring occupancy (mean)", occupancy.ToArray()) { Axis = 2, Color = "hsl(20,80%,45%)" } })
            {
                Y2Label = "requests on the ring",
                Y2Unit = "count",
                Height = 220,
                Caption = string.Empty,
            };
        }

        /// <summary>A lab's own series (e.g. bounce cost against transfer size): x log2-spaced sizes, y per operation.</summary>
        public static ChartSpec PointsChart(string title, IReadOnlyList<LabPoint> points)
        {
            double[] x = points.Select(p => p.X).Distinct().OrderBy(v => v).ToArray();
            var series = new List<SeriesSpec>();
            foreach (var s in points.GroupBy(p => p.Series))
            {
                var byX = s.GroupBy(p => p.X).ToDictionary(g => g.Key, g => g.Average(p => p.Y));
                series.Add(new SeriesSpec(s.Key, x.Select(v => byX.TryGetValue(v, out double y) ? (double?)Math.Round(y, 3) : null).ToArray()));
            }

            bool xLog = x.Length > 1 && x[0] > 0 && x[x.Length - 1] / x[0] > 16;
            double[] ys = points.Select(p => p.Y).ToArray();
            bool yLog = ys.Length > 0 && ys.Min() > 0 && ys.Max() / ys.Min() > 100;
            return new ChartSpec(title, "transfer size", "bytes", "virtual µs per operation", "us", x, series)
            {
                XLog = xLog,
                YLog = yLog,
                Points = true,
                Caption = "Every series of the lab is drawn (" + series.Count + ")." + (yLog ? " Cost axis: log scale, the series span more than a factor of 100." : string.Empty),
            };
        }

        private static void Chart(StringBuilder sb, ChartSpec chart, ref int chartId)
        {
            string id = "chart-" + (++chartId).ToString(CultureInfo.InvariantCulture);
            sb.Append("<div class=\"chart\" data-spec=\"").Append(id).Append("\"></div><script type=\"application/json\" id=\"").Append(id).Append("\">")
              .Append(JsonSerializer.Serialize(chart.ToJson()).Replace("</", "<\\/", StringComparison.Ordinal)).Append("</script>");
        }

        private static bool Mentions(string finding, string label)
            => label.Length > 1 && finding.IndexOf(label, StringComparison.OrdinalIgnoreCase) >= 0;

        private static string Asset(string name)
        {
            Assembly assembly = typeof(HtmlReportWriter).Assembly;
            using Stream stream = assembly.GetManifestResourceStream("XenVbd.Reports.Assets." + name)
                ?? throw new InvalidOperationException("The report asset " + name + " is not embedded in " + assembly.GetName().Name + ".");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }

        private static string Enc(string s) => WebUtility.HtmlEncode(s);
    }
}
