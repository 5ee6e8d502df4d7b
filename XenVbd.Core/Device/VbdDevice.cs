using System;
using System.Collections.Generic;
using System.IO;
using XenVbd.Backend;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Scsi;
using XenVbd.Storage;
using XenVbd.Xen;

namespace XenVbd.Device
{
    /// <summary>
    /// One simulated machine with one vbd: a XenHost (seeded), domU 1 with the xenvbd frontend, dom0
    /// with blkback over a disk. The API the PowerShell module and the lab drive: <see cref="Execute"/>
    /// for convenience, <see cref="Submit"/>/<see cref="RunUntilComplete"/> for allocation-free loops.
    /// </summary>
    public sealed class VbdDevice : IDisposable
    {
        public const int FrontendDomainId = 1;

        /// <summary>Events the device will run waiting for one thing before it calls the wait hung.</summary>
        private const long MaxEventsPerWait = ModelBackendHost.MaxEventsPerWait;

        // The seam: what serves the ring (the blkback model on the virtual clock, or a real QEMU in real time).
        private readonly IVbdBackendHost _backendHost;
        private BlkBack? _backend;
        private readonly VbdDeviceOptions _options;
        private readonly Func<bool> _srbPending;
        private readonly Func<bool> _connecting;
        private readonly ulong _executeBuffer;
        private readonly int _executeBufferBytes;
        private readonly Srb _executeSrb = new Srb();
        private Srb? _waitFor;
        private readonly DeviceInterceptor _interceptor = new DeviceInterceptor();
        private bool _disposed;

        // The thread inside the device now (0: none) and how deeply: the engine is single-threaded by design.
        // A snapshot restore runs inside the device, so it must leave these as they are.
        [SnapshotExempt] private int _userThread;
        [SnapshotExempt] private int _useDepth;

        private VbdDevice(VbdDeviceOptions options)
        {
            _options = options;
            var fo = options.ToFrontendOptions();
            int guestPages = options.GuestBufferBytes / XenPage.Size + 1;
            int grants = RoundUp(fo.RequiredGrants + 64, 512);
            _backendHost = options.Backend == VbdBackendKind.Qemu
                ? new QemuBackendHost(options, FrontendDomainId, fo.RequiredPages + guestPages + 1, grants)
                : new ModelBackendHost(options.Seed, FrontendDomainId, fo.RequiredPages + guestPages + 1, grants, XenbusPaths.Backend(0, FrontendDomainId, options.DeviceId));
            Host = _backendHost.Host;
            Guest = _backendHost.Guest;
            try
            {
                Storage = _backendHost.ServedStorage ?? OpenStorage(options);
            }
            catch
            {
                _backendHost.Dispose();
                throw;
            }

            if (options.VolatileWriteCache && _backendHost.ServedStorage == null) Storage = new WriteCacheDisk(Storage);
            _executeBufferBytes = guestPages * XenPage.Size / 2;
            _executeBuffer = (ulong)Guest.Memory.AllocatePages(_executeBufferBytes / XenPage.Size) * XenPage.Size;
            BackendAbi = options.BackendAbi;
            BackendMode = options.BackendMode;
            BackendPersonality = options.BackendPersonality;
            if (_backendHost is QemuBackendHost qemu)
            {
                // What the real process is: 64-bit QEMU reads its native layout unless the frontend announces one.
                BackendAbi = BlkifAbi.X86_64;
                BackendMode = BackendAbiMode.Protocol;
                BackendPersonality = qemu.Version.Major >= 8 ? BackendPersonality.Qemu10 : BackendPersonality.Qemu72;
            }

            _interceptor.Current = options.BackendInterceptor;
            if (_backendHost.Kind == VbdBackendKind.Model) _backend = NewBackend(options.BackendAbi, options.BackendMode, options.BackendPersonality);
            Frontend = new XenVbdFrontend(Host, Guest, options.DeviceId, fo);
            _backendHost.Attach(Frontend);
            Trace = new DeviceTrace(this, Host.Trace);
            _srbPending = () => _waitFor != null && !_waitFor.IsComplete;
            _connecting = () => !IsSettled(Frontend.State);
        }

