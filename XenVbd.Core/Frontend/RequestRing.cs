using System;
using System.Collections.Generic;
using XenVbd.Ring;
using XenVbd.Scsi;
using XenVbd.Sim;
using XenVbd.Xen;

namespace XenVbd.Frontend
{
    /// <summary>
    /// The request engine (the Xen Project driver's ring.c): the queue of SRBs with ring work, request ids (shadows),
    /// requests built privately and copied to the ring slot, the notify, and the responses — each copied out of the
    /// ring once, matched to its shadow by <see cref="ResponseChecker"/>, its grants ended by <see cref="Granter"/>, and
    /// its SRB completed when every part is back. Windows (the buffer itself or one bounce pass) come from
    /// <see cref="BounceWindows"/>. Nothing here allocates.
    /// </summary>
    internal sealed class RequestRing
    {
        /// <summary>What one SRB's turn in <see cref="Pump"/> came to.</summary>
        private enum IssueResult
        {
            /// <summary>Everything this SRB can send now is on the ring.</summary>
            Done,

            /// <summary>Waiting for bounce memory; SRBs behind it may still go.</summary>
            Waiting,

            /// <summary>No ring slot or request id: stop for now.</summary>
            RingFull,
        }

        /// <summary>Responses one pass may consume from a personality that does not check rsp_prod before the model stops it.</summary>
        private const int UncheckedResponseLimit = 1 << 16;

        /// <summary>The frontend that owns this part.</summary>
        private readonly XenVbdFrontend _f;

        /// <summary>Segments of the request being built (scratch, reused for every request).</summary>
        private readonly PageSegment[] _segments;

        /// <summary>SRBs with ring work (an extension attached), in order; an SRB leaves when all it can send is out.</summary>
        private readonly SrbQueue _queue = new SrbQueue();

        /// <summary>The ring of the current connection; null while disconnected.</summary>
        private FrontRing? _front;

        /// <summary>
        /// One queue of the frontend: its own request ids (shadows), ring pages and grant refs, event channel and persistent
        /// grants, as Linux blkfront keeps one <c>blkfront_ring_info</c> per queue (rinfo->shadow, ring_ref, evtchn, grants)
        /// and the Xen Project driver one XENVBD_BLKIF_RING (ring.c). Queue 0 is the only one of a single-queue frontend.
        /// </summary>
        public RequestRing(XenVbdFrontend frontend, int index, ShadowTable shadows, int segmentsPerShadow, uint ringFirstFrame, uint[] ringGrefs, PersistentGrantPool? persistentGrants)
        {
            _f = frontend;
            Index = index;
            Shadows = shadows;
            _segments = new PageSegment[segmentsPerShadow];
            RingFirstFrame = ringFirstFrame;
            RingGrefs = ringGrefs;
            PersistentGrants = persistentGrants;
        }

        /// <summary>The queue's number: 0 .. the frontend's queues − 1 (queue-N/ in XenStore when there are several).</summary>
        public int Index { get; }

        /// <summary>Request ids, one shadow each, claimed with the frontend.</summary>
        public ShadowTable Shadows { get; }

        /// <summary>Grant refs of this queue's ring pages; one the old backend still maps is replaced, never reused.</summary>
        public uint[] RingGrefs { get; }

        /// <summary>First guest frame of this queue's ring pages; moves when the old backend still maps the old ones.</summary>
        public uint RingFirstFrame { get; set; }

        /// <summary>The event channel of this queue's current connection; null while disconnected.</summary>
        public EventChannel? Channel { get; set; }

        /// <summary>This queue's persistently granted pages (blkfront's rinfo->grants); null when not offered.</summary>
        public PersistentGrantPool? PersistentGrants { get; }

        /// <summary>Requests this queue put on its ring (all connections).</summary>
        public long Requests { get; private set; }

        /// <summary>Responses this queue consumed from its ring.</summary>
        public long Responses { get; private set; }

        /// <summary>Notifies this queue sent the backend on its event channel.</summary>
        public long Notifies { get; private set; }

        /// <summary>Events that came in on this queue's channel.</summary>
        public long Interrupts { get; set; }

