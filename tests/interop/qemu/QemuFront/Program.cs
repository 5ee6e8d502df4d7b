using System;
using System.Collections.Generic;
using System.IO;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Scsi;
using XenVbd.Sim;
using XenVbd.Transport;
using XenVbd.Xen;

namespace XenVbd.Interop.Qemu
{
    /// <summary>
    ///   QemuFront &lt;file&gt; &lt;image&gt; &lt;abi&gt; &lt;probe|announce|announce-probe&gt; &lt;order&gt; &lt;per-srb|device|pool&gt; &lt;expect-abi&gt; [options]
    ///     --discard          the backend offers discard (QEMU discard=unmap): UNMAP must zero what it names
    ///     --initwait-first   the backend publishes InitWait before its feature keys (QEMU 10): ring order 0 is then a fallback, not a failure
    ///     --drops            the stand-in drops some of QEMU's notifies: an SRB may time out (then its range is unknown)
    ///     --seed=N           the I/O pattern's seed (default 1)
    ///     --rounds=N         write/read rounds of 4 concurrent SRBs (default 4)
    ///     --timeout=MS       per step (default 20000)
    /// Creates the shared-memory file, runs an unchanged XenVbdFrontend against whatever backend serves it
    /// (QEMU's xen-disk through XenVbd.PowerShell/native/xen-standin), checks the handshake, the probe answers, the keys
    /// QEMU wrote (and did not), concurrent misaligned and large SRBs, flush, discard; after closing, every
    /// byte of the image against what the frontend wrote. One PASS/FAIL line per check.
    /// </summary>
    public static class Program
    {
        private const int Lanes = 4;
        private const int BlockSize = 512;
        private const int MaxBlocks = 2048;           // 1 MiB: split into many requests, several bounce passes
        private const long ZoneBlocks = 4096;         // each lane of a batch works in its own 2 MiB zone
        private const int Zones = 16;                 // so the first 32 MiB of the image are exercised

        private static readonly int[] BlockChoices = { 1, 7, 8, 64, 88, 129, 256, MaxBlocks };
        private static readonly int[] MisalignChoices = { 0, 0, 512, 1, 3, 511, 4000 };

        private static int _failed;
        private static string _label = "";

        public static int Main(string[] args)
        {
            try
            {
                if (args.Length >= 7) return Run(args);
            }
            catch (Exception e)
            {
                Console.WriteLine("FAIL " + (_label.Length > 0 ? _label : "QemuFront") + ": " + e.GetType().Name + ": " + e.Message);
                return 1;
            }
            Console.Error.WriteLine("usage: QemuFront <file> <image> <abi> <probe|announce|announce-probe> <order> <per-srb|device|pool> <expect-abi> [--discard] [--drops] [--initwait-first] [--seed=N] [--rounds=N] [--timeout=MS]");
            return 2;
        }

        private static void Check(bool ok, string what)
        {
            Console.WriteLine((ok ? "PASS " : "FAIL ") + _label + ": " + what);
            if (!ok) _failed++;
        }

        private static BlkifAbi Abi(string s)
            => BlkifAbiNames.TryParseProtocol(s, out var a) ? a : s == "x86_32" ? BlkifAbi.X86_32 : s == "x86_64" ? BlkifAbi.X86_64 : throw new ArgumentException("unknown ABI " + s);

