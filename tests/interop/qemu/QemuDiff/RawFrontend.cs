using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using XenVbd.Ring;
using XenVbd.Transport;
using XenVbd.Xen;

namespace XenVbd.Interop.QemuDiff
{
    /// <summary>
    /// A frontend with no driver logic: it writes the generated ring entries byte for byte, moves req_prod as
    /// the stream says (past a full ring included), notifies as RING_PUSH_REQUESTS_AND_CHECK_NOTIFY says, and
    /// records every response slot, the ring pages and the data pages after each step, the backend's keys at
    /// connect and the image after the backend has stopped. The same code drives QEMU and the model.
    /// </summary>
    public sealed class RawFrontend
    {
        private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(20);
        private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(4);
        private const double SettleMs = 3;

        private readonly DiffStream _stream;
        private readonly IBackendUnderTest _backend;
        private SharedMemoryFile _file = null!;
        private int _ringSize;
        private int _stride;
        private uint _reqProdPvt;
        private uint _rspCons;

        public RawFrontend(DiffStream stream, IBackendUnderTest backend)
        {
            _stream = stream;
            _backend = backend;
        }

        public RunRecord Run(string shmPath, string imagePath)
        {
            var record = new RunRecord { Backend = _backend.Name };
            File.Delete(shmPath);
            WriteImage(imagePath, _stream.ContentSeed);
            _file = SharedMemoryFile.Create(shmPath, new SharedMemoryFileOptions
            {
                Abi = _stream.Abi,
                MaxRingPageOrder = GuestLayout.MaxRingPageOrder,
                DataPages = GuestLayout.DataPages,
                GrantEntries = GuestLayout.GrantEntries,
            });
            try
            {
                _ringSize = BlkifLayout.RingEntries(_stream.Abi, _stream.RingPageOrder);
                _stride = BlkifLayout.EntryStride(_stream.Abi);
                Fill(DataPages(), _stream.ContentSeed ^ 0x5DEECE66DUL);
                _file.FrontendState = XenbusState.Initialising;
                _backend.Start(_file, imagePath);
                try
                {
                    if (Connect(record))
                    {
                        if (_stream.Scenario == DiffScenario.RequestProducerRace) record.Steps.Add(Race(_stream.RaceRequests));
                        foreach (var step in _stream.Steps)
                        {
                            var sr = RunStep(step);
                            record.Steps.Add(sr);
                            if (sr.TimedOut) break;
                        }
                    }
                    record.FinalBackendState = Close();
                }
                catch (Exception e) when (e is TimeoutException || e is InvalidOperationException)
                {
                    record.Error = e.Message;
                }
                finally
                {
                    _backend.Stop();
                    record.Log = _backend.Log;
                }
                record.Image = File.ReadAllBytes(imagePath);
            }
            finally
            {
                _file.Dispose();
            }
            return record;
        }

        private Span<byte> Guest => _file.Guest.Span;

        private Span<byte> RingPages() => Guest.Slice((int)GuestLayout.RingFrame(0) * 4096, 4096 << _stream.RingPageOrder);

        private Span<byte> DataPages() => Guest.Slice((int)GuestLayout.DataFrame(0) * 4096, GuestLayout.DataPages * 4096);

        private void Grant(uint gref, uint frame, bool readOnly, ushort domid = 0)
        {
            var e = Guest.Slice((int)gref * 8, 8);
            BinaryPrimitives.WriteUInt16LittleEndian(e.Slice(2), domid);
            BinaryPrimitives.WriteUInt32LittleEndian(e.Slice(4), frame);
            Thread.MemoryBarrier();
            BinaryPrimitives.WriteUInt16LittleEndian(e, (ushort)(1 | (readOnly ? 4 : 0)));
        }

