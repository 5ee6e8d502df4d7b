using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Xml;

namespace XenVbd.Lab
{
    /// <summary>
    /// Writes lab results for machines: <c>results.json</c> (a function of the seed only — the same seed
    /// gives the same bytes, so CI can diff two runs), <c>junit.xml</c> for test dashboards, and
    /// <c>timings.json</c> with the wall-clock numbers that would spoil the first file's determinism.
    /// </summary>
    public static class LabReportWriter
    {
        public const string ResultsFile = "results.json";
        public const string JUnitFile = "junit.xml";
        public const string TimingsFile = "timings.json";

        /// <summary>How many violations per workload the JSON lists (all are counted).</summary>
        public const int ViolationsListed = 20;

        /// <summary>Writes the three files into <paramref name="directory"/> (created if missing); returns their paths.</summary>
        public static IReadOnlyList<string> WriteFolder(string directory, IReadOnlyList<LabResult> results)
        {
            if (directory == null) throw new ArgumentNullException(nameof(directory));
            Directory.CreateDirectory(directory);
            var paths = new List<string>();
            void Write(string name, Action<Stream> body)
            {
                string path = Path.Combine(directory, name);
                using (var stream = File.Create(path)) body(stream);
                paths.Add(path);
            }
            Write(ResultsFile, s => WriteJson(s, results));
            Write(JUnitFile, s => WriteJUnit(s, results));
            Write(TimingsFile, s => WriteTimings(s, results));
            return paths;
        }

