using System;
using System.Collections.Generic;
using System.Threading;
using CsCheck;
using XenVbd.Backend;
using XenVbd.Ring;
using XenVbd.Sim;
using XenVbd.Storage;
using XenVbd.Tests.Reliability;
using XenVbd.Tests.Support;
using Xunit.Abstractions;

namespace XenVbd.Tests.Backend
{
    /// <summary>
    /// Model-based: random streams of WRITE, FLUSH_DISKCACHE and WRITE_BARRIER, submitted without waiting so they
    /// overlap, against a backend over a volatile write cache; the scheduler is stepped one event at a time and the
    /// power is cut after every step. A reference model, written from the real backends' rules and not from the
    /// model's code, replays what the frontend could see (the order requests were consumed and responses written,
    /// from the trace) and says what the disk holds after the cut:
    /// <list type="bullet">
    /// <item>a WRITE's data reaches the cache when it completes (its response), in completion order;</item>
    /// <item>a FLUSH covers exactly the writes completed before it is performed, at its submit (Linux REQ_PREFLUSH,
    /// dispatch_rw_block_io; QEMU presync blk_aio_flush, xen_block_do_aio): never one still in flight;</item>
    /// <item>current Linux's barrier waits for every request in flight (xen_blk_drain_io), flushes, then writes
    /// without FUA: its own data is volatile when OKAY arrives;</item>
    /// <item>the 2011 blkback's barrier (REQ_FLUSH|REQ_FUA, no drain) flushes at submit and is durable, with all
    /// completed before it, at its answer (the block layer's post-flush for a device without FUA);</item>
    /// <item>QEMU answers a barrier ERROR and the 2008 blkback a FLUSH ERROR (unknown operations): nothing.</item>
    /// </list>
    /// The flush is modelled as done at the instant it is submitted; a real device may finish it any time before
    /// its response, so a cut between the two may keep less on a real host. Every kind of cut point
    /// (after a consume, a completion, a flush's response, a barrier's response) is counted and must occur.
    /// </summary>
    public class BackendPowerCutModelTests
    {
        private const int Pages = 6;
        private const int PageBytes = XenPage.Size;

        private readonly ITestOutputHelper _output;

        public BackendPowerCutModelTests(ITestOutputHelper output) => _output = output;

        /// <summary>What the step before a cut was: the categories the test must reach.</summary>
        private enum CutPoint
        {
            Nothing,
            AfterConsume,
            AfterWriteCompletion,
            AfterFlushResponse,
            AfterBarrierResponse,
        }

        [Theory]
        [InlineData(BackendPersonality.LinuxBlkback, true)]
        [InlineData(BackendPersonality.LinuxBlkback, false)]
        [InlineData(BackendPersonality.LinuxBlkback2008, true)]
        [InlineData(BackendPersonality.LinuxBlkback2008, false)]
        [InlineData(BackendPersonality.Qemu72, true)]
        [InlineData(BackendPersonality.Qemu10, true)]
        public void Power_cut_after_every_step_keeps_exactly_what_the_reference_host_keeps(BackendPersonality personality, bool reorder)
        {
            // kind: 0-1 WRITE, 2 FLUSH, 3 BARRIER, 4-6 one scheduler step.
            var op = Gen.Select(Gen.Int[0, 6], Gen.Int[0, Pages - 1], Gen.Byte[1, 255]);
            var counts = new long[5];
            op.Array[1, 14].Sample(stream =>
            {
                int steps = stream.Length + 20;
                for (int cutAfter = 0; cutAfter < steps; cutAfter++)
                {
                    var point = RunAndCut(personality, reorder, stream, cutAfter, out _);
                    Interlocked.Increment(ref counts[(int)point]);
                }
            }, iter: Soak.Cases(40), threads: 1);
            _output.WriteLine($"{personality} reorder={reorder}: after consume {counts[1]}, after completion {counts[2]}, after flush response {counts[3]}, after barrier response {counts[4]}, idle {counts[0]}");
            Assert.True(counts[(int)CutPoint.AfterConsume] > 0);
            Assert.True(counts[(int)CutPoint.AfterWriteCompletion] > 0);
            var profile = BackendProfile.For(personality);
            if (profile.FlushOperation) Assert.True(counts[(int)CutPoint.AfterFlushResponse] > 0);
            if (profile.Barrier != BarrierSemantics.Unsupported) Assert.True(counts[(int)CutPoint.AfterBarrierResponse] > 0);
        }

