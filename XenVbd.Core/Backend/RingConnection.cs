using System;
using System.Buffers.Binary;
using XenVbd.Ring;
using XenVbd.Sim;
using XenVbd.Storage;
using XenVbd.Xen;

namespace XenVbd.Backend
{
    /// <summary>
    /// One connected ring: the mapped ring pages, the bound event channel and Linux blkback's
    /// request loop (<c>__do_block_io_op</c>). Lives from Connected to disconnect; a reconnect
    /// builds a new one, so completions scheduled for an old ring can tell they are stale.
    /// Everything on the event path is preallocated here.
    /// </summary>
    internal sealed class RingConnection : IEventChannelHandler, ISimEventHandler, IInFlightRequests
    {
        private const int KindCompletion = 1;
        private const int KindUnmask = 2;

        /// <summary>The ring thread's idle wake (xen_blkif_schedule's wait_event_interruptible_timeout of LRU_INTERVAL).</summary>
        private const int KindPurgeWake = 3;

        /// <summary>Linux stops growing the lateeoi delay once it reaches HZ*4 jiffies; this bounds the shift.</summary>
        private const int MaxSpuriousRun = 12;

        private readonly BlkBack _owner;
        private readonly XenHost _host;
        private readonly BlkBackOptions _options;
        private readonly BackendProfile _profile;
        private readonly SimRandom? _completionOrder;
        private readonly BlkBackStatistics _stats;
        private readonly GrantTable _grants;
        private readonly uint[] _ringGrefs;
        private readonly EventChannel _channel;
        private readonly BackRing _ring;
        private readonly RequestExecutor _executor;
        private readonly IStoragePrefetch? _prefetch;
        private readonly PersistentGrantCache? _persistent;
        private readonly BackendServiceModel? _model;

        /// <summary>With a service-time model: when this ring's thread is free to dispatch the next request.</summary>
        private long _threadFreeAt;
        private readonly byte[] _copy = new byte[BlkifLayout.RequestSize(BlkifAbi.X86_64)];
        private readonly PendingResponse[] _pending;
        private readonly int[] _free;
        private int _freeCount;

        /// <summary>Responses written beyond one per answered request (duplicates, rsp_prod jumps): ring room is reckoned without them.</summary>
        private uint _extraResponses;
        private int _spuriousRun;
        private long _unmaskGeneration;
        private bool _masked;

        // A barrier read from the ring while earlier requests were in flight (current Linux drains first):
        // its decoded copy waits here, the ring is not read further, and it runs when the last of them completes.
        private bool _barrierHeld;
        private uint _heldIndex;
        private BackendRequest _heldRequest;

        // The newest completion event while it waits: responses due at the same tick, scheduled with
        // nothing else scheduled in between, ride on it instead of taking a heap entry each. That is
        // the same order of execution as one event each, at a fraction of the scheduler's work.
        private long _batchDue = -1;
        private long _batchScheduledAt;
        private int _batchTail = -1;
        private int _batchHead = -1;

        internal RingConnection(BlkBack owner, XenHost host, BlkBackOptions options, BlkBackStatistics stats, GrantTable grants,
            uint[] ringGrefs, SharedRing shared, BlkifAbi abi, EventChannel channel, RequestExecutor executor,
            int queue = 0, PersistentGrantCache? persistent = null)
        {
            Queue = queue;
            _persistent = persistent;
            _model = options.ServiceModel;
            executor.Persistent = persistent;
            if (persistent is not null)
            {
                persistent.NextPurgeAt = host.Scheduler.Now + BlkBackOptions.LruIntervalTicks;
                ArmPurgeWake(host.Scheduler, persistent);
            }
            _owner = owner;
            _host = host;
            _options = options;
            _profile = BackendProfile.For(options.Personality);
            // Its own stream, so turning reordering on moves no other actor's draws.
            if (options.ReorderCompletions) _completionOrder = host.Scheduler.Random.Fork("blkback-completion-" + owner.DeviceId);
            _stats = stats;
            _grants = grants;
            _ringGrefs = ringGrefs;
            _channel = channel;
            _executor = executor;
            _prefetch = owner.Storage as IStoragePrefetch;
            _ring = new BackRing(shared, abi);
            // Linux: BACK_RING_ATTACH, picking up where the ring is (a reconnect to a ring already in use).
            // QEMU and the 2008 blkback: BACK_RING_INIT, from index 0 whatever the ring holds.
            if (_profile.AttachesRing) _ring.Attach();
            _pending = new PendingResponse[_ring.Size];
            _executor.Reserve(_ring.Size);
            _free = new int[_ring.Size];
            for (int i = _ring.Size - 1; i >= 0; i--) _free[_freeCount++] = i;
            _channel.Backend.Handler = this;
        }

