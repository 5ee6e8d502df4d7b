using System;
using System.Globalization;
using XenVbd.Ring;
using XenVbd.Scsi;
using XenVbd.Sim;
using XenVbd.Xen;

namespace XenVbd.Frontend
{
    /// <summary>The XenBus frontend half: states, keys, ring and event channel setup, connect and disconnect.</summary>
    public sealed partial class XenVbdFrontend
    {
        private IDisposable? _watch;
        private XenbusState _xbState = XenbusState.Unknown;
        private bool _suspended;
        private int _connectedGeneration = -1;

        /// <summary>Setup ran and the backend has not connected since: a Connected from it now is a connect, never a resize
        /// (a personality that writes Connected itself before the backend does, GPLPV 2012, is already Connected here).</summary>
        private bool _awaitingConnect;

        /// <summary>A probe completed and its result is kept for later connections (GPLPV: <c>use_other</c> is never set back).</summary>
        private bool _probeResultKept;

        /// <summary>Connections made so far (1 after the first connect; +1 per reconnect).</summary>
        public int Generation { get; private set; }

        public XenbusState XenbusState => _xbState;

        public int RingPageOrder { get; private set; }

        public bool FeatureFlush { get; private set; }

        public bool FeatureBarrier { get; private set; }

        public bool FeatureDiscard { get; private set; }

        /// <summary>The backend's feature-max-indirect-segments (0 if it offers none).</summary>
        public int BackendMaxIndirectSegments { get; private set; }

        /// <summary>Segments per request in use: 11, or the indirect limit both sides accept.</summary>
        public int SegmentsPerRequest { get; private set; } = BlkifLayout.MaxSegmentsPerRequest;

        public int BackendMaxRingPageOrder { get; private set; }

        /// <summary>Writes state Initialising and starts watching the backend's state.</summary>
        public void Start()
        {
            if (_watch != null) return;
            string? backend = _store.Read(BlkifKeys.Path(FrontendPath, BlkifKeys.BackendPath));
            BackendPath = backend ?? XenbusPaths.Backend(0, DomainId, DeviceId);
            BackendDomainId = (int)_store.ReadInt64OrDefault(BlkifKeys.Path(FrontendPath, BlkifKeys.BackendId), 0);
            WriteState(XenbusState.Initialising);
            _state = FrontendState.WaitingForBackend;
            _watch = _store.Watch(BlkifKeys.Path(BackendPath, BlkifKeys.State), "xenvbd-" + DeviceId, (path, token) => OnBackendStateChanged());
        }

        /// <summary>The backend's XenBus state as XenStore has it now.</summary>
        public XenbusState BackendState => (XenbusState)_store.ReadInt64OrDefault(BlkifKeys.Path(BackendPath, BlkifKeys.State), 0);

        /// <summary>
        /// Suspend (or the source side of a migration): in-flight work is pulled back for resubmission,
        /// the ring and channel are dropped and the frontend stops reacting to the backend until
        /// <see cref="Resume"/>.
        /// </summary>
        public void Suspend()
        {
            _suspended = true;
            _forcedClose = false;
            Disconnect();
            WriteState(XenbusState.Initialising);
        }

        /// <summary>
        /// Resume (the destination side): handshake again with whatever backend is there now. Whether the ABI is probed
        /// again is the personality's: the hardened design re-probes, GPLPV keeps the layout it detected before.
        /// </summary>
        public void Resume()
        {
            _suspended = false;
            if (_state == FrontendState.Broken || _state == FrontendState.LayoutMismatch || _state == FrontendState.Stopped) _state = FrontendState.Disconnected;
            OnBackendStateChanged();
        }