        public static void WriteJson(Stream stream, IReadOnlyList<LabResult> results)
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            w.WriteString("schema", "xenvbd-lab/1");
            w.WriteBoolean("passed", AllPassed(results));
            w.WriteStartArray("labs");
            foreach (var lab in results)
            {
                w.WriteStartObject();
                w.WriteString("name", lab.Name);
                w.WriteString("personality", lab.Personality);
                w.WriteNumber("seed", lab.Seed);
                w.WriteBoolean("passed", lab.Passed);
                w.WriteString("replay", lab.ReplayCommand);
                w.WriteString("expected", lab.Expected);
                w.WriteString("observed", lab.Observed);
                w.WriteStartArray("outcomes");
                foreach (var o in lab.Outcomes) Outcome(w, o);
                w.WriteEndArray();
                Strings(w, "failures", lab.Failures);
                Strings(w, "findings", lab.Findings);
                w.WriteStartObject("metrics");
                foreach (var kv in lab.Metrics) w.WriteNumber(kv.Key, kv.Value);
                w.WriteEndObject();
                w.WriteStartArray("workloads");
                foreach (var wl in lab.Workloads) Workload(w, wl);
                w.WriteEndArray();
                w.WriteStartArray("points");
                foreach (var p in lab.Points)
                {
                    w.WriteStartObject();
                    w.WriteString("plot", p.Plot);
                    w.WriteString("series", p.Series);
                    w.WriteNumber("x", p.X);
                    w.WriteNumber("y", p.Y);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }

        private static void Outcome(Utf8JsonWriter w, LabOutcome o)
        {
            w.WriteStartObject();
            w.WriteString("case", o.Case);
            w.WriteString("expected", o.Expected);
            if (o.Observed == null) w.WriteNull("observed");
            else w.WriteString("observed", o.Observed);
            w.WriteBoolean("matched", o.Matched);
            w.WriteString("behaviour", o.Behaviour);
            w.WriteString("because", o.Because);
            if (o.Source == null) w.WriteString("not_pinned_because", o.NotPinnedBecause);
            else w.WriteString("source", o.Source.ToString());
            w.WriteString("evidence", o.Evidence ?? "");
            w.WriteEndObject();
        }

        private static void Workload(Utf8JsonWriter w, LabWorkload wl)
        {
            var r = wl.Result;
            w.WriteStartObject();
            w.WriteString("label", wl.Label);
            w.WriteNumber("seed", r.Seed);
            w.WriteBoolean("cancelled", r.Cancelled);
            w.WriteNumber("operations", r.Operations);
            w.WriteNumber("reads", r.Reads);
            w.WriteNumber("writes", r.Writes);
            w.WriteNumber("flushes", r.Flushes);
            w.WriteNumber("errors", r.Errors);
            w.WriteNumber("stuck", r.Stuck);
            w.WriteNumber("double_completions", r.DoubleCompletions);
            w.WriteNumber("bytes_read", r.BytesRead);
            w.WriteNumber("bytes_written", r.BytesWritten);
            w.WriteNumber("misaligned_operations", r.MisalignedOperations);
            w.WriteNumber("virtual_seconds", r.VirtualElapsed.TotalSeconds);
            w.WriteNumber("iops_virtual", Math.Round(r.IopsVirtual, 3));
            w.WriteNumber("bandwidth_virtual_bytes_per_second", Math.Round(r.BandwidthVirtual, 3));
            w.WriteStartObject("clat_us");
            w.WriteNumber("min", r.Latency.MinUs);
            w.WriteNumber("mean", Math.Round(r.Latency.MeanUs, 3));
            w.WriteNumber("p50", r.Latency.P50Us);
            w.WriteNumber("p90", r.Latency.P90Us);
            w.WriteNumber("p99", r.Latency.P99Us);
            w.WriteNumber("p99.9", r.Latency.P999Us);
            w.WriteNumber("p99.99", r.Latency.P9999Us);
            w.WriteNumber("max", r.Latency.MaxUs);
            w.WriteEndObject();
            w.WriteNumber("bytes_bounced", r.BytesBounced);
            w.WriteNumber("bounce_passes", r.BouncePasses);
            w.WriteNumber("ring_requests", r.RingRequests);
            w.WriteNumber("requests_split", r.RequestsSplit);
            w.WriteNumber("probes", r.Probes);
            w.WriteNumber("abi_switches", r.AbiSwitches);
            w.WriteNumber("retries", r.Retries);
            w.WriteNumber("timeouts", r.Timeouts);
            w.WriteNumber("resets", r.Resets);
            w.WriteStartObject("faults");
            foreach (var kv in r.FaultsByKind) w.WriteNumber(kv.Key, kv.Value);
            w.WriteEndObject();
            w.WriteNumber("violation_count", r.ViolationCount);
            w.WriteStartObject("violations_by_kind");
            foreach (var kv in r.ViolationsByKind) w.WriteNumber(kv.Key, kv.Value);
            w.WriteEndObject();
            w.WriteStartArray("violations");
            for (int i = 0; i < r.Violations.Count && i < ViolationsListed; i++) w.WriteStringValue(r.Violations[i].ToString());
            w.WriteEndArray();
            w.WriteEndObject();
        }

        /// <summary>JUnit XML: one test case per lab, its failures as the failure message, findings as system-out.</summary>
        public static void WriteJUnit(Stream stream, IReadOnlyList<LabResult> results)
        {
            using var x = XmlWriter.Create(stream, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) });
            int failures = 0;
            double total = 0;
            foreach (var r in results)
            {
                if (!r.Passed) failures++;
                total += r.WallTime.TotalSeconds;
            }
            x.WriteStartElement("testsuites");
            x.WriteStartElement("testsuite");
            x.WriteAttributeString("name", "XenVbd.Lab");
            x.WriteAttributeString("tests", results.Count.ToString(CultureInfo.InvariantCulture));
            x.WriteAttributeString("failures", failures.ToString(CultureInfo.InvariantCulture));
            x.WriteAttributeString("errors", "0");
            x.WriteAttributeString("time", total.ToString("0.###", CultureInfo.InvariantCulture));
            foreach (var r in results)
            {
                x.WriteStartElement("testcase");
                x.WriteAttributeString("classname", "XenVbd.Lab");
                x.WriteAttributeString("name", r.Name + (r.Personality.Length == 0 ? "" : " under " + r.Personality) + " (seed " + r.Seed.ToString(CultureInfo.InvariantCulture) + ")");
                x.WriteAttributeString("time", r.WallTime.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture));
                if (!r.Passed)
                {
                    x.WriteStartElement("failure");
                    x.WriteAttributeString("message", FirstProblem(r) + " | replay: " + r.ReplayCommand);
                    x.WriteString(string.Join("\n", r.Failures));
                    x.WriteEndElement();
                }
                x.WriteElementString("system-out", string.Join("\n", r.Findings) + "\nreplay: " + r.ReplayCommand);
                x.WriteEndElement();
            }
            x.WriteEndElement();
            x.WriteEndElement();
        }

        /// <summary>The machine-dependent numbers: wall time per lab and wall-clock throughput per workload.</summary>
        public static void WriteTimings(Stream stream, IReadOnlyList<LabResult> results)
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            w.WriteString("machine", Environment.MachineName);
            w.WriteString("runtime", System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
            w.WriteStartArray("labs");
            foreach (var lab in results)
            {
                w.WriteStartObject();
                w.WriteString("name", lab.Name);
                w.WriteString("personality", lab.Personality);
                w.WriteNumber("wall_seconds", Math.Round(lab.WallTime.TotalSeconds, 3));
                w.WriteStartArray("workloads");
                foreach (var wl in lab.Workloads)
                {
                    w.WriteStartObject();
                    w.WriteString("label", wl.Label);
                    w.WriteNumber("wall_seconds", Math.Round(wl.Result.WallElapsed.TotalSeconds, 4));
                    w.WriteNumber("iops_wall", Math.Round(wl.Result.IopsWall, 1));
                    w.WriteNumber("bandwidth_wall_bytes_per_second", Math.Round(wl.Result.BandwidthWall, 1));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }

        /// <summary>A few lines a person reads at the console: one per lab, failures and the replay command under a failing one.</summary>
        public static string Summary(IReadOnlyList<LabResult> results)
        {
            var sb = new StringBuilder();
            foreach (var r in results)
            {
                sb.Append(r.Passed ? "PASS  " : "FAIL  ").Append(r.Name.PadRight(18));
                if (r.Personality.Length > 0) sb.Append(' ').Append(r.Personality.PadRight(13)).Append(" expected ").Append(r.Expected).Append(", observed ").Append(r.Observed).Append(';');
                sb.Append(" seed ").Append(r.Seed.ToString(CultureInfo.InvariantCulture))
                  .Append("  ").Append(r.WallTime.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)).Append(" s\n");
                foreach (var f in r.Findings) if (f.IndexOf('\n') < 0) sb.Append("      ").Append(f).Append('\n');
                if (!r.Passed)
                {
                    foreach (var f in r.Failures) sb.Append("   !  ").Append(f).Append('\n');
                    sb.Append("      replay: ").Append(r.ReplayCommand).Append('\n');
                }
            }
            int passed = 0;
            foreach (var r in results) if (r.Passed) passed++;
            sb.Append(passed.ToString(CultureInfo.InvariantCulture)).Append(" passed, ").Append((results.Count - passed).ToString(CultureInfo.InvariantCulture)).Append(" failed\n");
            return sb.ToString();
        }

        /// <summary>The first thing that failed: a check, or else an expected outcome the lab never observed.</summary>
        public static string FirstProblem(LabResult r)
        {
            if (r == null) throw new ArgumentNullException(nameof(r));
            if (r.Failures.Count > 0) return r.Failures[0];
            foreach (var o in r.Outcomes) if (o.Observed == null) return o.Case + ": expected " + o.Expected + ", never observed";
            return "";
        }

        public static bool AllPassed(IReadOnlyList<LabResult> results)
        {
            foreach (var r in results) if (!r.Passed) return false;
            return true;
        }

        private static void Strings(Utf8JsonWriter w, string name, List<string> values)
        {
            w.WriteStartArray(name);
            foreach (var v in values) w.WriteStringValue(v);
            w.WriteEndArray();
        }
    }
}