        public BackRing Ring => _ring;

        /// <summary>Which queue (ring) of the device this is: 0 for a single-queue frontend, else the N of <c>queue-N</c>.</summary>
        public int Queue { get; }

        /// <summary>This ring's persistent grants; null when they were not negotiated.</summary>
        public PersistentGrantCache? Persistent => _persistent;

        public BlkifAbi Abi => _ring.Abi;

        public EventChannel Channel => _channel;

        public bool Halted { get; private set; }

        public bool Closed { get; private set; }

        /// <summary>The frontend closed this ring with requests in flight: nothing more is read, their responses are still written.</summary>
        public bool Draining { get; private set; }

        /// <summary>Responses waiting out their service time.</summary>
        public int PendingResponses => _ring.Size - _freeCount;

        /// <summary>The event upcall: consume what is there; an upcall with nothing to consume is spurious.</summary>
        public void OnEvent(EventChannelEnd end)
        {
            if (Closed) return;
            _stats.Events++;
            // Halted: the thread waits to be stopped. Draining: it has been stopped (kthread_stop).
            if (Halted || Draining) return;
            int consumed = Process();
            if (consumed > 0 || Closed || Halted)
            {
                _spuriousRun = 0;
                return;
            }
            Spurious(end);
        }

        public void OnSimEvent(int kind, long argument)
        {
            // A closed ring's thread is gone: its wake timer ends here too.
            if (Closed) return;
            if (kind == KindPurgeWake)
            {
                PurgeIfDue();
                ArmPurgeWake(_host.Scheduler, _persistent!);
                return;
            }

            if (kind == KindCompletion)
            {
                if ((int)argument == _batchHead) CloseBatch();
                for (int slot = (int)argument; slot >= 0 && !Closed;)
                {
                    int next = _pending[slot].NextInBatch;
                    Complete(slot);
                    if (Draining)
                    {
                        _stats.LateResponses++;
                        if (PendingResponses == 0)
                        {
                            Close();
                            _owner.OnDrained(this);
                        }
                    }
                    else
                    {
                        if (_barrierHeld && PendingResponses == 0) ReleaseBarrier();
                        // The response freed ring room: requests held back for lack of it can go now.
                        Process();
                    }
                    slot = next;
                }
            }
            else if (kind == KindUnmask && argument == _unmaskGeneration && _masked)
            {
                _masked = false;
                _channel.Backend.Unmask();
            }
        }

        /// <summary>Linux's xen_blkif_disconnect with requests in flight: stop reading the ring, keep it mapped and answer what is in flight.</summary>
        public void BeginDrain()
        {
            Draining = true;
            _barrierHeld = false;
        }

        /// <summary>
        /// A power cut: the data of every request in flight on this ring (read from the ring, not yet completed) is
        /// lost; returns how many. Requests not yet read are read later, as if the guest issued them once the power
        /// was back (the model's guest lives on to read back what survived).
        /// </summary>
        public int AbandonInFlightIo() => _executor.AbandonAll();

        /// <summary>Finishes the data of every request in flight now (it reaches the disk, its grants are released); the responses still come as scheduled, with nothing left to do.</summary>
        public void FinishInFlightIo() => _executor.CompleteAll(_host.Scheduler.Now);