        private void OnBackendStateChanged()
        {
            if (_disposed || _suspended) return;
            var backend = BackendState;
            _trace.Record(TraceKind.StateChange, DeviceId, (uint)backend, (ulong)_xbState);
            if (_forcedClose)
            {
                OnBackendStateWhileForcedClosing(backend);
                return;
            }

            switch (backend)
            {
                case XenbusState.InitWait:
                    if (_xbState != XenbusState.Initialised && _xbState != XenbusState.Connected) Setup();
                    else if (_xbState == XenbusState.Connected && !_awaitingConnect)
                    {
                        // The backend restarted under us: start over with it.
                        Disconnect();
                        Setup();
                    }

                    break;
                case XenbusState.Connected:
                    // Tolerate a skipped InitWait: set up first, then connect at once.
                    if (_xbState != XenbusState.Initialised && _xbState != XenbusState.Connected) Setup();
                    Connect();
                    break;
                case XenbusState.Closing:
                case XenbusState.Closed:
                case XenbusState.Unknown:
                    if (_xbState == XenbusState.Initialised || _xbState == XenbusState.Connected)
                    {
                        Disconnect();
                        WriteState(XenbusState.Closed);
                    }

                    break;
            }
        }

        private void Setup()
        {
            ReadFeatures();
            RetryQuarantined();
            BackendMaxRingPageOrder = (int)_store.ReadInt64OrDefault(BlkifKeys.Path(BackendPath, BlkifKeys.MaxRingPageOrder), 0);
            int order = Math.Max(0, Math.Min(_options.MaxRingPageOrder, BackendMaxRingPageOrder));
            RingPageOrder = order;
            int pages = 1 << order;

            // Regrant the ring pages; a ref the old backend still maps is not reused (XSA-396).
            bool stillMapped = false;
            for (int i = 0; i < _ringGrefs.Length; i++)
            {
                if (_grants.IsActive(_ringGrefs[i]) && !_grants.EndAccess(_ringGrefs[i]))
                {
                    Statistics.GrantsStillMapped++;
                    _ringGrefs[i] = _grants.ClaimReference();
                    stillMapped = true;
                }
            }

            // Nor is the page: Linux blkback keeps a closed ring with requests in flight mapped and writes their
            // responses into it later (xen_blkif_disconnect), so a new ring on the same frames would get them.
            // Like blkfront's deferred free, the old frames are left to the backend.
            if (stillMapped && _memory.PagesFree >= _ringGrefs.Length) _ringFirstFrame = _memory.AllocatePages(_ringGrefs.Length);

            // XSA-403: the ring pages are zeroed (old entries from an earlier connection included) before
            // they are granted, not after.
            var shared = new SharedRing(_memory.Pages(_ringFirstFrame, pages), order);
            shared.ClearAll();
            for (int i = 0; i < pages; i++) _grants.GrantAccess(_ringGrefs[i], BackendDomainId, _ringFirstFrame + (uint)i, readOnly: false);

            _front = new FrontRing(shared, _options.Abi);
            Abi = _options.Abi;
            _front.Initialize();

            if (_channel != null) _host.CloseEventChannel(_channel.Port);
            _channel = _host.AllocateEventChannel();
            _channel.Frontend.Handler = this;

            _store.Remove(BlkifKeys.Path(FrontendPath, BlkifKeys.RingRef));
            _store.Remove(BlkifKeys.Path(FrontendPath, BlkifKeys.RingPageOrder));
            for (int i = 0; i < 1 << BlkifLayout.MaxRingPageOrder; i++) _store.Remove(BlkifKeys.Path(FrontendPath, BlkifKeys.RingRefOf(i)));
            _store.Remove(BlkifKeys.Path(FrontendPath, BlkifKeys.Protocol));

            if (order == 0)
            {
                _store.Write(BlkifKeys.Path(FrontendPath, BlkifKeys.RingRef), _ringGrefs[0]);
            }
            else
            {
                _store.Write(BlkifKeys.Path(FrontendPath, BlkifKeys.RingPageOrder), order);
                for (int i = 0; i < pages; i++) _store.Write(BlkifKeys.Path(FrontendPath, BlkifKeys.RingRefOf(i)), _ringGrefs[i]);
            }

            _store.Write(BlkifKeys.Path(FrontendPath, BlkifKeys.EventChannel), _channel.Port);
            if (_writesProtocol) _store.Write(BlkifKeys.Path(FrontendPath, BlkifKeys.Protocol), _options.Abi.ToProtocolString());
            _state = FrontendState.Initialised;
            _awaitingConnect = true;
            // GPLPV 2012's pre-connect state map is Connected/Connected: it never writes Initialised (1 -> 4).
            WriteState(_p.XenbusPath == XenbusPathPolicy.StraightToConnected ? XenbusState.Connected : XenbusState.Initialised);
        }