        /// <summary>Times work waited because this queue's ring or its request ids were all taken.</summary>
        public long RingFullWaits { get; private set; }

        /// <summary>SRBs with ring work still to send.</summary>
        public SrbQueue Queue => _queue;

        /// <summary>Requests on the ring not yet answered (shadowed ones, plus the probe's and the check read's).</summary>
        public int InFlight { get; private set; }

        public bool IsAttached => _front != null;

        /// <summary>The ring of the current connection (callers check <see cref="IsAttached"/>).</summary>
        public FrontRing Front => _front!;

        /// <summary>Takes the freshly granted ring of a new connection.</summary>
        public void Attach(FrontRing front) => _front = front;

        /// <summary>Drops the ring at a disconnect: nothing on it will be answered.</summary>
        public void Detach()
        {
            _front = null;
            InFlight = 0;
        }

        /// <summary>Requests without a shadow (the probe's two, the check read) went on the ring (+) or were answered (−).</summary>
        public void CountUnshadowed(int delta) => InFlight += delta;

        /// <summary>No ring slot or no request id is free.</summary>
        public bool IsFull => _front!.IsFull || Shadows.FreeCount == 0;

        private bool RingHasRoom => !_front!.IsFull && Shadows.FreeCount > 0;

        public void Enqueue(SrbExtension ext)
        {
            ext.InQueue = true;
            ext.Queue = Index;
            _queue.Enqueue(ext.Srb!);
            _f.PumpAgainIfPumping();
        }

        public void RemoveFromQueue(Srb srb)
        {
            Srb? previous = null;
            for (var s = _queue.Head; s != null; previous = s, s = s.NextInQueue)
            {
                if (s != srb) continue;
                _queue.Remove(previous, s);
                break;
            }

            if (srb.Extension != null) srb.Extension.InQueue = false;
        }

        /// <summary>
        /// Moves as much of this queue's work to its ring as fits, then notifies once. Called from
        /// <see cref="XenVbdFrontend.Pump"/>, which runs it for every queue and again while a nested call asks for it.
        /// </summary>
        public void Pump()
        {
            if (_f.State != FrontendState.Ready || _front == null) return;
            uint before = _front.ReqProdPvt;
            Srb? previous = null;
            var srb = _queue.Head;
            while (srb != null)
            {
                var next = srb.NextInQueue;
                var ext = srb.Extension!;
                if (_f.Personality.BounceBufferStallsQueue && _f.Bounce.Busy && !ext.HoldsBounce)
                {
                    // GPLPV 2012/2013: while aligned_buffer_in_use no SRB goes to the ring, aligned ones included.
                    previous = srb;
                    srb = next;
                    continue;
                }

                if (_f.Personality.StallsOnOverlappingWrite && OverlapsOutstandingWrite(ext))
                {
                    // GPLPV 2012/2013: the SRB goes back to the head of the queue and nothing behind it goes either
                    // until the write is answered.
                    _f.Statistics.OverlappingWriteStalls++;
                    break;
                }

                var r = Issue(ext);
                if (r == IssueResult.RingFull)
                {
                    _f.Statistics.RingFullWaits++;
                    RingFullWaits++;
                    // A slot may be held by a request that will never be answered: the watchdog bounds the wait.
                    if (_f.Personality.UnansweredRequests == UnansweredRequestPolicy.Hardened && Shadows.CountIn(ShadowState.Orphaned) > 0) _f.Watchdog.Arm();
                    break;
                }

                if (r == IssueResult.Done)
                {
                    _queue.Remove(previous, srb);
                    ext.InQueue = false;
                }
                else
                {
                    previous = srb;
                }

                srb = next;
            }

            if (_front.ReqProdPvt != before)
            {
                Notify();
                _f.Watchdog.Arm();
            }
        }

        /// <summary>Publishes the requests produced so far and kicks the backend if its req_event asks for it.</summary>
        public void Notify()
        {
            if (_front!.PushRequestsAndCheckNotify())
            {
                _f.Statistics.Notifies++;
                Notifies++;
                _f.Trace.Record(TraceKind.NotifyBackend, _f.DeviceId, _front.ReqProdPvt, 0, 0, Index);
                Channel?.Frontend.Notify();
            }
        }

