using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using XenVbd.Device;
using XenVbd.Faults;
using XenVbd.Frontend;
using XenVbd.Workload;

namespace XenVbd.Tests.Device
{
    /// <summary>
    /// The Chrome trace export against the trace-event format's rules (the JSON object form that
    /// chrome://tracing and Perfetto's legacy importer read): valid phases, ts/dur in microseconds, integer
    /// pid/tid, a name for every process and track, slices that never overlap on one track, named args.
    /// </summary>
    public sealed class ChromeTraceWriterTests
    {
        private static readonly HashSet<string> ValidPhases = new HashSet<string>(StringComparer.Ordinal)
        {
            "B", "E", "X", "i", "I", "C", "b", "n", "e", "s", "t", "f", "P", "N", "O", "D", "M", "V", "v", "R", "c",
        };

        private static (JsonDocument Doc, VbdDevice Device, WorkloadResult Result) TraceOfAWorkload()
        {
            var device = VbdDevice.Create(new VbdDeviceOptions
            {
                Seed = 5,
                SizeBytes = 16 << 20,
                RequestTimeout = TimeSpan.FromMilliseconds(50),
                GuestBufferBytes = DeviceWorkloadTarget.GuestBufferBytesFor(8, 8192),
            });
            device.Host.Trace.Enabled = true;
            var session = DeviceFaultSession.Attach(device);
            session.Plan.Add(new FaultRule(FaultKind.Latency) { Rate = 0.3, Latency = LatencyDistribution.Fixed(TimeSpan.FromMilliseconds(2)) });
            var spec = new WorkloadSpec { Count = 300, QueueDepth = 8, BlockSizes = BlockSizeDistribution.Fixed(8192), MisalignedFraction = 0.3, Seed = 2 };
            var target = new DeviceWorkloadTarget(device, spec.QueueDepth, spec.BlockSizes.MaxBytes);
            var result = WorkloadRunner.Run(target, spec, new WorkloadRunOptions { Faults = session.Injector });
            var text = new StringWriter();
            ChromeTraceWriter.Write(text, device.Host.Trace.Snapshot(), "trace-test", device.GetRing()!.Size, op => "OP" + op);
            return (JsonDocument.Parse(text.ToString()), device, result);
        }

        [Fact]
        public void Every_event_keeps_the_trace_event_format_rules()
        {
            var (doc, device, _) = TraceOfAWorkload();
            using (doc)
            using (device)
            {
                Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
                var events = doc.RootElement.GetProperty("traceEvents").EnumerateArray().ToList();
                Assert.NotEmpty(events);
                var named = new HashSet<(int, int)>();
                var processes = new HashSet<int>();
                foreach (var e in events.Where(e => e.GetProperty("ph").GetString() == "M"))
                {
                    string what = e.GetProperty("name").GetString()!;
                    Assert.Contains(what, new[] { "process_name", "thread_name", "thread_sort_index" });
                    if (what == "thread_name") named.Add((e.GetProperty("pid").GetInt32(), e.GetProperty("tid").GetInt32()));
                    if (what == "process_name") processes.Add(e.GetProperty("pid").GetInt32());
                    if (what != "thread_sort_index") Assert.False(string.IsNullOrEmpty(e.GetProperty("args").GetProperty("name").GetString()));
                }

                foreach (var e in events)
                {
                    string ph = e.GetProperty("ph").GetString()!;
                    Assert.Contains(ph, ValidPhases);
                    Assert.Equal(JsonValueKind.String, e.GetProperty("name").ValueKind);
                    int pid = e.GetProperty("pid").GetInt32();
                    int tid = e.GetProperty("tid").GetInt32();
                    if (ph == "M") continue;
                    Assert.True(e.GetProperty("ts").GetDouble() >= 0);
                    Assert.Contains(pid, processes);
                    Assert.Contains((pid, tid), named);
                    if (ph == "X") Assert.True(e.GetProperty("dur").GetDouble() >= 0);
                    if (ph == "i") Assert.Contains(e.GetProperty("s").GetString(), new[] { "g", "p", "t" });
                    foreach (var arg in e.GetProperty("args").EnumerateObject())
                        Assert.DoesNotContain(arg.Name, new[] { "a", "b", "c", "d" });
                }
            }
        }