        private void Connect()
        {
            ReadFeatures();
            var disk = ReadDisk();
            if (!_awaitingConnect && _xbState == XenbusState.Connected && _connectedGeneration == Generation)
            {
                // A repeated Connected is a resize: the next command hears about it.
                if (disk != null && _disk != null && disk.BlockCount != _disk.BlockCount) _unitAttention = SenseInfo.Of(SenseKey.UnitAttention, AdditionalSense.CapacityDataHasChanged);
                if (disk != null) _disk = disk;
                return;
            }

            if (disk == null)
            {
                Fail(FrontendState.Broken, "backend connected without a usable sectors/sector-size");
                return;
            }

            if (_disk != null && disk.BlockCount != _disk.BlockCount) _unitAttention = SenseInfo.Of(SenseKey.UnitAttention, AdditionalSense.CapacityDataHasChanged);
            _disk = disk;
            _awaitingConnect = false;
            Generation++;
            _connectedGeneration = Generation;
            _unansweredTimeouts = 0;
            if (Generation > 1) Statistics.Reconnects++;
            _trace.Record(TraceKind.Reconnect, DeviceId, (uint)Generation);
            WriteState(XenbusState.Connected);

            switch (_probePolicy)
            {
                case ProbePolicy.EveryConnect:
                    StartProbe();
                    return;
                case ProbePolicy.OnceKeptAcrossResume:
                    if (!_probeResultKept)
                    {
                        StartProbe();
                        return;
                    }

                    // GPLPV after a resume: the ring is new but the layout is the one detected before, right or not.
                    Abi = ProbeResult!.Detected;
                    if (Abi != _options.Abi) _front!.SwitchAbi(Abi);
                    ProbeState = AbiProbeState.Complete;
                    Statistics.KeptProbeResults++;
                    _trace.Record(TraceKind.ProbeStep, DeviceId, (uint)ProbeState, (ulong)Abi, 2);
                    BecomeReady();
                    return;
            }

            if (_verifyLayout) StartVerify();
            else BecomeReady();
        }

        private void ReadFeatures()
        {
            FeatureFlush = ReadFlag(BlkifKeys.FeatureFlushCache);
            FeatureBarrier = ReadFlag(BlkifKeys.FeatureBarrier);
            FeatureDiscard = ReadFlag(BlkifKeys.FeatureDiscard);
            BackendMaxIndirectSegments = (int)_store.ReadInt64OrDefault(BlkifKeys.Path(BackendPath, BlkifKeys.FeatureMaxIndirectSegments), 0);
            int limit = Math.Min(BackendMaxIndirectSegments, _options.SegmentsPerShadow);
            SegmentsPerRequest = _options.IndirectEnabled && limit > BlkifLayout.MaxSegmentsPerRequest ? limit : BlkifLayout.MaxSegmentsPerRequest;
        }

        private bool ReadFlag(string key) => _store.ReadInt64OrDefault(BlkifKeys.Path(BackendPath, key), 0) != 0;

