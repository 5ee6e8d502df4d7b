using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Text;

namespace XenVbd.Campaign
{
    /// <summary>
    /// The campaign's one-page HTML grid, self-contained (inline style, no script, no images): a row per device
    /// configuration, a column per fault plan and workload, each cell the cases that survived out of those run
    /// and the ways the others failed; then the failures, each with the command that replays it.
    /// </summary>
    public static class CampaignHtmlWriter
    {
        public static string Write(CampaignReport report)
        {
            var rows = new List<string>();
            var columns = new List<string>();
            var cells = new Dictionary<string, Cell>();
            foreach (var r in report.Results)
            {
                string col = r.FaultPlan + " / " + r.Workload;
                if (!rows.Contains(r.Configuration)) rows.Add(r.Configuration);
                if (!columns.Contains(col)) columns.Add(col);
                string key = r.Configuration + "\n" + col;
                if (!cells.TryGetValue(key, out var cell)) cells.Add(key, cell = new Cell());
                cell.Add(r);
            }

            var sb = new StringBuilder();
            sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(report.Name)).Append(" - XenVbd campaign</title>\n");
            sb.Append("<style>\nbody{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin-bottom:1.5em}")
              .Append("th,td{border:1px solid #999;padding:.3em .5em;font-size:.9em;vertical-align:top}th{background:#eee;text-align:left}")
              .Append(".pass{background:#c8e6c9}.fail{background:#ffcdd2}.mixed{background:#ffe0b2}.invalid{background:#e0e0e0}")
              .Append("code{font-size:.85em}small{color:#444}\n</style>\n</head>\n<body>\n");
            int failed = report.Failures;
            sb.Append("<h1>").Append(E(report.Name)).Append("</h1>\n<p>").Append(N(report.Results.Count)).Append(" of ").Append(N(report.TotalCases))
              .Append(" cases, ").Append(N(failed)).Append(" failed; matrix ").Append(E(report.Fingerprint)).Append(".</p>\n");
            sb.Append("<table>\n<tr><th>configuration</th>");
            foreach (var c in columns) sb.Append("<th>").Append(E(c)).Append("</th>");
            sb.Append("</tr>\n");
            foreach (var row in rows)
            {
                sb.Append("<tr><th>").Append(E(row)).Append("</th>");
                foreach (var col in columns)
                {
                    if (!cells.TryGetValue(row + "\n" + col, out var cell))
                    {
                        sb.Append("<td></td>");
                        continue;
                    }
                    sb.Append("<td class=\"").Append(cell.Class).Append("\">").Append(N(cell.Passed)).Append('/').Append(N(cell.Total)).Append(" survived");
                    foreach (var f in cell.Failures) sb.Append("<br><small>").Append(E(f.Key)).Append(" &times; ").Append(N(f.Value)).Append("</small>");
                    sb.Append("</td>");
                }
                sb.Append("</tr>\n");
            }
            sb.Append("</table>\n");
            if (failed > 0)
            {
                sb.Append("<h2>Failures</h2>\n<table>\n<tr><th>case</th><th>configuration</th><th>faults / workload</th><th>seed</th><th>failure</th><th>detail</th></tr>\n");
                foreach (var r in report.Results)
                {
                    if (r.Outcome != CampaignOutcome.Failed) continue;
                    sb.Append("<tr><td>#").Append(N(r.Index)).Append("</td><td>").Append(E(r.Configuration)).Append("</td><td>").Append(E(r.FaultPlan + " / " + r.Workload))
                      .Append("</td><td>").Append(r.Seed.ToString(CultureInfo.InvariantCulture)).Append("</td><td>").Append(E(r.Failure)).Append("</td><td>").Append(E(r.Detail)).Append("</td></tr>\n");
                }
                sb.Append("</table>\n<p>Run one case again: <code>Invoke-VbdCampaign -Path &lt;matrix&gt; -Case &lt;number&gt;</code>; its failure is shrunk to a replay file (<code>-NoShrink</code> keeps it as it is).</p>\n");
            }
            sb.Append("</body>\n</html>\n");
            return sb.ToString();
        }

        private static string E(string s) => WebUtility.HtmlEncode(s);

        private static string N(long n) => n.ToString(CultureInfo.InvariantCulture);

        private sealed class Cell
        {
            public int Total;
            public int Passed;
            public int Invalid;
            public readonly SortedDictionary<string, int> Failures = new SortedDictionary<string, int>(System.StringComparer.Ordinal);

            public string Class => Passed == Total ? "pass" : Invalid == Total ? "invalid" : Passed == 0 ? "fail" : "mixed";

            public void Add(CampaignResult r)
            {
                Total++;
                if (r.Outcome == CampaignOutcome.Passed) Passed++;
                else if (r.Outcome == CampaignOutcome.Invalid) Invalid++;
                string key = r.Outcome == CampaignOutcome.Invalid ? "Invalid" : r.Failure;
                if (r.Outcome != CampaignOutcome.Passed) Failures[key] = Failures.TryGetValue(key, out var n) ? n + 1 : 1;
            }
        }
    }
}