        /// <summary>Disconnects: pending responses are abandoned, the ring unmapped, the event channel unbound.</summary>
        public void Close()
        {
            if (Closed) return;
            Closed = true;
            if (_masked)
            {
                _masked = false;
                _channel.Backend.Unmask();
            }
            // Unbind only our end; the port is the frontend's to close.
            if (ReferenceEquals(_channel.Backend.Handler, this)) _channel.Backend.Handler = null;
            // The I/O in flight still finishes (Linux waits for it; QEMU's dataplane stop drains its aios through
            // blk_set_aio_context): its data reaches the disk, its response goes nowhere.
            _executor.CompleteAll(_host.Scheduler.Now);
            foreach (var gref in _ringGrefs) _grants.Unmap(gref);
            // xen_blkbk_free_caches: the ring's persistent grants are unmapped with it.
            if (_persistent is not null) _stats.PersistentGrantsPurged += _persistent.Clear();
            _freeCount = _free.Length;
        }

        /// <summary>Linux's loop: check req_prod for overflow, consume what there is room for, final-check, repeat.</summary>
        public int Process()
        {
            int total = 0;
            PurgeIfDue();
            while (true)
            {
                if (Closed || Halted || Draining || _barrierHeld) return total;
                // xen_rmb() after reading req_prod: ReqProd is a Volatile.Read, an acquire load, so the
                // entries below are not read before it (as ProcessResponses reads rsp_prod on the other side).
                uint rp = _ring.Shared.ReqProd;
                // Current Linux checks req_prod itself; QEMU and the 2008 blkback only bound the loop below.
                if (_profile.ChecksRequestProducerOverflow && _ring.RequestProdOverflow(rp + _extraResponses))
                {
                    Halt(rp);
                    return total;
                }
                int pass = 0;
                while (_ring.ReqCons != rp)
                {
                    if (_ring.RequestConsOverflow(_ring.ReqCons + _extraResponses) || _freeCount == 0) break;
                    ConsumeOne();
                    pass++;
                    if (Closed || _barrierHeld) return total + pass;
                    if (_prefetch is not null && _ring.ReqCons != rp) HintNext(_ring.ReqCons);
                }
                total += pass;
                bool more = _ring.FinalCheckForRequests();
                if (!more || pass == 0) return total;
            }
        }

        /// <summary>
        /// xen_blkif_schedule: when the ring thread wakes and LRU_INTERVAL (100 ms) has passed, purge_persistent_gnt. The
        /// thread wakes for requests (<see cref="Process"/>) and, idle, at least every LRU_INTERVAL: that wake is a
        /// background timer (<see cref="Scheduler.ScheduleBackground"/>), armed only while the ring has persistent grants
        /// and ended when it closes, so an idle device's grants expire on time while "run until idle" still ends.
        /// </summary>
        private void PurgeIfDue()
        {
            var p = _persistent;
            if (p is null) return;
            long now = _host.Scheduler.Now;
            if (now <= p.NextPurgeAt) return;
            bool overflowed = p.Overflow;
            int purged = p.Purge(now);
            p.NextPurgeAt = now + BlkBackOptions.LruIntervalTicks;
            _stats.PersistentGrantPurges++;
            if (purged == 0) return;
            _stats.PersistentGrantsPurged += purged;
            _host.Trace.Record(TraceKind.PersistentGrantPurge, _owner.DeviceId, (uint)Queue, (ulong)purged, p.Count, overflowed ? 1 : 0);
        }

        /// <summary>The next idle wake: just after the purge falls due (time_after(jiffies, next_lru) is strict).</summary>
        private void ArmPurgeWake(Scheduler scheduler, PersistentGrantCache persistent) =>
            scheduler.ScheduleBackground(Math.Max(1, persistent.NextPurgeAt + 1 - scheduler.Now), this, KindPurgeWake);

