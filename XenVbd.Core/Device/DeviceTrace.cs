using System;
using System.IO;
using XenVbd.Scsi;
using XenVbd.Sim;

namespace XenVbd.Device
{
    /// <summary>
    /// A device's event trace as the module sees it: switched on or off, how much it holds, and written out as
    /// JSON lines or as a Chrome trace. The recorder itself belongs to the device's host (every actor of the
    /// simulation writes into it); this is the device's view of it, so callers above Device need not reach
    /// into the host.
    /// </summary>
    public sealed class DeviceTrace
    {
        // A ring that is closed has no size: the one-page ring of both ABIs has 32 entries.
        private const int ClosedRingEntries = 32;

        private readonly VbdDevice _device;
        private readonly TraceRecorder _recorder;

        internal DeviceTrace(VbdDevice device, TraceRecorder recorder)
        {
            _device = device;
            _recorder = recorder;
        }

        /// <summary>Whether events are recorded. Turning it on allocates the fixed event array once; recording allocates nothing.</summary>
        public bool Enabled
        {
            get => _recorder.Enabled;
            set => _recorder.Enabled = value;
        }

        /// <summary>The most events kept; older ones are dropped (and counted in <see cref="Dropped"/>).</summary>
        public int Capacity => _recorder.Capacity;

        /// <summary>Events held now.</summary>
        public int Count => _recorder.Count;

        /// <summary>Events dropped because the trace was full.</summary>
        public long Dropped => _recorder.Dropped;

        /// <summary>One JSON object per event and line: t_us, kind, dev, a, b, c, d.</summary>
        public void WriteJsonLines(TextWriter writer)
        {
            if (writer is null) throw new ArgumentNullException(nameof(writer));
            _recorder.WriteJsonLines(writer);
        }

        /// <summary>The Chrome trace-event JSON of <see cref="ChromeTraceWriter"/>, the device named <paramref name="processName"/>.</summary>
        public void WriteChromeTrace(TextWriter writer, string processName)
        {
            if (writer is null) throw new ArgumentNullException(nameof(writer));
            int entries = _device.GetRing()?.Size ?? ClosedRingEntries;
            ChromeTraceWriter.Write(writer, _recorder.Snapshot(), processName, entries, op => CdbBuilder.Name(new[] { op }));
        }
    }
}
