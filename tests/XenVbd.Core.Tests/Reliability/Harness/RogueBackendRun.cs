using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Scsi;
using XenVbd.Sim;
using XenVbd.Xen;

namespace XenVbd.Reliability
{
    /// <summary>
    /// One case of <see cref="RogueBackendHarness"/>: builds the device, submits the SRBs, plays the steps,
    /// settles (honest answers, a final bus reset) and checks the invariants. Each SRB owns its own disk
    /// region and guest buffer, so its bytes can be checked on their own.
    /// </summary>
    public sealed class RogueBackendRun : IDisposable
    {
        public const int MaxSrbs = 16;
        private const int RegionBytes = 128 * 1024;
        private const long MaxEvents = 2_000_000;
        private static readonly int[] Blocks = { 1, 2, 3, 8, 9, 24, 90, 128 };
        private static readonly int[] Offsets = { 0, 512, 3, 1000 };
        private static readonly int MaxBufferPages = (128 * 512 + 1000 + XenPage.Size - 1) / XenPage.Size;

        private readonly byte[] _header = new byte[RogueBackendHarness.HeaderSize];
        private readonly byte[] _steps;
        private readonly VbdDevice _dev;
        private readonly VbdDevicePool? _devices;
        private readonly RogueResponsePlanner _planner;
        private readonly SimRandom _random;
        private readonly long _timeoutTicks;
        private readonly List<SrbCase> _srbs = new List<SrbCase>();
        private readonly List<uint> _kept = new List<uint>();
        private readonly HashSet<uint> _keptFrames = new HashSet<uint>();
        private int _grantsKept;

        public RogueBackendRun(ReadOnlySpan<byte> input) : this(input, null)
        {
        }

        /// <summary>A case on a device from <paramref name="devices"/> (restored to just connected) instead of a fresh one.</summary>
        public RogueBackendRun(ReadOnlySpan<byte> input, VbdDevicePool? devices)
        {
            input.Slice(0, Math.Min(_header.Length, input.Length)).CopyTo(_header);
            var body = input.Length > _header.Length ? input.Slice(_header.Length) : ReadOnlySpan<byte>.Empty;
            int stepBytes = Math.Min(_header[3], body.Length);
            _steps = body.Slice(0, stepBytes).ToArray();
            byte flags = _header[0];
            var timeout = TimeSpan.FromSeconds(1 + _header[2] % 4);
            _timeoutTicks = timeout.Ticks;
            _random = new SimRandom(BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(12)) + 1UL);
            _planner = new RogueResponsePlanner(body.Slice(stepBytes).ToArray(), _timeoutTicks);
            var options = new VbdDeviceOptions
            {
                Personality = FrontendPersonality.Hardened,
                // One region per SRB plus one for the final fresh SRB.
                SizeBytes = (MaxSrbs + 1L) * RegionBytes,
                // Room for the most SRB buffers an input can ask for (Execute's buffer takes the other half):
                // one size for every case, so cases of one configuration share a restored device. Pages are
                // committed only when touched. (Sized to each case's SRBs instead, every counter of the soak
                // comes out the same: frame numbers change nothing.)
                GuestBufferBytes = 2 * (MaxSrbs * MaxBufferPages + 1) * XenPage.Size,
                BackendAbi = (flags & 1) != 0 ? BlkifAbi.X86_32 : BlkifAbi.X86_64,
                Bounce = (BounceStrategyKind)(((flags >> 1) & 3) % 3),
                MaxIndirectSegments = (flags & 8) != 0 ? 32 : 0,
                UntrustedBackend = (flags & 16) != 0,
                MaxRingPageOrder = (flags & 32) != 0 ? 1 : 0,
                QueueDepth = (flags & 64) != 0 ? 2 : 16,
                RequestTimeout = timeout,
            };
            _devices = devices;
            _dev = devices != null ? devices.Acquire(options) : VbdDevice.Create(options);
        }