        /// <summary>
        /// A FLUSH submitted while a WRITE is in flight does not cover it: cut right after the FLUSH's OKAY and the
        /// write is gone. With data written at consume (the old model) the flush covered it.
        /// </summary>
        [Theory]
        [InlineData(BackendPersonality.LinuxBlkback)]
        [InlineData(BackendPersonality.Qemu72)]
        public void A_flush_submitted_before_a_write_completes_does_not_cover_it(BackendPersonality personality)
        {
            var stream = new[] { (0, 1, (byte)0x11), (2, 0, (byte)0) };
            var disk = RunUntilResponse(personality, stream, flushId: 1);
            Assert.Equal(0x00, disk[1 * PageBytes]);
        }

        /// <summary>Current Linux drains before a barrier: the write before it is durable when the barrier answers, the barrier's own data is not.</summary>
        [Fact]
        public void Linux_barrier_drains_the_write_before_it_but_its_own_data_is_volatile()
        {
            var stream = new[] { (0, 1, (byte)0x11), (3, 2, (byte)0x22) };
            var linux = RunUntilResponse(BackendPersonality.LinuxBlkback, stream, flushId: 1);
            Assert.Equal(0x11, linux[1 * PageBytes]);
            Assert.Equal(0x00, linux[2 * PageBytes]);
            var old = RunUntilResponse(BackendPersonality.LinuxBlkback2008, stream, flushId: 1);
            Assert.Equal(0x22, old[2 * PageBytes]);
        }

        /// <summary>Runs <paramref name="stream"/> (its requests all submitted at once) until request <paramref name="flushId"/> answers, then cuts.</summary>
        private static byte[] RunUntilResponse(BackendPersonality personality, (int Kind, int Page, byte Fill)[] stream, ulong flushId)
        {
            var cache = new WriteCacheDisk(new MemoryDisk(1 << 20));
            using var rig = BackendRig.Create(new BlkBackOptions { Personality = personality }, cache);
            rig.Frontend.Connect("x86_64-abi");
            for (int i = 0; i < stream.Length; i++) Queue(rig, stream[i], (ulong)i);
            rig.Frontend.Push(forceNotify: true);
            var scheduler = rig.Host.Scheduler;
            while (scheduler.RunNext())
            {
                bool answered = false;
                foreach (var r in rig.Frontend.TakeResponses()) answered |= r.Id == flushId;
                if (answered) break;
            }
            cache.PowerCut();
            return rig.DiskBytes(0, Pages * PageBytes);
        }

        private static void Queue(BackendRig rig, (int Kind, int Page, byte Fill) op, ulong id)
        {
            var (kind, page, fill) = op;
            ulong sector = (ulong)page * (PageBytes / BlkifLayout.SectorSize);
            var seg = new BlkifSegment(rig.GrantPages(1, fill)[0].Gref, 0, (byte)(PageBytes / BlkifLayout.SectorSize - 1));
            switch (kind)
            {
                case 0:
                case 1:
                    rig.Frontend.Queue(BlkifOp.Write, id, sector, seg);
                    break;
                case 2:
                    rig.Frontend.Queue(BlkifOp.FlushDiskCache, id, 0);
                    break;
                default:
                    rig.Frontend.Queue(BlkifOp.WriteBarrier, id, sector, seg);
                    break;
            }
        }

        /// <summary>
        /// Plays <paramref name="stream"/>: each request op is queued and pushed, each step op runs one scheduler
        /// event; after the stream, one event per step. After step <paramref name="cutAfter"/> the power is cut
        /// and the disk must equal the reference's durable image.
        /// </summary>
        private static CutPoint RunAndCut(BackendPersonality personality, bool reorder, (int Kind, int Page, byte Fill)[] stream, int cutAfter, out byte[] disk)
        {
            var cache = new WriteCacheDisk(new MemoryDisk(1 << 20));
            using var rig = BackendRig.Create(new BlkBackOptions { Personality = personality, ReorderCompletions = reorder }, cache);
            rig.Frontend.Connect("x86_64-abi");
            var reference = new ReferenceHost(BackendProfile.For(personality));
            var scheduler = rig.Host.Scheduler;
            rig.Host.Trace.Clear();
            int inFlight = 0;
            var point = CutPoint.Nothing;
            for (int step = 0; step <= cutAfter; step++)
            {
                int kind = step < stream.Length ? stream[step].Kind : 6;
                if (kind <= 3 && inFlight < rig.Frontend.RingSize - 1)
                {
                    var id = (ulong)step;
                    reference.Submitted(id, stream[step]);
                    Queue(rig, stream[step], id);
                    rig.Frontend.Push(forceNotify: true);
                    inFlight++;
                }
                else
                {
                    scheduler.RunNext();
                }
                var seen = reference.Replay(rig.Host.Trace.Snapshot(), rig.Frontend.DeviceId);
                if (seen != CutPoint.Nothing) point = seen;
                inFlight -= rig.Frontend.TakeResponses().Count;
            }
            cache.PowerCut();
            disk = rig.DiskBytes(0, Pages * PageBytes);
            Assert.Equal(reference.Durable, disk);
            return point;
        }