        /// <summary>The handshake; false when the backend did not connect (a bad ring-ref scenario), its state and keys recorded.</summary>
        private bool Connect(RunRecord record)
        {
            WaitFor(() => _file.BackendState == XenbusState.InitWait || _file.BackendState == XenbusState.Connected, HandshakeTimeout, "backend InitWait");
            int pages = 1 << _stream.RingPageOrder;
            for (int i = 0; i < pages; i++) Grant(GuestLayout.RingRef + (uint)i, GuestLayout.RingFrame(i), readOnly: _stream.Scenario == DiffScenario.RingRefReadOnly);
            for (int j = 0; j < GuestLayout.DataPages; j++) Grant(GuestLayout.DataRef + (uint)j, GuestLayout.DataFrame(j), false);
            for (int j = 0; j < GuestLayout.ReadOnlyCount; j++)
                Grant(GuestLayout.ReadOnlyRef + (uint)j, GuestLayout.DataFrame(GuestLayout.DataPages - GuestLayout.ReadOnlyCount + j), true);
            Grant(GuestLayout.WrongDomainRef, GuestLayout.DataFrame(0), false, domid: 7);

            var ring = RingPages();
            ring.Clear();
            // SHARED_RING_INIT: both producers 0, both events 1.
            BinaryPrimitives.WriteUInt32LittleEndian(ring.Slice(BlkifLayout.ReqEventOffset), 1);
            BinaryPrimitives.WriteUInt32LittleEndian(ring.Slice(BlkifLayout.RspEventOffset), 1);

            var inv = CultureInfo.InvariantCulture;
            var keys = new List<KeyValuePair<string, string>>();
            uint ringRef0 = _stream.Scenario switch
            {
                DiffScenario.RingRefUngranted => GuestLayout.UngrantedRef,
                DiffScenario.RingRefOutOfTable => GuestLayout.OutOfTableRef,
                _ => GuestLayout.RingRef,
            };
            if (_stream.RingPageOrder == 0)
            {
                keys.Add(new("ring-ref", ringRef0.ToString(inv)));
                _file.WriteRingRef(0, GuestLayout.RingRef);
            }
            else
            {
                keys.Add(new("ring-page-order", _stream.RingPageOrder.ToString(inv)));
                for (int i = 0; i < pages; i++)
                {
                    keys.Add(new("ring-ref" + i.ToString(inv), (i == 0 ? ringRef0 : GuestLayout.RingRef + (uint)i).ToString(inv)));
                    _file.WriteRingRef(i, GuestLayout.RingRef + (uint)i);
                }
            }
            keys.Add(new("event-channel", "1"));
            keys.Add(new("protocol", _stream.Abi.ToProtocolString()));
            _file.WriteUInt32(ShmLayout.FrontRingOrderOffset, (uint)_stream.RingPageOrder);
            _file.WriteUInt32(ShmLayout.FrontEventPortOffset, 1);
            _file.FrontendProtocol = _stream.Abi.ToProtocolString();
            _file.WriteFrontendKeys(keys);
            _file.FrontendState = XenbusState.Initialised;
            if (_stream.Scenario is DiffScenario.RingRefUngranted or DiffScenario.RingRefOutOfTable or DiffScenario.RingRefReadOnly)
            {
                // A refused ring: give the backend time to say what it makes of it, then record that.
                WaitFor(() => _file.BackendState != XenbusState.InitWait, TimeSpan.FromMilliseconds(1500), null);
                Settle();
                record.StateAfterConnect = (int)_file.BackendState;
                record.KeysAfterConnect = new SortedDictionary<string, string>(_file.ReadBackendKeys(), StringComparer.Ordinal);
                if (_file.BackendState != XenbusState.Connected) return false;
            }
            WaitFor(() => _file.BackendState == XenbusState.Connected, HandshakeTimeout, "backend Connected");
            Settle();
            record.StateAfterConnect = (int)_file.BackendState;
            record.KeysAtConnect = new SortedDictionary<string, string>(_file.ReadBackendKeys(), StringComparer.Ordinal);
            record.KeysAfterConnect = record.KeysAtConnect;
            record.ChosenAbi = _file.BackendChosenAbi ?? "";
            _file.FrontendState = XenbusState.Connected;
            Settle();
            return true;
        }

