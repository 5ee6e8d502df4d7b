using System;
using XenVbd.Ring;
using XenVbd.Scsi;
using XenVbd.Sim;
using XenVbd.Xen;

namespace XenVbd.Frontend
{
    /// <summary>
    /// The GPLPV xenvbd driver: takes SRBs from scsiport, answers SCSI itself where it can, turns
    /// reads and writes into blkif requests on the shared ring, and handles the three hard cases the
    /// seed describes — unaligned buffers, a backend of the other bitness, late or missing responses.
    /// Everything the I/O path touches is allocated in the constructor. Split over partial files by
    /// concern: XenBus handshake, SCSI dispatch, request building, responses, probe, recovery.
    /// </summary>
    public sealed partial class XenVbdFrontend : ISimEventHandler, IEventChannelHandler, IDisposable
    {
        private const int KindWatchdog = 1;

        /// <summary>Id of the Announce-mode layout check read: both halves non-zero, so a backend reading
        /// the other layout sees a different id (its id field straddles ours) and the mismatch shows.</summary>
        public const ulong VerifyRequestId = 0xA5A5_0000_0000_5A5AUL;

        private readonly XenHost _host;
        private readonly Scheduler _scheduler;
        private readonly XenStore _store;
        private readonly GuestMemory _memory;
        private readonly GrantTable _grants;
        private readonly TraceRecorder _trace;
        private readonly FrontendOptions _options;
        private readonly ShadowTable _shadows;
        private readonly SrbExtension[] _extensions;
        private readonly int[] _freeExtensions;
        private int _freeExtensionCount;
        private readonly IBounceStrategy _bounce;
        private readonly PageSegment[] _segments;
        private readonly SrbQueue _queue = new SrbQueue();
        private readonly SrbQueue _waiting = new SrbQueue();
        private uint _ringFirstFrame;
        private readonly uint[] _ringGrefs;
        private readonly uint _scratchFrame;
        private uint _scratchGref;
        private readonly long _timeoutTicks;

        /// <summary>The personality: every seam below reads its switches from here (see <see cref="FrontendBehaviours"/>).</summary>
        private readonly FrontendBehaviours _p;

        /// <summary>Seams the hardened design takes from the options and a real driver fixes: protocol key, probe, layout check read.</summary>
        private readonly bool _writesProtocol;
        private readonly ProbePolicy _probePolicy;
        private readonly bool _verifyLayout;

        private FrontRing? _front;
        private EventChannel? _channel;
        private ScsiDiskInfo? _disk;
        private FrontendState _state = FrontendState.Created;
        private int _inFlight;
        private bool _watchdogArmed;
        private bool _pumping;
        private bool _pumpAgain;
        private bool _disposed;

        public XenVbdFrontend(XenHost host, Domain domain, int deviceId, FrontendOptions options)
        {
            if (host == null) throw new ArgumentNullException(nameof(host));
            if (domain == null) throw new ArgumentNullException(nameof(domain));
            if (options == null) throw new ArgumentNullException(nameof(options));
            options.Validate();
            _host = host;
            _scheduler = host.Scheduler;
            _store = host.Store;
            _trace = host.Trace;
            _memory = domain.Memory;
            _grants = domain.Grants;
            _options = options;
            DomainId = domain.Id;
            DeviceId = deviceId;
            Abi = options.Abi;
            _timeoutTicks = options.RequestTimeout.Ticks;
            FrontendPath = XenbusPaths.Frontend(domain.Id, deviceId);
            _p = FrontendPersonalities.For(options.Personality);
            if (_p.TakesAbiModeAndBounceFromOptions)
            {
                _writesProtocol = options.Mode != FrontendAbiMode.Probe;
                _probePolicy = options.Mode == FrontendAbiMode.Announce ? ProbePolicy.Never : ProbePolicy.EveryConnect;
                _verifyLayout = options.Mode == FrontendAbiMode.Announce && options.VerifyLayoutOnConnect;
            }
            else
            {
                _writesProtocol = _p.WritesProtocol;
                _probePolicy = _p.Probe;
                _verifyLayout = false;
            }

            int ringPages = 1 << options.MaxRingPageOrder;
            _ringFirstFrame = _memory.AllocatePages(ringPages);
            _ringGrefs = new uint[ringPages];
            for (int i = 0; i < ringPages; i++) _ringGrefs[i] = _grants.ClaimReference();
            _scratchFrame = _memory.AllocatePages(1);
            _scratchGref = _grants.ClaimReference();

            _shadows = new ShadowTable(options.ShadowCount, options.SegmentsPerShadow, options.IndirectPagesPerShadow, _grants, _memory);
            _segments = new PageSegment[options.SegmentsPerShadow];
            _extensions = new SrbExtension[options.QueueDepth];
            _freeExtensions = new int[options.QueueDepth];
            for (int i = options.QueueDepth - 1; i >= 0; i--)
            {
                _extensions[i] = new SrbExtension(i, 16);
                _freeExtensions[_freeExtensionCount++] = i;
            }

            _bounce = options.EffectiveBounce switch
            {
                BounceStrategyKind.PerSrb => new PerSrbBounce(_memory, options.QueueDepth),
                BounceStrategyKind.DeviceBuffer => new DeviceBounce(_memory),
                _ => new SegmentPoolBounce(_memory, options.SegmentPoolPages),
            };
        }

