using System;
using System.Globalization;
using XenVbd.Ring;
using XenVbd.Scsi;
using XenVbd.Sim;
using XenVbd.Xen;

namespace XenVbd.Frontend
{
    /// <summary>
    /// The XenBus frontend half (the Xen Project driver's frontend.c): states, keys, ring and event channel setup,
    /// connect, disconnect, suspend and resume, and the opt-in forced reconnect. Whether <c>protocol</c> is written and
    /// which states the frontend passes through are the personality's (<see cref="FrontendBehaviours.WritesProtocol"/>,
    /// <see cref="FrontendBehaviours.XenbusPath"/>).
    /// </summary>
    /// <remarks>
    /// The forced reconnect (<see cref="FrontendOptions.ReconnectAfterUnansweredTimeouts"/>): off, the frontend behaves
    /// like blkfront and GPLPV and only reconnects when it sees the backend go, so a backend restart its watch never saw
    /// (finding F4) leaves the device timing out, and memory a lost response pins (finding F3) stays pinned. On, the
    /// frontend does what a frontend may do through XenBus on its own: Closing, wait for the backend's Closing, Closed,
    /// wait for the backend's Closed (it has then unmapped everything), end the grants — quarantining what is still
    /// mapped, never reusing it (XSA-396) — and Initialising, so the handshake, a fresh zeroed ring and event channel,
    /// and the probe run again as after a migration. SRBs are never completed by the close itself: live ones are
    /// requeued by <see cref="Disconnect"/> and go out on the new connection, so each still completes exactly once.
    /// </remarks>
    internal sealed class XenbusHandshake
    {
        /// <summary>Reason codes of a forced close, as the <see cref="TraceKind.Reconnect"/> record carries them.</summary>
        public const ulong ForcedByUnansweredTimeouts = 1;
        public const ulong ForcedByPinnedMemory = 2;
        public const ulong ForcedByReset = 3;

        /// <summary>The frontend that owns this part.</summary>
        private readonly XenVbdFrontend _f;

        /// <summary>Writes the <c>protocol</c> key: the personality's, or under the hardened design the options' mode.</summary>
        private readonly bool _writesProtocol;

        /// <summary>The watch on the backend's state node; null before <see cref="Start"/> and after <see cref="Close"/>.</summary>
        private IDisposable? _watch;

        /// <summary>Suspended: backend state changes are ignored until <see cref="Resume"/>.</summary>
        private bool _suspended;

        /// <summary>The <see cref="Generation"/> of the last connect (a repeated Connected of the same one is a resize).</summary>
        private int _connectedGeneration = -1;

        /// <summary>Setup ran and the backend has not connected since: a Connected from it now is a connect, never a resize
        /// (a personality that writes Connected itself before the backend does, GPLPV 2012, is already Connected here).</summary>
        private bool _awaitingConnect;

        /// <summary>The frontend closed its side and waits for the backend to let go before it connects again.</summary>
        private bool _forcedClose;

        public XenbusHandshake(XenVbdFrontend frontend)
        {
            _f = frontend;
            var p = frontend.Personality;
            _writesProtocol = p.TakesAbiModeAndBounceFromOptions ? frontend.Options.Mode != FrontendAbiMode.Probe : p.WritesProtocol;
        }

        public string BackendPath { get; private set; } = string.Empty;

        public int BackendDomainId { get; private set; }

        /// <summary>The frontend's own XenBus state, as last written.</summary>
        public XenbusState State { get; private set; } = XenbusState.Unknown;

        /// <summary>The backend's XenBus state as XenStore has it now.</summary>
        public XenbusState BackendState => (XenbusState)_f.Store.ReadInt64OrDefault(BlkifKeys.Path(BackendPath, BlkifKeys.State), 0);

        /// <summary>Connections made so far (1 after the first connect; +1 per reconnect).</summary>
        public int Generation { get; private set; }

        public int RingPageOrder { get; private set; }

        public int BackendMaxRingPageOrder { get; private set; }

        /// <summary>The backend's multi-queue-max-queues as read at the last setup (1 when it writes none).</summary>
        public int BackendMaxQueues { get; private set; } = 1;

        /// <summary>Queues in use on this connection: the frontend's maximum and the backend's agreed (1 before a setup).</summary>
        public int Queues { get; private set; } = 1;

