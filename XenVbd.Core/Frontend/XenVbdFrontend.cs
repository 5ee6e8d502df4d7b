using System;
using XenVbd.Ring;
using XenVbd.Scsi;
using XenVbd.Sim;
using XenVbd.Xen;

namespace XenVbd.Frontend
{
    /// <summary>
    /// The guest's block frontend: takes SRBs from scsiport and hands them to the parts it owns, laid out the way the
    /// Xen Project driver is (src/xenvbd/frontend.c, ring.c, granter.c, target.c, adapter.c), one object per concern:
    /// <list type="bullet">
    /// <item><see cref="ScsiDispatcher"/> — what the driver answers itself and what becomes ring work (target.c);</item>
    /// <item><see cref="RequestRing"/> — the request engine: queue, shadows, requests on the ring, responses (ring.c),
    /// with <see cref="Granter"/> (grants and the XSA-396 quarantine, granter.c), <see cref="SrbExtensionPool"/>,
    /// <see cref="BounceWindows"/>, <see cref="ResponseChecker"/> and <see cref="BackendFeatures"/>;</item>
    /// <item><see cref="AbiProbe"/> — GPLPV's op-0xff layout detection and the Announce-mode check read;</item>
    /// <item><see cref="XenbusHandshake"/> — XenBus states, keys, ring and event channel setup, connect, disconnect
    /// and the forced reconnect (frontend.c);</item>
    /// <item><see cref="Watchdog"/> and <see cref="Recovery"/> — timeouts, bus reset, the terminal states (adapter.c).</item>
    /// </list>
    /// Each part reads its switches from the personality (<see cref="FrontendBehaviours"/>): those are its seams. The
    /// frontend's own state changes only in <see cref="TransitionTo"/>, which records every change in the trace.
    /// Everything the I/O path touches is allocated in the constructor.
    /// </summary>
    public sealed class XenVbdFrontend : ISimEventHandler, IEventChannelHandler, IDisposable
    {
        /// <summary>Scheduler event kind of the watchdog tick.</summary>
        internal const int KindWatchdog = 1;

        /// <summary>Scheduler event kind of blkfront_delay_work, the persistent-grant purge every 10 s (a background timer).</summary>
        internal const int KindPersistentPurge = 2;

        /// <summary>The persistent-grant purge timer is scheduled (one at a time, whatever the reconnects).</summary>
        private bool _purgeArmed;

        /// <summary>Id of the Announce-mode layout check read: both halves non-zero, so a backend reading
        /// the other layout sees a different id (its id field straddles ours) and the mismatch shows.</summary>
        public const ulong VerifyRequestId = 0xA5A5_0000_0000_5A5AUL;

        /// <summary>The frontend's own view of the device; assigned only in <see cref="TransitionTo"/>.</summary>
        private FrontendState _state = FrontendState.Created;

        /// <summary>Set once by <see cref="Dispose"/>: events and timers that arrive later are ignored.</summary>
        private bool _disposed;