        /// <summary>Builds the machine, connects both halves and runs until the frontend is ready (probe included).</summary>
        public static VbdDevice Create(VbdDeviceOptions options)
        {
            if (options == null) throw new ArgumentNullException(nameof(options));
            options = options.Clone();
            options.Validate();
            var device = new VbdDevice(options);
            try
            {
                device.Connect();
                return device;
            }
            catch
            {
                device.Dispose();
                throw;
            }
        }

        /// <summary>
        /// Builds the machine but leaves both halves unconnected, so a fault plan (or any interceptor) can be
        /// attached before the first byte crosses the ring — the XenBus handshake and the ABI probe then run
        /// under it. <see cref="Connect"/> starts them; until then no SRB can be submitted.
        /// </summary>
        public static VbdDevice CreateUnconnected(VbdDeviceOptions options)
        {
            if (options == null) throw new ArgumentNullException(nameof(options));
            options = options.Clone();
            options.Validate();
            return new VbdDevice(options);
        }

        /// <summary>True once <see cref="Connect"/> ran (whatever state the handshake ended in).</summary>
        public bool IsConnected { get; private set; }

        /// <summary>Starts the frontend and runs until it is ready, refused or broken (probe included).</summary>
        public void Connect()
        {
            using var use = Use();
            if (IsConnected) throw new InvalidOperationException($"The device '{Name}' is already connected.");
            IsConnected = true;
            Frontend.Start();
            _backendHost.RunWhile(_connecting, "the XenBus handshake");
        }

        public VbdDeviceOptions Options => _options.Clone();

        /// <summary>The options object itself, for <see cref="VbdDeviceSnapshot"/> to give a restored device its own seed and name.</summary>
        internal VbdDeviceOptions LiveOptions => _options;

        public string Name => _options.Name;

        public XenHost Host { get; }

        public Domain Guest { get; }

        public IBlockStorage Storage { get; }

        public XenVbdFrontend Frontend { get; }

        /// <summary>
        /// The blkback model serving the ring. A device whose backend is a real process (<see cref="BackendKind"/> Qemu)
        /// has none: asking for it throws <see cref="BackendNotModelledException"/> naming that process.
        /// </summary>
        public BlkBack Backend => _backend ?? throw new BackendNotModelledException(Name, "the blkback model's state (faults, statistics, migration)", _backendHost.Description);

        /// <summary>What serves the ring: the model or a real QEMU.</summary>
        public VbdBackendKind BackendKind => _backendHost.Kind;

        /// <summary>The backend host (the seam): a <see cref="QemuBackendHost"/> for a QEMU device, with its process, version and image.</summary>
        public IVbdBackendHost BackendHost => _backendHost;

        /// <summary>"the blkback model" or "QEMU 7.2.22 (pid 1234)".</summary>
        public string BackendDescription => _backendHost.Description;

        /// <summary>The backend's XenStore directory (for a QEMU device, its keys come from the shared-memory file's key area).</summary>
        public string BackendPath => _backendHost.BackendPath;

        /// <summary>Throws <see cref="BackendNotModelledException"/> unless the blkback model serves this device.</summary>
        public void RequireModelBackend(string operation)
        {
            if (_backendHost.Kind != VbdBackendKind.Model) throw new BackendNotModelledException(Name, operation, _backendHost.Description);
        }

        /// <summary>
        /// The device's hook into blkback (a fault plan, a lab's delay): acts on the live backend at once and on
        /// every backend a migration brings, since each is made with a hook that forwards here. A bare backend's
        /// hook (<see cref="BlkBackOptions.Interceptor"/>) is fixed when it is made and goes away with it; a fault
        /// attached to the device must keep acting when the device changes dom0.
        /// Starts as <see cref="VbdDeviceOptions.BackendInterceptor"/>.
        /// </summary>
        public IBackendInterceptor? BackendInterceptor
        {
            get => _interceptor.Current;
            set
            {
                ThrowIfDisposed();
                if (value != null) RequireModelBackend("a backend interceptor (fault injection)");
                _interceptor.Current = value;
            }
        }