        private static int Run(string[] args)
        {
            string path = args[0], image = args[1];
            var abi = Abi(args[2]);
            var mode = args[3] switch
            {
                "probe" => FrontendAbiMode.Probe,
                "announce" => FrontendAbiMode.Announce,
                "announce-probe" => FrontendAbiMode.AnnounceAndProbe,
                _ => throw new ArgumentException("mode " + args[3]),
            };
            int order = int.Parse(args[4]);
            var bounce = args[5] switch
            {
                "per-srb" => BounceStrategyKind.PerSrb,
                "device" => BounceStrategyKind.DeviceBuffer,
                "pool" => BounceStrategyKind.SegmentPool,
                _ => throw new ArgumentException("bounce " + args[5]),
            };
            var expect = Abi(args[6]);
            bool discard = false, drops = false, initWaitFirst = false;
            int seed = 1, rounds = 4, timeoutMs = 20000;
            for (int i = 7; i < args.Length; i++)
            {
                string a = args[i];
                if (a == "--discard") discard = true;
                else if (a == "--drops") drops = true;
                else if (a == "--initwait-first") initWaitFirst = true;
                else if (a.StartsWith("--seed=", StringComparison.Ordinal)) seed = int.Parse(a.Substring(7));
                else if (a.StartsWith("--rounds=", StringComparison.Ordinal)) rounds = int.Parse(a.Substring(9));
                else if (a.StartsWith("--timeout=", StringComparison.Ordinal)) timeoutMs = int.Parse(a.Substring(10));
                else throw new ArgumentException("unknown option " + a);
            }
            var timeout = TimeSpan.FromMilliseconds(timeoutMs);
            _label = "C# frontend " + abi.ToProtocolString() + " " + args[3] + " order " + order + " " + args[5] + (discard ? " discard" : "") + (drops ? " drops" : "");

            var fo = new FrontendOptions
            {
                // The hardened design: the mode, bounce strategy, flush and discard this suite sweeps are its to choose.
                Personality = FrontendPersonality.Hardened,
                Abi = abi,
                Mode = mode,
                MaxRingPageOrder = order,
                QueueDepth = 8,
                Bounce = bounce,
                // A lost notify is only noticed by the watchdog; keep it short so a dropped one costs seconds, not 30.
                RequestTimeout = drops ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(30),
            };
            int lanePages = (MaxBlocks * BlockSize + 4096) / XenPage.Size + 1;
            // Enough grant references for the ring, every shadow's segments and the bounce pages at order 4.
            int grants = (fo.RequiredGrants + 512 + 511) / 512 * 512;
            if (File.Exists(path)) File.Delete(path);
            using var file = SharedMemoryFile.Create(path, new SharedMemoryFileOptions
            {
                Abi = abi,
                MaxRingPageOrder = order,
                GrantEntries = Math.Max(grants, ShmLayout.DefaultGrantEntries),
                DataPages = fo.RequiredPages + Lanes * lanePages + 8,
            });
            using var host = new ShmFrontendHost(file, deviceId: 51712);
            host.Host.Trace.Enabled = true;
            using var fe = new XenVbdFrontend(host.Host, host.Guest, 51712, fo);
            fe.Start();
            bool settled = host.RunUntil(() => fe.State == FrontendState.Ready || fe.State == FrontendState.Broken || fe.State == FrontendState.LayoutMismatch, timeout);
            Check(settled && fe.State == FrontendState.Ready, "connected: state " + fe.State + (fe.FailureReason != null ? " (" + fe.FailureReason + ")" : "") + ", backend state " + file.BackendState);
            if (fe.State != FrontendState.Ready) return 1;

            CheckHandshake(fe, host, file, abi, mode, order, expect, discard, initWaitFirst);
            var shadow = new DiskShadow(image, ZoneBlocks * Zones * BlockSize);
            var lanes = new Lane[Lanes];
            for (int i = 0; i < Lanes; i++) lanes[i] = new Lane(host.Guest, lanePages);
            var random = new Random(seed);
            var io = new Io(fe, host, lanes, shadow, timeout, drops);

            for (int round = 0; round < rounds; round++) io.WriteThenReadBatch(random, round);
            bool flushed = io.Flush();
            if (!drops) Check(flushed, "SYNCHRONIZE CACHE(10) -> BLKIF_OP_FLUSH_DISKCACHE: " + io.LastStatus);
            else Check(io.LastStatus == SrbStatus.Success || io.LastStatus == SrbStatus.Timeout || io.LastStatus == SrbStatus.BusReset,
                "SYNCHRONIZE CACHE(10) completed once (" + io.LastStatus + ")");
            if (discard) io.Discard(random);

            var s = fe.Statistics;
            Console.WriteLine(_label + ": " + s.SrbsCompleted + " SRBs, " + s.Requests + " requests, " + s.BouncePasses + " bounce passes, "
                + s.BytesBounced + " bytes bounced, " + s.Timeouts + " timeouts, " + s.LateResponses + " late responses, "
                + host.EventsSent + " notifies sent, " + host.EventsReceived + " events received");
            Check(io.Problems == 0, io.Srbs + " concurrent SRBs (" + io.LargeSrbs + " of 1 MiB, " + io.MisalignedSrbs + " misaligned) each completed once and read back what was written"
                + (drops ? "; " + io.TimedOut + " timed out after a dropped notify" : "") + (io.Problems > 0 ? "; " + io.Problems + " problem(s) above" : ""));
            if (bounce != BounceStrategyKind.SegmentPool || io.MisalignedSrbs > 0)
                Check(s.BouncePasses > 0 && s.BytesBounced > 0, "misaligned buffers went through the " + bounce + " bounce buffer (" + s.BouncePasses + " passes)");
            if (!drops) Check(s.Timeouts == 0, "no request timed out (" + s.Timeouts + ")");
            else Check(fe.State == FrontendState.Ready, "the frontend is still Ready after " + s.Timeouts + " timeout(s)");

            Check(host.Close(timeout), "backend followed to Closed (backend state " + file.BackendState + ")");
            var (bad, compared) = shadow.CompareWithImage();
            Check(bad < 0, "after close, all " + compared + " known bytes of the image QEMU served are what the frontend wrote" + (bad >= 0 ? ": first difference at byte " + bad : ""));
            return _failed == 0 ? 0 : 1;
        }