        /// <summary>
        /// GPLPV's check before an SRB's first request goes out: does another SRB's outstanding WRITE overlap its sectors
        /// (the SRB itself may be a read)? Ranges are the SRBs' whole transfers, as GPLPV decodes them from the CDBs.
        /// </summary>
        private bool OverlapsOutstandingWrite(SrbExtension ext)
        {
            if (ext.Kind != TransferKind.ReadWrite || ext.DoneBytes != 0 || ext.WindowOpen || ext.PartsOutstanding != 0) return false;
            ulong sector = ext.StartSector;
            ulong count = (ulong)ext.TotalBytes / BlkifLayout.SectorSize;
            foreach (var other in _f.Extensions.All)
            {
                if (other == ext || other.State != ExtensionState.Active || other.PartsOutstanding == 0) continue;
                if (other.Kind != TransferKind.ReadWrite || other.Operation != BlkifOp.Write) continue;
                ulong sector2 = other.StartSector;
                ulong count2 = (ulong)other.TotalBytes / BlkifLayout.SectorSize;
                // The driver's own two tests, kept as it wrote them.
                if (sector < sector2 && sector + count <= sector2) continue;
                if (sector2 < sector && sector2 + count2 <= sector) continue;
                return true;
            }

            return false;
        }

        private IssueResult Issue(SrbExtension ext)
        {
            switch (ext.Kind)
            {
                case TransferKind.Flush:
                    if (ext.WindowIssued == 0)
                    {
                        if (!RingHasRoom) return IssueResult.RingFull;
                        IssueFlush(ext);
                    }

                    return IssueResult.Done;
                case TransferKind.Discard:
                    while (ext.ExtentsIssued < ext.ExtentCount)
                    {
                        if (!RingHasRoom) return IssueResult.RingFull;
                        IssueDiscard(ext);
                    }

                    return IssueResult.Done;
                default:
                    return IssueReadWriteWindow(ext);
            }
        }

        private IssueResult IssueReadWriteWindow(SrbExtension ext)
        {
            if (ext.Failed) return IssueResult.Done;
            if (!ext.WindowOpen)
            {
                if (ext.DoneBytes >= ext.TotalBytes) return IssueResult.Done;
                if (!_f.Bounce.TryOpen(ext))
                {
                    // Finding F3: the memory may be pinned by a request a reset orphaned, which only a late
                    // response or a reconnect frees; the watchdog bounds how long this SRB waits for it.
                    if (ext.BounceWaitSince < 0) ext.BounceWaitSince = _f.Scheduler.Now;
                    _f.Watchdog.Arm();
                    return IssueResult.Waiting;
                }

                ext.BounceWaitSince = -1;
            }

            while (ext.WindowIssued < ext.WindowBytes)
            {
                if (!RingHasRoom) return IssueResult.RingFull;
                IssueReadWrite(ext);
            }

            return IssueResult.Done;
        }

        /// <summary>Segments for the window from <see cref="SrbExtension.WindowIssued"/>, at most <paramref name="max"/>.</summary>
        private int BuildSegments(SrbExtension ext, int max, out int bytes)
        {
            int remaining = ext.WindowBytes - ext.WindowIssued;
            if (!ext.WindowPaged)
                return SegmentBuilder.Split(ext.WindowBase + (ulong)ext.WindowIssued, remaining, max, _segments, out bytes);

            // Pool pages: each pass byte offset maps to its own frame, always from sector 0 of the page.
            int n = 0;
            bytes = 0;
            while (bytes < remaining && n < max)
            {
                int offset = ext.WindowIssued + bytes;
                int take = Math.Min(XenPage.Size, remaining - bytes);
                _segments[n++] = new PageSegment(ext.WindowFrames[offset / XenPage.Size], 0, (byte)(take / BlkifLayout.SectorSize - 1));
                bytes += take;
            }

            return n;
        }