        public BlkifAbi BackendAbi { get; private set; }

        public BackendAbiMode BackendMode { get; private set; }

        /// <summary>The real backend the dom0 side behaves as now (a migration may change it).</summary>
        public BackendPersonality BackendPersonality { get; private set; }

        public FrontendState State => Frontend.State;

        /// <summary>The frontend's XenStore directory (device/vbd/&lt;id&gt; of the guest).</summary>
        public string FrontendPath => Frontend.FrontendPath;

        /// <summary>The disk's size now (a resize changes it).</summary>
        public long SizeBytes => Storage.SizeBytes;

        /// <summary>The disk's logical sector size: the unit of every LBA.</summary>
        public int LogicalSectorSize => Storage.LogicalSectorSize;

        /// <summary>Bytes a volatile write cache holds that no flush has reached yet (0 without the cache).</summary>
        public long UnflushedBytes => Storage is WriteCacheDisk cache ? cache.DirtyBytes : 0;

        /// <summary>The bounce strategy in use: a real driver's personality fixes its own, whatever the options say.</summary>
        public BounceStrategyKind BounceStrategy => Frontend.BounceStrategy;

        /// <summary>The device's event trace (off until switched on).</summary>
        public DeviceTrace Trace { get; }

        public ProbeResult? ProbeResult => Frontend.ProbeResult;

        /// <summary>The ring layout the frontend uses now.</summary>
        public BlkifAbi FrontendAbi => Frontend.Abi;

        /// <summary>
        /// A copy of the frontend's counters as they are now: a snapshot, like <see cref="GetRing"/>, so a caller
        /// can keep it and compare it with a later one (the backend's <c>BlkBack.Statistics</c> is its live object).
        /// </summary>
        public FrontendStatistics GetStatistics() => Frontend.Statistics.Clone();

        /// <summary>
        /// The blkback model's persistent-grant and multi-queue counters now, or null when a real QEMU serves the
        /// device (it offers neither feature and its counters are not this process's).
        /// </summary>
        public BackendGrantCounters? GetBackendGrants()
        {
            if (_backendHost.Kind != VbdBackendKind.Model) return null;
            var st = Backend.Statistics;
            return new BackendGrantCounters(Backend.QueueCount, Backend.PersistentGrantsEnabled, Backend.PersistentGrantCount,
                st.PersistentGrantHits, st.GrantMaps, st.GrantUnmaps, st.PersistentGrantsPurged);
        }

        /// <summary>Reads the disk's bytes directly, past the frontend and the backend (a QEMU device: the image file it serves).</summary>
        public void ReadDisk(long byteOffset, Span<byte> destination) => Storage.Read(byteOffset, destination);

        /// <summary>The frontend's XenBus state in XenStore (its <c>state</c> node); <see cref="State"/> is the driver's own state.</summary>
        public XenbusState FrontendXenbusState => (XenbusState)Host.Store.ReadInt64OrDefault(BlkifKeys.Path(Frontend.FrontendPath, BlkifKeys.State), 0);

        /// <summary>The backend's XenBus state in XenStore (its <c>state</c> node).</summary>
        public XenbusState BackendXenbusState => (XenbusState)Host.Store.ReadInt64OrDefault(BlkifKeys.Path(BackendPath, BlkifKeys.State), 0);

        /// <summary>Virtual time now.</summary>
        public TimeSpan Now => TimeSpan.FromTicks(Host.Scheduler.Now);

        public RingSnapshot? GetRing() => Frontend.GetRing();

        /// <summary>Every connected queue's ring, queue 0 first (one for a single-queue frontend; none while disconnected).</summary>
        public IReadOnlyList<RingSnapshot> GetRings() => Frontend.GetRings();

        /// <summary>Each frontend queue's counts (one per queue the frontend may use; Get-VbdStatistic's QueueStatistics).</summary>
        public IReadOnlyList<QueueStatistics> GetQueueStatistics()
        {
            var rings = Frontend.Rings;
            var list = new QueueStatistics[rings.Length];
            for (int q = 0; q < rings.Length; q++)
            {
                var r = rings[q];
                list[q] = new QueueStatistics(q, r.IsAttached, r.Requests, r.Responses, r.Notifies, r.Interrupts, r.RingFullWaits);
            }

            return list;
        }