        /// <summary>
        /// What a real host keeps, from the order of consumes and responses alone. It reads the trace as a frontend
        /// watching the ring would see the backend: never the model's cache or pending slots.
        /// </summary>
        private sealed class ReferenceHost
        {
            private readonly BackendProfile _profile;
            private readonly Dictionary<ulong, (int Kind, int Page, byte Fill)> _ops = new();
            private readonly HashSet<ulong> _inFlight = new();
            private readonly byte[] _current = new byte[Pages * PageBytes];
            private ulong? _heldBarrier;
            private int _replayed;

            public ReferenceHost(BackendProfile profile) => _profile = profile;

            /// <summary>What survives a cut now.</summary>
            public byte[] Durable { get; } = new byte[Pages * PageBytes];

            public void Submitted(ulong id, (int Kind, int Page, byte Fill) op) => _ops[id] = op;

            /// <summary>Applies the trace entries not yet seen; returns the kind of the last point passed.</summary>
            public CutPoint Replay(IReadOnlyList<TraceEvent> trace, int device)
            {
                var point = CutPoint.Nothing;
                for (; _replayed < trace.Count; _replayed++)
                {
                    var e = trace[_replayed];
                    if (e.Device != device) continue;
                    if (e.Kind == TraceKind.RequestConsumed)
                    {
                        Consumed(e.B);
                        point = CutPoint.AfterConsume;
                    }
                    else if (e.Kind == TraceKind.ResponsePushed)
                    {
                        point = Responded(e.B, (short)e.C);
                    }
                }
                return point;
            }

            private void Consumed(ulong id)
            {
                int kind = _ops[id].Kind;
                if (kind == 2 && _profile.FlushOperation) Flush();
                if (kind == 3 && _profile.Barrier == BarrierSemantics.PreflushWriteFua) Flush();
                if (kind == 3 && _profile.Barrier == BarrierSemantics.DrainThenPreflushWrite)
                {
                    if (_inFlight.Count > 0)
                    {
                        _heldBarrier = id;
                        return;
                    }
                    Flush();
                }
                _inFlight.Add(id);
            }

            private CutPoint Responded(ulong id, short status)
            {
                var (kind, page, fill) = _ops[id];
                _inFlight.Remove(id);
                var point = CutPoint.AfterWriteCompletion;
                if (kind <= 1)
                {
                    Assert.Equal(BlkifStatus.Okay, status);
                    Write(page, fill);
                }
                else if (kind == 2)
                {
                    Assert.Equal(_profile.FlushOperation ? BlkifStatus.Okay : BlkifStatus.Error, status);
                    point = CutPoint.AfterFlushResponse;
                }
                else
                {
                    point = CutPoint.AfterBarrierResponse;
                    if (_profile.Barrier == BarrierSemantics.Unsupported)
                    {
                        Assert.Equal(BlkifStatus.Error, status);
                    }
                    else
                    {
                        Assert.Equal(BlkifStatus.Okay, status);
                        Write(page, fill);
                        if (_profile.Barrier == BarrierSemantics.PreflushWriteFua) Flush();
                    }
                }
                // xen_blk_drain_io is over: the held barrier is submitted, its preflush covering all that drained.
                if (_heldBarrier is ulong held && _inFlight.Count == 0)
                {
                    _heldBarrier = null;
                    Flush();
                    _inFlight.Add(held);
                }
                return point;
            }

            private void Write(int page, byte fill) => _current.AsSpan(page * PageBytes, PageBytes).Fill(fill);

            private void Flush() => _current.CopyTo(Durable, 0);
        }
    }
}