        private void IssueReadWrite(SrbExtension ext)
        {
            var shadow = Shadows.TryAcquire()!;
            int n = BuildSegments(ext, _f.Features.SegmentsPerRequest, out int bytes);
            ulong sector = ext.StartSector + (ulong)((ext.DoneBytes + ext.WindowIssued) / BlkifLayout.SectorSize);
            bool write = ext.Operation == BlkifOp.Write;
            int backend = _f.BackendDomainId;
            var persistent = _f.Features.Persistent ? PersistentGrants : null;
            if (persistent != null)
            {
                for (int i = 0; i < n; i++) persistent.Prepare(shadow, i, _segments[i], write, backend);
            }
            else
            {
                for (int i = 0; i < n; i++)
                {
                    // A grant kept from a connection that had persistent grants may still be mapped: not reused (XSA-396).
                    if (PersistentGrants != null) _f.Granter.EndOrReplace(ref shadow.Grefs[i]);
                    _f.Granter.Grant(shadow.Grefs[i], backend, _segments[i].Frame, readOnly: write);
                }
            }

            shadow.ActiveGrants = n;

            var slot = _front!.NextRequestSlot();
            if (n <= BlkifLayout.MaxSegmentsPerRequest)
            {
                var req = default(BlkifRequest);
                req.Operation = ext.Operation;
                req.NrSegments = (byte)n;
                req.Handle = (ushort)_f.DeviceId;
                req.Id = (ulong)shadow.Id;
                req.SectorNumber = sector;
                for (int i = 0; i < n; i++)
                    req.SetSegment(i, new BlkifSegment(shadow.Grefs[i], _segments[i].FirstSect, _segments[i].LastSect));
                BlkifCodec.WriteRequest(slot, _f.Abi, req);
                shadow.Operation = ext.Operation;
            }
            else
            {
                var req = default(BlkifIndirectRequest);
                req.Operation = BlkifOp.Indirect;
                req.IndirectOp = ext.Operation;
                req.NrSegments = (ushort)n;
                req.Handle = (ushort)_f.DeviceId;
                req.Id = (ulong)shadow.Id;
                req.SectorNumber = sector;
                int pages = (n + BlkifLayout.SegmentsPerIndirectPage - 1) / BlkifLayout.SegmentsPerIndirectPage;
                for (int p = 0; p < pages; p++)
                {
                    var page = _f.Memory.Page(shadow.IndirectFrames[p]).Span;
                    page.Clear();
                    int from = p * BlkifLayout.SegmentsPerIndirectPage;
                    int to = Math.Min(n, from + BlkifLayout.SegmentsPerIndirectPage);
                    for (int i = from; i < to; i++)
                        BlkifCodec.WriteSegment(page.Slice(BlkifCodec.IndirectSegmentOffset(i)), new BlkifSegment(shadow.Grefs[i], _segments[i].FirstSect, _segments[i].LastSect));
                    // With persistent grants the shadow's indirect page stays granted (the backend may keep it mapped).
                    if (persistent == null || !_f.Granter.IsActive(shadow.IndirectGrefs[p]))
                        _f.Granter.Grant(shadow.IndirectGrefs[p], backend, shadow.IndirectFrames[p], readOnly: persistent == null);
                    req.SetIndirectGref(p, shadow.IndirectGrefs[p]);
                }

                shadow.ActiveIndirectGrants = pages;
                BlkifCodec.WriteIndirect(slot, _f.Abi, req);
                shadow.Operation = BlkifOp.Indirect;
                _f.Statistics.IndirectRequests++;
            }

            shadow.IndirectOperation = ext.Operation;
            shadow.Sector = sector;
            shadow.Segments = n;
            shadow.Bytes = bytes;
            Produce(ext, shadow);
            ext.WindowIssued += bytes;
        }

        private void IssueFlush(SrbExtension ext)
        {
            var shadow = Shadows.TryAcquire()!;
            var req = default(BlkifRequest);
            req.Operation = ext.Operation;
            req.Handle = (ushort)_f.DeviceId;
            req.Id = (ulong)shadow.Id;
            BlkifCodec.WriteRequest(_front!.NextRequestSlot(), _f.Abi, req);
            shadow.Operation = ext.Operation;
            shadow.IndirectOperation = ext.Operation;
            shadow.Sector = 0;
            Produce(ext, shadow);
            ext.WindowIssued = 1;
        }

