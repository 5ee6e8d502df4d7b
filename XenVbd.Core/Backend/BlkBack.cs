using System;
using System.Collections.Generic;
using System.Globalization;
using XenVbd.Ring;
using XenVbd.Sim;
using XenVbd.Storage;
using XenVbd.Xen;

namespace XenVbd.Backend
{
    /// <summary>
    /// The blkback model for one vbd, running in dom0: the XenBus half of Linux's
    /// <c>xen-blkback/xenbus.c</c> (features, handshake, connect, close, resize) plus, once connected,
    /// a <see cref="RingConnection"/> that serves the ring. Control-plane code here may allocate;
    /// the request path in <see cref="RingConnection"/> does not.
    /// </summary>
    public sealed class BlkBack : IDisposable
    {
        private const string WatchToken = "blkback";

        private readonly XenHost _host;
        private readonly IBlockStorage _storage;
        private readonly BlkBackOptions _options;
        private readonly BackendProfile _profile;
        private readonly long _discardGranularity;
        private readonly long _discardAlignment;
        private IDisposable? _watch;
        /// <summary>The connected rings, one per queue (Linux's blkif->rings[nr_rings]); empty while not connected.</summary>
        private RingConnection[] _connections = Array.Empty<RingConnection>();

        /// <summary>Rings the frontend closed while requests were in flight: still mapped, still answered (Linux), until they complete.</summary>
        private readonly List<RingConnection> _draining = new List<RingConnection>();
        private bool _offline;
        private bool _disposed;

        public BlkBack(XenHost host, int frontendDomainId, int deviceId, IBlockStorage storage, BlkBackOptions? options = null)
        {
            _host = host ?? throw new ArgumentNullException(nameof(host));
            _storage = storage ?? throw new ArgumentNullException(nameof(storage));
            _options = (options ?? new BlkBackOptions()).Clone();
            _options.Validate();
            _profile = BackendProfile.For(_options.Personality);
            Interceptor = _options.Interceptor;
            FrontendDomainId = frontendDomainId;
            DeviceId = deviceId;
            BackendPath = XenbusPaths.Backend(0, frontendDomainId, deviceId);
            FrontendPath = XenbusPaths.Frontend(frontendDomainId, deviceId);

            int logical = storage.LogicalSectorSize;
            // QEMU: discard_granularity -1 (unset) becomes the physical block size, and the alignment it writes is 0.
            int defaultGranularity = _profile.LinuxDiscardKeys ? logical : storage.PhysicalSectorSize;
            _discardGranularity = _options.DiscardGranularity == 0 ? defaultGranularity : _options.DiscardGranularity;
            _discardAlignment = _profile.LinuxDiscardKeys ? _options.DiscardAlignment : 0;
            if (_discardGranularity % logical != 0 || _discardAlignment % logical != 0 || _discardAlignment >= _discardGranularity)
                throw new ArgumentException("Discard granularity (" + _discardGranularity + ") and alignment (" + _discardAlignment
                    + ") must be multiples of the " + logical + "-byte logical sector size, the alignment below the granularity.", nameof(options));

            Start();
        }

        public int FrontendDomainId { get; }

        public int DeviceId { get; }

        public string BackendPath { get; }

        public string FrontendPath { get; }

        public IBlockStorage Storage => _storage;

        /// <summary>Why the last connect attempt failed (null: it succeeded, or none was made). Linux also writes it as <c>error</c>; QEMU only logs it.</summary>
        public string? ConnectError { get; private set; }

        /// <summary>A copy of the options this backend was made with.</summary>
        public BlkBackOptions Options => _options.Clone();

        public XenbusState State { get; private set; } = XenbusState.Unknown;

        /// <summary>The real backend this one behaves as, with each behaviour's source.</summary>
        public BackendProfile Profile => _profile;

        /// <summary>Responses still owed on a ring the frontend has closed (Linux keeps it mapped until they are written).</summary>
        public int DrainingResponses
        {
            get
            {
                int n = 0;
                foreach (var c in _draining) n += c.PendingResponses;
                return n;
            }
        }

        /// <summary>The layout the backend reads the ring in; null while not connected.</summary>
        public BlkifAbi? ChosenAbi => FirstQueue?.Abi;