        private void ConsumeOne()
        {
            uint index = _ring.ReqCons;
            _executor.SetNow(_host.Scheduler.Now);
            // XSA-155: one copy of the whole entry; everything below reads the copy, never the ring.
            _ring.CopyRequest(index, _copy.AsSpan(0, BlkifLayout.RequestSize(_ring.Abi)));
            _ring.ConsumeRequest();
            _stats.RequestsConsumed++;

            var abi = _ring.Abi;
            _executor.Decode(_copy, abi, out var request);
            _stats.CountOp(request.Operation);
            _host.Trace.Record(TraceKind.RequestConsumed, _owner.DeviceId, index, request.Id, (long)request.SectorNumber, request.Operation);

            if (request.Operation == BlkifOp.WriteBarrier && request.Reject == RequestRejectReason.None
                && _profile.Barrier == BarrierSemantics.DrainThenPreflushWrite && PendingResponses > 0)
            {
                // xen_blk_drain_io: the barrier waits for everything in flight before it is submitted.
                _barrierHeld = true;
                _heldIndex = index;
                _heldRequest = request;
                _stats.BarrierDrains++;
                return;
            }
            Dispatch(index, ref request);
        }

        private void ReleaseBarrier()
        {
            _barrierHeld = false;
            var request = _heldRequest;
            _heldRequest = default;
            _executor.SetNow(_host.Scheduler.Now);
            Dispatch(_heldIndex, ref request);
        }

        private void Dispatch(uint index, ref BackendRequest request)
        {
            var abi = _ring.Abi;
            var plan = new BackendRequestPlan(index, request.Operation, request.IoOperation, request.Id, request.SectorNumber, request.SectorCount, abi, _host.Scheduler.Now) { InFlight = this };
            _owner.Interceptor?.OnRequest(_owner, ref plan);
            if (Closed) return;
            if (plan.IdOverride is ulong answeredWith && answeredWith != request.Id)
            {
                _stats.IdOverrides++;
                _host.Trace.Record(TraceKind.Fault, _owner.DeviceId, index, request.Id, unchecked((long)answeredWith), (int)BackendFault.IdOverride);
            }

            // The slot the request completes from: its response and its I/O wait there.
            int slot = _free[--_freeCount];
            short status;
            long service = _options.ServiceTicks;
            if (plan.StatusOverride.HasValue)
            {
                status = plan.StatusOverride.Value;
                _stats.StatusOverrides++;
                _host.Trace.Record(TraceKind.Fault, _owner.DeviceId, index, request.Id, status, (int)BackendFault.StatusOverride);
            }
            else
            {
                status = _executor.Execute(ref request, slot);
                if (request.Reject != RequestRejectReason.None)
                {
                    _stats.CountRejected(request.Reject);
                    _host.Trace.Record(TraceKind.RequestRejected, _owner.DeviceId, index, request.Id, (long)request.Reject, request.Operation);
                    // Linux answers a refused request at once, from the dispatch path.
                    service = 0;
                }
                else if (_model is not null)
                {
                    service = ModelledService(request.SegmentCount);
                }
            }

            if (plan.DropResponse)
            {
                _stats.DroppedResponses++;
                _host.Trace.Record(TraceKind.Fault, _owner.DeviceId, index, request.Id, 0, (int)BackendFault.DropResponse);
                // The backend still does the I/O, at once; only the answer is lost.
                _executor.Complete(slot, _host.Scheduler.Now);
                _free[_freeCount++] = slot;
                return;
            }

            _pending[slot] = new PendingResponse
            {
                RequestId = request.Id,
                RequestSector = request.SectorNumber,
                InUse = true,
                Id = plan.CorruptId ? (plan.IdOverride ?? request.Id) ^ BackendRequestPlan.CorruptIdMask : plan.IdOverride ?? request.Id,
                Operation = plan.CorruptOperation ? (byte)(request.IoOperation ^ BackendRequestPlan.CorruptOperationMask) : plan.OperationOverride ?? request.IoOperation,
                Status = status,
                Duplicate = plan.DuplicateResponse,
                RspProdJump = plan.RspProdJump,
            };
            long extra = plan.ExtraLatencyTicks > 0 ? plan.ExtraLatencyTicks : 0;
            // Real backends complete bios/aios in any order: up to one more service time, drawn per request.
            if (_completionOrder is not null && service > 0) extra += _completionOrder.NextInt64(0, service + 1);
            ScheduleCompletion(slot, service + extra);
        }