        private void IssueDiscard(SrbExtension ext)
        {
            var shadow = Shadows.TryAcquire()!;
            var extent = ext.Extents[ext.ExtentsIssued];
            ulong perBlock = _f.Disk!.LogicalBlockSize / BlkifLayout.SectorSize;
            var req = default(BlkifDiscardRequest);
            req.Operation = BlkifOp.Discard;
            req.Handle = (ushort)_f.DeviceId;
            req.Id = (ulong)shadow.Id;
            req.SectorNumber = extent.Lba * perBlock;
            req.NrSectors = extent.BlockCount * perBlock;
            BlkifCodec.WriteDiscard(_front!.NextRequestSlot(), _f.Abi, req);
            shadow.Operation = BlkifOp.Discard;
            shadow.IndirectOperation = BlkifOp.Discard;
            shadow.Sector = req.SectorNumber;
            Produce(ext, shadow);
            ext.ExtentsIssued++;
        }

        private void Produce(SrbExtension ext, Shadow shadow)
        {
            shadow.Owner = ext;
            shadow.IssuedTicks = _f.Scheduler.Now;
            shadow.RingIndex = _front!.ReqProdPvt;
            _front.Produce();
            InFlight++;
            ext.PartsOutstanding++;
            ext.Srb!.RequestsUsed++;
            _f.Statistics.Requests++;
            Requests++;
            // The queue rides in the operation word's upper half (the op is one byte), so existing readers of D still see it in the low byte.
            _f.Trace.Record(TraceKind.RequestPushed, _f.DeviceId, shadow.RingIndex, (ulong)shadow.Id, (long)shadow.Sector, shadow.Operation | (Index << 16));
        }

        /// <summary>Consumes every response the backend published, each copied out of the ring once.</summary>
        public void ProcessResponses()
        {
            var front = _front!;
            int consumed = 0;
            do
            {
                uint rp = front.Shared.RspProd;
                if (front.ResponseProdOverflow(rp) && _f.Checker.ChecksResponses)
                {
                    _f.Checker.Reject("rsp_prod " + rp + " is more than " + front.Size + " ahead of rsp_cons " + front.RspCons);
                    return;
                }

                while (front.RspCons != rp)
                {
                    if (++consumed > UncheckedResponseLimit)
                    {
                        // GPLPV and the Xen Project driver walk every slot up to rsp_prod, reading stale ring memory.
                        _f.Recovery.Stop("rsp_prod " + rp + " is " + (rp - front.RspCons) + " slots ahead of rsp_cons; " + _f.Personality.Name
                             + " does not check it and would walk every one of them as a response (the interrupt path never ends); the model stops the device");
                        return;
                    }

                    BlkifCodec.ReadResponse(front.ResponseSlot(front.RspCons), _f.Abi, out var rsp);
                    front.ConsumeResponse();
                    Responses++;
                    _f.Watchdog.ResetUnansweredCount();
                    _f.Trace.Record(TraceKind.ResponseConsumed, _f.DeviceId, front.RspCons - 1, rsp.Id, rsp.Status, rsp.Operation | (Index << 16));
                    var state = _f.State;
                    if (state == FrontendState.Probing) _f.Probe.OnProbeResponse(rsp);
                    else if (state == FrontendState.Verifying) _f.Probe.OnVerifyResponse(rsp);
                    else OnResponse(rsp);

                    if (_front != front || _f.IsTerminal) return;
                }
            }
            while (front.FinalCheckForResponses());
        }