        public RogueBackendOutcome Execute()
        {
            var dev = _dev;
            Check(dev.State == FrontendState.Ready, "an honest connect ended " + dev.State + ": " + dev.Frontend.FailureReason);
            _planner.Frontend = dev.Frontend;
            _planner.OnConsumed = CheckKeptFramesNotReused;
            dev.BackendInterceptor = _planner;

            int first = 1 + _header[1] % 8;
            for (int i = 0; i < first; i++) Submit(_header[4 + i]);
            RunFor(100 * TimeSpan.TicksPerMicrosecond);
            for (int at = 0; at < _steps.Length;)
            {
                byte t = _steps[at++];
                int arg = t & 31;
                switch (t >> 5)
                {
                    case 3: RunFor((arg + 1) * 50 * TimeSpan.TicksPerMillisecond); break;
                    case 4: RunFor(_timeoutTicks + _timeoutTicks / 4 + arg * TimeSpan.TicksPerMillisecond); break;
                    case 5: dev.Frontend.ResetBus(); break; // the bus reset only: a device reset would also reconnect a Broken device
                    case 6:
                        byte shape = at < _steps.Length ? _steps[at++] : (byte)arg;
                        if (_srbs.Count < MaxSrbs) Submit(shape);
                        break;
                    case 7:
                        if ((arg & 1) == 0) Keep();
                        else Release();
                        break;
                    default: RunFor((arg + 1) * TimeSpan.TicksPerMillisecond); break;
                }
                CheckKeptFramesNotReused();
            }

            // Settle: honest from here on, every kept grant let go, then the final bus reset; whatever
            // late answers are still scheduled arrive while the machine runs to idle.
            _planner.Honest = true;
            Release();
            dev.Frontend.ResetBus();
            RunToIdle();
            return Verify();
        }

        private RogueBackendOutcome Verify()
        {
            var dev = _dev;
            var stats = dev.Frontend.Statistics;
            var o = new RogueBackendOutcome
            {
                Srbs = _srbs.Count,
                RequestsConsumed = _planner.Consumed,
                LateResponses = stats.LateResponses,
                WatchdogTimeouts = stats.Timeouts,
                IndirectRequests = stats.IndirectRequests,
                GrantsStillMapped = stats.GrantsStillMapped,
                BounceWaitTimeouts = stats.BounceWaitTimeouts,
                GrantsKept = _grantsKept,
                RogueSent = _planner.RogueSent,
                UndetectableSent = _planner.UndetectableSent,
            };
            foreach (var c in _srbs)
            {
                Check(c.Srb.IsComplete, "SRB " + c.Index + " never completed");
                Check(c.Completions == 1, "SRB " + c.Index + " completed " + c.Completions + " times");
                Check(c.Srb.ExtraCompletionAttempts == 0, "SRB " + c.Index + " was completed again");
                if (c.Srb.SrbStatus.Base() == SrbStatus.Success) o.Ok++;
                else o.Failed++;
                if (c.Srb.BouncePasses > 1) o.MultiPassSrbs++;
            }

            var state = dev.State;
            o.Broken = state != FrontendState.Ready;
            if (o.Broken)
            {
                Check(state == FrontendState.Broken || state == FrontendState.LayoutMismatch, "the frontend ended in " + state);
                Check(!string.IsNullOrEmpty(dev.Frontend.FailureReason), "the frontend is " + state + " without a reason");
            }

            // A response a frontend must reject is never swallowed; an honest backend — however slow,
            // lossy or failing — never breaks the device.
            if (o.RogueSent) Check(o.Broken, "a duplicate, corrupt-id or corrupt-operation response was accepted");
            if (!o.RogueSent && !o.UndetectableSent) Check(!o.Broken, "an honest backend broke the device: " + dev.Frontend.FailureReason);

            if (!o.Broken && !o.UndetectableSent) o.DataChecked = CheckData();
            if (!o.Broken) FreshSrb();
            return o;
        }

        /// <summary>Every successful transfer moved the disk's bytes (a backend lying OKAY is excluded by the caller).</summary>
        private int CheckData()
        {
            int checkedSrbs = 0;
            foreach (var c in _srbs)
            {
                if (c.Expected.IsEmpty || c.Srb.SrbStatus.Base() != SrbStatus.Success) continue;
                if (c.Read)
                {
                    Check(!c.ReadBack.IsEmpty && c.ReadBack.Span.SequenceEqual(c.Expected.Span), "successful read SRB " + c.Index + " did not return the disk's bytes");
                }
                else
                {
                    var disk = Scratch.DiskCheck.AsSpan(0, c.Expected.Length);
                    _dev.Storage.Read(c.Offset, disk);
                    Check(disk.SequenceEqual(c.Expected.Span), "successful write SRB " + c.Index + " is not on the disk");
                }
                checkedSrbs++;
            }
            return checkedSrbs;
        }