        public XenVbdFrontend(XenHost host, Domain domain, int deviceId, FrontendOptions options)
        {
            if (host == null) throw new ArgumentNullException(nameof(host));
            if (domain == null) throw new ArgumentNullException(nameof(domain));
            if (options == null) throw new ArgumentNullException(nameof(options));
            options.Validate();
            Host = host;
            Scheduler = host.Scheduler;
            Store = host.Store;
            Trace = host.Trace;
            Memory = domain.Memory;
            Options = options;
            DomainId = domain.Id;
            DeviceId = deviceId;
            Abi = options.Abi;
            TimeoutTicks = options.RequestTimeout.Ticks;
            FrontendPath = XenbusPaths.Frontend(domain.Id, deviceId);
            Personality = FrontendPersonalities.For(options.Personality);

            // Guest memory and grant refs are claimed in this order so frames and refs keep the numbers traces show;
            // queues after the first take theirs after everything else, so a single-queue frontend's numbers do not move.
            int ringPages = 1 << options.MaxRingPageOrder;
            uint ringFirstFrame = Memory.AllocatePages(ringPages);
            var ringGrefs = new uint[ringPages];
            for (int i = 0; i < ringPages; i++) ringGrefs[i] = domain.Grants.ClaimReference();
            uint scratchFrame = Memory.AllocatePages(1);
            uint scratchGref = domain.Grants.ClaimReference();
            var shadows = new ShadowTable(options.ShadowCount, options.SegmentsPerShadow, options.IndirectPagesPerShadow, domain.Grants, Memory);
            Rings = new RequestRing[options.MaxQueues];
            Bounce = new BounceWindows(this, options.EffectiveBounce switch
            {
                BounceStrategyKind.PerSrb => new PerSrbBounce(Memory, options.QueueDepth),
                BounceStrategyKind.DeviceBuffer => new DeviceBounce(Memory),
                _ => new SegmentPoolBounce(Memory, options.SegmentPoolPages),
            });
            Extensions = new SrbExtensionPool(this, options.QueueDepth);
            Granter = new Granter(this, domain.Grants);
            Features = new BackendFeatures(this);
            Checker = new ResponseChecker(this);
            Rings[0] = new RequestRing(this, 0, shadows, options.SegmentsPerShadow, ringFirstFrame, ringGrefs, NewPersistentGrantPool(domain));
            for (int q = 1; q < Rings.Length; q++)
            {
                uint first = Memory.AllocatePages(ringPages);
                var grefs = new uint[ringPages];
                for (int i = 0; i < ringPages; i++) grefs[i] = domain.Grants.ClaimReference();
                var queueShadows = new ShadowTable(options.ShadowCount, options.SegmentsPerShadow, options.IndirectPagesPerShadow, domain.Grants, Memory);
                Rings[q] = new RequestRing(this, q, queueShadows, options.SegmentsPerShadow, first, grefs, NewPersistentGrantPool(domain));
            }

            Probe = new AbiProbe(this, scratchFrame, scratchGref);
            XenBus = new XenbusHandshake(this);
            Watchdog = new Watchdog(this);
            Recovery = new Recovery(this);
            Scsi = new ScsiDispatcher(this);
        }

        // ---- the parts the frontend owns ----

        /// <summary>SCSI dispatch: answers, the waiting queue, unit attention.</summary>
        internal ScsiDispatcher Scsi { get; }

        /// <summary>
        /// The request engines, one per queue the frontend may use (<see cref="FrontendOptions.MaxQueues"/>): each its own
        /// SRB queue, shadows, ring, event channel and persistent grants. Only the first <see cref="XenbusHandshake.Queues"/>
        /// are connected.
        /// </summary>
        internal RequestRing[] Rings { get; }

        /// <summary>Queue 0: the only one of a single-queue frontend, and the one the ABI probe and check read use.</summary>
        internal RequestRing Ring => Rings[0];

        /// <summary>Grants of ring, data and indirect pages, and the quarantine of ids the backend still maps.</summary>
        internal Granter Granter { get; }

        /// <summary>The per-SRB working state, one per queue slot.</summary>
        internal SrbExtensionPool Extensions { get; }

        /// <summary>Bounce passes: the personality's bounce strategy, the copies and the XSA-403 scrub.</summary>
        internal BounceWindows Bounce { get; }

        /// <summary>Which response names which shadow, as the personality checks it.</summary>
        internal ResponseChecker Checker { get; }

        /// <summary>What the backend offers (flush, barrier, discard, indirect) and how the personality takes a refusal.</summary>
        internal BackendFeatures Features { get; }

        /// <summary>The op-0xff ABI probe and the Announce-mode check read.</summary>
        internal AbiProbe Probe { get; }

        /// <summary>The XenBus half: states, keys, ring and channel setup, connect, disconnect, forced reconnect.</summary>
        internal XenbusHandshake XenBus { get; }

        /// <summary>The one request timer and the bounded waits.</summary>
        internal Watchdog Watchdog { get; }