        /// <summary>
        /// <see cref="DiffScenario.RequestProducerRace"/>: WRITE i (one sector, data page i % 48, sector i) is written
        /// and published at once; the only wait is for ring space, while responses are taken as they come.
        /// Recorded as one step whose responses are sorted by id (the order is the backend's to choose).
        /// </summary>
        private StepRecord Race(int count)
        {
            var sr = new StepRecord();
            var sw = Stopwatch.StartNew();
            uint rspStart = _rspCons;
            var responses = new List<byte[]>();
            int sent = 0;
            while ((sent < count || _rspCons - rspStart < (uint)count) && sw.Elapsed < TimeSpan.FromSeconds(20))
            {
                var ring = RingPages();
                if (sent < count && _reqProdPvt - _rspCons < (uint)_ringSize)
                {
                    var r = new DiffRequest
                    {
                        Operation = BlkifOp.Write,
                        NrSegments = 1,
                        Id = 0x5000_0000UL + (uint)sent,
                        SectorNumber = (ulong)sent,
                        Segments = new[] { (GuestLayout.DataRef + (uint)(sent % GuestLayout.DataPages), (byte)(sent % 8), (byte)(sent % 8)) },
                    };
                    r.Encode(Slot(ring, _reqProdPvt), _stream.Abi);
                    uint old = _reqProdPvt++;
                    Push(ring, old);
                    sent++;
                }
                uint rp = RspProd(ring);
                while (_rspCons != rp)
                {
                    responses.Add(Slot(ring, _rspCons).Slice(0, BlkifLayout.ResponseSize(_stream.Abi)).ToArray());
                    _rspCons++;
                }
                // RING_FINAL_CHECK_FOR_RESPONSES.
                BinaryPrimitives.WriteUInt32LittleEndian(ring.Slice(BlkifLayout.RspEventOffset), _rspCons + 1);
                Thread.MemoryBarrier();
                if (sent >= count || _reqProdPvt - _rspCons >= (uint)_ringSize) _backend.Pump();
            }
            sr.TimedOut = _rspCons - rspStart < (uint)count;
            sr.RspProd = _rspCons - rspStart;
            responses.Sort((a, b) => BinaryPrimitives.ReadUInt64LittleEndian(a).CompareTo(BinaryPrimitives.ReadUInt64LittleEndian(b)));
            // Padding bytes are the requests' (QEMU) or zero (Linux); the fields are what the race is about.
            foreach (var r in responses)
            {
                r[BlkifLayout.ResponseOperationOffset + 1] = 0;
                for (int b = BlkifLayout.ResponseStatusOffset + 2; b < r.Length; b++) r[b] = 0;
            }
            sr.Responses.AddRange(responses);
            Settle();
            sr.Data = DataPages().ToArray();
            sr.Ring = RingPages().Slice(0, BlkifLayout.RingHeaderSize).ToArray();
            return sr;
        }

        private StepRecord RunStep(DiffStep step)
        {
            var sr = new StepRecord();
            var ring = RingPages();
            uint start = _reqProdPvt;
            uint target;
            if (step.Kind == DiffStepKind.Overflow)
            {
                for (int i = 0; i < step.Requests.Count; i++) step.Requests[i].Encode(Slot(ring, start + (uint)i), _stream.Abi);
                _reqProdPvt = start + (uint)_ringSize + (uint)step.Excess;
            }
            else
            {
                foreach (var r in step.Requests) r.Encode(Slot(ring, _reqProdPvt++), _stream.Abi);
            }
            target = _rspCons + (_reqProdPvt - start);
            for (uint i = start; i != _reqProdPvt && i - start < 4 * (uint)_ringSize; i++) sr.TouchedSlots.Add((int)(i % (uint)_ringSize));
            Push(ring, start);
            bool done = WaitFor(() => RspProd(RingPages()) == target, StepTimeout, null);
            sr.TimedOut = !done;
            uint rp = RspProd(ring);
            sr.RspProd = rp - _rspCons;
            for (uint i = _rspCons; i != rp && i - _rspCons < 4 * (uint)_ringSize; i++)
            {
                sr.Responses.Add(Slot(ring, i).ToArray());
                sr.TouchedSlots.Add((int)(i % (uint)_ringSize));
            }
            _rspCons = rp;
            // RING_FINAL_CHECK_FOR_RESPONSES: ask for an event at the next response.
            BinaryPrimitives.WriteUInt32LittleEndian(ring.Slice(BlkifLayout.RspEventOffset), _rspCons + 1);
            Thread.MemoryBarrier();
            Settle();
            sr.Ring = RingPages().ToArray();
            sr.Data = DataPages().ToArray();
            if (!done)
            {
                // Resynchronise so a later stream is not confused; this stream stops here.
                _reqProdPvt = RspProd(ring);
            }
            return sr;
        }

