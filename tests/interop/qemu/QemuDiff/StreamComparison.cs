using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using XenVbd.Ring;

namespace XenVbd.Interop.QemuDiff
{
    /// <summary>
    /// QEMU's run against the model's, byte for byte: every response slot as read, the ring pages and the data
    /// pages after each step, the backend's keys and chosen layout at connect, the image after stop, the state
    /// it closed in. Only one freedom is allowed: within a batch, QEMU completes asynchronous I/O in any order,
    /// so there the (id, operation, status) fields are compared as a set and every other byte in place.
    /// </summary>
    public sealed class StreamComparison
    {
        private readonly DiffStream _stream;
        private readonly RunRecord _qemu;
        private readonly RunRecord _model;
        private readonly int _stride;

        /// <summary>Keys only the toolstack writes: under the stand-in's toolstack QEMU 7.2 has no mode, the model writes it in libxl's place.</summary>
        private readonly string[] _toolstackKeys;

        public StreamComparison(DiffStream stream, RunRecord qemu, RunRecord model, bool modeIsToolstacks)
        {
            _toolstackKeys = modeIsToolstacks ? new[] { "mode" } : Array.Empty<string>();
            _stream = stream;
            _qemu = qemu;
            _model = model;
            _stride = BlkifLayout.EntryStride(stream.Abi);
        }

        public long BytesCompared { get; private set; }

        public int Reordered { get; private set; }

        /// <summary>(check name, null when equal or the first difference).</summary>
        public List<(string Check, string? Difference)> Results { get; } = new List<(string, string?)>();

        public void Run()
        {
            Results.Add(("run", _qemu.Error != null || _model.Error != null ? "QEMU: " + (_qemu.Error ?? "ok") + "; model: " + (_model.Error ?? "ok") : null));
            Results.Add(("backend state after connect", _qemu.StateAfterConnect == _model.StateAfterConnect ? null : "QEMU " + (XenVbd.Xen.XenbusState)_qemu.StateAfterConnect + ", model " + (XenVbd.Xen.XenbusState)_model.StateAfterConnect));
            Results.Add(("backend keys after connect", CompareKeys()));
            string? responses = null, rings = null, data = null;
            int steps = Math.Max(_qemu.Steps.Count, _model.Steps.Count);
            for (int i = 0; i < steps; i++)
            {
                if (i >= _qemu.Steps.Count || i >= _model.Steps.Count)
                {
                    responses ??= "step " + i + ": only " + (i < _qemu.Steps.Count ? "QEMU" : "the model") + " ran it (the other stopped after a timeout)";
                    break;
                }
                var q = _qemu.Steps[i];
                var m = _model.Steps[i];
                bool batch = i < _stream.Steps.Count && _stream.Steps[i].Kind == DiffStepKind.Batch;
                bool reordered = false;
                if (responses == null)
                {
                    if (q.TimedOut != m.TimedOut || q.RspProd != m.RspProd)
                        responses = At(i, "responses: QEMU " + q.RspProd + (q.TimedOut ? " (timed out)" : "") + ", model " + m.RspProd + (m.TimedOut ? " (timed out)" : ""));
                    else
                        responses = CompareSlots(i, "response", q.Responses, m.Responses, batch, out reordered);
                }
                if (rings == null)
                {
                    rings = CompareBytes(i, "ring header", q.Ring.AsSpan(0, BlkifLayout.RingHeaderSize), m.Ring.AsSpan(0, BlkifLayout.RingHeaderSize));
                    if (rings == null)
                    {
                        // Slots of earlier steps were compared then (and may hold a batch's responses in another order).
                        var touched = new HashSet<int>(q.TouchedSlots);
                        touched.UnionWith(m.TouchedSlots);
                        var qs = SplitSlots(q.Ring, touched);
                        var ms = SplitSlots(m.Ring, touched);
                        rings = CompareSlots(i, "ring slot", qs, ms, batch, out bool r2);
                        reordered |= r2;
                    }
                }
                if (reordered) Reordered++;
                data ??= CompareBytes(i, "data pages", q.Data, m.Data);
            }
            Results.Add(("every response slot", responses));
            Results.Add(("ring pages after each step", rings));
            Results.Add(("data pages after each step", data));
            Results.Add(("image after stop", CompareBytes(-1, "image", _qemu.Image, _model.Image)));
            Results.Add(("state after close", _qemu.FinalBackendState == _model.FinalBackendState ? null : "QEMU " + _qemu.FinalBackendState + ", model " + _model.FinalBackendState));
        }

        private string? At(int step, string what) => step < _stream.Steps.Count
            ? "step " + step + " (" + _stream.Steps[step].Kind + ": " + string.Join("; ", _stream.Steps[step].Requests.Take(4)) + "): " + what
            : _stream.Scenario + ": " + what;