        /// <summary>Bus reset and the terminal states.</summary>
        internal Recovery Recovery { get; }

        // ---- what the parts share ----

        internal XenHost Host { get; }

        internal Scheduler Scheduler { get; }

        internal XenStore Store { get; }

        internal GuestMemory Memory { get; }

        internal TraceRecorder Trace { get; }

        /// <summary>The request timeout in virtual ticks.</summary>
        internal long TimeoutTicks { get; }

        internal bool IsDisposed => _disposed;

        /// <summary>Broken, LayoutMismatch, Closed or Stopped: nothing more goes on the ring until a reconnect.</summary>
        internal bool IsTerminal => _state == FrontendState.Broken || _state == FrontendState.LayoutMismatch || _state == FrontendState.Closed || _state == FrontendState.Stopped;

        // ---- the public surface ----

        public int DomainId { get; }

        public int DeviceId { get; }

        public string FrontendPath { get; }

        public string BackendPath => XenBus.BackendPath;

        public int BackendDomainId => XenBus.BackendDomainId;

        public FrontendOptions Options { get; }

        public FrontendState State => _state;

        /// <summary>The ring layout in use now (after any probe switch).</summary>
        public BlkifAbi Abi { get; internal set; }

        public BounceStrategyKind BounceStrategy => Bounce.Kind;

        public FrontendStatistics Statistics { get; } = new FrontendStatistics();

        /// <summary>The personality this frontend behaves as.</summary>
        public FrontendBehaviours Personality { get; }

        /// <summary>
        /// Something the user should know that is not (yet) a failure: ring slots held by requests the backend never
        /// answered, a probe that got no answer. Null when there is nothing to say; cleared when the device is Ready again after a connect.
        /// </summary>
        public string? Warning { get; internal set; }

        /// <summary>Requests on the ring whose SRB a reset already completed and whose answer never came: each holds a ring slot and a request id.</summary>
        public int OrphanedRequests => CountShadows(ShadowState.Orphaned);

        /// <summary>Ids held back because the backend kept a grant mapped.</summary>
        public int QuarantinedRequestIds => CountShadows(ShadowState.Quarantined);

        /// <summary>The disk as the backend described it at (the last) connect; null before.</summary>
        public ScsiDiskInfo? Disk => XenBus.Disk;

        /// <summary>Why the device is Broken, Stopped or in LayoutMismatch; null otherwise.</summary>
        public string? FailureReason { get; internal set; }

        /// <summary>SRBs accepted and not yet completed (waiting, queued or in flight).</summary>
        public int PendingSrbs => Scsi.WaitingCount + Extensions.InUseByLiveSrbs;

        public int RequestsInFlight
        {
            get
            {
                int n = 0;
                foreach (var ring in Rings) n += ring.InFlight;
                return n;
            }
        }

        public bool IsIdle => PendingSrbs == 0 && RequestsInFlight == 0;

        /// <summary>Queues in use on this connection (the frontend's and the backend's maximum agreed; 1 before a connect).</summary>
        public int Queues => XenBus.Queues;

        public AbiProbeState ProbeState => Probe.State;

        /// <summary>The last probe's outcome (cached across reconnects until a new probe replaces it).</summary>
        public ProbeResult? ProbeResult => Probe.Result;

        /// <summary>True while a forced close is waiting for the backend.</summary>
        public bool IsReconnecting => XenBus.IsForcedClosing;

        /// <summary>Connections made so far (1 after the first connect; +1 per reconnect).</summary>
        public int Generation => XenBus.Generation;

        public XenbusState XenbusState => XenBus.State;

        /// <summary>The backend's XenBus state as XenStore has it now.</summary>
        public XenbusState BackendState => XenBus.BackendState;

        public int RingPageOrder => XenBus.RingPageOrder;

        public int BackendMaxRingPageOrder => XenBus.BackendMaxRingPageOrder;

        public bool FeatureFlush => Features.Flush;

        public bool FeatureBarrier => Features.Barrier;

        public bool FeatureDiscard => Features.Discard;