        [Fact]
        public void Slices_on_one_track_never_overlap_and_srbs_last_as_long_as_their_latency()
        {
            var (doc, device, result) = TraceOfAWorkload();
            using (doc)
            using (device)
            {
                var slices = doc.RootElement.GetProperty("traceEvents").EnumerateArray()
                    .Where(e => e.GetProperty("ph").GetString() == "X")
                    .Select(e => (Pid: e.GetProperty("pid").GetInt32(), Tid: e.GetProperty("tid").GetInt32(), Name: e.GetProperty("name").GetString()!,
                                  Ts: e.GetProperty("ts").GetDouble(), Dur: e.GetProperty("dur").GetDouble(), Args: e.GetProperty("args")))
                    .ToList();
                foreach (var track in slices.GroupBy(s => (s.Pid, s.Tid)))
                {
                    var ordered = track.OrderBy(s => s.Ts).ToList();
                    for (int i = 1; i < ordered.Count; i++)
                        Assert.True(ordered[i].Ts >= ordered[i - 1].Ts + ordered[i - 1].Dur - 1e-6,
                            "track " + track.Key + ": '" + ordered[i].Name + "' at " + ordered[i].Ts + " starts inside the slice before it");
                }

                var srbs = slices.Where(s => s.Name.StartsWith("SRB ", StringComparison.Ordinal)).ToList();
                Assert.True(srbs.Count >= result.Operations, "one slice per SRB (the workload's " + result.Operations + ")");
                // ts and dur are microseconds: the slowest SRB lasts as long as the workload's own worst latency.
                double maxUs = srbs.Max(s => s.Dur);
                Assert.Equal(result.Latency.MaxUs, maxUs, 0);
                Assert.All(srbs, s => Assert.Equal(s.Dur, s.Args.GetProperty("latency_us").GetDouble(), 1));

                var requests = slices.Where(s => s.Name.StartsWith("request ", StringComparison.Ordinal)).ToList();
                Assert.True(requests.Count >= result.RingRequests, "one slice per ring request");
                Assert.Contains(slices, s => s.Name.StartsWith("blkback ", StringComparison.Ordinal));
            }
        }

        [Fact]
        public void Tracks_are_named_for_the_frontend_the_ring_the_backend_and_the_faults()
        {
            using var device = VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.Hardened, Seed = 9, SizeBytes = 1 << 20, RequestTimeout = TimeSpan.FromMilliseconds(10) });
            device.Host.Trace.Enabled = true;
            var session = DeviceFaultSession.Attach(device);
            session.Plan.Add(new FaultRule(FaultKind.Drop) { Rate = 1, MaxCount = 1 });
            device.Execute(Cdb.Read10(0, 1), null, 512, 0);
            Assert.True(device.Execute(Cdb.Write10(1, 1), Cdb.Pattern(512, 1)).IsSuccess);
            var text = new StringWriter();
            ChromeTraceWriter.Write(text, device.Host.Trace.Snapshot(), "named", device.GetRing()!.Size);
            using var doc = JsonDocument.Parse(text.ToString());
            var names = doc.RootElement.GetProperty("traceEvents").EnumerateArray()
                .Where(e => e.GetProperty("ph").GetString() == "M" && e.GetProperty("name").GetString() == "thread_name")
                .Select(e => e.GetProperty("args").GetProperty("name").GetString()!).ToList();
            Assert.Contains(names, n => n.StartsWith("domU frontend", StringComparison.Ordinal));
            Assert.Contains(names, n => n.StartsWith("ring: requests", StringComparison.Ordinal));
            Assert.Contains(names, n => n.StartsWith("dom0 backend", StringComparison.Ordinal));
            Assert.Contains(names, n => n.StartsWith("faults", StringComparison.Ordinal));
            var process = doc.RootElement.GetProperty("traceEvents").EnumerateArray()
                .First(e => e.GetProperty("ph").GetString() == "M" && e.GetProperty("name").GetString() == "process_name");
            Assert.StartsWith("named", process.GetProperty("args").GetProperty("name").GetString(), StringComparison.Ordinal);
        }
    }
}