        /// <summary>Queue 0's ring (the only one of a single-queue frontend); null while not connected.</summary>
        /// <summary>
        /// A power cut: the I/O in flight on every ring (draining ones included) never reaches the disk. Returns how
        /// many requests lost their data. Their responses are still written as scheduled, so the model's guest, which
        /// lives on where a real one would not, can read back what survived.
        /// </summary>
        public int AbandonInFlightIo()
        {
            int n = 0;
            foreach (var c in _connections) n += c.AbandonInFlightIo();
            foreach (var c in _draining) n += c.AbandonInFlightIo();
            return n;
        }

        /// <summary>
        /// The old host of a migration finishes the I/O it has in flight (its data reaches the shared disk and its
        /// grant maps go) before the guest is suspended and takes its requests back to reissue them elsewhere.
        /// </summary>
        public void FinishInFlightIo()
        {
            foreach (var c in _connections) c.FinishInFlightIo();
            foreach (var c in _draining) c.FinishInFlightIo();
        }

        private RingConnection? FirstQueue => _connections.Length > 0 ? _connections[0] : null;

        /// <summary>Rings (queues) in use: 0 while not connected, else what <c>multi-queue-num-queues</c> asked for (1 without it).</summary>
        public int QueueCount => _connections.Length;

        /// <summary>Both ends agreed on <c>feature-persistent</c> at the last connect: grants are kept mapped per ring.</summary>
        public bool PersistentGrantsEnabled { get; private set; }

        /// <summary>Persistent grants kept mapped, over all rings (each ring keeps at most <see cref="BlkBackOptions.MaxPersistentGrants"/>).</summary>
        public int PersistentGrantCount
        {
            get
            {
                int n = 0;
                foreach (var c in _connections) n += c.Persistent?.Count ?? 0;
                return n;
            }
        }

        /// <summary>Queue <paramref name="queue"/>'s ring view (for displays and tests).</summary>
        public BackRing QueueRing(int queue) => Queue(queue).Ring;

        /// <summary>Responses queue <paramref name="queue"/> still owes.</summary>
        public int QueuePendingResponses(int queue) => Queue(queue).PendingResponses;

        /// <summary>Persistent grants queue <paramref name="queue"/> keeps mapped (0 when not negotiated).</summary>
        public int QueuePersistentGrants(int queue) => Queue(queue).Persistent?.Count ?? 0;

        /// <summary>Whether queue <paramref name="queue"/>'s tree of persistent grants has overflowed since its last purge.</summary>
        public bool QueuePersistentGrantOverflow(int queue) => Queue(queue).Persistent?.Overflow ?? false;

        /// <summary>Whether queue <paramref name="queue"/>'s tree holds grant reference <paramref name="gref"/>.</summary>
        public bool QueueHoldsPersistentGrant(int queue, uint gref) => Queue(queue).Persistent?.Contains(gref) ?? false;

        private RingConnection Queue(int queue)
        {
            if ((uint)queue >= (uint)_connections.Length)
                throw new ArgumentOutOfRangeException(nameof(queue), queue, "The backend has " + _connections.Length + " queue(s) connected.");
            return _connections[queue];
        }

        public BlkBackStatistics Statistics { get; } = new BlkBackStatistics();

        /// <summary>The hook <see cref="BlkBackOptions.Interceptor"/> gave this backend when it was made; null = none.</summary>
        public IBackendInterceptor? Interceptor { get; }

        public bool IsConnected => _connections.Length > 0;

        /// <summary>True once a current ring was abandoned for a req_prod overflow.</summary>
        public bool IsRingHalted
        {
            get
            {
                foreach (var c in _connections) if (c.Halted) return true;
                return false;
            }
        }

        /// <summary>Ring pages in use (2^ring-page-order); 0 while not connected.</summary>
        public int RingPageCount => FirstQueue?.Ring.Shared.PageCount ?? 0;

        /// <summary>The backend's ring view while connected (for tests and displays).</summary>
        public BackRing? Ring => FirstQueue?.Ring;

        /// <summary>Responses that are waiting out their service time.</summary>
        public int PendingResponses
        {
            get
            {
                int n = 0;
                foreach (var c in _connections) n += c.PendingResponses;
                return n;
            }
        }

