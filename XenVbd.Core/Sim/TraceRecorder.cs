using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace XenVbd.Sim
{
    /// <summary>
    /// Records ring events into a fixed array (oldest dropped when full, and counted), so tracing
    /// stays allocation-free on the I/O path. Exports JSON lines for tools and the Chrome
    /// trace-event format for a person with a timeline viewer (chrome://tracing, Perfetto).
    /// </summary>
    public sealed class TraceRecorder
    {
        private readonly Scheduler _scheduler;
        private readonly int _capacity;
        private TraceEvent[] _events = Array.Empty<TraceEvent>();
        private bool _enabled;
        private long _written;

        public TraceRecorder(Scheduler scheduler, int capacity = 65536)
        {
            if (capacity <= 0) ThrowHelper.ThrowArgumentOutOfRange(nameof(capacity), capacity, "Trace capacity must be positive.");
            _scheduler = scheduler;
            _capacity = capacity;
        }

        /// <summary>Turning tracing on allocates the buffer (once), so a host that never traces does not pay ~3 MB for it.</summary>
        public bool Enabled
        {
            get => _enabled;
            set
            {
                if (value && _events.Length == 0) _events = new TraceEvent[_capacity];
                _enabled = value;
            }
        }

        public int Capacity => _capacity;

        public int Count => (int)Math.Min(_written, _capacity);

        public long Dropped => Math.Max(0, _written - _capacity);

        // Every layer records several events per SRB; with tracing off (the benchmark, most labs) each
        // should cost a flag test at the call site, not a seven-argument call.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void Record(TraceKind kind, int device, uint a = 0, ulong b = 0, long c = 0, int d = 0)
        {
            if (_enabled) Append(kind, device, a, b, c, d);
        }

        private void Append(TraceKind kind, int device, uint a, ulong b, long c, int d)
        {
            _events[_written % _events.Length] = new TraceEvent(_scheduler.Now, kind, device, a, b, c, d);
            _written++;
        }

        public void Clear() => _written = 0;

        /// <summary>The retained events, oldest first.</summary>
        public IReadOnlyList<TraceEvent> Snapshot()
        {
            int n = Count;
            var list = new TraceEvent[n];
            long start = _written - n;
            for (int i = 0; i < n; i++) list[i] = _events[(start + i) % _events.Length];
            return list;
        }

        /// <summary>One JSON object per line: t_us, kind, dev, a, b, c, d.</summary>
        public void WriteJsonLines(TextWriter writer)
        {
            foreach (var e in Snapshot())
            {
                writer.Write("{\"t_us\":");
                writer.Write((e.Time / 10.0).ToString("0.0", CultureInfo.InvariantCulture));
                writer.Write(",\"kind\":\"");
                writer.Write(e.Kind.ToString());
                writer.Write("\",\"dev\":");
                writer.Write(e.Device.ToString(CultureInfo.InvariantCulture));
                writer.Write(",\"a\":");
                writer.Write(e.A.ToString(CultureInfo.InvariantCulture));
                writer.Write(",\"b\":");
                writer.Write(e.B.ToString(CultureInfo.InvariantCulture));
                writer.Write(",\"c\":");
                writer.Write(e.C.ToString(CultureInfo.InvariantCulture));
                writer.Write(",\"d\":");
                writer.Write(e.D.ToString(CultureInfo.InvariantCulture));
                writer.Write("}\n");
            }
        }
    }
}