        private static void CheckHandshake(XenVbdFrontend fe, ShmFrontendHost host, SharedMemoryFile file, BlkifAbi abi, FrontendAbiMode mode, int order, BlkifAbi expect, bool discard, bool initWaitFirst)
        {
            var probe = fe.ProbeResult;
            Check(fe.Abi == expect, "ends on layout " + fe.Abi.ToProtocolString() + " (expected " + expect.ToProtocolString() + ")"
                + (probe != null ? "; probe: second response operation 0x" + probe.SecondResponseOperation.ToString("x2") + ", switched " + probe.Switched : ""));
            if (mode != FrontendAbiMode.Announce)
            {
                Check(probe != null && probe.Switched == (expect != abi), "probe switched exactly when QEMU reads the other layout");
                // The first probe answer (slot 0 reads the same in both layouts): QEMU's unknown-op path.
                TraceEvent? first = null;
                foreach (var e in host.Host.Trace.Snapshot())
                    if (e.Kind == TraceKind.ProbeStep && e.A == (uint)AbiProbeState.Detect2) first = e;
                Check(first.HasValue && first.Value.D == BlkifOp.Probe && first.Value.C == BlkifStatus.Error,
                    "op 0xff is answered BLKIF_RSP_ERROR (-1) echoing 0xff, where Linux blkback answers EOPNOTSUPP (-2): status "
                    + (first.HasValue ? first.Value.C.ToString() : "none") + ", operation 0x" + (first.HasValue ? first.Value.D.ToString("x2") : "--"));
            }
            if (!initWaitFirst) Check(fe.RingPageOrder == order, "ring-page-order " + fe.RingPageOrder + " of QEMU's max-ring-page-order " + fe.BackendMaxRingPageOrder);
            else
            {
                // QEMU 10 publishes InitWait before max-ring-page-order: a frontend that reads at once sees none and uses one page.
                Check(fe.RingPageOrder == order || fe.RingPageOrder == 0, "ring-page-order " + fe.RingPageOrder + (fe.RingPageOrder != order
                    ? ": the frontend read the keys at InitWait, before QEMU wrote max-ring-page-order, and fell back to one page" : " (QEMU's keys had arrived by the time the frontend read them)"));
            }
            var store = host.Host.Store;
            string bp = host.BackendPath;
            var keys = file.ReadBackendKeys();
            Console.WriteLine(_label + ": QEMU's backend keys: " + string.Join(" ", Sorted(keys)));
            Check(store.Read(bp + "/feature-barrier") == null && !keys.ContainsKey("feature-barrier"), "QEMU writes no feature-barrier: the key is absent for the frontend (not 0)");
            Check(store.Read(bp + "/physical-sector-size") == null && fe.Disk != null && fe.Disk.PhysicalBlockSize == fe.Disk.LogicalBlockSize,
                "QEMU writes no physical-sector-size: absent, so the frontend uses sector-size " + (fe.Disk?.LogicalBlockSize ?? 0));
            Check(store.Read(bp + "/feature-flush-cache") == "1", "feature-flush-cache = 1");
            Check((store.Read(bp + "/feature-discard") == "1") == discard, "feature-discard " + (store.Read(bp + "/feature-discard") ?? "absent") + (discard ? " (discard=unmap)" : " (no discard on the drive)"));
            Check(store.Read(bp + "/feature-max-indirect-segments") == null, "no feature-max-indirect-segments: QEMU has no indirect requests");
        }