        private Span<byte> Slot(Span<byte> ring, uint index) => ring.Slice(BlkifLayout.RingHeaderSize + (int)(index % (uint)_ringSize) * _stride, _stride);

        private static uint RspProd(Span<byte> ring)
        {
            uint v = BinaryPrimitives.ReadUInt32LittleEndian(ring.Slice(BlkifLayout.RspProdOffset));
            Thread.MemoryBarrier();
            return v;
        }

        /// <summary>RING_PUSH_REQUESTS_AND_CHECK_NOTIFY.</summary>
        private void Push(Span<byte> ring, uint old)
        {
            Thread.MemoryBarrier();
            BinaryPrimitives.WriteUInt32LittleEndian(ring.Slice(BlkifLayout.ReqProdOffset), _reqProdPvt);
            Thread.MemoryBarrier();
            uint reqEvent = BinaryPrimitives.ReadUInt32LittleEndian(ring.Slice(BlkifLayout.ReqEventOffset));
            if (unchecked(_reqProdPvt - reqEvent) < unchecked(_reqProdPvt - old)) _file.NotifyBackend();
        }

        private int Close()
        {
            _file.FrontendState = XenbusState.Closing;
            WaitFor(() => _file.BackendState >= XenbusState.Closing, TimeSpan.FromSeconds(5), null);
            _file.FrontendState = XenbusState.Closed;
            WaitFor(() => _file.BackendState == XenbusState.Closed, TimeSpan.FromSeconds(5), null);
            return (int)_file.BackendState;
        }

        private bool WaitFor(Func<bool> condition, TimeSpan timeout, string? what)
        {
            var sw = Stopwatch.StartNew();
            while (!condition())
            {
                if (sw.Elapsed > timeout)
                {
                    if (what != null) throw new TimeoutException(_backend.Name + ": no " + what + " within " + timeout.TotalSeconds + " s (backend state " + _file.BackendState + ")");
                    return false;
                }
                _backend.Pump();
            }
            return true;
        }

        /// <summary>Waits until the ring header, the backend's keys and state have not moved for a few ms (QEMU writes req_event after rsp_prod).</summary>
        private void Settle()
        {
            var sw = Stopwatch.StartNew();
            var quiet = Stopwatch.StartNew();
            (ulong, ulong, uint, XenbusState) last = default;
            while (quiet.Elapsed.TotalMilliseconds < SettleMs && sw.Elapsed.TotalSeconds < 2)
            {
                _backend.Pump();
                var ring = RingPages();
                var now = (BinaryPrimitives.ReadUInt64LittleEndian(ring), BinaryPrimitives.ReadUInt64LittleEndian(ring.Slice(8)), _file.BackendKeysSequence, _file.BackendState);
                if (now != last)
                {
                    last = now;
                    quiet.Restart();
                }
            }
        }

        internal static void Fill(Span<byte> bytes, ulong seed)
        {
            ulong x = seed | 1;
            for (int i = 0; i + 8 <= bytes.Length; i += 8)
            {
                // splitmix64: a fixed pattern from the stream's content seed.
                x += 0x9E3779B97F4A7C15UL;
                ulong z = x;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.Slice(i), z ^ (z >> 31));
            }
        }

        private static void WriteImage(string path, ulong seed)
        {
            var bytes = new byte[GuestLayout.DiskBytes];
            Fill(bytes, seed);
            File.WriteAllBytes(path, bytes);
        }
    }
}