        /// <summary>Whether the disk is exported read-only (options or the storage itself).</summary>
        public bool IsReadOnly => _options.ReadOnly || _storage.IsReadOnly;

        /// <summary>The dom0 side goes away (migration source, a crashed or restarted backend): stop serving, release the ring, state Closed, ignore the frontend until <see cref="Reconnect"/>.</summary>
        public void Disconnect()
        {
            ThrowIfDisposed();
            _offline = true;
            TearDown();
            SwitchState(XenbusState.Closed);
        }

        /// <summary>The dom0 side comes back: advertise again, InitWait, and connect at once if the frontend already says Initialised or Connected.</summary>
        public void Reconnect()
        {
            ThrowIfDisposed();
            _offline = false;
            // A restarted backend has no ring: without this, Reconnect while still connected left the
            // old ring served under InitWait (found by the XSA-350 flapping property).
            TearDown();
            _host.Trace.Record(TraceKind.Reconnect, DeviceId, (uint)State);
            AdvertiseAndWait();
            var fe = ReadFrontendState();
            if (fe == XenbusState.Initialised || fe == XenbusState.Connected) Connect();
        }

        /// <summary>Changes the disk's size and, if connected, tells the frontend (new <c>sectors</c>, state Connected written again).</summary>
        public void Resize(long newSizeBytes)
        {
            ThrowIfDisposed();
            _storage.Resize(newSizeBytes);
            NotifyCapacityChanged();
        }