        private static IEnumerable<string> Sorted(Dictionary<string, string> keys)
        {
            var names = new List<string>(keys.Keys);
            names.Sort(StringComparer.Ordinal);
            foreach (var n in names) yield return n + "=" + keys[n];
        }

        /// <summary>One concurrent SRB's guest buffer and SRB.</summary>
        private sealed class Lane
        {
            public Lane(Domain guest, int pages)
            {
                Buffer = (ulong)guest.Memory.AllocatePages(pages) * XenPage.Size;
                Guest = guest;
            }

            public Domain Guest { get; }
            public ulong Buffer { get; }
            public Srb Srb { get; } = new Srb();
            public long Lba { get; set; }
            public int Blocks { get; set; }
            public int Misalign { get; set; }
            public ulong Address => Buffer + (ulong)Misalign;
        }

        /// <summary>What the image must hold: the bytes written, and which of them are uncertain (a timed-out write).</summary>
        private sealed class DiskShadow
        {
            private readonly string _image;
            private readonly byte[] _bytes;
            private readonly bool[] _unknownBlock;

            public DiskShadow(string image, long bytes)
            {
                _image = image;
                _bytes = new byte[bytes];
                _unknownBlock = new bool[bytes / BlockSize];
            }

            public Span<byte> At(long lba, int blocks) => new Span<byte>(_bytes, checked((int)(lba * BlockSize)), blocks * BlockSize);

            public void MarkUnknown(long lba, int blocks)
            {
                for (int i = 0; i < blocks; i++) _unknownBlock[lba + i] = true;
            }

            public bool IsKnown(long lba, int blocks)
            {
                for (int i = 0; i < blocks; i++) if (_unknownBlock[lba + i]) return false;
                return true;
            }

            public (long FirstBad, long Compared) CompareWithImage()
            {
                using var s = new FileStream(_image, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                var block = new byte[BlockSize];
                long compared = 0;
                for (long b = 0; b < _unknownBlock.Length; b++)
                {
                    s.Position = b * BlockSize;
                    int n = 0;
                    while (n < BlockSize)
                    {
                        int r = s.Read(block, n, BlockSize - n);
                        if (r <= 0) return (b * BlockSize + n, compared);
                        n += r;
                    }
                    if (_unknownBlock[b]) continue;
                    for (int i = 0; i < BlockSize; i++)
                        if (block[i] != _bytes[b * BlockSize + i]) return (b * BlockSize + i, compared);
                    compared += BlockSize;
                }
                return (-1, compared);
            }
        }

        /// <summary>Batches of concurrent SRBs, checked against the shadow.</summary>
        private sealed class Io
        {
            private readonly XenVbdFrontend _fe;
            private readonly ShmFrontendHost _host;
            private readonly Lane[] _lanes;
            private readonly DiskShadow _shadow;
            private readonly TimeSpan _timeout;
            private readonly bool _drops;

            public Io(XenVbdFrontend fe, ShmFrontendHost host, Lane[] lanes, DiskShadow shadow, TimeSpan timeout, bool drops)
            {
                _fe = fe;
                _host = host;
                _lanes = lanes;
                _shadow = shadow;
                _timeout = timeout;
                _drops = drops;
            }

            public int Srbs { get; private set; }
            public int LargeSrbs { get; private set; }
            public int MisalignedSrbs { get; private set; }
            public int TimedOut { get; private set; }
            public int Problems { get; private set; }
            public SrbStatus LastStatus { get; private set; }

            private void Problem(string what)
            {
                Problems++;
                Check(false, what);
            }