        /// <summary>Queues the frontend uses on this connection (the smaller of its and the backend's maximum).</summary>
        public int Queues => Frontend.Queues;

        /// <summary>Both halves' XenStore keys, frontend first.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> XenStoreKeys
        {
            get
            {
                var list = new List<KeyValuePair<string, string>>(Host.Store.Dump(Frontend.FrontendPath));
                list.AddRange(Host.Store.Dump(BackendPath));
                return list;
            }
        }

        /// <summary>
        /// Runs one CDB to completion. Data goes through a guest buffer at a page boundary plus
        /// <paramref name="bufferAlignment"/> bytes, so the frontend sees exactly that misalignment.
        /// </summary>
        public SrbResult Execute(ReadOnlySpan<byte> cdb, byte[]? dataOut = null, int dataInLength = 0, int bufferAlignment = 0)
        {
            using var use = Use();
            ThrowIfNotConnected();
            if (cdb.Length == 0 || cdb.Length > Srb.MaxCdbLength) throw new ArgumentException("A CDB is 1.." + Srb.MaxCdbLength + " bytes.", nameof(cdb));
            if (dataOut != null && dataInLength > 0) throw new ArgumentException("An SRB moves data one way: give dataOut or dataInLength, not both.", nameof(dataInLength));
            if (dataInLength < 0) throw new ArgumentOutOfRangeException(nameof(dataInLength), dataInLength, "Must not be negative.");
            if (bufferAlignment < 0 || bufferAlignment >= XenPage.Size) throw new ArgumentOutOfRangeException(nameof(bufferAlignment), bufferAlignment, "Must be 0..4095 bytes past a page boundary.");
            int length = dataOut?.Length ?? dataInLength;
            if (length + bufferAlignment > _executeBufferBytes) throw new ArgumentOutOfRangeException(nameof(dataInLength), length, "Execute's guest buffer holds " + (_executeBufferBytes - bufferAlignment) + " bytes at this alignment; raise GuestBufferBytes.");

            ulong address = _executeBuffer + (ulong)bufferAlignment;
            var guest = Guest.Memory.At(address, length);
            if (dataOut != null) dataOut.CopyTo(guest);
            else guest.Clear();

            var srb = _executeSrb;
            srb.Prepare(cdb, address, length, dataOut != null ? DataDirection.Out : dataInLength > 0 ? DataDirection.In : DataDirection.None);
            Submit(srb);
            RunUntilComplete(srb);

            byte[] data = srb.Direction == DataDirection.In && srb.IsComplete ? Guest.Memory.At(address, Math.Min(srb.DataTransferLength, length)).ToArray() : Array.Empty<byte>();
            byte[] sense = srb.SenseBuffer.ToArray();
            SenseInfo? info = sense.Length > 0 && SenseData.TryRead(sense, out var s) ? s : null;
            return new SrbResult(srb.SrbStatus, srb.ScsiStatus, sense, info, data, srb.RequestsUsed, srb.BouncePasses, srb.BytesBounced, TimeSpan.FromTicks(srb.IsComplete ? srb.LatencyTicks : Host.Scheduler.Now - srb.StartTicks));
        }

        /// <summary>
        /// Hands one CDB to the frontend and returns at once, without running the machine: the SRB completes as the
        /// scheduler runs (the next call that waits, such as <see cref="Execute"/> or <see cref="RunUntilIdle"/>).
        /// So a guest can have writes in flight when it issues its next command. Each call takes its own guest
        /// buffer (setup-time memory, never reused), so it is for labs and tests, not for the I/O path.
        /// </summary>
        public void SubmitWithoutWaiting(ReadOnlySpan<byte> cdb, byte[]? dataOut = null)
        {
            using var use = Use();
            ThrowIfNotConnected();
            if (cdb.Length == 0 || cdb.Length > Srb.MaxCdbLength) throw new ArgumentException("A CDB is 1.." + Srb.MaxCdbLength + " bytes.", nameof(cdb));
            int length = dataOut?.Length ?? 0;
            ulong address = length > 0 ? AllocateGuestBuffer(length) : 0;
            if (dataOut != null) dataOut.CopyTo(Guest.Memory.At(address, length));
            var srb = new Srb();
            srb.Prepare(cdb, address, length, length > 0 ? DataDirection.Out : DataDirection.None);
            Submit(srb);
        }