        /// <summary>A Ready device serves a fresh aligned write (or times it out while orphans pin every extension, F3).</summary>
        private void FreshSrb()
        {
            var dev = _dev;
            long waits = dev.Frontend.Statistics.BounceWaitTimeouts;
            var data = new byte[512];
            _random.NextBytes(data);
            ulong address = dev.AllocateGuestBuffer(4096);
            data.CopyTo(dev.GuestBytes(address, data.Length));
            long offset = MaxSrbs * (long)RegionBytes;
            var fresh = new Srb();
            fresh.Prepare(Cdb(ScsiOp.Write10, offset, 1), address, data.Length, DataDirection.Out);
            dev.Submit(fresh);
            RunToIdle();
            Check(fresh.IsComplete, "a fresh SRB on a Ready device never completed");
            if (fresh.SrbStatus.Base() == SrbStatus.Success)
            {
                var disk = new byte[512];
                dev.Storage.Read(offset, disk);
                Check(disk.AsSpan().SequenceEqual(data), "a fresh write on a Ready device is not on the disk");
            }
            else
            {
                Check(fresh.SrbStatus.Base() == SrbStatus.Timeout && dev.Frontend.Statistics.BounceWaitTimeouts > waits,
                    "a fresh SRB on a Ready device after an honest settle failed: " + fresh.SrbStatus);
            }
        }

        private void Submit(byte shape)
        {
            var dev = _dev;
            int index = _srbs.Count;
            int kind = shape & 3;
            bool flush = kind == 3 && (shape & 4) != 0;
            bool read = kind == 1 || (kind == 3 && !flush);
            int length = Blocks[(shape >> 3) & 7] * 512;
            int offsetInPage = Offsets[(shape >> 6) & 3];
            ulong address = dev.AllocateGuestBuffer(length + offsetInPage) + (ulong)offsetInPage;
            var c = new SrbCase(index, read, index * (long)RegionBytes, address, flush ? 0 : length, new Srb());
            c.Srb.Completed = CompletedHandler(c);
            if (flush)
            {
                c.Srb.Prepare(Cdb(ScsiOp.SynchronizeCache10, 0, 0), 0, 0, DataDirection.None);
            }
            else
            {
                c.Expected = Scratch.Expected.AsMemory(index * RegionBytes, length);
                _random.NextBytes(c.Expected.Span);
                // A read must return what the disk holds; a write's bytes start in the guest buffer.
                if (read) dev.Storage.Write(c.Offset, c.Expected.Span);
                else c.Expected.Span.CopyTo(dev.GuestBytes(address, length));
                c.Srb.Prepare(Cdb(read ? ScsiOp.Read10 : ScsiOp.Write10, c.Offset, length / 512), address, length, read ? DataDirection.In : DataDirection.Out);
            }
            _srbs.Add(c);
            dev.Submit(c.Srb);
        }

        private Action<Srb> CompletedHandler(SrbCase c) => srb =>
        {
            c.Completions++;
            // Taken at completion: what the guest saw then, whatever a backend does to its pages later.
            if (c.Read && !c.Expected.IsEmpty && srb.SrbStatus.Base() == SrbStatus.Success)
            {
                c.ReadBack = Scratch.ReadBack.AsMemory(c.Index * RegionBytes, c.Expected.Length);
                _dev.GuestBytes(c.Address, c.Expected.Length).CopyTo(c.ReadBack.Span);
            }
        };