            public void WriteThenReadBatch(Random random, int round)
            {
                // Each lane in its own zone, so the batch's SRBs never overlap and may complete in any order.
                var zones = new List<int>();
                for (int z = 0; z < Zones; z++) zones.Add(z);
                foreach (var lane in _lanes)
                {
                    int pick = random.Next(zones.Count);
                    int zone = zones[pick];
                    zones.RemoveAt(pick);
                    lane.Blocks = BlockChoices[random.Next(BlockChoices.Length)];
                    if (round == 0 && lane == _lanes[0]) lane.Blocks = MaxBlocks;
                    lane.Lba = zone * ZoneBlocks + random.Next((int)(ZoneBlocks - lane.Blocks));
                    lane.Misalign = MisalignChoices[random.Next(MisalignChoices.Length)];
                    if (round == 0 && lane == _lanes[1]) lane.Misalign = 1;
                    var data = lane.Guest.Memory.At(lane.Address, lane.Blocks * BlockSize);
                    random.NextBytes(data);
                    lane.Srb.Prepare(Cdb10(0x2A, (uint)lane.Lba, (ushort)lane.Blocks), lane.Address, lane.Blocks * BlockSize, DataDirection.Out);
                }
                if (!RunBatch("WRITE")) return;
                foreach (var lane in _lanes)
                {
                    if (lane.Srb.SrbStatus == SrbStatus.Success) lane.Guest.Memory.At(lane.Address, lane.Blocks * BlockSize).CopyTo(_shadow.At(lane.Lba, lane.Blocks));
                    else _shadow.MarkUnknown(lane.Lba, lane.Blocks);
                }

                // Read the same extents back into other offsets of the buffers (zeroed first).
                foreach (var lane in _lanes)
                {
                    lane.Misalign = MisalignChoices[random.Next(MisalignChoices.Length)];
                    lane.Guest.Memory.At(lane.Address, lane.Blocks * BlockSize).Clear();
                    lane.Srb.Prepare(Cdb10(0x28, (uint)lane.Lba, (ushort)lane.Blocks), lane.Address, lane.Blocks * BlockSize, DataDirection.In);
                }
                if (!RunBatch("READ")) return;
                foreach (var lane in _lanes)
                {
                    if (lane.Srb.SrbStatus != SrbStatus.Success || !_shadow.IsKnown(lane.Lba, lane.Blocks)) continue;
                    var got = lane.Guest.Memory.At(lane.Address, lane.Blocks * BlockSize);
                    var want = _shadow.At(lane.Lba, lane.Blocks);
                    int bad = got.SequenceEqual(want) ? -1 : FirstDifference(got, want);
                    if (bad >= 0) Problem("READ(10) lba " + lane.Lba + " x " + lane.Blocks + " into a buffer " + lane.Misalign + " bytes past a page: first difference at byte " + bad);
                }
            }

            private bool RunBatch(string what)
            {
                foreach (var lane in _lanes)
                {
                    _fe.Submit(lane.Srb);
                    Srbs++;
                    if (lane.Blocks == MaxBlocks) LargeSrbs++;
                    if (lane.Misalign % BlockSize != 0) MisalignedSrbs++;
                }
                bool done = _host.RunUntil(AllComplete, _drops ? _timeout + _timeout : _timeout);
                if (!done)
                {
                    var st = _fe.Statistics;
                    var pending = new List<string>();
                    foreach (var lane in _lanes) pending.Add(lane.Srb.SrbStatus.ToString());
                    Problem(what + " batch did not complete within " + (_drops ? 2 : 1) * _timeout.TotalSeconds + " s: frontend " + _fe.State + ", SRBs " + string.Join("/", pending)
                        + ", " + st.Timeouts + " timeouts, " + st.Resets + " resets, " + st.Requests + " requests, " + st.BounceWaitTimeouts + " bounce-wait timeouts");
                    return false;
                }
                foreach (var lane in _lanes)
                {
                    var st = lane.Srb.SrbStatus;
                    if (lane.Srb.ExtraCompletionAttempts != 0) Problem(what + " lba " + lane.Lba + ": completed " + (1 + lane.Srb.ExtraCompletionAttempts) + " times");
                    if (st == SrbStatus.Success) continue;
                    if (_drops && (st == SrbStatus.Timeout || st == SrbStatus.BusReset)) { TimedOut++; continue; }
                    Problem(what + "(10) lba " + lane.Lba + " x " + lane.Blocks + " (buffer " + lane.Misalign + " bytes past a page): " + st);
                }
                return true;
            }