        /// <summary>The event channel of queue 0's current connection; null while disconnected.</summary>
        public EventChannel? Channel => _f.Ring.Channel;

        /// <summary>The disk as the backend described it at (the last) connect; null before.</summary>
        public ScsiDiskInfo? Disk { get; private set; }

        /// <summary>True while a forced close is waiting for the backend.</summary>
        public bool IsForcedClosing => _forcedClose;

        /// <summary>Writes state Initialising and starts watching the backend's state.</summary>
        public void Start()
        {
            if (_watch != null) return;
            var store = _f.Store;
            string? backend = store.Read(BlkifKeys.Path(_f.FrontendPath, BlkifKeys.BackendPath));
            BackendPath = backend ?? XenbusPaths.Backend(0, _f.DomainId, _f.DeviceId);
            BackendDomainId = (int)store.ReadInt64OrDefault(BlkifKeys.Path(_f.FrontendPath, BlkifKeys.BackendId), 0);
            WriteState(XenbusState.Initialising);
            _f.TransitionTo(FrontendState.WaitingForBackend);
            _watch = store.Watch(BlkifKeys.Path(BackendPath, BlkifKeys.State), "xenvbd-" + _f.DeviceId, (path, token) => OnBackendStateChanged());
        }

        /// <summary>Suspend: in-flight work is pulled back for resubmission, the ring and channel are dropped.</summary>
        public void Suspend()
        {
            _suspended = true;
            _forcedClose = false;
            Disconnect();
            WriteState(XenbusState.Initialising);
        }

        /// <summary>Resume: handshake again with whatever backend is there now.</summary>
        public void Resume()
        {
            _suspended = false;
            var state = _f.State;
            if (state == FrontendState.Broken || state == FrontendState.LayoutMismatch || state == FrontendState.Stopped) _f.TransitionTo(FrontendState.Disconnected);
            OnBackendStateChanged();
        }

        /// <summary>The frontend is disposed: stop watching, close the channel.</summary>
        public void Close()
        {
            _watch?.Dispose();
            _watch = null;
            foreach (var ring in _f.Rings)
            {
                if (ring.Channel != null) _f.Host.CloseEventChannel(ring.Channel.Port);
                ring.Channel = null;
            }
        }

        private void OnBackendStateChanged()
        {
            if (_f.IsDisposed || _suspended) return;
            var backend = BackendState;
            _f.Trace.Record(TraceKind.StateChange, _f.DeviceId, (uint)backend, (ulong)State);
            if (_forcedClose)
            {
                OnBackendStateWhileForcedClosing(backend);
                return;
            }

            switch (backend)
            {
                case XenbusState.InitWait:
                    if (State != XenbusState.Initialised && State != XenbusState.Connected) Setup();
                    else if (State == XenbusState.Connected && !_awaitingConnect)
                    {
                        // The backend restarted under us: start over with it.
                        Disconnect();
                        Setup();
                    }

                    break;
                case XenbusState.Connected:
                    // Tolerate a skipped InitWait: set up first, then connect at once.
                    if (State != XenbusState.Initialised && State != XenbusState.Connected) Setup();
                    Connect();
                    break;
                case XenbusState.Closing:
                case XenbusState.Closed:
                case XenbusState.Unknown:
                    if (State == XenbusState.Initialised || State == XenbusState.Connected)
                    {
                        Disconnect();
                        WriteState(XenbusState.Closed);
                    }

                    break;
            }
        }

