using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Ring;
using XenVbd.Tests.Device;

namespace XenVbd.Tests.Sim
{
    public sealed class TraceDeterminismTests
    {
        private static string RunAndTrace(ulong seed)
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { SizeBytes = 4 << 20, Seed = seed, BackendAbi = BlkifAbi.X86_32, BackendMode = BackendAbiMode.Native });
            dev.Host.Trace.Enabled = true;
            var rng = new XenVbd.Sim.SimRandom(seed);
            for (int i = 0; i < 200; i++)
            {
                uint lba = (uint)rng.Next(0, 8000);
                ushort blocks = (ushort)rng.Next(1, 64);
                int align = rng.Next(0, 512);
                var r = rng.Chance(0.5)
                    ? dev.Execute(Cdb.Write10(lba, blocks), Cdb.Pattern(blocks * 512, i), 0, align)
                    : dev.Execute(Cdb.Read10(lba, blocks), null, blocks * 512, align);
                Assert.True(r.IsSuccess);
            }
            var sw = new StringWriter();
            dev.Host.Trace.WriteJsonLines(sw);
            return sw.ToString();
        }

        [Fact]
        public void Same_seed_gives_a_byte_identical_trace()
        {
            string a = RunAndTrace(1234), b = RunAndTrace(1234);
            Assert.True(a.Length > 1000, "the run recorded ring events");
            Assert.Equal(a, b);
            Assert.NotEqual(a, RunAndTrace(99));
        }

        [Fact]
        public void Json_lines_and_chrome_trace_parse_and_agree_on_the_event_count()
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { SizeBytes = 1 << 20 });
            dev.Host.Trace.Enabled = true;
            Assert.True(dev.Execute(Cdb.Write10(0, 8), Cdb.Pattern(4096, 1)).IsSuccess);
            var lines = new StringWriter();
            dev.Host.Trace.WriteJsonLines(lines);
            var parsed = lines.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Contains(parsed, e => e.GetProperty("kind").GetString() == "RequestPushed");
            Assert.Contains(parsed, e => e.GetProperty("kind").GetString() == "ResponsePushed");

            var chrome = new StringWriter();
            ChromeTraceWriter.Write(chrome, dev.Host.Trace.Snapshot(), "d", 32);
            using var doc = JsonDocument.Parse(chrome.ToString());
            var events = doc.RootElement.GetProperty("traceEvents");
            Assert.Contains(events.EnumerateArray(), e => e.GetProperty("ph").GetString() == "X");
        }

        [Fact]
        public void A_full_trace_buffer_keeps_the_newest_events_and_counts_the_dropped()
        {
            var s = new XenVbd.Sim.Scheduler();
            var t = new XenVbd.Sim.TraceRecorder(s, capacity: 4) { Enabled = true };
            for (uint i = 0; i < 10; i++) t.Record(XenVbd.Sim.TraceKind.RequestPushed, 0, i);
            Assert.Equal(6, t.Dropped);
            Assert.Equal(new uint[] { 6, 7, 8, 9 }, t.Snapshot().Select(e => e.A).ToArray());
        }
    }
}