            private bool AllComplete()
            {
                foreach (var lane in _lanes) if (!lane.Srb.IsComplete) return false;
                return true;
            }

            public bool Flush()
            {
                var srb = _lanes[0].Srb;
                srb.Prepare(Cdb10(0x35, 0, 0), 0, 0, DataDirection.None);
                _fe.Submit(srb);
                bool done = _host.RunUntil(() => srb.IsComplete, _timeout);
                LastStatus = srb.SrbStatus;
                return done && srb.SrbStatus == SrbStatus.Success;
            }

            /// <summary>UNMAP one whole zone's first MiB after writing it: QEMU punches the hole, the range reads as zeros.</summary>
            public void Discard(Random random)
            {
                var lane = _lanes[0];
                long lba = random.Next(Zones) * ZoneBlocks;
                lane.Misalign = 0;
                lane.Blocks = MaxBlocks;
                lane.Lba = lba;
                var data = lane.Guest.Memory.At(lane.Address, MaxBlocks * BlockSize);
                random.NextBytes(data);
                var srb = lane.Srb;
                srb.Prepare(Cdb10(0x2A, (uint)lba, MaxBlocks), lane.Address, MaxBlocks * BlockSize, DataDirection.Out);
                _fe.Submit(srb);
                bool wrote = _host.RunUntil(() => srb.IsComplete, _timeout) && srb.SrbStatus == SrbStatus.Success;
                Check(wrote, "WRITE(10) lba " + lba + " x " + MaxBlocks + " before UNMAP: " + srb.SrbStatus);
                // UNMAP parameter list (SBC-3): 8-byte header, one 16-byte descriptor.
                var list = lane.Guest.Memory.At(lane.Buffer, 24);
                list.Clear();
                list[1] = 22;
                list[3] = 16;
                for (int i = 0; i < 8; i++) list[8 + i] = (byte)(lba >> (56 - 8 * i));
                list[18] = MaxBlocks >> 8;
                list[19] = MaxBlocks & 0xFF;
                var cdb = new byte[10];
                cdb[0] = 0x42;
                cdb[8] = 24;
                srb.Prepare(cdb, lane.Buffer, 24, DataDirection.Out);
                long before = _fe.Statistics.Requests;
                _fe.Submit(srb);
                bool unmapped = _host.RunUntil(() => srb.IsComplete, _timeout) && srb.SrbStatus == SrbStatus.Success;
                Check(unmapped, "UNMAP lba " + lba + " x " + MaxBlocks + " -> BLKIF_OP_DISCARD: " + srb.SrbStatus + " in " + (_fe.Statistics.Requests - before) + " request(s)");
                _shadow.At(lba, MaxBlocks).Clear();
                data = lane.Guest.Memory.At(lane.Address, MaxBlocks * BlockSize);
                data.Fill(0xEE);
                srb.Prepare(Cdb10(0x28, (uint)lba, MaxBlocks), lane.Address, MaxBlocks * BlockSize, DataDirection.In);
                _fe.Submit(srb);
                bool read = _host.RunUntil(() => srb.IsComplete, _timeout) && srb.SrbStatus == SrbStatus.Success;
                int nonzero = lane.Guest.Memory.At(lane.Address, MaxBlocks * BlockSize).IndexOfAnyExcept((byte)0);
                Check(read && nonzero < 0, "after UNMAP the range reads as zeros (QEMU punched the hole)" + (nonzero >= 0 ? ": non-zero byte at " + nonzero : ""));
            }

            private static int FirstDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
            {
                for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return i;
                return -1;
            }
        }

        private static byte[] Cdb10(byte op, uint lba, ushort blocks)
            => new byte[] { op, 0, (byte)(lba >> 24), (byte)(lba >> 16), (byte)(lba >> 8), (byte)lba, 0, (byte)(blocks >> 8), (byte)blocks, 0 };
    }
}