        private ScsiDiskInfo? ReadDisk()
        {
            long sectors = _store.ReadInt64OrDefault(BlkifKeys.Path(BackendPath, BlkifKeys.Sectors), 0);
            long sectorSize = _store.ReadInt64OrDefault(BlkifKeys.Path(BackendPath, BlkifKeys.SectorSize), 512);
            long physical = _store.ReadInt64OrDefault(BlkifKeys.Path(BackendPath, BlkifKeys.PhysicalSectorSize), sectorSize);
            long info = _store.ReadInt64OrDefault(BlkifKeys.Path(BackendPath, BlkifKeys.Info), 0);
            if (sectors <= 0 || (sectorSize != 512 && sectorSize != 4096)) return null;
            long blocks = sectors * 512 / sectorSize;
            if (blocks <= 0) return null;
            if (physical < sectorSize || (physical & (physical - 1)) != 0) physical = sectorSize;
            long granularity = _store.ReadInt64OrDefault(BlkifKeys.Path(BackendPath, BlkifKeys.DiscardGranularity), 0);
            long alignment = _store.ReadInt64OrDefault(BlkifKeys.Path(BackendPath, BlkifKeys.DiscardAlignment), 0);
            if (granularity < 0 || granularity % sectorSize != 0 || granularity > uint.MaxValue) granularity = 0;
            if (alignment < 0 || alignment % sectorSize != 0 || alignment > uint.MaxValue) alignment = 0;
            return new ScsiDiskInfo(
                (ulong)blocks,
                _options.SerialNumber ?? "XENVBD" + DeviceId.ToString(CultureInfo.InvariantCulture),
                (uint)sectorSize,
                (uint)physical,
                readOnly: (info & VdiskInfo.ReadOnly) != 0,
                removable: (info & VdiskInfo.Removable) != 0,
                cdRom: (info & VdiskInfo.CdRom) != 0,
                discardSupported: FeatureDiscard,
                discardGranularityBytes: (uint)granularity,
                discardAlignmentBytes: (uint)alignment,
                discardSecure: ReadFlag(BlkifKeys.DiscardSecure),
                maxTransferBlocks: (uint)Math.Min(0xFFFF, (1 << 24) / sectorSize),
                writeCacheEnabled: FeatureFlush || FeatureBarrier,
                flushSupported: FeatureFlush || FeatureBarrier,
                fuaSupported: _p.Fua == FuaPolicy.WriteThenFlush && (FeatureFlush || FeatureBarrier));
        }

        private void WriteState(XenbusState state)
        {
            _xbState = state;
            _store.Write(BlkifKeys.Path(FrontendPath, BlkifKeys.State), (int)state);
        }

        private void BecomeReady()
        {
            _state = FrontendState.Ready;
            FailureReason = null;
            Warning = null;
            _trace.Record(TraceKind.StateChange, DeviceId, (uint)XenbusState.Connected, 100);
            AdmitWaiting();
            Pump();
        }

        /// <summary>
        /// The backend is gone (closing, restarted, migrated away): requests on the ring will never be
        /// answered, so every live SRB's current window is rewound and queued to go out again on the
        /// next connection; SRBs a reset already completed just drop their requests.
        /// </summary>
        private void Disconnect()
        {
            if (_front == null) return;
            foreach (var shadow in _shadows.All)
            {
                if (shadow.State != ShadowState.InFlight && shadow.State != ShadowState.Orphaned) continue;
                var owner = shadow.Owner;
                bool orphan = shadow.State == ShadowState.Orphaned;
                RetireShadow(shadow);
                if (owner == null) continue;
                owner.PartsOutstanding--;
                if (orphan && owner.State == ExtensionState.Draining && owner.PartsOutstanding == 0) FreeExtension(owner);
            }

            foreach (var ext in _extensions)
            {
                if (ext.State != ExtensionState.Active) continue;
                bool hadWork = ext.WindowIssued > 0 || ext.ExtentsIssued > 0;
                ext.PartsOutstanding = 0;
                ext.WindowIssued = 0;
                ext.ExtentsIssued = 0;
                if (hadWork) Statistics.Requeues++;
                if (!ext.InQueue && ext.Srb != null)
                {
                    ext.InQueue = true;
                    _queue.PushFront(ext.Srb);
                }
            }

            if (_channel != null) _host.CloseEventChannel(_channel.Port);
            _channel = null;
            _front = null;
            _inFlight = 0;
            if (!IsTerminal) _state = FrontendState.Disconnected;
            ProbeState = AbiProbeState.NotStarted;

            // A backend that let go of the connection has unmapped what it mapped: quarantined pages
            // (XSA-396) and bounce memory pinned by orphans (finding F3) can be checked and freed now.
            RetryQuarantined();

            // A live SRB whose bounce window the old backend still maps cannot be replayed into that
            // memory: it fails now (after the state change, so a completion callback that submits
            // again only queues).
            foreach (var ext in _extensions)
            {
                if (ext.State != ExtensionState.Active || ext.QuarantinedParts == 0 || ext.Srb == null) continue;
                ext.Failed = true;
                ext.FailStatus = BlkifStatus.Error;
                CompleteTransfer(ext);
            }
        }
    }
}