        /// <summary>
        /// Cuts the power: the volatile write cache drops what no flush reached, and the I/O the backend has in flight
        /// never reaches the disk. False when the disk has no volatile cache (nothing to lose). The model's guest lives
        /// on, so it can read back what survived.
        /// </summary>
        public bool PowerCut()
        {
            if (Storage is not WriteCacheDisk cache) return false;
            cache.PowerCut();
            if (_backend is not null) _backend.AbandonInFlightIo();
            return true;
        }

        /// <summary>The largest data transfer (plus buffer alignment) <see cref="Execute"/> can carry.</summary>
        public int ExecuteBufferBytes => _executeBufferBytes;

        /// <summary>Hands an SRB to the frontend; it completes as the scheduler runs. Allocation-free.</summary>
        public void Submit(Srb srb)
        {
            Enter();
            try
            {
                ThrowIfNotConnected();
                Frontend.Submit(srb);
            }
            finally
            {
                Leave();
            }
        }

        /// <summary>Runs the machine until <paramref name="srb"/> completes; false if nothing more can happen first.</summary>
        public bool RunUntilComplete(Srb srb)
        {
            if (srb == null) throw new ArgumentNullException(nameof(srb));
            Enter();
            try
            {
                // Already complete (the usual case for all but the first SRB of a batch): there is nothing to run, and
                // skipping the wait skips installing the scheduler's context and back for nothing.
                if (srb.IsComplete) return true;
                _waitFor = srb;
                try
                {
                    _backendHost.RunWhile(_srbPending, "an SRB's completion");
                }
                finally
                {
                    _waitFor = null;
                }

                return srb.IsComplete;
            }
            finally
            {
                Leave();
            }
        }

        /// <summary>Runs until every submitted SRB completed (or nothing more can happen).</summary>
        public void RunUntilIdle()
        {
            using var use = Use();
            _backendHost.RunUntilIdle(() => Frontend.IsIdle);
        }

        /// <summary>
        /// Holds the device for the calling thread until the returned value is disposed (a workload does,
        /// since it runs the scheduler directly). Every entry point holds it for its own duration, so two
        /// threads never run the engine at once: the second gets an InvalidOperationException naming both.
        /// </summary>
        public DeviceUse Use()
        {
            Enter();
            // The outermost entry is outside every run loop: a real-time backend brings the clock to now here, so work
            // handed over next is stamped with the real time, not with whenever the scheduler last ran.
            if (_useDepth == 1) _backendHost.CatchUp();
            return new DeviceUse(this);
        }

        internal void Enter()
        {
            ThrowIfDisposed();
            int me = Environment.CurrentManagedThreadId;
            int holder = System.Threading.Interlocked.CompareExchange(ref _userThread, me, 0);
            if (holder != 0 && holder != me)
            {
                throw new InvalidOperationException("The device '" + Name + "' is in use on thread " + holder + "; thread " + me
                    + " may not use it at the same time. A device is driven from one thread at a time: finish or stop the other work first (a workload, an SRB), or give each thread its own device.");
            }

            _useDepth++;
        }

        internal void Leave()
        {
            if (_useDepth > 0 && --_useDepth == 0) System.Threading.Volatile.Write(ref _userThread, 0);
        }

        /// <summary>Takes guest pages for caller-owned SRB buffers (setup time); returns the page-aligned guest address.</summary>
        public ulong AllocateGuestBuffer(int bytes)
        {
            if (bytes <= 0) throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "Must be positive.");
            int pages = (bytes + XenPage.Size - 1) / XenPage.Size;
            return (ulong)Guest.Memory.AllocatePages(pages) * XenPage.Size;
        }

        /// <summary>The guest bytes at an address (for filling and checking SRB buffers).</summary>
        public Span<byte> GuestBytes(ulong address, int length) => Guest.Memory.At(address, length);