        /// <summary>The backend's feature-max-indirect-segments (0 if it offers none).</summary>
        public int BackendMaxIndirectSegments => Features.BackendMaxIndirectSegments;

        /// <summary>Segments per request in use: 11, or the indirect limit both sides accept.</summary>
        public int SegmentsPerRequest => Features.SegmentsPerRequest;

        /// <summary>Writes state Initialising and starts watching the backend's state.</summary>
        public void Start() => XenBus.Start();

        /// <summary>
        /// Suspend (or the source side of a migration): in-flight work is pulled back for resubmission,
        /// the ring and channel are dropped and the frontend stops reacting to the backend until <see cref="Resume"/>.
        /// </summary>
        public void Suspend() => XenBus.Suspend();

        /// <summary>
        /// Resume (the destination side): handshake again with whatever backend is there now. Whether the ABI is probed
        /// again is the personality's: the hardened design re-probes, GPLPV keeps the layout it detected before.
        /// </summary>
        public void Resume() => XenBus.Resume();

        /// <summary>SCSI bus reset, as the personality's driver does it (see <see cref="Frontend.Recovery.ResetBus"/>).</summary>
        public void ResetBus() => Recovery.ResetBus();

        /// <summary>
        /// A device reset from the user (Reset-VbdDevice): the bus reset, and under the hardened design a way back
        /// (a reconnect through XenBus). Returns whether a reconnect was started.
        /// </summary>
        public bool ResetDevice() => Recovery.ResetDevice();

        /// <summary>
        /// The port driver restarts the adapter (scsiport's ScsiRestartAdapter, after a power transition; only with no I/O
        /// outstanding, or this throws). What happens to the ABI detector is the personality's
        /// (<see cref="FrontendBehaviours.AdapterRestart"/>): GPLPV 2012 probes again but never sets <c>use_other</c> back.
        /// </summary>
        public void RestartAdapter() => Recovery.RestartAdapter();

        /// <summary>
        /// The probe bits this driver saved in its config page's event-channel word (0 when it saved none): what a crash-dump
        /// or hibernate instance started on the same page finds (<see cref="FrontendOptions.InheritedProbeBits"/>).
        /// </summary>
        public uint ProbeCacheBits => Probe.ProbeCacheBits;

        /// <summary>The ring as the frontend sees it now (allocates; for people and tests).</summary>
        public RingSnapshot? GetRing() => Ring.Snapshot();

        /// <summary>Every connected queue's ring, queue 0 first (allocates; for people and tests); empty while disconnected.</summary>
        public System.Collections.Generic.IReadOnlyList<RingSnapshot> GetRings()
        {
            var list = new System.Collections.Generic.List<RingSnapshot>(Queues);
            for (int q = 0; q < Queues; q++)
            {
                var snapshot = Rings[q].Snapshot();
                if (snapshot != null) list.Add(snapshot);
            }

            return list;
        }

        /// <summary>Accepts an SRB. It completes later (or at once for answers the driver knows itself) exactly once.</summary>
        public void Submit(Srb srb)
        {
            if (srb == null) throw new ArgumentNullException(nameof(srb));
            if (srb.InProgress) ThrowHelper.ThrowInvalidOperation("The SRB was submitted already and has not completed.");
            if (srb.IsComplete) ThrowHelper.ThrowInvalidOperation("The SRB has completed; Prepare it again before reuse.");
            if (_disposed) ThrowHelper.ThrowInvalidOperation("The frontend is disposed.");
            srb.InProgress = true;
            srb.StartTicks = Scheduler.Now;
            srb.RequestedLength = srb.DataTransferLength;
            // Which vCPU submits: the modelled guest has one vCPU per queue the frontend may use, and they take turns
            // (SRB n from vCPU n mod vCPUs) — deterministic, even, and it draws nothing from the seeded random source, so
            // every seeded run of a single-queue device is unchanged. QueueFor maps the vCPU to a queue.
            srb.SubmittingCpu = (int)(Statistics.SrbsSubmitted % Rings.Length);
            Statistics.SrbsSubmitted++;
            Trace.Record(TraceKind.SrbStart, DeviceId, srb.CdbLength > 0 ? srb.Cdb[0] : 0u, srb.DataAddress, srb.DataTransferLength);
            Scsi.Accept(srb);
        }