        private void Setup()
        {
            var store = _f.Store;
            var memory = _f.Memory;
            var granter = _f.Granter;
            _f.Features.Read();
            granter.RetryQuarantined();
            BackendMaxRingPageOrder = (int)store.ReadInt64OrDefault(BlkifKeys.Path(BackendPath, BlkifKeys.MaxRingPageOrder), 0);
            int order = Math.Max(0, Math.Min(_f.Options.MaxRingPageOrder, BackendMaxRingPageOrder));
            RingPageOrder = order;
            int pages = 1 << order;
            int previousQueues = Queues;
            Queues = NegotiateQueues();

            string dir = _f.FrontendPath;
            RemoveRingKeys(dir);
            for (int q = 0; q < _f.Rings.Length; q++) store.Remove(BlkifKeys.Path(dir, BlkifKeys.QueueDirectory(q)));
            store.Remove(BlkifKeys.Path(dir, BlkifKeys.MultiQueueNumQueues));
            store.Remove(BlkifKeys.Path(dir, BlkifKeys.Protocol));

            for (int q = 0; q < Queues; q++)
            {
                var ring = _f.Rings[q];
                var grefs = ring.RingGrefs;

                // Regrant the ring pages; a ref the old backend still maps is not reused (XSA-396).
                bool stillMapped = false;
                for (int i = 0; i < grefs.Length; i++)
                    if (granter.EndOrReplace(ref grefs[i])) stillMapped = true;

                // Nor is the page: Linux blkback keeps a closed ring with requests in flight mapped and writes their
                // responses into it later (xen_blkif_disconnect), so a new ring on the same frames would get them.
                // Like blkfront's deferred free, the old frames are left to the backend.
                if (stillMapped && memory.PagesFree >= grefs.Length) ring.RingFirstFrame = memory.AllocatePages(grefs.Length);

                // XSA-403: the ring pages are zeroed (old entries from an earlier connection included) before
                // they are granted, not after.
                var shared = new SharedRing(memory.Pages(ring.RingFirstFrame, pages), order);
                shared.ClearAll();
                for (int i = 0; i < pages; i++) granter.Grant(grefs[i], BackendDomainId, ring.RingFirstFrame + (uint)i, readOnly: false);

                var front = new FrontRing(shared, _f.Options.Abi);
                ring.Attach(front);
                front.Initialize();

                if (ring.Channel != null) _f.Host.CloseEventChannel(ring.Channel.Port);
                ring.Channel = _f.Host.AllocateEventChannel();
                ring.Channel.Frontend.Handler = _f;

                // write_per_ring_nodes: one queue's keys at the device's own directory, several under queue-N/ each.
                string queueDir = Queues == 1 ? dir : BlkifKeys.Path(dir, BlkifKeys.QueueDirectory(q));
                if (order == 0)
                {
                    store.Write(BlkifKeys.Path(queueDir, BlkifKeys.RingRef), grefs[0]);
                }
                else
                {
                    for (int i = 0; i < pages; i++) store.Write(BlkifKeys.Path(queueDir, BlkifKeys.RingRefOf(i)), grefs[i]);
                }

                store.Write(BlkifKeys.Path(queueDir, BlkifKeys.EventChannel), ring.Channel.Port);
            }

            _f.Abi = _f.Options.Abi;
            // talk_to_blkback: ring-page-order once, at the device's directory, for every queue.
            if (order > 0) store.Write(BlkifKeys.Path(dir, BlkifKeys.RingPageOrder), order);
            // Linux writes multi-queue-num-queues only for more than one queue; the Xen Project driver always (RingStoreWrite).
            if (Queues > 1 || WritesNumQueuesForOne) store.Write(BlkifKeys.Path(dir, BlkifKeys.MultiQueueNumQueues), Queues);
            if (Queues != previousQueues) _f.RemapQueuedSrbs();
            if (_writesProtocol) store.Write(BlkifKeys.Path(dir, BlkifKeys.Protocol), _f.Options.Abi.ToProtocolString());
            // talk_to_blkback: feature-persistent = the module parameter, whatever the backend offers.
            if (_f.Options.OffersPersistentGrants) store.Write(BlkifKeys.Path(dir, BlkifKeys.FeaturePersistent), 1);
            _f.TransitionTo(FrontendState.Initialised);
            _awaitingConnect = true;
            // GPLPV 2012's pre-connect state map is Connected/Connected: it never writes Initialised (1 -> 4).
            WriteState(_f.Personality.XenbusPath == XenbusPathPolicy.StraightToConnected ? XenbusState.Connected : XenbusState.Initialised);
        }

        /// <summary>The personality writes multi-queue-num-queues even for one queue (the Xen Project driver's RingStoreWrite).</summary>
        private bool WritesNumQueuesForOne => _f.Personality.MultiQueue == MultiQueuePolicy.XenProject;

