using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using XenVbd.Backend;
using XenVbd.Ring;
using XenVbd.Sim;
using XenVbd.Xen;

namespace XenVbd.Device
{
    /// <summary>
    /// Writes a device's trace in the Chrome trace-event JSON format (what chrome://tracing and Perfetto's
    /// legacy JSON importer read): one process per device, named tracks, and durations instead of dots.
    /// <list type="bullet">
    /// <item>SRBs, from the frontend accepting one to its completion, as complete ("X") events on
    /// "domU frontend: SRBs" lanes (a lane holds one SRB at a time, so slices never overlap on a track).</item>
    /// <item>Each ring request, from the frontend pushing it to the frontend consuming its response, on
    /// "ring: requests" lanes, with its ring slot and id as arguments. (A slot cannot be the track: responses
    /// come back in any order and in any slot, so a slot is reused before the request it held is answered.)</item>
    /// <item>Each request's service in dom0, from blkback consuming it to pushing the response, on
    /// "dom0 backend + disk" lanes: the model's disk time is inside that span (Storage has no trace point).</item>
    /// <item>Notifications, XenBus states, the ABI probe, bounces, timeouts, resets and faults as instant
    /// ("i") events on their own tracks, every argument under its name.</item>
    /// </list>
    /// Timestamps are microseconds of virtual time (the recorder keeps 100-ns ticks).
    /// </summary>
    public static class ChromeTraceWriter
    {
        private const int FrontendTrack = 1;
        private const int XenBusTrack = 2;
        private const int FaultTrack = 3;
        private const int NotifyTrack = 4;
        private const int SrbLaneBase = 100;
        private const int RingLaneBase = 1000;
        private const int BackendLaneBase = 3000;