        private void OnResponse(in BlkifResponse rsp)
        {
            var shadow = _f.Checker.ShadowFor(Shadows, rsp);
            if (shadow == null) return;

            byte op = shadow.IndirectOperation;
            int bytes = shadow.Bytes;
            int segments = shadow.Segments;
            bool orphan = shadow.State == ShadowState.Orphaned;
            var ext = shadow.Owner;
            if (rsp.Status == BlkifStatus.Okay && op == BlkifOp.Read && !orphan && _f.Features.Persistent) PersistentGrants!.CopyBack(shadow);
            RetireShadow(shadow);
            if (ext == null) return;
            ext.PartsOutstanding--;
            if (orphan)
            {
                // Its SRB was completed by a reset: the response only gives the grants back.
                _f.Statistics.LateResponses++;
                if (ext.State == ExtensionState.Draining && ext.PartsOutstanding == 0) _f.Extensions.Free(ext);
                return;
            }

            if (rsp.Status == BlkifStatus.Okay)
            {
                if (op == BlkifOp.Read) _f.Statistics.BytesRead += bytes;
                else if (op == BlkifOp.Write) _f.Statistics.BytesWritten += bytes;
            }
            else if (!_f.Features.TakeNotOkay(op, rsp.Status, segments) && !ext.Failed)
            {
                ext.Failed = true;
                ext.FailStatus = rsp.Status;
            }

            if (ext.PartsOutstanding == 0) OnPartsDrained(ext);
        }

        /// <summary>All requests an SRB had out are back: finish its window, start the next pass, or complete it.</summary>
        private void OnPartsDrained(SrbExtension ext)
        {
            switch (ext.Kind)
            {
                case TransferKind.Flush:
                    CompleteTransfer(ext);
                    return;
                case TransferKind.Discard:
                    if (ext.ExtentsIssued == ext.ExtentCount || ext.Failed) CompleteTransfer(ext);
                    return;
            }

            if (ext.WindowOpen && ext.WindowIssued == ext.WindowBytes)
            {
                if (!ext.Direct)
                {
                    if (!ext.Failed && ext.Operation == BlkifOp.Read) _f.Bounce.Copy(ext, toBounce: false);
                    if (ext.QuarantinedParts == 0)
                    {
                        _f.Bounce.Release(ext);
                        ext.HoldsBounce = false;
                    }
                    else if (!ext.Failed && ext.DoneBytes + ext.WindowBytes < ext.TotalBytes)
                    {
                        // XSA-396: the backend answered but still maps this window's bounce pages, so they
                        // cannot carry the next pass; the SRB fails here and its extension keeps the memory.
                        ext.Failed = true;
                        ext.FailStatus = BlkifStatus.Error;
                    }
                }

                ext.DoneBytes += ext.WindowBytes;
                ext.WindowOpen = false;
                if (!ext.Failed && ext.DoneBytes >= ext.TotalBytes && ext.Fua && _f.Features.CanFlush)
                {
                    // FUA: the data is written; a flush behind it makes it durable before the SRB completes
                    // (blkfront's block layer does the same when the backend offers flush but no FUA).
                    ext.Fua = false;
                    ext.Kind = TransferKind.Flush;
                    ext.Operation = _f.Features.Flush ? BlkifOp.FlushDiskCache : BlkifOp.WriteBarrier;
                    ext.WindowIssued = 0;
                    ext.WindowBytes = 1;
                    _f.Statistics.FuaFlushes++;
                    if (!ext.InQueue) _f.Rings[ext.Queue].Enqueue(ext);
                    return;
                }

                if (ext.Failed || ext.DoneBytes >= ext.TotalBytes) CompleteTransfer(ext);
                else if (!ext.InQueue) _f.Rings[ext.Queue].Enqueue(ext);
                return;
            }

            if (ext.Failed)
            {
                // Failed while the rest of the window still waited for ring room: stop here.
                CompleteTransfer(ext);
            }
        }

        /// <summary>Completes a ring SRB: GOOD, or MEDIUM ERROR sense for a backend error.</summary>
        public void CompleteTransfer(SrbExtension ext)
        {
            var srb = ext.Srb!;
            if (ext.InQueue) _f.Rings[ext.Queue].RemoveFromQueue(srb);
            bool failed = ext.Failed;
            byte op = ext.Operation;
            var kind = ext.Kind;
            bool resetPending = ext.ResetPending;
            _f.Extensions.Free(ext);
            if (resetPending)
            {
                // GPLPV 2012: a shadow a reset marked completes its SRB with BUS RESET when the answer finally comes.
                _f.Complete(srb, SrbStatus.BusReset, ScsiStatus.Good);
                return;
            }

            if (!failed)
            {
                _f.Complete(srb, SrbStatus.Success, ScsiStatus.Good);
                return;
            }

            if (kind == TransferKind.ReadWrite) srb.DataTransferLength = 0;
            ushort asc = op == BlkifOp.Read ? AdditionalSense.UnrecoveredReadError : AdditionalSense.WriteError;
            _f.CompleteWithSense(srb, SenseInfo.Of(SenseKey.MediumError, asc));
        }

