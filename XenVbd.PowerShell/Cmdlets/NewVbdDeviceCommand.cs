using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.PowerShell.Infrastructure;
using XenVbd.Ring;

namespace XenVbd.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Creates a simulated domU frontend + dom0 backend pair (a virtual block device).</para>
    /// <para type="description">Full help ships as MAML in XenVbd.PowerShell.dll-Help.xml.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.New, "VbdDevice", SupportsShouldProcess = true)]
    [OutputType(typeof(VbdDevice))]
    public sealed class NewVbdDeviceCommand : PSCmdlet
    {
        /// <summary>The device's name in the session; the first free vbdN when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        /// <summary>Capacity in bytes; a multiple of the logical sector size.</summary>
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("Size")]
        [ByteSizeTransformation(Parameter = "SizeBytes")]
        public long SizeBytes { get; set; } = 64L * 1024 * 1024;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateSet("512", "4096")]
        public int LogicalSectorSize { get; set; } = 512;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateSet("512", "4096")]
        public int PhysicalSectorSize { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [SwitchValueTransformation(Parameter = "ReadOnly")]
        public SwitchParameter ReadOnly { get; set; }

        /// <summary>A raw image file to use as the disk instead of memory.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Path", "FullName")]
        [ValidateNotNullOrEmpty]
        public string? ImagePath { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [BlkifAbiTransformation(Parameter = "FrontendAbi", Strict = true)]
        public BlkifAbi FrontendAbi { get => (BlkifAbi)_frontendAbi; set => _frontendAbi = (int)value; }

        private int _frontendAbi = (int)BlkifAbi.X86_64;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [EnumValueTransformation(typeof(FrontendAbiMode), Parameter = "FrontendMode")]
        public FrontendAbiMode FrontendMode { get => (FrontendAbiMode)_frontendMode; set => _frontendMode = (int)value; }

        private int _frontendMode = (int)FrontendAbiMode.Probe;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [BlkifAbiTransformation(Parameter = "BackendAbi", Strict = true)]
        public BlkifAbi BackendAbi { get => (BlkifAbi)_backendAbi; set => _backendAbi = (int)value; }

        private int _backendAbi = (int)BlkifAbi.X86_64;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [EnumValueTransformation(typeof(BackendAbiMode), Parameter = "BackendMode")]
        public BackendAbiMode BackendMode { get => (BackendAbiMode)_backendMode; set => _backendMode = (int)value; }

        private int _backendMode = (int)BackendAbiMode.Protocol;

        /// <summary>Which real backend dom0 runs (LinuxBlkback, LinuxBlkback2008, Qemu72, Qemu10).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public BackendPersonality BackendPersonality { get => (BackendPersonality)_backendPersonality; set => _backendPersonality = (int)value; }

        private int _backendPersonality = (int)BackendPersonality.LinuxBlkback;

        /// <summary>The backend completes what it has in flight in any order, drawn from the seed.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public SwitchParameter ReorderCompletions { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("BounceStrategy")]
        [EnumValueTransformation(typeof(BounceStrategyKind), Parameter = "Bounce")]
        public BounceStrategyKind Bounce { get => (BounceStrategyKind)_bounce; set => _bounce = (int)value; }

        private int _bounce = (int)BounceStrategyKind.PerSrb;

        /// <summary>Which real frontend the guest runs (Get-VbdPersonality lists them); Gplpv2008b (the driver the Xen wiki's 2008 GPLPV page describes) by default; Hardened is this project's own design.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public FrontendPersonality Personality { get => (FrontendPersonality)_personality; set => _personality = (int)value; }

        private int _personality = (int)DevicePersonalities.Default;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(0, 4)]
        public int MaxRingPageOrder { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(0, 4096)]
        public int MaxIndirectSegments { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [SwitchValueTransformation(Parameter = "FeatureFlush")]
        public SwitchParameter FeatureFlush { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [SwitchValueTransformation(Parameter = "FeatureBarrier")]
        public SwitchParameter FeatureBarrier { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [SwitchValueTransformation(Parameter = "FeatureDiscard")]
        public SwitchParameter FeatureDiscard { get; set; }

        /// <summary>The seed of the device's random source: the same seed replays the same run.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public ulong Seed { get; set; } = 1;

        /// <summary>How long the frontend waits for a response before it resets the ring and retries.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public TimeSpan RequestTimeout { get; set; }

        /// <summary>SRBs the frontend accepts at once (1..4096; default 64).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(VbdDeviceOptions.MinQueueDepth, VbdDeviceOptions.MaxQueueDepth)]
        public int QueueDepth { get; set; } = 64;

        /// <summary>
        /// Guest memory reserved for Invoke-Srb and workload buffers (4 KiB..1 GiB). When omitted it is the engine's
        /// 8 MiB, or, with -QueueDepth, enough for QueueDepth transfers of up to 1 MiB at once (capped at 256 MiB).
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(4096, 1 << 30)]
        [ByteSizeTransformation(Parameter = "GuestBufferBytes")]
        public int GuestBufferBytes { get; set; }

        /// <summary>Virtual time the backend needs per request (0 or more; default 200 ticks = 20 us).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public TimeSpan BackendServiceTime { get; set; }

        /// <summary>
        /// Both ends offer persistent grants (feature-persistent, on by default as in Linux blkback and blkfront); -PersistentGrants:$false
        /// turns them off. With the LinuxBlkfront personality they are used (Get-VbdRing, Get-VbdStatistic show them).
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [SwitchValueTransformation(Parameter = "PersistentGrants")]
        public SwitchParameter PersistentGrants { get; set; }

        /// <summary>multi-queue-max-queues the backend offers (1..64; default 4).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, 64)]
        public int BackendMaxQueues { get; set; } = 4;

        /// <summary>
        /// The most queues (rings) the frontend uses (blkfront's max_queues; the guest gets this many vCPUs, which take turns
        /// submitting). The connection uses the smaller of this and -BackendMaxQueues. More than 1 needs -Personality
        /// LinuxBlkfront or XenProject.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, 64)]
        public int Queues { get; set; } = 1;

        /// <summary>A volatile write-back cache in front of the disk: a PowerCut fault drops writes not yet flushed.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [SwitchValueTransformation(Parameter = "VolatileWriteCache")]
        public SwitchParameter VolatileWriteCache { get; set; }

        /// <summary>
        /// XSA-403: the backend is not trusted with guest memory, so every transfer is bounced through
        /// frontend-owned pages (blkfront's trusted=0).
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [SwitchValueTransformation(Parameter = "UntrustedBackend")]
        public SwitchParameter UntrustedBackend { get; set; }

        /// <summary>
        /// The frontend's opt-in forced reconnect: after this many request timeouts in a row with no response in
        /// between (or bounce memory pinned that long), it closes and reconnects its side. 0 = off (blkfront's behaviour).
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(0, FrontendOptions.MaxReconnectAfterUnansweredTimeouts)]
        public int ReconnectAfterUnansweredTimeouts { get; set; }

        /// <summary>
        /// Creates the device without connecting it, so faults added now (Add-VbdFault) are in place for the XenBus
        /// handshake and the ABI probe; Connect-VbdDevice connects it.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public SwitchParameter NoConnect { get; set; }

        /// <summary>What serves the ring: Model (the blkback model on the virtual clock, the default) or Qemu (a real QEMU xen-disk process, in real time).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [EnumValueTransformation(typeof(VbdBackendKind), Parameter = "Backend")]
        public VbdBackendKind Backend { get => (VbdBackendKind)_backend; set => _backend = (int)value; }

        private int _backend = (int)VbdBackendKind.Model;

        /// <summary>The QEMU binary for -Backend Qemu (default Debian's /usr/libexec/xen-qemu-system-i386).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? QemuPath { get; set; }

        /// <summary>-Backend Qemu: the longest real time one wait (connect, an SRB, a close) takes before it fails (default 60 s).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public TimeSpan QemuTimeout { get; set; }

        /// <summary>-Backend Qemu: the share of event deliveries (both ways) the Xen stand-in delays, from its seeded schedule (the seed is -Seed).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(0, 100)]
        public int QemuDelayPercent { get; set; }

        /// <summary>-Backend Qemu: each delayed event waits 1..this many milliseconds (default 10).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, 1000)]
        public int QemuDelayMaxMilliseconds { get; set; } = 10;
        /// <summary>The longest device name: it appears in views, traces and file names.</summary>
        public const int MaxNameLength = 128;

        /// <summary>The largest transfer the automatic guest-buffer size plans for: Invoke-VbdWorkload's biggest profile size.</summary>
        internal const int AutoSizedTransferBytes = 1 << 20;

        /// <summary>The automatic guest-buffer size never exceeds this (memory is reserved up front).</summary>
        internal const int AutoSizedGuestBufferCap = 256 << 20;

        /// <summary>The guest buffer New-VbdDevice chooses for a queue depth when -GuestBufferBytes is not given.</summary>
        public static int AutoGuestBufferBytes(int queueDepth) =>
            Math.Min(AutoSizedGuestBufferCap, XenVbd.Workload.DeviceWorkloadTarget.GuestBufferBytesFor(queueDepth, AutoSizedTransferBytes));

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            DeviceRegistry registry = DeviceRegistry.Current;
            string name = Name ?? NextFreeName(registry);
            if (WildcardPattern.ContainsWildcardCharacters(name) || name.IndexOfAny(new[] { '/', '\\' }) >= 0)
            {
                ThrowTerminatingError(ErrorRecords.Create(ErrorIds.InvalidDeviceName, ErrorCategory.InvalidArgument, name,
                    "'" + name + "' cannot be a device name: names may not contain wildcard characters (* ? [ ]) or slashes.",
                    "Choose a plain name such as vbd0 or data-disk."));
            }

            if (name.Length > MaxNameLength || name.Any(char.IsControl) || name.Trim().Length != name.Length)
            {
                ThrowTerminatingError(ErrorRecords.Create(ErrorIds.InvalidDeviceName, ErrorCategory.InvalidArgument, name.Length > 80 ? name.Substring(0, 80) + "..." : name,
                    "A device name must be 1.." + MaxNameLength + " printable characters without leading or trailing spaces; this one has " + name.Length + " characters"
                    + (name.Any(char.IsControl) ? " including a control character (newline, NUL, ...)" : "") + ".",
                    "Choose a plain name such as vbd0 or data-disk."));
            }

            if (registry.Contains(name))
            {
                ThrowTerminatingError(ErrorRecords.Create(ErrorIds.DuplicateDeviceName, ErrorCategory.ResourceExists, name,
                    "A device named '" + name + "' already exists in this session.",
                    "Pick another -Name, or remove the existing one first: Remove-VbdDevice -Name " + name + "."));
            }

            int physical = PhysicalSectorSize == 0 ? LogicalSectorSize : PhysicalSectorSize;
            if (physical < LogicalSectorSize)
            {
                ThrowTerminatingError(ErrorRecords.Create(ErrorIds.InvalidDeviceOptions, ErrorCategory.InvalidArgument, physical,
                    "The physical sector size (" + physical + ") is smaller than the logical sector size (" + LogicalSectorSize + ").",
                    "Use -PhysicalSectorSize " + LogicalSectorSize + " or 4096."));
            }

            if (Personality != FrontendPersonality.Hardened)
            {
                foreach (string fixedByDriver in new[] { nameof(FrontendMode), nameof(Bounce) })
                {
                    if (MyInvocation.BoundParameters.ContainsKey(fixedByDriver))
                    {
                        ThrowTerminatingError(ErrorRecords.Create(ErrorIds.PersonalityFixesOption, ErrorCategory.InvalidArgument, fixedByDriver,
                            "-" + fixedByDriver + " cannot be chosen with -Personality " + Personality + ": that driver's own " + fixedByDriver + " is part of the personality.",
                            "Leave out -" + fixedByDriver + " (Get-VbdPersonality " + Personality + " -Detailed shows what the driver does), or use -Personality Hardened to choose it."));
                    }
                }
            }

            QemuOptions? qemu = Backend == VbdBackendKind.Qemu ? QemuOptionsFor(Seed) : null;
            if (Backend != VbdBackendKind.Qemu)
            {
                foreach (string qemuOnly in new[] { nameof(QemuPath), nameof(QemuTimeout), nameof(QemuDelayPercent), nameof(QemuDelayMaxMilliseconds) })
                {
                    if (MyInvocation.BoundParameters.ContainsKey(qemuOnly))
                    {
                        ThrowTerminatingError(ErrorRecords.Create(ErrorIds.QemuOptionWithoutQemu, ErrorCategory.InvalidArgument, qemuOnly,
                            "-" + qemuOnly + " applies only to a device whose backend is QEMU.", "Add -Backend Qemu, or leave out -" + qemuOnly + "."));
                    }
                }
            }

            string? image = ResolveImage(out long imageLength);
            bool sizeGiven = MyInvocation.BoundParameters.ContainsKey(nameof(SizeBytes));
            if (image is null || sizeGiven)
            {
                if (SizeBytes <= 0 || SizeBytes % LogicalSectorSize != 0)
                {
                    long down = SizeBytes / LogicalSectorSize * LogicalSectorSize;
                    ThrowTerminatingError(ErrorRecords.Create(ErrorIds.SizeNotMultipleOfSector, ErrorCategory.InvalidArgument, SizeBytes,
                        "The size " + SizeBytes + " is not a positive multiple of the logical sector size " + LogicalSectorSize + ".",
                        down > 0 ? "Use -SizeBytes " + down + " or " + (down + LogicalSectorSize) + "." : "Use -SizeBytes " + LogicalSectorSize + " or more (e.g. 64MB)."));
                }
            }

            var options = new VbdDeviceOptions
            {
                Name = name,
                SizeBytes = image is not null && !sizeGiven && imageLength > 0 ? imageLength : SizeBytes,
                LogicalSectorSize = LogicalSectorSize,
                PhysicalSectorSize = physical,
                ReadOnly = ReadOnly.IsPresent,
                ImagePath = image,
                FrontendAbi = FrontendAbi,
                FrontendMode = FrontendMode,
                BackendAbi = BackendAbi,
                BackendMode = BackendMode,
                BackendPersonality = BackendPersonality,
                ReorderCompletions = ReorderCompletions.IsPresent,
                Bounce = Bounce,
                Personality = Personality,
                MaxRingPageOrder = MaxRingPageOrder,
                MaxIndirectSegments = MaxIndirectSegments,
                Seed = Seed,
            };
            if (MyInvocation.BoundParameters.ContainsKey(nameof(FeatureFlush))) options.FeatureFlush = FeatureFlush.IsPresent;
            if (MyInvocation.BoundParameters.ContainsKey(nameof(FeatureBarrier))) options.FeatureBarrier = FeatureBarrier.IsPresent;
            if (MyInvocation.BoundParameters.ContainsKey(nameof(FeatureDiscard))) options.FeatureDiscard = FeatureDiscard.IsPresent;
            if (MyInvocation.BoundParameters.ContainsKey(nameof(RequestTimeout))) options.RequestTimeout = RequestTimeout;
            if (MyInvocation.BoundParameters.ContainsKey(nameof(PersistentGrants))) options.PersistentGrants = PersistentGrants.IsPresent;
            options.BackendMaxQueues = BackendMaxQueues;
            options.Queues = Queues;
            if (MyInvocation.BoundParameters.ContainsKey(nameof(BackendServiceTime)))
            {
                if (BackendServiceTime < TimeSpan.Zero)
                {
                    ThrowTerminatingError(ErrorRecords.Create(ErrorIds.InvalidDeviceOptions, ErrorCategory.InvalidArgument, BackendServiceTime,
                        "The backend service time " + BackendServiceTime + " is negative.",
                        "Use -BackendServiceTime 0 or a positive TimeSpan such as 00:00:00.0001 (100 us)."));
                }

                options.BackendServiceTime = BackendServiceTime;
            }

            options.QueueDepth = QueueDepth;
            options.VolatileWriteCache = VolatileWriteCache.IsPresent;
            options.UntrustedBackend = UntrustedBackend.IsPresent;
            options.ReconnectAfterUnansweredTimeouts = ReconnectAfterUnansweredTimeouts;
            if (qemu is not null)
            {
                options.Backend = VbdBackendKind.Qemu;
                options.Qemu = qemu;
                // QEMU reads the drive's discard=unmap; the model's default (on) carries over unless -FeatureDiscard says otherwise.
            }
            if (MyInvocation.BoundParameters.ContainsKey(nameof(GuestBufferBytes)))
            {
                options.GuestBufferBytes = GuestBufferBytes;
            }
            else if (MyInvocation.BoundParameters.ContainsKey(nameof(QueueDepth)))
            {
                options.GuestBufferBytes = Math.Max(options.GuestBufferBytes, AutoGuestBufferBytes(QueueDepth));
                WriteVerbose("Guest buffer sized for " + QueueDepth + " transfers of up to 1 MiB: " + options.GuestBufferBytes + " bytes (override with -GuestBufferBytes).");
            }

            try
            {
                options.Validate();
            }
            catch (Exception ex) when (ex is not RuntimeException)
            {
                ThrowTerminatingError(ErrorRecords.FromException(ex, options, ErrorIds.InvalidDeviceOptions));
            }

            string what = (image is null ? (qemu is null ? "in-memory disk" : "temporary sparse image") : "image '" + image + "'") + ", frontend " + FrontendAbi + "/" + FrontendMode
                + (qemu is null ? ", backend " + BackendPersonality + " " + BackendAbi + "/" + BackendMode : ", backend QEMU '" + qemu.QemuPath + "' (a separate process, real time)")
                + (VolatileWriteCache.IsPresent ? ", volatile write cache" : "")
                + (UntrustedBackend.IsPresent ? ", untrusted backend" : "")
                + (ReconnectAfterUnansweredTimeouts > 0 ? ", reconnect after " + ReconnectAfterUnansweredTimeouts + " unanswered timeouts" : "")
                + (NoConnect ? ", not connected yet" : "");
            if (!ShouldProcess(name + " (" + what + ")", "Create virtual block device"))
            {
                return;
            }

            if (qemu is not null)
            {
                try
                {
                    qemu.StandinLibraryPath = QemuBackendSupport.PrepareStandin(qemu.QemuPath, WriteVerbose);
                }
                catch (Exception ex) when (ex is not RuntimeException)
                {
                    ThrowTerminatingError(ErrorRecords.FromException(ex, qemu.QemuPath, ErrorIds.DeviceCreateFailed));
                    return;
                }
            }

            VbdDevice device;
            try
            {
                device = NoConnect ? VbdDevice.CreateUnconnected(options) : VbdDevice.Create(options);
            }
            catch (Exception ex) when (ex is not RuntimeException)
            {
                ErrorRecord failed = ErrorRecords.FromException(ex, image ?? (object)name, ErrorIds.DeviceCreateFailed);
                if (image is not null && ex.Message.IndexOf(image, StringComparison.Ordinal) < 0)
                {
                    // The engine's message may not say which file (e.g. "file length too large for the file system").
                    failed.ErrorDetails = new ErrorDetails("Could not create device '" + name + "' on the image '" + image + "' (" + options.SizeBytes + " bytes): " + ex.Message)
                    {
                        RecommendedAction = failed.ErrorDetails?.RecommendedAction ?? "Check the image path, its file system's free space and largest file size, and -SizeBytes.",
                    };
                }

                ThrowTerminatingError(failed);
                return;
            }

            if (!registry.TryAdd(name, device, out _))
            {
                device.Dispose();
                ThrowTerminatingError(ErrorRecords.Create(ErrorIds.DuplicateDeviceName, ErrorCategory.ResourceExists, name,
                    "A device named '" + name + "' was created in this session meanwhile.", "Pick another -Name."));
            }

            device.Trace.Enabled = true;   // Export-VbdTrace reads it; the recorder is a fixed array, nothing allocates per event
            WriteObject(device);
        }

        /// <summary>-Backend Qemu's options; a model-only parameter given with it is an error that says QEMU decides that itself.</summary>
        private QemuOptions QemuOptionsFor(ulong seed)
        {
            foreach (string modelOnly in new[] { nameof(BackendAbi), nameof(BackendMode), nameof(BackendPersonality), nameof(ReorderCompletions), nameof(BackendServiceTime), nameof(VolatileWriteCache), nameof(FeatureFlush), nameof(FeatureBarrier), nameof(MaxIndirectSegments) })
            {
                if (MyInvocation.BoundParameters.ContainsKey(modelOnly))
                {
                    ThrowTerminatingError(ErrorRecords.Create(ErrorIds.QemuBackendFixesOption, ErrorCategory.InvalidArgument, modelOnly,
                        "-" + modelOnly + " belongs to the blkback model; with -Backend Qemu, QEMU decides it (its own layout, features, timing and cache).",
                        "Leave out -" + modelOnly + " with -Backend Qemu, or use a model device (-BackendPersonality Qemu72 models QEMU 7.2 there)."));
                }
            }

            var qemu = new QemuOptions
            {
                QemuPath = QemuPath ?? QemuOptions.DefaultQemuPath,
                DelayPercent = QemuDelayPercent,
                DelayMaxMilliseconds = QemuDelayMaxMilliseconds,
                // The stand-in's xorshift takes 32 bits and no zero: fold the device's seed.
                DelaySeed = (uint)(seed ^ (seed >> 32)) == 0 ? 1u : (uint)(seed ^ (seed >> 32)),
            };
            if (MyInvocation.BoundParameters.ContainsKey(nameof(QemuTimeout))) qemu.Timeout = QemuTimeout;
            try
            {
                qemu.Validate();
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(ErrorRecords.FromException(ex, qemu, ErrorIds.InvalidDeviceOptions));
            }

            return qemu;
        }

        private string? ResolveImage(out long length)
        {
            length = 0;
            if (ImagePath is null)
            {
                return null;
            }

            // The PowerShell location, the file-system provider only, one wildcard match, symlinks followed.
            string? path = FileSystemPaths.Resolve(this, ImagePath, nameof(ImagePath), out ErrorRecord? pathError);
            if (path is null)
            {
                ThrowTerminatingError(pathError!);
                return null;
            }

            if (Directory.Exists(path))
            {
                ThrowTerminatingError(ErrorRecords.Create(ErrorIds.ImageNotADisk, ErrorCategory.InvalidData, path,
                    "'" + path + "' is a directory, not a disk image file.",
                    "Give -ImagePath the path of a raw image file (a file whose length is a multiple of the sector size)."));
            }

            if (!File.Exists(path))
            {
                // The engine creates a missing image at -SizeBytes; its folder must exist.
                string? folder = System.IO.Path.GetDirectoryName(path);
                if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
                {
                    ThrowTerminatingError(ErrorRecords.Create(ErrorIds.ImageNotFound, ErrorCategory.ObjectNotFound, path,
                        "The folder of the image file '" + path + "' does not exist.",
                        "Create the folder first (New-Item -ItemType Directory), or leave -ImagePath out for an in-memory disk."));
                }

                return path;
            }

            length = new FileInfo(path).Length;
            if (length == 0 || length % LogicalSectorSize != 0)
            {
                ThrowTerminatingError(ErrorRecords.Create(ErrorIds.ImageNotADisk, ErrorCategory.InvalidData, path,
                    "'" + path + "' is not a raw disk image: its length (" + length + " bytes) is " + (length == 0 ? "zero" : "not a multiple of the logical sector size " + LogicalSectorSize) + ".",
                    "Use a raw image whose length is a whole number of sectors, or a matching -LogicalSectorSize."));
            }

            if (MyInvocation.BoundParameters.ContainsKey(nameof(SizeBytes)) && SizeBytes != length)
            {
                // An existing image is never resized on open: a smaller -SizeBytes would hide data, a larger one invent it.
                ThrowTerminatingError(ErrorRecords.Create(ErrorIds.ImageSizeMismatch, ErrorCategory.InvalidArgument, path,
                    "-SizeBytes " + SizeBytes + " does not match the existing image '" + path + "', which has " + length + " bytes.",
                    "Leave -SizeBytes out to use the image's own length, or give -SizeBytes " + length + "."));
            }

            return path;
        }

        private static string NextFreeName(DeviceRegistry registry)
        {
            for (int i = 0; ; i++)
            {
                string candidate = "vbd" + i;
                if (!registry.Contains(candidate))
                {
                    return candidate;
                }
            }
        }
    }
}
