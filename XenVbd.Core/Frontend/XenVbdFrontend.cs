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
        /// <summary>Scheduler event kind of the watchdog tick (the only timer the frontend sets).</summary>
        internal const int KindWatchdog = 1;

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

            // Guest memory and grant refs are claimed in this order so frames and refs keep the numbers traces show.
            int ringPages = 1 << options.MaxRingPageOrder;
            uint ringFirstFrame = Memory.AllocatePages(ringPages);
            var ringGrefs = new uint[ringPages];
            for (int i = 0; i < ringPages; i++) ringGrefs[i] = domain.Grants.ClaimReference();
            uint scratchFrame = Memory.AllocatePages(1);
            uint scratchGref = domain.Grants.ClaimReference();
            var shadows = new ShadowTable(options.ShadowCount, options.SegmentsPerShadow, options.IndirectPagesPerShadow, domain.Grants, Memory);
            Bounce = new BounceWindows(this, options.EffectiveBounce switch
            {
                BounceStrategyKind.PerSrb => new PerSrbBounce(Memory, options.QueueDepth),
                BounceStrategyKind.DeviceBuffer => new DeviceBounce(Memory),
                _ => new SegmentPoolBounce(Memory, options.SegmentPoolPages),
            });
            Extensions = new SrbExtensionPool(this, options.QueueDepth);
            Granter = new Granter(this, domain.Grants, shadows);
            PersistentGrants = options.OffersPersistentGrants ? new PersistentGrantPool(this, domain.Grants, options.ShadowCount, options.SegmentsPerShadow) : null;
            Features = new BackendFeatures(this);
            Checker = new ResponseChecker(this, shadows);
            Ring = new RequestRing(this, shadows, options.SegmentsPerShadow);
            Probe = new AbiProbe(this, scratchFrame, scratchGref);
            XenBus = new XenbusHandshake(this, ringFirstFrame, ringGrefs);
            Watchdog = new Watchdog(this);
            Recovery = new Recovery(this);
            Scsi = new ScsiDispatcher(this);
        }

        // ---- the parts the frontend owns ----

        /// <summary>SCSI dispatch: answers, the waiting queue, unit attention.</summary>
        internal ScsiDispatcher Scsi { get; }

        /// <summary>The request engine: queue, shadows, the ring, responses.</summary>
        internal RequestRing Ring { get; }

        /// <summary>Grants of ring, data and indirect pages, and the quarantine of ids the backend still maps.</summary>
        internal Granter Granter { get; }

        /// <summary>Persistently granted data pages (blkfront's feature-persistent); null when the personality or the options do not offer them.</summary>
        internal PersistentGrantPool? PersistentGrants { get; }

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
        public int OrphanedRequests => Ring.Shadows.CountIn(ShadowState.Orphaned);

        /// <summary>Ids held back because the backend kept a grant mapped.</summary>
        public int QuarantinedRequestIds => Ring.Shadows.CountIn(ShadowState.Quarantined);

        /// <summary>The disk as the backend described it at (the last) connect; null before.</summary>
        public ScsiDiskInfo? Disk => XenBus.Disk;

        /// <summary>Why the device is Broken, Stopped or in LayoutMismatch; null otherwise.</summary>
        public string? FailureReason { get; internal set; }

        /// <summary>SRBs accepted and not yet completed (waiting, queued or in flight).</summary>
        public int PendingSrbs => Scsi.WaitingCount + Extensions.InUseByLiveSrbs;

        public int RequestsInFlight => Ring.InFlight;

        public bool IsIdle => PendingSrbs == 0 && Ring.InFlight == 0;

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

        void IEventChannelHandler.OnEvent(EventChannelEnd end)
        {
            if (_disposed || end != XenBus.Channel?.Frontend) return;
            Statistics.Interrupts++;
            // While a forced close waits for the backend, the ring is still its: answers to work on it count.
            if (!Ring.IsAttached || !(_state == FrontendState.Ready || _state == FrontendState.Probing || _state == FrontendState.Verifying || XenBus.IsForcedClosing))
            {
                // XSA-332: an event with nothing behind it is counted and ignored, never trusted.
                Statistics.SpuriousInterrupts++;
                Trace.Record(TraceKind.SpuriousEvent, DeviceId);
                return;
            }

            if (_state == FrontendState.Probing) Probe.CountRoundTrip();
            Ring.ProcessResponses();
            Granter.RetryQuarantined();
            Ring.Pump();
        }

        void ISimEventHandler.OnSimEvent(int kind, long argument)
        {
            if (kind == KindWatchdog) Watchdog.OnTick();
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