        /// <summary>Ends a shadow's grants and frees it; one the backend still maps is quarantined (XSA-396).</summary>
        private void RetireShadow(Shadow shadow)
        {
            if (shadow.State == ShadowState.InFlight || shadow.State == ShadowState.Orphaned) InFlight--;
            if (_f.Features.Persistent)
            {
                // blkif_completion with persistent grants: a grant still mapped is kept, not an XSA-396 error.
                PersistentGrants!.Retire(shadow);
                Shadows.Release(shadow);
            }
            else if (_f.Granter.EndGrants(shadow)) Shadows.Release(shadow);
            else _f.Granter.Quarantine(shadow);
        }

        /// <summary>
        /// The backend is gone: every request on this queue's ring is taken back (its grants ended or quarantined); SRBs a
        /// reset already completed just drop their requests. <see cref="XenVbdFrontend.RequeueLiveSrbs"/> then rewinds
        /// every live SRB once for the whole frontend (blkif_recover does it for all rings at once).
        /// </summary>
        public void TakeBackAll()
        {
            foreach (var shadow in Shadows.All)
            {
                if (shadow.State != ShadowState.InFlight && shadow.State != ShadowState.Orphaned) continue;
                var owner = shadow.Owner;
                bool orphan = shadow.State == ShadowState.Orphaned;
                RetireShadow(shadow);
                if (owner == null) continue;
                owner.PartsOutstanding--;
                if (orphan && owner.State == ExtensionState.Draining && owner.PartsOutstanding == 0) _f.Extensions.Free(owner);
            }
        }

        /// <summary>Puts a live SRB whose window a disconnect rewound back at the head of this queue.</summary>
        public void Requeue(SrbExtension ext)
        {
            ext.InQueue = true;
            ext.Queue = Index;
            _queue.PushFront(ext.Srb!);
        }

        /// <summary>
        /// After a disconnect: a live SRB whose bounce window the old backend still maps cannot be replayed into that
        /// memory, so it fails now (after the state change, so a completion callback that submits again only queues).
        /// </summary>
        public void FailLiveSrbsOnQuarantinedMemory()
        {
            foreach (var ext in _f.Extensions.All)
            {
                if (ext.State != ExtensionState.Active || ext.QuarantinedParts == 0 || ext.Srb == null) continue;
                ext.Failed = true;
                ext.FailStatus = BlkifStatus.Error;
                CompleteTransfer(ext);
            }
        }

        private int CountQueued()
        {
            int n = 0;
            for (var s = _queue.Head; s != null; s = s.NextInQueue) n++;
            return n;
        }

        /// <summary>The ring as the frontend sees it now (allocates; for people and tests).</summary>
        public RingSnapshot? Snapshot()
        {
            var front = _front;
            if (front == null) return null;
            var slots = new List<RingSlotInfo>();
            foreach (var shadow in Shadows.All)
            {
                if (shadow.State != ShadowState.InFlight && shadow.State != ShadowState.Orphaned) continue;
                slots.Add(new RingSlotInfo(shadow.RingIndex, (int)(shadow.RingIndex & (uint)(front.Size - 1)), shadow.Id, shadow.Operation, shadow.Sector, shadow.Segments, shadow.State == ShadowState.Orphaned, _f.Scheduler.Now - shadow.IssuedTicks) { Queue = Index });
            }

            slots.Sort((a, b) => a.RingIndex.CompareTo(b.RingIndex));
            return new RingSnapshot(_f.Abi, _f.RingPageOrder, front.Size, front.Shared.Snapshot(), front.ReqProdPvt, front.RspCons, slots)
            {
                Queue = Index,
                Queues = _f.XenBus.Queues,
                Requests = Requests,
                Responses = Responses,
                Notifies = Notifies,
                Interrupts = Interrupts,
                RingFullWaits = RingFullWaits,
                QueuedSrbs = CountQueued(),
            };
        }
    }
}
