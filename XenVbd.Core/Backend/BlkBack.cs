using System;
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
        private readonly long _discardGranularity;
        private readonly long _discardAlignment;
        private IDisposable? _watch;
        private RingConnection? _connection;
        private bool _offline;
        private bool _disposed;

        public BlkBack(XenHost host, int frontendDomainId, int deviceId, IBlockStorage storage, BlkBackOptions? options = null)
        {
            _host = host ?? throw new ArgumentNullException(nameof(host));
            _storage = storage ?? throw new ArgumentNullException(nameof(storage));
            _options = (options ?? new BlkBackOptions()).Clone();
            _options.Validate();
            FrontendDomainId = frontendDomainId;
            DeviceId = deviceId;
            BackendPath = XenbusPaths.Backend(0, frontendDomainId, deviceId);
            FrontendPath = XenbusPaths.Frontend(frontendDomainId, deviceId);

            int logical = storage.LogicalSectorSize;
            _discardGranularity = _options.DiscardGranularity == 0 ? logical : _options.DiscardGranularity;
            _discardAlignment = _options.DiscardAlignment;
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

        /// <summary>A copy of the options this backend was made with.</summary>
        public BlkBackOptions Options => _options.Clone();

        public XenbusState State { get; private set; } = XenbusState.Unknown;

        /// <summary>The layout the backend reads the ring in; null while not connected.</summary>
        public BlkifAbi? ChosenAbi => _connection?.Abi;

        public BlkBackStatistics Statistics { get; } = new BlkBackStatistics();

        /// <summary>
        /// The fault lab's hook, consulted once per consumed request; null = none. It belongs to this backend
        /// only (a backend that moves to another dom0 is a new object): <c>VbdDevice.BackendInterceptor</c> is
        /// the one that follows a device across migrations.
        /// </summary>
        public IBackendInterceptor? Interceptor { get; set; }

        public bool IsConnected => _connection != null;

        /// <summary>True once the current ring was abandoned for a req_prod overflow.</summary>
        public bool IsRingHalted => _connection?.Halted ?? false;

        /// <summary>Ring pages in use (2^ring-page-order); 0 while not connected.</summary>
        public int RingPageCount => _connection?.Ring.Shared.PageCount ?? 0;

        /// <summary>The backend's ring view while connected (for tests and displays).</summary>
        public BackRing? Ring => _connection?.Ring;

        /// <summary>Responses that are waiting out their service time.</summary>
        public int PendingResponses => _connection?.PendingResponses ?? 0;

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
            WriteFeatureKeys();
            SwitchState(XenbusState.InitWait);
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
            _host.Store.Write(BackendPath + "/sectors", _storage.SizeBytes / BlkifLayout.SectorSize);
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

        internal void ReportRingHalt(uint reqProd, uint answered, int size)
        {
            WriteError("ring halted: req_prod " + reqProd + " is more than " + size + " requests ahead of the " + answered + " answered");
        }

        private void Start()
        {
            var store = _host.Store;
            store.Write(BackendPath + "/frontend", FrontendPath);
            store.Write(BackendPath + "/frontend-id", FrontendDomainId);
            store.Write(BackendPath + "/mode", IsReadOnly ? "r" : "w");
            // Standing in for the toolstack: the frontend finds its backend through these.
            if (!store.Exists(FrontendPath + "/backend")) store.Write(FrontendPath + "/backend", BackendPath);
            if (!store.Exists(FrontendPath + "/backend-id")) store.Write(FrontendPath + "/backend-id", 0);
            WriteFeatureKeys();
            SwitchState(XenbusState.InitWait);
            // Fires once now, so a frontend that got to Initialised first is picked up (skipped states).
            _watch = store.Watch(FrontendPath + "/state", WatchToken, OnFrontendStateWatch);
        }

        private void WriteFeatureKeys()
        {
            var store = _host.Store;
            store.Write(BackendPath + "/feature-flush-cache", _options.FeatureFlushCache ? 1 : 0);
            store.Write(BackendPath + "/feature-barrier", _options.FeatureBarrier ? 1 : 0);
            store.Write(BackendPath + "/feature-discard", _options.FeatureDiscard ? 1 : 0);
            if (_options.FeatureDiscard)
            {
                store.Write(BackendPath + "/discard-granularity", _discardGranularity);
                store.Write(BackendPath + "/discard-alignment", _discardAlignment);
                store.Write(BackendPath + "/discard-secure", _options.DiscardSecure ? 1 : 0);
            }
            if (_options.MaxIndirectSegments > 0)
                store.Write(BackendPath + "/feature-max-indirect-segments", _options.MaxIndirectSegments);
            store.Write(BackendPath + "/max-ring-page-order", _options.MaxRingPageOrder);
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
                    TearDown();
                    SwitchState(XenbusState.Closed);
                    break;
                default:
                    break;
            }
        }

        private XenbusState? ReadFrontendState()
        {
            if (!_host.Store.TryReadInt64(FrontendPath + "/state", out long v)) return null;
            return (XenbusState)v;
        }

        /// <summary>connect_ring + connect: read the frontend's ring keys, map, bind, publish the disk, go Connected.</summary>
        private void Connect()
        {
            TearDown();
            string? error = TryOpenRing(out var connection);
            if (error != null)
            {
                // xenbus_dev_fatal: leave an error behind and close.
                _host.Trace.Record(TraceKind.Fault, DeviceId, 0, 0, 0, (int)BackendFault.ConnectFailed);
                WriteError(error);
                SwitchState(XenbusState.Closing);
                return;
            }
            _connection = connection;
            Statistics.Connects++;
            var store = _host.Store;
            if (store.Exists(BackendPath + "/error")) store.Remove(BackendPath + "/error");
            WriteFeatureKeys();
            store.Write(BackendPath + "/sectors", _storage.SizeBytes / BlkifLayout.SectorSize);
            store.Write(BackendPath + "/sector-size", _storage.LogicalSectorSize);
            store.Write(BackendPath + "/physical-sector-size", _storage.PhysicalSectorSize);
            store.Write(BackendPath + "/info", IsReadOnly ? VdiskInfo.ReadOnly : 0);
            SwitchState(XenbusState.Connected);
        }

        private unsafe string? TryOpenRing(out RingConnection? connection)
        {
            connection = null;
            var store = _host.Store;
            Domain frontend;
            try
            {
                frontend = _host.GetDomain(FrontendDomainId);
            }
            catch (ArgumentException)
            {
                return "frontend domain " + FrontendDomainId + " does not exist";
            }

            int order = 0;
            uint[] grefs;
            if (store.Exists(FrontendPath + "/ring-page-order"))
            {
                if (!TryReadUInt(FrontendPath + "/ring-page-order", out uint o)) return "reading " + FrontendPath + "/ring-page-order";
                if (o > (uint)_options.MaxRingPageOrder) return "requested ring page order " + o + " exceeds max " + _options.MaxRingPageOrder;
                order = (int)o;
                grefs = new uint[1 << order];
                for (int i = 0; i < grefs.Length; i++)
                    if (!TryReadUInt(FrontendPath + "/ring-ref" + i, out grefs[i])) return "reading " + FrontendPath + "/ring-ref" + i;
            }
            else
            {
                grefs = new uint[1];
                if (!TryReadUInt(FrontendPath + "/ring-ref", out grefs[0])) return "reading " + FrontendPath + "/ring-ref";
            }

            if (!TryReadUInt(FrontendPath + "/event-channel", out uint port)) return "reading " + FrontendPath + "/event-channel";
            if (!_host.TryGetEventChannel((int)port, out var channel)) return "binding event channel " + port;

            if (!TryChooseAbi(store.Read(FrontendPath + "/protocol"), out var abi, out string? abiError)) return abiError;

            // Real blkback maps the ring grants into consecutive dom0 virtual pages. This model has no
            // dom0 address space, so it needs the frontend's ring frames to be consecutive in the
            // frontend's own memory to hand the ring out as one region. Frontends here allocate the ring
            // pages together, so this holds; if a frontend does not, the connect fails cleanly.
            int mapped = 0;
            MemoryRegion first = default;
            string? mapError = null;
            for (; mapped < grefs.Length; mapped++)
            {
                var status = frontend.Grants.Map(grefs[mapped], 0, writable: true, out var page);
                if (status != GrantStatus.Okay)
                {
                    mapError = "mapping ring-ref " + grefs[mapped] + ": " + status;
                    break;
                }
                if (mapped == 0) first = page;
                else if (page.Address != first.Address + (long)mapped * BlkifLayout.PageSize)
                {
                    frontend.Grants.Unmap(grefs[mapped]);
                    mapError = "ring pages are not consecutive frames (ring-ref" + mapped + " = " + grefs[mapped] + "); this model maps multi-page rings only as one contiguous region";
                    break;
                }
            }
            if (mapError != null)
            {
                for (int i = 0; i < mapped; i++) frontend.Grants.Unmap(grefs[i]);
                return mapError;
            }

            var region = new MemoryRegion(first.Address, BlkifLayout.PageSize << order, first.Owner);
            var shared = new SharedRing(region, order);
            var executor = new RequestExecutor(_storage, _options, frontend.Grants, Statistics, IsReadOnly, _discardGranularity, _discardAlignment);
            connection = new RingConnection(this, _host, _options, Statistics, frontend.Grants, grefs, shared, abi, channel, executor);
            return null;
        }

        private bool TryChooseAbi(string? protocol, out BlkifAbi abi, out string? error)
        {
            error = null;
            if (_options.AbiMode == BackendAbiMode.Native)
            {
                abi = _options.NativeAbi;
                return true;
            }
            if (protocol == null)
            {
                // Linux on x86: no key means the frontend is an old 32-bit one.
                abi = BlkifAbi.X86_32;
                return true;
            }
            if (BlkifAbiNames.TryParseProtocol(protocol, out abi)) return true;
            error = "unknown fe protocol " + protocol;
            return false;
        }

        private bool TryReadUInt(string path, out uint value)
        {
            value = 0;
            var s = _host.Store.Read(path);
            return s != null && uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }

        private void TearDown()
        {
            if (_connection == null) return;
            _connection.Close();
            _connection = null;
            Statistics.Disconnects++;
        }

        private void SwitchState(XenbusState state, bool force = false)
        {
            if (State == state && !force) return;
            State = state;
            _host.Store.Write(BackendPath + "/state", (int)state);
            _host.Trace.Record(TraceKind.StateChange, DeviceId, (uint)state, 0, 0, 0);
        }

        private void WriteError(string message) => _host.Store.Write(BackendPath + "/error", message);

        private void ThrowIfDisposed()
        {
            if (_disposed) throw new ObjectDisposedException(nameof(BlkBack));
        }
    }
}