        /// <summary>
        /// How many queues this connection uses. Linux blkfront's negotiate_mq: the backend's multi-queue-max-queues
        /// (1 when absent), at most the frontend's max_queues, at least 1. The Xen Project driver's FrontendSetNumQueues
        /// takes the same minimum (of DriverGetMaxQueues and the backend's key, 1 when absent). A personality without
        /// multi-queue reads nothing and uses one.
        /// </summary>
        private int NegotiateQueues()
        {
            if (_f.Personality.MultiQueue == MultiQueuePolicy.None)
            {
                BackendMaxQueues = 1;
                return 1;
            }

            long backendMax = _f.Store.ReadInt64OrDefault(BlkifKeys.Path(BackendPath, BlkifKeys.MultiQueueMaxQueues), 1);
            BackendMaxQueues = (int)Math.Max(0, Math.Min(int.MaxValue, backendMax));
            return Math.Max(1, Math.Min(BackendMaxQueues, _f.Rings.Length));
        }

        /// <summary>Ring keys at the device's own directory from an earlier connection (ring-ref, ring-refN, event-channel, ring-page-order).</summary>
        private void RemoveRingKeys(string dir)
        {
            var store = _f.Store;
            store.Remove(BlkifKeys.Path(dir, BlkifKeys.RingRef));
            store.Remove(BlkifKeys.Path(dir, BlkifKeys.RingPageOrder));
            store.Remove(BlkifKeys.Path(dir, BlkifKeys.EventChannel));
            for (int i = 0; i < 1 << BlkifLayout.MaxRingPageOrder; i++) store.Remove(BlkifKeys.Path(dir, BlkifKeys.RingRefOf(i)));
        }

        private void Connect()
        {
            _f.Features.Read();
            var disk = ReadDisk();
            if (!_awaitingConnect && State == XenbusState.Connected && _connectedGeneration == Generation)
            {
                // A repeated Connected is a resize: the next command hears about it.
                if (disk != null && Disk != null && disk.BlockCount != Disk.BlockCount) _f.Scsi.RaiseCapacityChanged();
                if (disk != null) Disk = disk;
                return;
            }

            if (disk == null)
            {
                _f.Recovery.Fail(FrontendState.Broken, "backend connected without a usable sectors/sector-size");
                return;
            }

            if (Disk != null && disk.BlockCount != Disk.BlockCount) _f.Scsi.RaiseCapacityChanged();
            Disk = disk;
            _awaitingConnect = false;
            Generation++;
            _connectedGeneration = Generation;
            _f.Watchdog.ResetUnansweredCount();
            if (Generation > 1) _f.Statistics.Reconnects++;
            _f.Trace.Record(TraceKind.Reconnect, _f.DeviceId, (uint)Generation);
            WriteState(XenbusState.Connected);
            _f.ArmPersistentPurge();
            _f.Probe.RunAtConnect();
        }

        private ScsiDiskInfo? ReadDisk()
        {
            var store = _f.Store;
            var features = _f.Features;
            long sectors = store.ReadInt64OrDefault(BlkifKeys.Path(BackendPath, BlkifKeys.Sectors), 0);
            long sectorSize = store.ReadInt64OrDefault(BlkifKeys.Path(BackendPath, BlkifKeys.SectorSize), 512);
            long physical = store.ReadInt64OrDefault(BlkifKeys.Path(BackendPath, BlkifKeys.PhysicalSectorSize), sectorSize);
            long info = store.ReadInt64OrDefault(BlkifKeys.Path(BackendPath, BlkifKeys.Info), 0);
            if (sectors <= 0 || (sectorSize != 512 && sectorSize != 4096)) return null;
            long blocks = sectors * 512 / sectorSize;
            if (blocks <= 0) return null;
            if (physical < sectorSize || (physical & (physical - 1)) != 0) physical = sectorSize;
            long granularity = store.ReadInt64OrDefault(BlkifKeys.Path(BackendPath, BlkifKeys.DiscardGranularity), 0);
            long alignment = store.ReadInt64OrDefault(BlkifKeys.Path(BackendPath, BlkifKeys.DiscardAlignment), 0);
            if (granularity < 0 || granularity % sectorSize != 0 || granularity > uint.MaxValue) granularity = 0;
            if (alignment < 0 || alignment % sectorSize != 0 || alignment > uint.MaxValue) alignment = 0;
            return new ScsiDiskInfo(
                (ulong)blocks,
                _f.Options.SerialNumber ?? "XENVBD" + _f.DeviceId.ToString(CultureInfo.InvariantCulture),
                (uint)sectorSize,
                (uint)physical,
                readOnly: (info & VdiskInfo.ReadOnly) != 0,
                removable: (info & VdiskInfo.Removable) != 0,
                cdRom: (info & VdiskInfo.CdRom) != 0,
                discardSupported: features.Discard,
                discardGranularityBytes: (uint)granularity,
                discardAlignmentBytes: (uint)alignment,
                discardSecure: features.ReadFlag(BlkifKeys.DiscardSecure),
                maxTransferBlocks: (uint)Math.Min(0xFFFF, (1 << 24) / sectorSize),
                writeCacheEnabled: features.CanFlush,
                flushSupported: features.CanFlush,
                fuaSupported: _f.Personality.Fua == FuaPolicy.WriteThenFlush && features.CanFlush);
        }

