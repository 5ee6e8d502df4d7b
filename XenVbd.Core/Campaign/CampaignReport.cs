using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace XenVbd.Campaign
{
    /// <summary>
    /// A campaign's results as files: <c>results.jsonl</c> (a header line, then one line per case in index
    /// order), <c>junit.xml</c> and <c>campaign.html</c>. All three are written from the results alone, with
    /// nothing of the machine or the clock in them, so a shard's lines merged with the others' give the
    /// files one machine would have written, byte for byte.
    /// </summary>
    public sealed class CampaignReport
    {
        public const string ResultsFileName = "results.jsonl";
        public const string JUnitFileName = "junit.xml";
        public const string HtmlFileName = "campaign.html";

        private static readonly UTF8Encoding Utf8 = new UTF8Encoding(false);

        public CampaignReport(string name, string fingerprint, long totalCases, CampaignShard shard, IEnumerable<CampaignResult> results)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            Fingerprint = fingerprint ?? throw new ArgumentNullException(nameof(fingerprint));
            TotalCases = totalCases;
            Shard = shard;
            var list = new List<CampaignResult>(results);
            list.Sort((a, b) => a.Index.CompareTo(b.Index));
            for (int i = 1; i < list.Count; i++)
                if (list[i].Index == list[i - 1].Index) throw new ArgumentException("Case #" + list[i].Index + " appears twice in the results.", nameof(results));
            Results = list;
        }

        public static CampaignReport For(CampaignMatrix matrix, CampaignShard shard, IEnumerable<CampaignResult> results)
            => new CampaignReport(matrix.Name, matrix.Fingerprint, matrix.Count, shard, results);

        public string Name { get; }

        public string Fingerprint { get; }

        public long TotalCases { get; }

        public CampaignShard Shard { get; }

        /// <summary>In case-index order.</summary>
        public IReadOnlyList<CampaignResult> Results { get; }

        public int Failures
        {
            get
            {
                int n = 0;
                foreach (var r in Results) if (r.Outcome == CampaignOutcome.Failed) n++;
                return n;
            }
        }

        /// <summary>Every case of the shard (or of the whole matrix) has a result: nothing was cancelled.</summary>
        public bool IsComplete => Results.Count == Shard.CasesOf(TotalCases);

        /// <summary>Writes the three files into <paramref name="directory"/> (created if missing); returns their paths.</summary>
        public IReadOnlyList<string> WriteTo(string directory)
        {
            Directory.CreateDirectory(directory);
            string jsonl = Path.Combine(directory, ResultsFileName);
            string junit = Path.Combine(directory, JUnitFileName);
            string html = Path.Combine(directory, HtmlFileName);
            File.WriteAllText(jsonl, ToJsonLines(), Utf8);
            File.WriteAllText(junit, CampaignJUnitWriter.Write(this), Utf8);
            File.WriteAllText(html, CampaignHtmlWriter.Write(this), Utf8);
            return new[] { jsonl, junit, html };
        }

        public string ToJsonLines()
        {
            var sb = new StringBuilder();
            sb.Append(Line(w =>
            {
                w.WriteStartObject();
                w.WriteString("Campaign", Name);
                w.WriteString("Matrix", Fingerprint);
                w.WriteNumber("Cases", TotalCases);
                if (!Shard.IsAll) w.WriteString("Shard", Shard.ToString());
                w.WriteNumber("Results", Results.Count);
                w.WriteEndObject();
            })).Append('\n');
            foreach (var r in Results) sb.Append(Line(w => WriteResult(w, r))).Append('\n');
            return sb.ToString();
        }

        /// <summary>Reads a <c>results.jsonl</c> back; the axis set must know every axis the cases name.</summary>
        public static CampaignReport ReadJsonLines(string text, CampaignAxisSet? axes = null, string source = "results")
        {
            axes ??= CampaignAxisSet.Default;
            var lines = text.Split('\n');
            if (lines.Length == 0 || lines[0].Trim().Length == 0) throw new FormatException(source + " is empty: no campaign header line.");
            string name, fingerprint;
            long total, count;
            CampaignShard shard = CampaignShard.All;
            using (var head = Parse(lines[0], source + " line 1"))
            {
                var h = head.RootElement;
                CampaignJson.Expect(h, JsonValueKind.Object, source + " line 1");
                if (!h.TryGetProperty("Campaign", out var n) || !h.TryGetProperty("Matrix", out var m) || !h.TryGetProperty("Cases", out var c) || !h.TryGetProperty("Results", out var k))
                    throw new FormatException(source + " line 1 is not a campaign header (Campaign, Matrix, Cases, Results).");
                name = CampaignJson.String(n, "Campaign");
                fingerprint = CampaignJson.String(m, "Matrix");
                total = CampaignJson.Int64(c, "Cases");
                count = CampaignJson.Int64(k, "Results");
                if (h.TryGetProperty("Shard", out var s)) shard = CampaignShard.Parse(CampaignJson.String(s, "Shard"));
            }
            var results = new List<CampaignResult>();
            for (int i = 1; i < lines.Length; i++)
            {
                if (lines[i].Trim().Length == 0) continue;
                string at = source + " line " + (i + 1);
                using var doc = Parse(lines[i], at);
                results.Add(ReadResult(doc.RootElement, axes, at));
            }
            if (results.Count != count) throw new FormatException(source + " says " + count + " results but holds " + results.Count + ": the file is truncated or was edited.");
            foreach (var r in results)
                if (!shard.Contains(r.Index)) throw new FormatException(source + ": case #" + r.Index + " does not belong to shard " + shard + ".");
            return new CampaignReport(name, fingerprint, total, shard, results);
        }

        /// <summary>
        /// Joins every shard of one campaign into the report one machine would have made. Refuses shards of different
        /// matrices, a missing or repeated shard, and an incomplete one (so a merged file never silently lacks cases).
        /// </summary>
        public static CampaignReport Merge(IEnumerable<CampaignReport> shards)
        {
            var list = new List<CampaignReport>(shards ?? throw new ArgumentNullException(nameof(shards)));
            if (list.Count == 0) throw new ArgumentException("Nothing to merge: no shard results given.", nameof(shards));
            var first = list[0];
            int n = first.Shard.Count;
            var seen = new CampaignReport?[n + 1];
            var all = new List<CampaignResult>();
            foreach (var s in list)
            {
                if (s.Fingerprint != first.Fingerprint || s.Name != first.Name || s.TotalCases != first.TotalCases)
                    throw new ArgumentException("Shard " + s.Shard + " of '" + s.Name + "' (matrix " + s.Fingerprint + ") is from another campaign than '" + first.Name + "' (matrix " + first.Fingerprint + ").", nameof(shards));
                if (s.Shard.Count != n) throw new ArgumentException("Shard " + s.Shard + " is one of " + s.Shard.Count + ", the first one given is one of " + n + ".", nameof(shards));
                if (seen[s.Shard.Number] != null) throw new ArgumentException("Shard " + s.Shard + " is given twice.", nameof(shards));
                if (!s.IsComplete) throw new ArgumentException("Shard " + s.Shard + " is incomplete (" + s.Results.Count + " of " + s.Shard.CasesOf(s.TotalCases) + " cases): it was stopped; run it again.", nameof(shards));
                seen[s.Shard.Number] = s;
                all.AddRange(s.Results);
            }
            var missing = new List<string>();
            for (int i = 1; i <= n; i++) if (seen[i] == null) missing.Add(i + "/" + n);
            if (missing.Count > 0) throw new ArgumentException("Shard " + string.Join(", ", missing) + " is missing.", nameof(shards));
            return new CampaignReport(first.Name, first.Fingerprint, first.TotalCases, CampaignShard.All, all);
        }

        internal static void WriteResult(Utf8JsonWriter w, CampaignResult r)
        {
            w.WriteStartObject();
            w.WriteNumber("Index", r.Index);
            w.WriteString("Outcome", r.Outcome.ToString());
            w.WriteString("Failure", r.Failure);
            w.WriteString("Detail", r.Detail);
            w.WriteNumber("Operations", r.Operations);
            w.WriteNumber("Errors", r.Errors);
            w.WriteNumber("Violations", r.Violations);
            w.WriteNumber("FaultsInjected", r.FaultsInjected);
            w.WriteNumber("VirtualTicks", r.VirtualElapsed.Ticks);
            w.WritePropertyName("Case");
            CampaignJson.WriteCase(w, r.Case);
            w.WriteEndObject();
        }

        internal static CampaignResult ReadResult(JsonElement e, CampaignAxisSet axes, string where)
        {
            CampaignJson.Expect(e, JsonValueKind.Object, where);
            if (!e.TryGetProperty("Case", out var c)) throw new FormatException(where + " has no Case.");
            var @case = CampaignJson.ReadCase(c, axes, where + ".Case");
            var outcome = e.TryGetProperty("Outcome", out var o) ? CampaignJson.Enum<CampaignOutcome>(o, where + ".Outcome") : throw new FormatException(where + " has no Outcome.");
            string failure = e.TryGetProperty("Failure", out var f) ? CampaignJson.String(f, where + ".Failure") : "";
            string detail = e.TryGetProperty("Detail", out var d) ? CampaignJson.String(d, where + ".Detail") : "";
            long Get(string name) => e.TryGetProperty(name, out var v) ? CampaignJson.Int64(v, where + "." + name) : 0;
            return new CampaignResult(@case, outcome, failure, detail)
            {
                Operations = Get("Operations"),
                Errors = Get("Errors"),
                Violations = Get("Violations"),
                FaultsInjected = Get("FaultsInjected"),
                VirtualElapsed = TimeSpan.FromTicks(Get("VirtualTicks")),
            };
        }

        internal static string Line(Action<Utf8JsonWriter> write)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream)) write(w);
            return Encoding.UTF8.GetString(stream.ToArray());
        }

        private static JsonDocument Parse(string line, string where)
        {
            try
            {
                return JsonDocument.Parse(line);
            }
            catch (JsonException ex)
            {
                throw new FormatException(where + " is not valid JSON: " + ex.Message, ex);
            }
        }
    }
}