        private string? CompareKeys()
        {
            var diffs = new List<string>();
            foreach (var k in _qemu.KeysAfterConnect.Keys.Union(_model.KeysAfterConnect.Keys).OrderBy(k => k, StringComparer.Ordinal))
            {
                bool inQ = _qemu.KeysAfterConnect.TryGetValue(k, out var qv);
                bool inM = _model.KeysAfterConnect.TryGetValue(k, out var mv);
                BytesCompared += k.Length + (qv?.Length ?? 0);
                if (inQ && inM && qv == mv) continue;
                if (!inQ && Array.IndexOf(_toolstackKeys, k) >= 0) continue;
                diffs.Add(k + ": QEMU " + (inQ ? "'" + qv + "'" : "absent") + ", model " + (inM ? "'" + mv + "'" : "absent"));
            }
            return diffs.Count == 0 ? null : string.Join("; ", diffs);
        }

        private List<byte[]> SplitSlots(byte[] ring, HashSet<int> touched)
        {
            var list = new List<byte[]>();
            int n = BlkifLayout.RingEntries(_stream.Abi, _stream.RingPageOrder);
            for (int i = 0; i < n; i++)
                if (touched.Contains(i)) list.Add(ring.AsSpan(BlkifLayout.RingHeaderSize + i * _stride, _stride).ToArray());
            // Bytes after the last slot (unused space of the ring pages).
            int tail = BlkifLayout.RingHeaderSize + n * _stride;
            if (tail < ring.Length) list.Add(ring.AsSpan(tail).ToArray());
            return list;
        }

        private static bool IsResponseField(int offset) =>
            offset < BlkifLayout.ResponseOperationOffset + 1 || offset == BlkifLayout.ResponseStatusOffset || offset == BlkifLayout.ResponseStatusOffset + 1;

        private string? CompareSlots(int step, string what, List<byte[]> q, List<byte[]> m, bool allowReorder, out bool reordered)
        {
            reordered = false;
            if (q.Count != m.Count) return At(step, what + "s: QEMU " + q.Count + ", model " + m.Count);
            int firstDiff = -1;
            for (int i = 0; i < q.Count && firstDiff < 0; i++)
            {
                BytesCompared += q[i].Length;
                if (!q[i].AsSpan().SequenceEqual(m[i])) firstDiff = i;
            }
            if (firstDiff < 0) return null;
            if (allowReorder)
            {
                // Every byte that is not id/operation/status in place; the fields as a multiset.
                bool restEqual = true;
                var qf = new List<string>();
                var mf = new List<string>();
                for (int i = 0; i < q.Count; i++)
                {
                    if (q[i].Length != m[i].Length) { restEqual = false; break; }
                    for (int b = 0; b < q[i].Length; b++)
                        if (!(q[i].Length == _stride && IsResponseField(b)) && q[i][b] != m[i][b]) restEqual = false;
                    if (q[i].Length == _stride)
                    {
                        qf.Add(Fields(q[i]));
                        mf.Add(Fields(m[i]));
                    }
                }
                qf.Sort(StringComparer.Ordinal);
                mf.Sort(StringComparer.Ordinal);
                if (restEqual && qf.SequenceEqual(mf))
                {
                    reordered = true;
                    return null;
                }
            }
            return At(step, what + " " + firstDiff + " differs:\n        QEMU  " + Hex(q[firstDiff], m[firstDiff]) + "\n        model " + Hex(m[firstDiff], q[firstDiff]));
        }

        private static string Fields(byte[] slot) => Convert.ToHexString(slot, 0, BlkifLayout.ResponseOperationOffset + 1) + Convert.ToHexString(slot, BlkifLayout.ResponseStatusOffset, 2);

        private string? CompareBytes(int step, string what, ReadOnlySpan<byte> q, ReadOnlySpan<byte> m)
        {
            BytesCompared += Math.Min(q.Length, m.Length);
            if (q.Length != m.Length) return (step >= 0 ? At(step, "") : "") + what + ": QEMU " + q.Length + " bytes, model " + m.Length;
            int d = q.CommonPrefixLength(m);
            if (d == q.Length) return null;
            int last = q.Length - 1;
            while (q[last] == m[last]) last--;
            string where = string.Format(CultureInfo.InvariantCulture, "{0} differs in bytes {1}..{2} (page {3}, offset {4}): QEMU {5}, model {6}",
                what, d, last, d / 4096, d % 4096, Convert.ToHexString(q.Slice(d, Math.Min(16, q.Length - d))), Convert.ToHexString(m.Slice(d, Math.Min(16, m.Length - d))));
            return step >= 0 ? At(step, where) : where;
        }

        /// <summary>The slot in hex, bytes that differ from the other side's in brackets.</summary>
        private static string Hex(byte[] a, byte[] b)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < a.Length && i < 32; i++)
            {
                bool diff = i >= b.Length || a[i] != b[i];
                sb.Append(diff ? "[" : "").Append(a[i].ToString("x2", CultureInfo.InvariantCulture)).Append(diff ? "]" : "");
            }
            if (a.Length > 32) sb.Append(" ...");
            return sb.ToString();
        }
    }
}