        private void WriteState(XenbusState state)
        {
            State = state;
            _f.Store.Write(BlkifKeys.Path(_f.FrontendPath, BlkifKeys.State), (int)state);
        }

        /// <summary>Connected and (if the personality probes) the layout known: data moves.</summary>
        public void BecomeReady()
        {
            _f.TransitionTo(FrontendState.Ready);
            _f.FailureReason = null;
            _f.Warning = null;
            _f.Scsi.AdmitWaiting();
            _f.Pump();
        }

        /// <summary>
        /// The backend is gone (closing, restarted, migrated away): requests on the ring will never be answered, so every
        /// live SRB's current window is rewound and queued to go out again on the next connection.
        /// </summary>
        public void Disconnect()
        {
            if (!_f.Ring.IsAttached) return;
            // blkif_recover: every queue's requests come back, then the live SRBs are queued again once.
            foreach (var ring in _f.Rings)
            {
                if (!ring.IsAttached) continue;
                ring.TakeBackAll();
                if (ring.Channel != null) _f.Host.CloseEventChannel(ring.Channel.Port);
                ring.Channel = null;
                ring.Detach();
            }

            _f.RequeueLiveSrbs();
            if (!_f.IsTerminal) _f.TransitionTo(FrontendState.Disconnected);
            _f.Probe.OnDisconnect();

            // A backend that let go of the connection has unmapped what it mapped: quarantined pages
            // (XSA-396) and bounce memory pinned by orphans (finding F3) can be checked and freed now.
            _f.Granter.RetryQuarantined();
            _f.Ring.FailLiveSrbsOnQuarantinedMemory();
        }

        /// <summary>Stops issuing and tells the backend the frontend is closing; the ring stays as it is until the backend let go.</summary>
        public void BeginForcedClose(ulong reason, long detail)
        {
            _forcedClose = true;
            _f.Watchdog.ResetUnansweredCount();
            _f.Statistics.ForcedReconnects++;
            _f.Trace.Record(TraceKind.Reconnect, _f.DeviceId, (uint)Generation, reason, detail, -1);
            _f.TransitionTo(FrontendState.Disconnected);
            WriteState(XenbusState.Closing);
        }

        /// <summary>blkfront's half of a close it started: answer the backend's Closing with Closed, finish on its Closed.</summary>
        private void OnBackendStateWhileForcedClosing(XenbusState backend)
        {
            switch (backend)
            {
                case XenbusState.Closing:
                    if (State == XenbusState.Closing) WriteState(XenbusState.Closed);
                    break;
                case XenbusState.Closed:
                    FinishForcedClose(backendWaiting: false);
                    break;
                case XenbusState.InitWait:
                    // A backend that restarted meanwhile has no ring of ours mapped any more either.
                    FinishForcedClose(backendWaiting: true);
                    break;
                default:
                    // Connected (its answer to our Closing is still on the way), or junk that says nothing:
                    // keep waiting. Ending grants before the backend let go would only quarantine them.
                    break;
            }
        }

        private void FinishForcedClose(bool backendWaiting)
        {
            _forcedClose = false;
            Disconnect();
            WriteState(XenbusState.Initialising);
            if (!_f.IsTerminal) _f.TransitionTo(FrontendState.WaitingForBackend);
            // A backend in Closed moves to InitWait when it sees Initialising and the watch sets up then; one
            // already in InitWait writes nothing more, so set up now.
            if (backendWaiting) Setup();
        }
    }
}