        private static byte[] Cdb(byte op, long offset, int blocks)
        {
            var cdb = new byte[10];
            cdb[0] = op;
            BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(2), (uint)(offset / 512));
            BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(7), (ushort)blocks);
            return cdb;
        }

        /// <summary>XSA-396: a backend that keeps every page it was granted mapped.</summary>
        private void Keep()
        {
            if (_kept.Count > 0) return;
            var grants = _dev.Guest.Grants;
            foreach (uint g in Dom0Grants.Unmapped(grants))
            {
                if (grants.Map(g, 0, writable: false, out _) != GrantStatus.Okay) continue;
                _kept.Add(g);
                uint frame = grants.Frame(g);
                // A direct transfer's pages are the guest's own buffer: only frontend-owned pages must never be reused.
                if (!InSrbBuffer(frame)) _keptFrames.Add(frame);
            }
            _grantsKept += _kept.Count;
        }

        private void Release()
        {
            foreach (uint g in _kept) _dev.Guest.Grants.Unmap(g);
            _kept.Clear();
            _keptFrames.Clear();
        }

        /// <summary>While the backend keeps a frontend-owned page mapped, no new grant may expose that page again.</summary>
        private void CheckKeptFramesNotReused()
        {
            if (_keptFrames.Count == 0) return;
            var grants = _dev.Guest.Grants;
            for (uint g = GrantTable.ReservedEntries; g < (uint)grants.Capacity; g++)
            {
                if (!grants.IsActive(g) || _kept.Contains(g)) continue;
                Check(!_keptFrames.Contains(grants.Frame(g)), "frame " + grants.Frame(g) + " is granted again (gref " + g + ") while the backend keeps it mapped");
            }
        }

        private bool InSrbBuffer(uint frame)
        {
            foreach (var c in _srbs)
            {
                ulong first = c.Address / XenPage.Size;
                ulong last = (c.Address + (ulong)Math.Max(c.Length, 1) - 1) / XenPage.Size;
                if (frame >= first && frame <= last) return true;
            }
            return false;
        }

        private void RunFor(long ticks) => _dev.Host.Scheduler.RunUntil(_dev.Host.Scheduler.Now + ticks);

        private void RunToIdle()
        {
            var scheduler = _dev.Host.Scheduler;
            long ran = scheduler.RunUntilIdle(MaxEvents);
            Check(scheduler.Pending == 0 || ran < MaxEvents, "no progress: " + MaxEvents + " events without going idle (a hang)");
        }

        private static void Check(bool condition, string message) => InvariantViolation.Check(condition, message);

        /// <summary>A fresh device is closed; a pooled one goes back to its pool (restored before its next case).</summary>
        public void Dispose()
        {
            if (_devices == null) _dev.Dispose();
        }

        /// <summary>
        /// Each thread's buffers for the SRBs' expected and read-back bytes (a region each), reused case after
        /// case: allocating them per case cost more than the case's own I/O.
        /// </summary>
        private sealed class Scratch
        {
            [ThreadStatic] private static Scratch? _mine;

            public byte[] ExpectedBytes { get; } = new byte[MaxSrbs * RegionBytes];

            public byte[] ReadBackBytes { get; } = new byte[MaxSrbs * RegionBytes];

            public byte[] DiskBytes { get; } = new byte[RegionBytes];

            private static Scratch Mine => _mine ??= new Scratch();

            public static byte[] Expected => Mine.ExpectedBytes;

            public static byte[] ReadBack => Mine.ReadBackBytes;

            public static byte[] DiskCheck => Mine.DiskBytes;
        }

        /// <summary>The device settings an input chooses (header byte 0 and the timeout), to group cases by device.</summary>
        public static int DeviceKey(ReadOnlySpan<byte> input)
        {
            byte flags = input.Length > 0 ? input[0] : (byte)0;
            byte timeout = input.Length > 2 ? input[2] : (byte)0;
            return (flags & 127) | (timeout % 4) << 7;
        }

        private sealed class SrbCase
        {
            public SrbCase(int index, bool read, long offset, ulong address, int length, Srb srb)
            {
                Index = index;
                Read = read;
                Offset = offset;
                Address = address;
                Length = length;
                Srb = srb;
            }

            public int Index { get; }
            public bool Read { get; }
            public long Offset { get; }
            public ulong Address { get; }
            public int Length { get; }
            public Srb Srb { get; }
            public Memory<byte> Expected { get; set; }
            public Memory<byte> ReadBack { get; set; }
            public int Completions { get; set; }
        }
    }
}