        /// <summary>Writes <paramref name="events"/> (oldest first) of one device as a Chrome trace.</summary>
        /// <param name="writer">Where the JSON goes.</param>
        /// <param name="events">The recorder's events, as <see cref="TraceRecorder.Snapshot"/> returns them.</param>
        /// <param name="deviceName">The process name shown for each device id.</param>
        /// <param name="ringEntries">Entries of the device's ring, to map a free-running ring index to its slot.</param>
        /// <param name="scsiOpName">Names a CDB's operation code for an SRB's slice (the module's own names, READ(10), INQUIRY, ...).</param>
        public static void Write(TextWriter writer, IReadOnlyList<TraceEvent> events, string deviceName, int ringEntries, Func<byte, string>? scsiOpName = null)
        {
            Func<byte, string> ScsiOpName = scsiOpName ?? (op => "CDB 0x" + op.ToString("x2", CultureInfo.InvariantCulture));
            if (writer == null) throw new ArgumentNullException(nameof(writer));
            if (events == null) throw new ArgumentNullException(nameof(events));
            if (ringEntries <= 0 || (ringEntries & (ringEntries - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(ringEntries), ringEntries, "A ring has a power-of-two number of entries.");

            var output = new List<string>();
            var threads = new SortedDictionary<long, string>();   // (pid << 20 | tid) -> track name
            var pids = new SortedSet<int>();
            var srbStarts = new Dictionary<(int Pid, long Time), Queue<TraceEvent>>();
            // Request ids are per queue (each queue has its own shadows): a request is its queue and id.
            var pushed = new Dictionary<(int Pid, int Queue, ulong Id), TraceEvent>();
            var consumed = new Dictionary<(int Pid, ulong Id), TraceEvent>();
            var srbLanes = new Dictionary<int, List<long>>();
            var backendLanes = new Dictionary<int, List<long>>();
            var ringLanes = new Dictionary<int, List<long>>();
            long lastTime = 0;

            foreach (TraceEvent e in events)
            {
                lastTime = Math.Max(lastTime, e.Time);
                int pid = e.Device;
                pids.Add(pid);
                switch (e.Kind)
                {
                    case TraceKind.SrbStart:
                        if (!srbStarts.TryGetValue((pid, e.Time), out Queue<TraceEvent>? queue))
                        {
                            queue = new Queue<TraceEvent>();
                            srbStarts[(pid, e.Time)] = queue;
                        }

                        queue.Enqueue(e);
                        break;

                    case TraceKind.SrbComplete:
                    {
                        long start = e.Time - e.C;
                        string name = "SRB";
                        var args = new StringBuilder();
                        if (srbStarts.TryGetValue((pid, start), out Queue<TraceEvent>? starts) && starts.Count > 0)
                        {
                            TraceEvent s = starts.Dequeue();
                            name = "SRB " + ScsiOpName((byte)s.A);
                            Arg(args, "cdb_op", "0x" + s.A.ToString("x2", CultureInfo.InvariantCulture));
                            Arg(args, "data_address", "0x" + s.B.ToString("x", CultureInfo.InvariantCulture));
                            Arg(args, "bytes", s.C);
                        }

                        Arg(args, "srb_status", "0x" + e.A.ToString("x2", CultureInfo.InvariantCulture));
                        Arg(args, "scsi_status", "0x" + e.D.ToString("x2", CultureInfo.InvariantCulture));
                        ArgNumber(args, "latency_us", Us(e.C));
                        int lane = Lane(srbLanes, pid, start, e.Time);
                        threads[Key(pid, SrbLaneBase + lane)] = "domU frontend: SRBs (lane " + lane + ")";
                        output.Add(Complete(name, "srb", pid, SrbLaneBase + lane, start, e.C, args));
                        break;
                    }

                    case TraceKind.RequestPushed:
                        pushed[(pid, e.D >> 16, e.B)] = e;
                        break;

                    case TraceKind.ResponseConsumed:
                        if (pushed.TryGetValue((pid, e.D >> 16, e.B), out TraceEvent push))
                        {
                            pushed.Remove((pid, e.D >> 16, e.B));
                            var args = new StringBuilder();
                            Arg(args, "id", e.B);
                            Arg(args, "ring_slot", push.A & (uint)(ringEntries - 1));
                            Arg(args, "ring_index", push.A);
                            Arg(args, "sector", push.C);
                            Arg(args, "operation", BlkifOp.Name((byte)push.D));
                            Arg(args, "queue", push.D >> 16);
                            Arg(args, "status", StatusName(e.C));
                            Arg(args, "response_slot", e.A & (uint)(ringEntries - 1));
                            int lane = Lane(ringLanes, pid, push.Time, e.Time);
                            threads[Key(pid, RingLaneBase + lane)] = "ring: requests (lane " + lane + ")";
                            output.Add(Complete("request " + BlkifOp.Name((byte)push.D), "ring", pid, RingLaneBase + lane, push.Time, e.Time - push.Time, args));
                        }
                        else
                        {
                            output.Add(Instant("response without request", "ring", pid, FrontendTrack, e.Time, ResponseArgs(e)));
                            threads[Key(pid, FrontendTrack)] = "domU frontend: events";
                        }

                        break;

                    case TraceKind.RequestConsumed:
                        consumed[(pid, e.B)] = e;
                        break;

                    case TraceKind.ResponsePushed:
                        if (consumed.TryGetValue((pid, e.B), out TraceEvent take))
                        {
                            consumed.Remove((pid, e.B));
                            var args = new StringBuilder();
                            Arg(args, "id", e.B);
                            Arg(args, "ring_index", take.A);
                            Arg(args, "sector", take.C);
                            Arg(args, "operation", BlkifOp.Name((byte)take.D));
                            Arg(args, "status", StatusName(e.C));
                            int lane = Lane(backendLanes, pid, take.Time, e.Time);
                            threads[Key(pid, BackendLaneBase + lane)] = "dom0 backend + disk (lane " + lane + ")";
                            output.Add(Complete("blkback " + BlkifOp.Name((byte)take.D), "backend", pid, BackendLaneBase + lane, take.Time, e.Time - take.Time, args));
                        }
                        else
                        {
                            threads[Key(pid, BackendLaneBase)] = "dom0 backend + disk (lane 0)";
                            output.Add(Instant("response pushed", "backend", pid, BackendLaneBase, e.Time, ResponseArgs(e)));
                        }

                        break;

                    default:
                    {
                        (string name, int track, string trackName, StringBuilder args) = Describe(e);
                        threads[Key(pid, track)] = trackName;
                        output.Add(Instant(name, Category(track), pid, track, e.Time, args));
                        break;
                    }
                }
            }

            // Requests still on the ring when the trace ends: a slice to the end that says so.
            foreach (KeyValuePair<(int Pid, int Queue, ulong Id), TraceEvent> open in pushed)
            {
                TraceEvent push = open.Value;
                var args = new StringBuilder();
                Arg(args, "id", push.B);
                Arg(args, "ring_slot", push.A & (uint)(ringEntries - 1));
                Arg(args, "ring_index", push.A);
                Arg(args, "sector", push.C);
                Arg(args, "operation", BlkifOp.Name((byte)push.D));
                Arg(args, "status", "no response by the end of the trace");
                int lane = Lane(ringLanes, push.Device, push.Time, lastTime);
                threads[Key(push.Device, RingLaneBase + lane)] = "ring: requests (lane " + lane + ")";
                output.Add(Complete("request " + BlkifOp.Name((byte)push.D) + " (unanswered)", "ring", push.Device, RingLaneBase + lane, push.Time, lastTime - push.Time, args));
            }

            writer.Write("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"source\":\"XenVbd\",\"clock\":\"virtual time\"},\"traceEvents\":[");
            bool first = true;
            void Emit(string json)
            {
                if (!first) writer.Write(',');
                first = false;
                writer.Write('\n');
                writer.Write(json);
            }

            foreach (int pid in pids)
            {
                Emit("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":" + pid + ",\"tid\":0,\"args\":{\"name\":" + Quote(deviceName + " (device " + pid + ")") + "}}");
            }

            foreach (KeyValuePair<long, string> thread in threads)
            {
                int pid = (int)(thread.Key >> 20);
                int tid = (int)(thread.Key & 0xFFFFF);
                Emit("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":" + pid + ",\"tid\":" + tid + ",\"args\":{\"name\":" + Quote(thread.Value) + "}}");
                Emit("{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":" + pid + ",\"tid\":" + tid + ",\"args\":{\"sort_index\":" + tid + "}}");
            }

            foreach (string json in output)
            {
                Emit(json);
            }

            writer.Write("\n]}\n");
        }

        private static (string Name, int Track, string TrackName, StringBuilder Args) Describe(TraceEvent e)
        {
            var args = new StringBuilder();
            switch (e.Kind)
            {
                case TraceKind.NotifyBackend:
                    Arg(args, "req_prod", e.A);
                    return ("notify backend", NotifyTrack, "event channel", args);
                case TraceKind.NotifyFrontend:
                    Arg(args, "rsp_prod", e.A);
                    return ("notify frontend", NotifyTrack, "event channel", args);
                case TraceKind.SpuriousEvent:
                    Arg(args, "req_prod", e.A);
                    Arg(args, "req_cons", e.B);
                    return ("spurious event", NotifyTrack, "event channel", args);
                case TraceKind.StateChange:
                    Arg(args, "backend_state", StateName(e.A));
                    if (e.B >= 1 && e.B <= 8) Arg(args, "frontend_state", StateName((uint)e.B));
                    return ("XenBus state", XenBusTrack, "XenBus + ABI probe", args);
                case TraceKind.ProbeStep:
                    Arg(args, "probe_state", e.A);
                    Arg(args, "value", e.B);
                    Arg(args, "status_or_switched", e.C);
                    Arg(args, "operation", BlkifOp.Name((byte)e.D));
                    return ("probe step", XenBusTrack, "XenBus + ABI probe", args);
                case TraceKind.AbiSwitch:
                    Arg(args, "from", ((BlkifAbi)(int)e.A).ToString());
                    Arg(args, "to", ((BlkifAbi)(int)e.B).ToString());
                    return ("ABI switch", XenBusTrack, "XenBus + ABI probe", args);
                case TraceKind.Reconnect:
                    Arg(args, "generation_or_state", e.A);
                    Arg(args, "reason", e.B);
                    Arg(args, "detail", e.C);
                    return ("reconnect", XenBusTrack, "XenBus + ABI probe", args);
                case TraceKind.Bounce:
                    Arg(args, "srb_slot", e.A);
                    Arg(args, "done_bytes", e.B);
                    Arg(args, "bytes", e.C);
                    return ("bounce pass", FrontendTrack, "domU frontend: events", args);
                case TraceKind.Timeout:
                    Arg(args, "ring_index", e.A);
                    Arg(args, "id", e.B);
                    ArgNumber(args, "waited_us", Us(e.C));
                    return ("timeout", FrontendTrack, "domU frontend: events", args);
                case TraceKind.Reset:
                    Arg(args, "in_flight", e.A);
                    return ("reset", FrontendTrack, "domU frontend: events", args);
                case TraceKind.Broken:
                    Arg(args, "state", e.A);
                    return ("device broken", FrontendTrack, "domU frontend: events", args);
                case TraceKind.RequestRejected:
                    Arg(args, "ring_index", e.A);
                    Arg(args, "id", e.B);
                    Arg(args, "reason", e.C);
                    Arg(args, "operation", BlkifOp.Name((byte)e.D));
                    return ("request rejected", FaultTrack, "faults + rejections", args);
                case TraceKind.PersistentGrantPurge:
                    Arg(args, "queue", e.A);
                    Arg(args, "purged", e.B);
                    Arg(args, "kept", e.C);
                    Arg(args, "overflowed", e.D);
                    return ("persistent grants purged", NotifyTrack, "event channel", args);
                case TraceKind.Fault:
                    Arg(args, "ring_index", e.A);
                    Arg(args, "id", e.B);
                    Arg(args, "value", e.C);
                    Arg(args, "fault", Enum.IsDefined(typeof(BackendFault), e.D) ? ((BackendFault)e.D).ToString() : e.D.ToString(CultureInfo.InvariantCulture));
                    return ("fault", FaultTrack, "faults + rejections", args);
                default:
                    Arg(args, "a", e.A);
                    Arg(args, "b", e.B);
                    Arg(args, "c", e.C);
                    Arg(args, "d", e.D);
                    return (e.Kind.ToString(), FrontendTrack, "domU frontend: events", args);
            }
        }

        private static string Category(int track) => track switch
        {
            NotifyTrack => "event",
            XenBusTrack => "xenbus",
            FaultTrack => "fault",
            _ => "frontend",
        };

        private static StringBuilder ResponseArgs(TraceEvent e)
        {
            var args = new StringBuilder();
            Arg(args, "ring_index", e.A);
            Arg(args, "id", e.B);
            Arg(args, "status", StatusName(e.C));
            Arg(args, "operation", BlkifOp.Name((byte)e.D));
            return args;
        }

        /// <summary>The first lane of a track family free at <paramref name="start"/>; the lane is busy until <paramref name="end"/>.</summary>
        private static int Lane(Dictionary<int, List<long>> lanes, int pid, long start, long end)
        {
            if (!lanes.TryGetValue(pid, out List<long>? busyUntil))
            {
                busyUntil = new List<long>();
                lanes[pid] = busyUntil;
            }

            for (int i = 0; i < busyUntil.Count; i++)
            {
                if (busyUntil[i] <= start)
                {
                    busyUntil[i] = end;
                    return i;
                }
            }

            busyUntil.Add(end);
            return busyUntil.Count - 1;
        }

        private static long Key(int pid, int tid) => ((long)pid << 20) | (uint)tid;

        private static string Complete(string name, string category, int pid, int tid, long startTicks, long durationTicks, StringBuilder args)
            => "{\"name\":" + Quote(name) + ",\"cat\":\"" + category + "\",\"ph\":\"X\",\"pid\":" + pid + ",\"tid\":" + tid
               + ",\"ts\":" + Us(startTicks) + ",\"dur\":" + Us(Math.Max(0, durationTicks)) + ",\"args\":{" + args + "}}";

        private static string Instant(string name, string category, int pid, int tid, long ticks, StringBuilder args)
            => "{\"name\":" + Quote(name) + ",\"cat\":\"" + category + "\",\"ph\":\"i\",\"s\":\"t\",\"pid\":" + pid + ",\"tid\":" + tid
               + ",\"ts\":" + Us(ticks) + ",\"args\":{" + args + "}}";

        /// <summary>100-ns ticks as microseconds, the unit of the format's ts and dur.</summary>
        private static string Us(long ticks) => (ticks / 10.0).ToString("0.0", CultureInfo.InvariantCulture);

        private static void Arg(StringBuilder args, string name, string value)
        {
            if (args.Length > 0) args.Append(',');
            args.Append('"').Append(name).Append("\":").Append(Quote(value));
        }

        private static void ArgNumber(StringBuilder args, string name, string number)
        {
            if (args.Length > 0) args.Append(',');
            args.Append('"').Append(name).Append("\":").Append(number);
        }

        private static void Arg(StringBuilder args, string name, long value)
        {
            if (args.Length > 0) args.Append(',');
            args.Append('"').Append(name).Append("\":").Append(value.ToString(CultureInfo.InvariantCulture));
        }

        private static void Arg(StringBuilder args, string name, ulong value)
        {
            if (args.Length > 0) args.Append(',');
            args.Append('"').Append(name).Append("\":").Append(value.ToString(CultureInfo.InvariantCulture));
        }

        private static string StatusName(long status) => status switch
        {
            0 => "OKAY",
            -1 => "ERROR",
            -2 => "EOPNOTSUPP",
            _ => status.ToString(CultureInfo.InvariantCulture),
        };

        private static string StateName(uint state) => Enum.IsDefined(typeof(XenbusState), (int)state) ? ((XenbusState)(int)state).ToString() : state.ToString(CultureInfo.InvariantCulture);

        private static string Quote(string text)
        {
            var sb = new StringBuilder(text.Length + 2);
            sb.Append('"');
            foreach (char c in text)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    default:
                        if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }

            return sb.Append('"').ToString();
        }
    }
}
