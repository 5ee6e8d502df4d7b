using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Xml.Linq;
using XenVbd.Lab;

namespace XenVbd.Tests.Lab
{
    public class LabReportTests
    {
        private static byte[] Json(ulong seed)
        {
            var results = new[] { SampleLab.Run("RogueBackend", seed), SampleLab.Run("ChkdskBurst", seed) };
            using var ms = new MemoryStream();
            LabReportWriter.WriteJson(ms, results);
            return ms.ToArray();
        }

        [Fact]
        public void The_same_seed_gives_byte_identical_json()
        {
            Assert.Equal(Json(7), Json(7));
        }

        [Fact]
        public void Another_seed_gives_other_json()
        {
            Assert.NotEqual(Json(7), Json(8));
        }

        [Fact]
        public void The_json_holds_no_wall_clock_fields_and_parses()
        {
            var json = Json(3);
            using var doc = JsonDocument.Parse(json);
            var text = System.Text.Encoding.UTF8.GetString(json);
            Assert.DoesNotContain("wall", text);
            Assert.True(doc.RootElement.GetProperty("passed").GetBoolean());
            var lab = doc.RootElement.GetProperty("labs")[0];
            Assert.Equal("Invoke-VbdLab -Name RogueBackend -Seed 3", lab.GetProperty("replay").GetString());
            Assert.True(lab.GetProperty("workloads")[0].GetProperty("clat_us").GetProperty("p99.99").GetDouble() > 0);
        }

        [Fact]
        public void JUnit_marks_a_failing_lab_with_its_replay_command()
        {
            var good = new LabResult("Good", 1);
            var bad = new LabResult("Bad", 2);
            bad.Check(false, "something broke");
            using var ms = new MemoryStream();
            LabReportWriter.WriteJUnit(ms, new[] { good, bad });
            ms.Position = 0;
            var doc = XDocument.Load(ms);
            var suite = doc.Root!.Element("testsuite")!;
            Assert.Equal("2", suite.Attribute("tests")!.Value);
            Assert.Equal("1", suite.Attribute("failures")!.Value);
            var failure = suite.Elements("testcase").Single(e => e.Attribute("name")!.Value.StartsWith("Bad")).Element("failure")!;
            Assert.Contains("Invoke-VbdLab -Name Bad -Seed 2", failure.Attribute("message")!.Value);
        }

        [Fact]
        public void The_report_folder_holds_results_junit_and_timings()
        {
            string dir = Path.Combine(Path.GetTempPath(), "xenvbd-lab-" + Guid.NewGuid().ToString("N"));
            try
            {
                var result = new LabResult("Good", 1);
                result.Find("fine");
                var paths = LabReportWriter.WriteFolder(dir, new[] { result });
                Assert.Equal(new[] { "results.json", "junit.xml", "timings.json" }, paths.Select(Path.GetFileName));
                Assert.Contains("wall_seconds", File.ReadAllText(Path.Combine(dir, "timings.json")));
                Assert.Contains("1 passed, 0 failed", LabReportWriter.Summary(new[] { result }));
            }
            finally
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, true);
            }
        }
    }
}