        /// <summary>
        /// Moves the vbd to another dom0: the frontend suspends (in-flight work pulled back), the old
        /// blkback goes away, a new one with <paramref name="abi"/>/<paramref name="mode"/> appears and the
        /// frontend reconnects — probing again — and resubmits.
        /// </summary>
        public MigrationResult MigrateBackend(BlkifAbi abi, BackendAbiMode mode) => MigrateBackend(abi, mode, BackendPersonality);

        /// <summary>As <see cref="MigrateBackend(BlkifAbi, BackendAbiMode)"/>, to a dom0 whose backend is <paramref name="personality"/>.</summary>
        public MigrationResult MigrateBackend(BlkifAbi abi, BackendAbiMode mode, BackendPersonality personality)
        {
            using var use = Use();
            ThrowIfNotConnected();
            RequireModelBackend("a migration to another dom0");
            if (!Enum.IsDefined(typeof(BackendPersonality), personality))
                throw new ArgumentOutOfRangeException(nameof(personality), personality, "Unknown backend personality; use one of " + string.Join(", ", Enum.GetNames(typeof(BackendPersonality))) + ".");
            var oldAbi = BackendAbi;
            var oldMode = BackendMode;
            var oldPersonality = BackendPersonality;
            var before = Frontend.Abi;
            long probes = Frontend.Statistics.Probes;
            long requeues = Frontend.Statistics.Requeues;
            // The old dom0 finishes its in-flight I/O first: its grant maps of the guest's pages go with it.
            Backend.FinishInFlightIo();
            Frontend.Suspend();
            Backend.Dispose();
            BackendAbi = abi;
            BackendMode = mode;
            BackendPersonality = personality;
            _backend = NewBackend(abi, mode, personality);
            Frontend.Resume();
            Host.Scheduler.RunWhile(_connecting, MaxEventsPerWait);
            bool reprobed = Frontend.Statistics.Probes > probes;
            return new MigrationResult(oldAbi, oldMode, abi, mode, before, Frontend.Abi, reprobed, reprobed && Frontend.ProbeResult!.Switched, Frontend.Statistics.Requeues - requeues, Frontend.State, oldPersonality, personality);
        }

        /// <summary>
        /// Device reset: the personality's bus reset (the hardened design completes every pending SRB with BUS RESET).
        /// Under the hardened design a Broken or stopped device, or one whose ring slots are all held by requests the
        /// backend never answered, also reconnects through XenBus and is Ready again when this returns.
        /// </summary>
        public void Reset()
        {
            using var use = Use();
            ThrowIfNotConnected();
            if (Frontend.ResetDevice()) _backendHost.RunWhile(_connecting, "the reconnect after a reset");
        }

        /// <summary>The frontend personality the guest runs.</summary>
        public FrontendPersonality Personality => Frontend.Options.Personality;

        /// <summary>Why the device is Broken, stopped or in LayoutMismatch; null otherwise.</summary>
        public string? FailureReason => Frontend.FailureReason;

        /// <summary>What the user should know that is not a failure yet (ring slots held by unanswered requests, a stuck probe); null otherwise.</summary>
        public string? Warning => Frontend.Warning;

        /// <summary>Resizes the disk; the next command after the frontend notices gets UNIT ATTENTION.</summary>
        public void Resize(long newSizeBytes)
        {
            using var use = Use();
            ThrowIfNotConnected();
            RequireModelBackend("a resize of the disk");
            if (newSizeBytes <= 0 || newSizeBytes % _options.LogicalSectorSize != 0)
                throw new ArgumentOutOfRangeException(nameof(newSizeBytes), newSizeBytes, "Must be a positive multiple of the logical sector size.");
            Backend.Resize(newSizeBytes);
            ulong blocks = (ulong)(newSizeBytes / _options.LogicalSectorSize);
            Host.Scheduler.RunWhile(() => Frontend.Disk != null && Frontend.Disk.BlockCount != blocks, MaxEventsPerWait);
        }