        public int DomainId { get; }

        public int DeviceId { get; }

        public string FrontendPath { get; }

        public string BackendPath { get; private set; } = string.Empty;

        public int BackendDomainId { get; private set; }

        public FrontendOptions Options => _options;

        public FrontendState State => _state;

        /// <summary>The ring layout in use now (after any probe switch).</summary>
        public BlkifAbi Abi { get; private set; }

        public BounceStrategyKind BounceStrategy => _bounce.Kind;

        public FrontendStatistics Statistics { get; } = new FrontendStatistics();

        /// <summary>The personality this frontend behaves as.</summary>
        public FrontendBehaviours Personality => _p;

        /// <summary>
        /// Something the user should know that is not (yet) a failure: ring slots held by requests the backend never
        /// answered, a probe that got no answer. Null when there is nothing to say; cleared when the device is Ready again after a connect.
        /// </summary>
        public string? Warning { get; private set; }

        /// <summary>Requests on the ring whose SRB a reset already completed and whose answer never came: each holds a ring slot and a request id.</summary>
        public int OrphanedRequests => _shadows.CountIn(ShadowState.Orphaned);

        /// <summary>The disk as the backend described it at (the last) connect; null before.</summary>
        public ScsiDiskInfo? Disk => _disk;

        /// <summary>Why the device is Broken or in LayoutMismatch; null otherwise.</summary>
        public string? FailureReason { get; private set; }

        /// <summary>SRBs accepted and not yet completed (waiting, queued or in flight).</summary>
        public int PendingSrbs => _waiting.Count + (_options.QueueDepth - _freeExtensionCount - DrainingExtensions);

        public int RequestsInFlight => _inFlight;

        public bool IsIdle => PendingSrbs == 0 && _inFlight == 0;

        private int DrainingExtensions
        {
            get
            {
                int n = 0;
                foreach (var e in _extensions) if (e.State == ExtensionState.Draining) n++;
                return n;
            }
        }

        /// <summary>Accepts an SRB. It completes later (or at once for answers the driver knows itself) exactly once.</summary>
        public void Submit(Srb srb)
        {
            if (srb == null) throw new ArgumentNullException(nameof(srb));
            if (srb.InProgress) ThrowHelper.ThrowInvalidOperation("The SRB was submitted already and has not completed.");
            if (srb.IsComplete) ThrowHelper.ThrowInvalidOperation("The SRB has completed; Prepare it again before reuse.");
            if (_disposed) ThrowHelper.ThrowInvalidOperation("The frontend is disposed.");
            srb.InProgress = true;
            srb.StartTicks = _scheduler.Now;
            srb.RequestedLength = srb.DataTransferLength;
            Statistics.SrbsSubmitted++;
            _trace.Record(TraceKind.SrbStart, DeviceId, srb.CdbLength > 0 ? srb.Cdb[0] : 0u, srb.DataAddress, srb.DataTransferLength);

            switch (srb.Function)
            {
                case SrbFunction.ExecuteScsi:
                    break;
                case SrbFunction.ResetBus:
                case SrbFunction.ResetDevice:
                    ResetBus();
                    Complete(srb, SrbStatus.Success, ScsiStatus.Good);
                    return;
                default:
                    // Abort, flush and shutdown have nothing to do here: writes are not cached in the frontend.
                    Complete(srb, SrbStatus.Success, ScsiStatus.Good);
                    return;
            }

            if (_state == FrontendState.Broken && _p.Responses == ResponseValidation.DisableAndLeaveHanging)
            {
                // blkfront in BLKIF_STATE_ERROR: blkif_queue_request refuses, blk-mq keeps the request for later.
                _waiting.Enqueue(srb);
                return;
            }

            if (IsTerminal)
            {
                CompleteWithSense(srb, SenseInfo.Of(SenseKey.HardwareError, AdditionalSense.InternalTargetFailure));
                return;
            }

            if (_state == FrontendState.Probing && _p.SrbsDuringProbe == ProbeSrbPolicy.AnswerNonReadWrite && !NeedsRing(srb))
            {
                // GPLPV 2012 answers what it can itself while the probe is out; only reads and writes queue behind it.
                Start(srb);
                return;
            }

            if (_state != FrontendState.Ready || _waiting.Count > 0 || (_freeExtensionCount == 0 && NeedsRing(srb)))
            {
                _waiting.Enqueue(srb);
                // While Ready the wait is for an extension, which orphans may pin (finding F3): the watchdog
                // bounds it. Waiting for a connection (migration) is not bounded here.
                if (_state == FrontendState.Ready) ArmWatchdog();
                return;
            }

            Start(srb);
            Pump();
        }