        int IInFlightRequests.InFlightCount => PendingResponses;

        ulong IInFlightRequests.InFlightRequestId(int ordinal, out ulong sectorNumber)
        {
            // The pending table in slot order; nothing allocated (this runs on the I/O path when a fault asks).
            for (int i = 0; i < _pending.Length; i++)
            {
                if (!_pending[i].InUse || ordinal-- != 0) continue;
                sectorNumber = _pending[i].RequestSector;
                return _pending[i].RequestId;
            }

            throw new ArgumentOutOfRangeException(nameof(ordinal), "There are only " + PendingResponses + " requests in flight.");
        }

        /// <summary>
        /// Lets the disk start on the next request while this side finishes its bookkeeping and the frontend
        /// runs. A peek at a slot already published (before <c>rp</c>): nothing is decided on it, and the slot
        /// is still copied once, later, before anything trusts it (XSA-155); a hostile value only wastes the hint.
        /// </summary>
        private void HintNext(uint index)
        {
            ReadOnlySpan<byte> slot = _ring.PeekRequest(index);
            byte op = slot[BlkifLayout.OperationOffset];
            if (op != BlkifOp.Read && op != BlkifOp.Write) return;
            ulong sector = BinaryPrimitives.ReadUInt64LittleEndian(slot.Slice(BlkifLayout.SectorNumberOffset(_ring.Abi)));
            if (sector > long.MaxValue / BlkifLayout.SectorSize) return;
            _prefetch!.Prefetch((long)sector * BlkifLayout.SectorSize, XenPage.Size);
        }

        /// <summary>
        /// The service-time model for one request: it waits for this ring's thread (one thread per ring, as
        /// xen_blkif_schedule), which spends dispatch and grant-map time on it; then the device; then the completion's
        /// unmaps and TLB flush. Shared dom0 CPUs, grant-table locks and the device queue are contended for only in
        /// <see cref="ServiceTimeSimulation"/>: here each ring is alone.
        /// </summary>
        private long ModelledService(int segments)
        {
            var m = _model!;
            long now = _host.Scheduler.Now;
            long start = _threadFreeAt > now ? _threadFreeAt : now;
            _threadFreeAt = start + m.ThreadTicks(segments, _executor.LastMaps);
            long done = _threadFreeAt + m.DeviceTicks(segments) + m.CompletionTicks(_executor.LastUnmaps);
            return done - now;
        }

        private void ScheduleCompletion(int slot, long delay)
        {
            var scheduler = _host.Scheduler;
            long due = VirtualTimeLimit.Add(scheduler.Now, delay);
            _pending[slot].NextInBatch = -1;
            if (due == _batchDue && scheduler.EventsScheduled == _batchScheduledAt)
            {
                _pending[_batchTail].NextInBatch = slot;
                _batchTail = slot;
                return;
            }
            scheduler.Schedule(delay, this, KindCompletion, slot);
            _batchHead = slot;
            _batchDue = due;
            _batchTail = slot;
            _batchScheduledAt = scheduler.EventsScheduled;
        }

        /// <summary>Once its event runs, a batch takes no more members.</summary>
        private void CloseBatch()
        {
            _batchHead = -1;
            _batchDue = -1;
            _batchTail = -1;
        }