        /// <summary>
        /// The one place the frontend's state changes: every change is recorded in the trace
        /// (<see cref="TraceKind.FrontendState"/>: A the new state, B the old one).
        /// </summary>
        internal void TransitionTo(FrontendState next)
        {
            var previous = _state;
            if (previous == next) return;
            _state = next;
            Trace.Record(TraceKind.FrontendState, DeviceId, (uint)next, (ulong)previous);
        }

        /// <summary>
        /// The queue an SRB's ring work goes to: blk-mq's map of the submitting CPU to a hardware queue (Linux
        /// blk_mq_map_queues: cpu mod nr_hw_queues without a topology), and the Xen Project driver's __RingGetBlkifRing
        /// (processor number mod NumQueues; the model has no SRB QueueTag, the driver's other key).
        /// </summary>
        internal RequestRing QueueFor(SrbExtension ext) => Rings[ext.Srb!.SubmittingCpu % XenBus.Queues];

        /// <summary><see cref="Pump"/> is running (a completion inside it may call it again).</summary>
        private bool _pumping;

        /// <summary>A nested <see cref="Pump"/>, or work queued while one runs, asked for another round.</summary>
        private bool _pumpAgain;

        /// <summary>Work was queued: if a <see cref="Pump"/> is running, it goes round once more so that queue is pumped too.</summary>
        internal void PumpAgainIfPumping()
        {
            if (_pumping) _pumpAgain = true;
        }

        /// <summary>Moves as much queued work to every connected queue's ring as fits (each queue notifies once).</summary>
        internal void Pump()
        {
            if (_pumping)
            {
                _pumpAgain = true;
                return;
            }

            _pumping = true;
            try
            {
                do
                {
                    _pumpAgain = false;
                    // Memory the backend finally let go of (XSA-396) goes back before anything waits for it.
                    Granter.RetryQuarantined();
                    Scsi.AdmitWaiting();
                    for (int q = 0; q < XenBus.Queues; q++) Rings[q].Pump();
                }
                while (_pumpAgain);
            }
            finally
            {
                _pumping = false;
            }
        }

        /// <summary>Shadows of every queue in <paramref name="state"/>.</summary>
        internal int CountShadows(ShadowState state)
        {
            int n = 0;
            foreach (var ring in Rings) n += ring.Shadows.CountIn(state);
            return n;
        }

        /// <summary>
        /// After every queue took its requests back at a disconnect: each live SRB's current window is rewound and queued
        /// (at the head, in order) to go out again on the next connection, on the queue its vCPU maps to then.
        /// </summary>
        internal void RequeueLiveSrbs()
        {
            foreach (var ext in Extensions.All)
            {
                if (ext.State != ExtensionState.Active) continue;
                bool hadWork = ext.WindowIssued > 0 || ext.ExtentsIssued > 0;
                ext.PartsOutstanding = 0;
                ext.WindowIssued = 0;
                ext.ExtentsIssued = 0;
                if (hadWork) Statistics.Requeues++;
                if (!ext.InQueue && ext.Srb != null) Rings[ext.Queue].Requeue(ext);
            }
        }

        /// <summary>
        /// A connect agreed a different number of queues: SRBs waiting in a queue go to the one their vCPU maps to now
        /// (blk_mq_update_nr_hw_queues remaps, blkif_recover requeues). Off the I/O path.
        /// </summary>
        internal void RemapQueuedSrbs()
        {
            var waiting = new System.Collections.Generic.List<SrbExtension>();
            foreach (var ring in Rings)
            {
                while (ring.Queue.Dequeue() is Srb srb)
                {
                    srb.Extension!.InQueue = false;
                    waiting.Add(srb.Extension);
                }
            }

            foreach (var ext in waiting) QueueFor(ext).Enqueue(ext);
        }