        private bool IsTerminal => _state == FrontendState.Broken || _state == FrontendState.LayoutMismatch || _state == FrontendState.Closed || _state == FrontendState.Stopped;

        void IEventChannelHandler.OnEvent(EventChannelEnd end)
        {
            if (_disposed || end != _channel?.Frontend) return;
            Statistics.Interrupts++;
            // While a forced close waits for the backend, the ring is still its: answers to work on it count.
            if (_front == null || !(_state == FrontendState.Ready || _state == FrontendState.Probing || _state == FrontendState.Verifying || _forcedClose))
            {
                // XSA-332: an event with nothing behind it is counted and ignored, never trusted.
                Statistics.SpuriousInterrupts++;
                _trace.Record(TraceKind.SpuriousEvent, DeviceId);
                return;
            }

            if (_state == FrontendState.Probing) _probeRoundTrips++;
            ProcessResponses();
            RetryQuarantined();
            Pump();
        }

        void ISimEventHandler.OnSimEvent(int kind, long argument)
        {
            if (kind == KindWatchdog) OnWatchdog();
        }

        private void Notify()
        {
            if (_front!.PushRequestsAndCheckNotify())
            {
                Statistics.Notifies++;
                _trace.Record(TraceKind.NotifyBackend, DeviceId, _front.ReqProdPvt);
                _channel?.Frontend.Notify();
            }
        }

        private bool TryAcquireExtension(out SrbExtension extension)
        {
            if (_freeExtensionCount == 0)
            {
                extension = null!;
                return false;
            }

            extension = _extensions[_freeExtensions[--_freeExtensionCount]];
            extension.Reset();
            extension.State = ExtensionState.Active;
            return true;
        }

        private void FreeExtension(SrbExtension extension)
        {
            if (extension.QuarantinedParts > 0)
            {
                // XSA-396: the backend still maps bounce pages this extension holds. Handing them (or, for
                // PerSrb, the slot that owns them) to another SRB would let the backend write into that SRB's
                // data, so the extension parks in Draining until RetryQuarantined sees the grants end.
                extension.Srb = null;
                extension.InQueue = false;
                MarkDraining(extension);
                return;
            }

            if (extension.HoldsBounce) _bounce.Release(extension);
            extension.Reset();
            extension.State = ExtensionState.Free;
            _freeExtensions[_freeExtensionCount++] = extension.Index;
        }

        private void Complete(Srb srb, SrbStatus status, ScsiStatus scsiStatus)
        {
            if (!srb.TryComplete(status, scsiStatus, _scheduler.Now)) return;
            Finish(srb);
        }

        private void CompleteWithSense(Srb srb, in SenseInfo sense)
        {
            if (!srb.TryCompleteWithSense(sense, _scheduler.Now)) return;
            Finish(srb);
        }

        private void Finish(Srb srb)
        {
            srb.Extension = null;
            Statistics.SrbsCompleted++;
            if (srb.SrbStatus.Base() != SrbStatus.Success) Statistics.SrbsFailed++;
            _trace.Record(TraceKind.SrbComplete, DeviceId, (uint)srb.SrbStatus, 0, srb.LatencyTicks, (int)srb.ScsiStatus);
            srb.Completed?.Invoke(srb);
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _watch?.Dispose();
            _watch = null;
            if (_channel != null) _host.CloseEventChannel(_channel.Port);
            _channel = null;
        }
    }
}