        private void Complete(int slot)
        {
            var p = _pending[slot];
            _pending[slot] = default;
            // The request's data moves now, at its completion, before its response is written.
            short status = p.Status;
            var failed = _executor.Complete(slot, _host.Scheduler.Now);
            if (failed != RequestRejectReason.None)
            {
                status = _executor.StatusOf(failed);
                _stats.CountRejected(failed);
                _host.Trace.Record(TraceKind.RequestRejected, _owner.DeviceId, _ring.RspProdPvt, p.Id, (long)failed, p.Operation);
            }
            _free[_freeCount++] = slot;

            WriteResponse(p.Id, p.Operation, status);
            if (p.Duplicate)
            {
                WriteResponse(p.Id, p.Operation, status);
                _extraResponses++;
                _stats.DuplicateResponses++;
                _host.Trace.Record(TraceKind.Fault, _owner.DeviceId, _ring.RspProdPvt, p.Id, 0, (int)BackendFault.DuplicateResponse);
            }
            if (p.RspProdJump != 0)
            {
                // The skipped slots keep whatever bytes they hold: stale requests, old responses.
                for (int i = 0; i < p.RspProdJump; i++) _ring.Produce();
                _extraResponses += p.RspProdJump;
                _host.Trace.Record(TraceKind.Fault, _owner.DeviceId, _ring.RspProdPvt, p.Id, p.RspProdJump, (int)BackendFault.RspProdJump);
            }
            if (_ring.PushResponsesAndCheckNotify())
            {
                _channel.Backend.Notify();
                _stats.NotificationsSent++;
                _host.Trace.Record(TraceKind.NotifyFrontend, _owner.DeviceId, _ring.Shared.RspProd);
            }
        }

        /// <summary>make_response: field by field into the next response slot, padding zeroed (XSA-216); QEMU writes the three fields only.</summary>
        private void WriteResponse(ulong id, byte operation, short status)
        {
            uint index = _ring.RspProdPvt;
            var response = new BlkifResponse(id, operation, status);
            _ring.WriteResponse(response, _profile.ResponseFieldsOnly);
            _ring.Produce();
            _stats.ResponsesPushed++;
            if (status == BlkifStatus.Okay) _stats.OkayResponses++;
            else if (status == BlkifStatus.Error) _stats.Errors++;
            else if (status == BlkifStatus.NotSupported) _stats.NotSupported++;
            _host.Trace.Record(TraceKind.ResponsePushed, _owner.DeviceId, index, id, status, operation);
        }

        /// <summary>A frontend claiming more requests than the ring holds is broken or hostile: stop reading this ring for good (Linux returns -EACCES and waits to be stopped); what is in flight is still answered.</summary>
        private void Halt(uint reqProd)
        {
            Halted = true;
            _stats.RingHalts++;
            // Linux only logs ("Frontend provided bogus ring requests ... Halting ring processing"): nothing in XenStore.
            _host.Trace.Record(TraceKind.Fault, _owner.DeviceId, reqProd, _ring.RspProdPvt, _ring.Size, (int)BackendFault.RingHalted);
        }

        /// <summary>
        /// XSA-332/391: count it and, like Linux's lateeoi, delay re-enabling the event after repeated
        /// spurious ones (1, 2, 4 ... jiffies up to a second) so a storm cannot keep dom0 busy.
        /// </summary>
        private void Spurious(EventChannelEnd end)
        {
            _stats.SpuriousEvents++;
            _host.Trace.Record(TraceKind.SpuriousEvent, _owner.DeviceId, _ring.Shared.ReqProd, _ring.ReqCons);
            if (_spuriousRun < MaxSpuriousRun) _spuriousRun++;
            if (_spuriousRun < 2 || _options.SpuriousBackoffTicks == 0) return;
            long delay = _options.SpuriousBackoffTicks << (_spuriousRun - 2);
            if (delay > _options.MaxSpuriousBackoffTicks || delay <= 0) delay = _options.MaxSpuriousBackoffTicks;
            end.Mask();
            _masked = true;
            _stats.SpuriousBackoffs++;
            _host.Scheduler.Schedule(delay, this, KindUnmask, ++_unmaskGeneration);
        }
    }
}