        private PersistentGrantPool? NewPersistentGrantPool(Domain domain) =>
            Options.OffersPersistentGrants ? new PersistentGrantPool(this, domain.Grants, Options.ShadowCount, Options.SegmentsPerShadow) : null;

        void IEventChannelHandler.OnEvent(EventChannelEnd end)
        {
            RequestRing? ring = null;
            foreach (var r in Rings)
                if (r.Channel != null && end == r.Channel.Frontend) ring = r;
            if (_disposed || ring == null) return;
            Statistics.Interrupts++;
            ring.Interrupts++;
            // While a forced close waits for the backend, the ring is still its: answers to work on it count.
            if (!ring.IsAttached || !(_state == FrontendState.Ready || _state == FrontendState.Probing || _state == FrontendState.Verifying || XenBus.IsForcedClosing))
            {
                // XSA-332: an event with nothing behind it is counted and ignored, never trusted.
                Statistics.SpuriousInterrupts++;
                Trace.Record(TraceKind.SpuriousEvent, DeviceId);
                return;
            }

            if (_state == FrontendState.Probing) Probe.CountRoundTrip();
            ring.ProcessResponses();
            Granter.RetryQuarantined();
            Pump();
        }

        void ISimEventHandler.OnSimEvent(int kind, long argument)
        {
            if (kind == KindWatchdog) Watchdog.OnTick();
            else if (kind == KindPersistentPurge) OnPersistentPurge();
        }

        /// <summary>
        /// blkfront_connect with feature_persistent agreed schedules blkfront_delay_work in 10 s; it purges and schedules itself
        /// again while the device still has the feature. A background timer (<see cref="Scheduler.ScheduleBackground"/>): it
        /// is not work, so running until idle does not wait for it, and it stops once persistent grants are off or the frontend is gone.
        /// </summary>
        internal void ArmPersistentPurge()
        {
            if (_purgeArmed || _disposed || !Features.Persistent) return;
            _purgeArmed = true;
            Scheduler.ScheduleBackground(PersistentGrantPool.PurgeIntervalTicks, this, KindPersistentPurge);
        }

        private void OnPersistentPurge()
        {
            _purgeArmed = false;
            if (_disposed || !Features.Persistent) return;
            // purge_persistent_grants walks every ring of the device.
            for (int q = 0; q < XenBus.Queues; q++)
                if (Rings[q].IsAttached) Rings[q].PersistentGrants!.Purge(Rings[q].Shadows);
            ArmPersistentPurge();
        }

        /// <summary>Completes an SRB to scsiport (once: a second completion of the same SRB is ignored).</summary>
        internal void Complete(Srb srb, SrbStatus status, ScsiStatus scsiStatus)
        {
            if (!srb.TryComplete(status, scsiStatus, Scheduler.Now)) return;
            Finish(srb);
        }

        /// <summary>Completes an SRB with CHECK CONDITION and the sense given (once).</summary>
        internal void CompleteWithSense(Srb srb, in SenseInfo sense)
        {
            if (!srb.TryCompleteWithSense(sense, Scheduler.Now)) return;
            Finish(srb);
        }

        private void Finish(Srb srb)
        {
            srb.Extension = null;
            Statistics.SrbsCompleted++;
            if (srb.SrbStatus.Base() != SrbStatus.Success) Statistics.SrbsFailed++;
            Trace.Record(TraceKind.SrbComplete, DeviceId, (uint)srb.SrbStatus, 0, srb.LatencyTicks, (int)srb.ScsiStatus);
            srb.Completed?.Invoke(srb);
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            XenBus.Close();
            // Removed for good: the Xen Project driver's frontend ends in XENVBD_CLOSED when its target goes away
            // (xenserver/win-xenvbd src/xenvbd/frontend.c, __FrontendSetState via FrontendClose). The model does not
            // run the XenBus close handshake here: the device disposes its backend with the frontend.
            TransitionTo(FrontendState.Closed);
        }
    }
}