        /// <summary>An orderly close (<see cref="Close"/> without discarding): a volatile write cache is written back first.</summary>
        public void Dispose() => Close(discardUnflushedWrites: false);

        /// <summary>
        /// Closes the device. An orderly close writes a volatile write cache back to the disk before
        /// anything is torn down, as an orderly shutdown flushes a disk's cache; only
        /// <paramref name="discardUnflushedWrites"/> drops what no flush reached (a PowerCut fault is the
        /// other way to lose it). Returns the bytes dropped (0 for an orderly close). If the write-back
        /// fails, the device is still closed and the storage error is thrown, naming what was lost.
        /// </summary>
        public long Close(bool discardUnflushedWrites)
        {
            if (_disposed) return 0;
            Enter();   // refuses while another thread is inside: closing under it would hand it a normal-looking result
            long dropped = 0;
            StorageException? lost = null;
            if (Storage is WriteCacheDisk cache)
            {
                if (discardUnflushedWrites) dropped = cache.DirtyBytes;
                else
                {
                    try
                    {
                        cache.Flush();
                    }
                    catch (StorageException ex)
                    {
                        dropped = cache.DirtyBytes;
                        lost = new StorageException(ex.Error, "Closing '" + Name + "' could not write back its volatile write cache: " + dropped + " unflushed bytes are lost (" + ex.Message + ").", ex.ByteOffset, ex);
                    }
                }
            }

            _disposed = true;
            try
            {
                // A real backend first: the XenBus close while the frontend still exists, then its process stops.
                _backendHost.Shutdown();
            }
            finally
            {
                Frontend.Dispose();
                _backend?.Dispose();
                if (_backendHost.ServedStorage == null) Storage.Dispose();
                _backendHost.Dispose();
            }

            if (lost != null) throw lost;
            return dropped;
        }

        /// <summary>Every blkback the device gets comes from here, so none of them misses the device's interceptor.</summary>
        private BlkBack NewBackend(BlkifAbi abi, BackendAbiMode mode, BackendPersonality personality)
        {
            // Made with the device's hook, so the handshake, the probe and resubmitted work meet it too.
            var options = _options.ToBackendOptions(abi, mode, personality);
            options.Interceptor = _interceptor;
            return new BlkBack(Host, FrontendDomainId, _options.DeviceId, Storage, options);
        }

        private static bool IsSettled(Frontend.FrontendState s)
            => s == XenVbd.Frontend.FrontendState.Ready || s == XenVbd.Frontend.FrontendState.Broken || s == XenVbd.Frontend.FrontendState.LayoutMismatch || s == XenVbd.Frontend.FrontendState.Closed || s == XenVbd.Frontend.FrontendState.Stopped;

        private static IBlockStorage OpenStorage(VbdDeviceOptions o)
        {
            if (o.ImagePath == null) return new MemoryDisk(o.SizeBytes, o.LogicalSectorSize, o.PhysicalSectorSize);
            if (File.Exists(o.ImagePath)) return ImageFileDisk.Open(o.ImagePath, o.ReadOnly, o.LogicalSectorSize, o.PhysicalSectorSize);
            return ImageFileDisk.Create(o.ImagePath, o.SizeBytes, o.LogicalSectorSize, o.PhysicalSectorSize);
        }

        private static int RoundUp(int value, int unit) => (value + unit - 1) / unit * unit;

        private void ThrowIfDisposed()
        {
            if (_disposed) throw new ObjectDisposedException(nameof(VbdDevice));
        }

        private void ThrowIfNotConnected()
        {
            ThrowIfDisposed();
            if (!IsConnected) throw new InvalidOperationException($"The device '{Name}' is not connected yet: connect it first (Connect-VbdDevice).");
        }

        /// <summary>
        /// What every backend of the device is made with: forwards to the device's current hook, so one that is
        /// set or cleared while the device runs acts at once, and on the backends a migration or a reconnect brings.
        /// </summary>
        private sealed class DeviceInterceptor : IBackendInterceptor
        {
            public IBackendInterceptor? Current { get; set; }

            public void OnRequest(BlkBack backend, ref BackendRequestPlan plan) => Current?.OnRequest(backend, ref plan);
        }
    }
}