        /// <summary>For a disk resized behind blkback's back: republish the capacity as Linux's <c>xen_vbd_resize</c> does.</summary>
        public void NotifyCapacityChanged()
        {
            ThrowIfDisposed();
            if (State != XenbusState.Connected) return;
            Statistics.CapacityChanges++;
            _host.Store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.Sectors), SectorsKey);
            // The frontend watches our state; rewriting Connected is what makes it look at sectors.
            SwitchState(XenbusState.Connected, force: true);
        }

        public void Dispose()
        {
            if (_disposed) return;
            TearDown();
            _watch?.Dispose();
            _watch = null;
            _disposed = true;
        }

        /// <summary>
        /// __end_block_io_op: the disk answered NOTSUPP to a flush or barrier, so the feature is withdrawn from
        /// XenStore (the frontend sees it at its next read of the key).
        /// </summary>
        internal void WithdrawFeature(byte op)
        {
            Statistics.FeaturesWithdrawn++;
            _host.Store.Write(BlkifKeys.Path(BackendPath, op == BlkifOp.WriteBarrier ? BlkifKeys.FeatureBarrier : BlkifKeys.FeatureFlushCache), 0);
        }

        /// <summary>A closed ring's last in-flight response was written: now it is unmapped and unbound.</summary>
        internal void OnDrained(RingConnection connection)
        {
            if (!_draining.Remove(connection)) return;
            // The device is disconnected once its last ring has drained.
            if (_draining.Count == 0) Statistics.Disconnects++;
        }

        /// <summary>Linux: sectors in 512-byte units; QEMU 7.2: in logical blocks.</summary>
        private long SectorsKey => _storage.SizeBytes / (_profile.SectorsInLogicalBlocks ? _storage.LogicalSectorSize : BlkifLayout.SectorSize);

        private void Start()
        {
            var store = _host.Store;
            store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.FrontendPath), FrontendPath);
            store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.FrontendId), FrontendDomainId);
            // mode is the toolstack's key (libxl writes it; the model writes it in the toolstack's place), and QEMU 10
            // writes it itself too (xen_block_realize).
            store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.Mode), IsReadOnly ? "r" : "w");
            if (_profile.WritesOnlineAndHotplugStatus)
            {
                // QEMU's xen_device_realize, before InitWait: no hotplug script, the bus says it is connected.
                store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.Online), 1);
                store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.HotplugStatus), "connected");
            }
            // Standing in for the toolstack: the frontend finds its backend through these.
            if (!store.Exists(BlkifKeys.Path(FrontendPath, BlkifKeys.BackendPath))) store.Write(BlkifKeys.Path(FrontendPath, BlkifKeys.BackendPath), BackendPath);
            if (!store.Exists(BlkifKeys.Path(FrontendPath, BlkifKeys.BackendId))) store.Write(BlkifKeys.Path(FrontendPath, BlkifKeys.BackendId), 0);
            AdvertiseAndWait();
            // Fires once now, so a frontend that got to Initialised first is picked up (skipped states).
            _watch = store.Watch(BlkifKeys.Path(FrontendPath, BlkifKeys.State), WatchToken, OnFrontendStateWatch);
        }

        /// <summary>
        /// Probe-time keys, then InitWait, with the flush/barrier/discard keys where the personality writes them:
        /// Linux in connect() only, QEMU 7.2 at realize (before InitWait), QEMU 10 just after InitWait.
        /// </summary>
        private void AdvertiseAndWait()
        {
            var store = _host.Store;
            // xen_blkbk_probe: indirect segments and the ring order are offered before InitWait.
            if (_profile.Indirect && _options.MaxIndirectSegments > 0)
                store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.FeatureMaxIndirectSegments), _options.MaxIndirectSegments);
            // Linux's xen_blkbk_probe writes multi-queue-max-queues between the two.
            if (_profile.MultiQueue)
                store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.MultiQueueMaxQueues), _options.MaxQueues);
            if (_profile.MultiPageRing)
                store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.MaxRingPageOrder), _options.MaxRingPageOrder);
            if (_profile.KeyTiming == FeatureKeyTiming.BeforeInitWait) WriteFeatureKeys();
            SwitchState(XenbusState.InitWait);
            if (_profile.KeyTiming == FeatureKeyTiming.AfterInitWait) WriteFeatureKeys();
        }

        private void WriteFeatureKeys()
        {
            var store = _host.Store;
            if (_profile.FlushCacheKeyAlwaysOne) store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.FeatureFlushCache), 1);
            else if (_profile.FlushOperation) store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.FeatureFlushCache), _options.FeatureFlushCache ? 1 : 0);
            if (_profile.WritesBarrierKey)
            {
                // Current Linux writes the disk's flush support for both keys; 2008's decided the barrier on its own.
                bool barrier = _profile.FlushOperation ? _options.FeatureFlushCache : _options.FeatureBarrier;
                store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.FeatureBarrier), barrier ? 1 : 0);
            }
            if (_profile.DiscardOperation && _profile.LinuxDiscardKeys)
            {
                store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.FeatureDiscard), _options.FeatureDiscard ? 1 : 0);
                if (_options.FeatureDiscard)
                {
                    store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.DiscardGranularity), _discardGranularity);
                    store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.DiscardAlignment), _discardAlignment);
                    store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.DiscardSecure), _options.DiscardSecure ? 1 : 0);
                }
            }
            else if (_profile.DiscardOperation && _options.FeatureDiscard)
            {
                // QEMU writes its discard keys only when the image allows unmap, and no discard-secure.
                store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.FeatureDiscard), 1);
                store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.DiscardGranularity), _discardGranularity);
                store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.DiscardAlignment), 0);
            }
            // connect(): feature-persistent is the module parameter (feature_gnt_persistent_parm), not the negotiated result.
            if (_profile.PersistentGrants)
                store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.FeaturePersistent), _options.FeaturePersistent ? 1 : 0);
            if (_profile.KeyTiming != FeatureKeyTiming.AtConnect) WriteDiskKeys();
        }

        private void WriteDiskKeys()
        {
            var store = _host.Store;
            store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.Sectors), SectorsKey);
            store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.SectorSize), _storage.LogicalSectorSize);
            if (_profile.WritesPhysicalSectorSize) store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.PhysicalSectorSize), _storage.PhysicalSectorSize);
            store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.Info), IsReadOnly ? VdiskInfo.ReadOnly : 0);
        }

        /// <summary>Linux's <c>frontend_changed</c>, acting on the state as it is now (watches may coalesce).</summary>
        private void OnFrontendStateWatch(string path, string token)
        {
            if (_disposed || _offline) return;
            var fe = ReadFrontendState();
            switch (fe)
            {
                case null:
                    // No frontend yet: the toolstack has not created it. Wait for the first write.
                    break;
                case XenbusState.Initialising:
                    if (State == XenbusState.Closed) SwitchState(XenbusState.InitWait);
                    break;
                case XenbusState.Initialised:
                case XenbusState.Connected:
                    // Two watches in quick succession may hide Initialised: connect on either, once.
                    if (State != XenbusState.Connected) Connect();
                    break;
                case XenbusState.Closing:
                    SwitchState(XenbusState.Closing);
                    break;
                case XenbusState.Closed:
                case XenbusState.Unknown:
                    // Linux: xen_blkif_disconnect returns -EBUSY with I/O in flight and leaves that ring mapped;
                    // frontend_changed goes Closed all the same.
                    TearDown(keepInFlight: _profile.DrainsInFlightOnClose);
                    SwitchState(XenbusState.Closed);
                    break;
                default:
                    break;
            }
        }

        private XenbusState? ReadFrontendState()
        {
            if (!_host.Store.TryReadInt64(BlkifKeys.Path(FrontendPath, BlkifKeys.State), out long v)) return null;
            return (XenbusState)v;
        }

        /// <summary>connect_ring + connect: read the frontend's ring keys, map, bind, publish the disk, go Connected.</summary>
        private void Connect()
        {
            if (_profile.DrainsInFlightOnClose)
            {
                // frontend_changed: xen_blkif_disconnect first; with requests in flight it is -EBUSY, fatal.
                TearDown(keepInFlight: true);
                if (_draining.Count > 0)
                {
                    Statistics.ConnectsRefused++;
                    _host.Trace.Record(TraceKind.Fault, DeviceId, (uint)DrainingResponses, 0, 0, (int)BackendFault.PendingIo);
                    WriteError("pending I/O");
                    SwitchState(XenbusState.Closing);
                    return;
                }
            }
            else
            {
                TearDown();
            }
            string? error = TryOpenRings(out var connections);
            ConnectError = error;
            if (error != null)
            {
                _host.Trace.Record(TraceKind.Fault, DeviceId, 0, 0, 0, (int)BackendFault.ConnectFailed);
                // QEMU (xen_device_frontend_changed): "frontend change error" goes to its log only; the backend
                // stays where it was (InitWait) and XenStore says nothing.
                if (_profile.ConnectErrorOnlyLogged) return;
                // xenbus_dev_fatal: leave an error behind and close.
                WriteError(error);
                SwitchState(XenbusState.Closing);
                return;
            }
            _connections = connections;
            Statistics.Connects++;
            var store = _host.Store;
            if (store.Exists(BlkifKeys.Path(BackendPath, BlkifKeys.Error))) store.Remove(BlkifKeys.Path(BackendPath, BlkifKeys.Error));
            // Linux's connect(): the feature keys and the disk's in one transaction, then Connected.
            if (_profile.KeyTiming == FeatureKeyTiming.AtConnect) WriteFeatureKeys();
            WriteDiskKeys();
            SwitchState(XenbusState.Connected);
        }

        /// <summary>
        /// connect_ring: the protocol, <c>feature-persistent</c>, <c>multi-queue-num-queues</c> and <c>ring-page-order</c>
        /// from the frontend's directory, then each queue's ring (read_per_ring_refs: from the frontend's directory for
        /// one queue, from <c>queue-N</c> for more), mapped and bound. Any failure unmaps what was mapped.
        /// </summary>
        private string? TryOpenRings(out RingConnection[] connections)
        {
            connections = Array.Empty<RingConnection>();
            Domain frontend;
            try
            {
                frontend = _host.GetDomain(FrontendDomainId);
            }
            catch (ArgumentException)
            {
                return "frontend domain " + FrontendDomainId + " does not exist";
            }

            if (_profile.NeedsLargeSectorFeature && _storage.LogicalSectorSize != BlkifLayout.SectorSize
                && (!TryReadUInt(BlkifKeys.Path(FrontendPath, BlkifKeys.FeatureLargeSectorSize), out uint large) || large != 1))
                return "logical_block_size != " + BlkifLayout.SectorSize + " not supported by frontend";

            // Linux: feature_gnt_persistent = the module parameter && xenbus_read_unsigned(otherend, "feature-persistent", 0),
            // stored in a one-bit field (so only the value's low bit counts).
            PersistentGrantsEnabled = _profile.PersistentGrants && _options.FeaturePersistent
                && TryReadUInt(BlkifKeys.Path(FrontendPath, BlkifKeys.FeaturePersistent), out uint persistent) && (persistent & 1) != 0;

            // xenbus_read_unsigned(otherend, "multi-queue-num-queues", 1): 0 or more than max_queues is fatal.
            int queues = 1;
            if (_profile.MultiQueue && TryReadUInt(BlkifKeys.Path(FrontendPath, BlkifKeys.MultiQueueNumQueues), out uint requested))
            {
                if (requested == 0 || requested > (uint)_options.MaxQueues)
                    return "guest requested " + requested + " queues, exceeding the maximum of " + _options.MaxQueues + ".";
                queues = (int)requested;
            }

            // Linux reads ring-page-order with xenbus_read_unsigned(..., 0) and QEMU with a %u scan that, failing,
            // means "no key": an absent or unparsable order is one page for both. The 2008 backend has one page only.
            // One order for every queue, read from the frontend's own directory.
            int order = 0;
            if (_profile.MultiPageRing && TryReadUInt(BlkifKeys.Path(FrontendPath, BlkifKeys.RingPageOrder), out uint o))
            {
                if (o > (uint)_options.MaxRingPageOrder)
                    return _profile.RingRefZeroFirst
                        ? "requested ring page order " + o + " exceed max:" + _options.MaxRingPageOrder
                        : "invalid ring-page-order (" + o + ")";
                order = (int)o;
            }

            var opened = new RingConnection[queues];
            for (int q = 0; q < queues; q++)
            {
                string dir = queues == 1 ? FrontendPath : BlkifKeys.Path(FrontendPath, BlkifKeys.QueueDirectory(q));
                string? error = TryOpenRing(frontend, dir, order, q, opened, out var ring);
                if (error == null) opened[q] = ring!;
                else
                {
                    for (int i = 0; i < q; i++) opened[i].Close();
                    return error;
                }
            }
            connections = opened;
            return null;
        }

        /// <summary>read_per_ring_refs + xen_blkif_map for one queue's ring, its keys read from <paramref name="dir"/>.</summary>
        private unsafe string? TryOpenRing(Domain frontend, string dir, int order, int queue, RingConnection[] opened, out RingConnection? connection)
        {
            connection = null;
            var store = _host.Store;
            uint[] grefs = new uint[1 << order];
            if (order > 0 || (_profile.RingRefZeroFirst && TryReadUInt(BlkifKeys.Path(dir, BlkifKeys.RingRefOf(0)), out _)))
            {
                // read_per_ring_refs: ring-ref%u, and for one page ring-ref0 before falling back to ring-ref.
                for (int i = 0; i < grefs.Length; i++)
                    if (!TryReadUInt(BlkifKeys.Path(dir, BlkifKeys.RingRefOf(i)), out grefs[i])) return "reading " + BlkifKeys.Path(dir, BlkifKeys.RingRefOf(i));
            }
            else if (!TryReadUInt(BlkifKeys.Path(dir, BlkifKeys.RingRef), out grefs[0]))
            {
                return "reading " + BlkifKeys.Path(dir, BlkifKeys.RingRef);
            }

            if (!TryReadUInt(BlkifKeys.Path(dir, BlkifKeys.EventChannel), out uint port)) return "reading " + BlkifKeys.Path(dir, BlkifKeys.EventChannel);
            if (!_host.TryGetEventChannel((int)port, out var channel)) return "binding event channel " + port;
            // An interdomain port binds once: a second queue naming the same port fails to bind (xen_blkif_map).
            for (int i = 0; i < queue; i++)
                if (opened[i].Channel.Port == (int)port) return "mapping ring-ref port " + port + " (bound by queue " + i + ")";

            if (!TryChooseAbi(store.Read(BlkifKeys.Path(FrontendPath, BlkifKeys.Protocol)), out var abi, out string? abiError)) return abiError;

            // Real backends map each ring-refN page wherever the frontend put it and see the pages side by side
            // in their own address space (Linux: xenbus_map_ring_valloc; QEMU: xengnttab_map_domain_grant_refs).
            // The ring here keeps the pages as mapped, and splits an entry that straddles two scattered pages.
            int mapped = 0;
            var pages = new MemoryRegion[grefs.Length];
            string? mapError = null;
            for (; mapped < grefs.Length; mapped++)
            {
                var status = frontend.Grants.Map(grefs[mapped], 0, writable: true, out pages[mapped]);
                if (status != GrantStatus.Okay)
                {
                    mapError = "mapping ring-ref " + grefs[mapped] + ": " + status;
                    break;
                }
            }
            if (mapError != null)
            {
                for (int i = 0; i < mapped; i++) frontend.Grants.Unmap(grefs[i]);
                return mapError;
            }

            var shared = new SharedRing(pages, order);
            if (_profile.ChecksOverflowAtMap)
            {
                // xen_blkif_map: a ring whose req_prod is more than a ring ahead of rsp_prod is refused (-EIO).
                uint size = (uint)new BackRing(shared, abi).Size;
                if (shared.ReqProd - shared.RspProd > size)
                {
                    foreach (var g in grefs) frontend.Grants.Unmap(g);
                    return "mapping ring-ref port " + port + " (req_prod " + shared.ReqProd + ", rsp_prod " + shared.RspProd + ")";
                }
            }
            var executor = new RequestExecutor(_storage, _options, frontend.Grants, Statistics, IsReadOnly, _discardGranularity, _discardAlignment, this);
            var persistent = PersistentGrantsEnabled
                ? new PersistentGrantCache(frontend.Grants, _options.MaxPersistentGrants, _options.PersistentGrantTimeoutTicks)
                : null;
            connection = new RingConnection(this, _host, _options, Statistics, frontend.Grants, grefs, shared, abi, channel, executor, queue, persistent);
            return null;
        }

        private bool TryChooseAbi(string? protocol, out BlkifAbi abi, out string? error)
        {
            error = null;
            if (_options.AbiMode == BackendAbiMode.Native || !_profile.ReadsProtocol)
            {
                abi = _options.NativeAbi;
                return true;
            }
            if (string.IsNullOrEmpty(protocol))
            {
                // Linux on x86: no key (or "", which its %63s scan does not match) means an old 32-bit frontend.
                // QEMU: native, or x86_32 on x86 since a1c1082908.
                abi = _profile.DefaultProtocolAbi ?? _options.NativeAbi;
                return true;
            }
            if (BlkifAbiNames.TryParseProtocol(protocol, out abi)) return true;
            if (!_profile.UnknownProtocolIsFatal)
            {
                // QEMU: anything it does not recognise is native.
                abi = _options.NativeAbi;
                return true;
            }
            error = "unknown fe protocol " + protocol;
            return false;
        }

        private bool TryReadUInt(string path, out uint value)
        {
            value = 0;
            var s = _host.Store.Read(path);
            return s != null && uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }

        /// <summary>
        /// Stops serving the current ring. With <paramref name="keepInFlight"/> (Linux's xen_blkif_disconnect) a ring with
        /// requests in flight stays mapped until their responses are written; otherwise everything goes at once
        /// (a dom0 that goes away, a restarted backend), the draining ring included.
        /// </summary>
        private void TearDown(bool keepInFlight = false)
        {
            if (!keepInFlight && _draining.Count > 0)
            {
                foreach (var d in _draining) d.Close();
                _draining.Clear();
                Statistics.Disconnects++;
            }
            if (_connections.Length == 0) return;
            var connections = _connections;
            _connections = Array.Empty<RingConnection>();
            bool anyDraining = false;
            foreach (var connection in connections)
            {
                if (keepInFlight && connection.PendingResponses > 0)
                {
                    connection.BeginDrain();
                    _draining.Add(connection);
                    anyDraining = true;
                    continue;
                }
                connection.Close();
            }
            if (!anyDraining) Statistics.Disconnects++;
        }

        private void SwitchState(XenbusState state, bool force = false)
        {
            if (State == state && !force) return;
            State = state;
            _host.Store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.State), (int)state);
            _host.Trace.Record(TraceKind.StateChange, DeviceId, (uint)state, 0, 0, 0);
        }

        private void WriteError(string message) => _host.Store.Write(BlkifKeys.Path(BackendPath, BlkifKeys.Error), message);

        private void ThrowIfDisposed()
        {
            if (_disposed) throw new ObjectDisposedException(nameof(BlkBack));
        }
    }
}
