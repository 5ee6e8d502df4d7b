using System;
using XenVbd.Backend;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Sim;

namespace XenVbd.Device
{
    /// <summary>One simulated vbd: disk, both halves and how they meet. <see cref="Validate"/> names the bad option.</summary>
    public sealed class VbdDeviceOptions
    {
        /// <summary>The fewest SRBs a frontend can take at once: the frontend's own limit.</summary>
        public const int MinQueueDepth = FrontendOptions.MinQueueDepth;

        /// <summary>The most SRBs a frontend takes at once (one SRB extension each, made with the device): the frontend's own limit.</summary>
        public const int MaxQueueDepth = FrontendOptions.MaxQueueDepth;

        public string Name { get; set; } = "xvda";

        /// <summary>XenBus device id (51712 = xvda).</summary>
        public int DeviceId { get; set; } = 51712;

        public long SizeBytes { get; set; } = 64L << 20;

        public int LogicalSectorSize { get; set; } = 512;

        /// <summary>0 = same as the logical size.</summary>
        public int PhysicalSectorSize { get; set; }

        public bool ReadOnly { get; set; }

        /// <summary>Raw image file; null = an in-memory sparse disk. Created at <see cref="SizeBytes"/> if missing.</summary>
        public string? ImagePath { get; set; }

        public BlkifAbi FrontendAbi { get; set; } = BlkifAbi.X86_64;

        public FrontendAbiMode FrontendMode { get; set; } = FrontendAbiMode.Probe;

        public BlkifAbi BackendAbi { get; set; } = BlkifAbi.X86_64;

        /// <summary>
        /// How the backend picks the ring layout. Protocol: as <see cref="BackendPersonality"/> does (Linux and QEMU read
        /// the frontend's <c>protocol</c> key, each with its own default). Native: it ignores the key and uses
        /// <see cref="BackendAbi"/>, as a backend from before the key did (<c>LinuxBlkback2008</c> always does).
        /// </summary>
        public BackendAbiMode BackendMode { get; set; } = BackendAbiMode.Protocol;

        /// <summary>The bounce strategy under the <see cref="FrontendPersonality.Hardened"/> personality (a real driver's personality fixes its own).</summary>
        /// <summary>Which real backend the dom0 side behaves as (default current Linux blkback).</summary>
        public BackendPersonality BackendPersonality { get; set; } = BackendPersonality.LinuxBlkback;

        /// <summary>The backend completes requests in any order among those in flight, drawn from the seed (see <see cref="BlkBackOptions.ReorderCompletions"/>).</summary>
        public bool ReorderCompletions { get; set; }

        public BounceStrategyKind Bounce { get; set; } = BounceStrategyKind.PerSrb;

        /// <summary>
        /// Which real frontend the guest runs (each behaviour with its source: <see cref="FrontendPersonalities"/>).
        /// <see cref="FrontendOptions.DefaultPersonality"/> when not set; <see cref="FrontendPersonality.Hardened"/> is this
        /// project's own design. Under a real driver's personality <see cref="FrontendMode"/> and <see cref="Bounce"/> are the driver's, not these options.
        /// </summary>
        public FrontendPersonality Personality { get; set; } = FrontendOptions.DefaultPersonality;

        /// <summary>The frontend is the driver's crash-dump or hibernate instance (see <see cref="FrontendOptions.DumpMode"/>).</summary>
        public bool DumpMode { get; set; }

        /// <summary>The probe bits the frontend's config page carries when it starts (see <see cref="FrontendOptions.InheritedProbeBits"/>).</summary>
        public uint InheritedProbeBits { get; set; }

        /// <summary>XSA-403: bounce every transfer so the backend never sees guest buffers (see <see cref="FrontendOptions.UntrustedBackend"/>).</summary>
        public bool UntrustedBackend { get; set; }

        /// <summary>The frontend's ring-page-order limit (the backend offers up to 4).</summary>
        public int MaxRingPageOrder { get; set; }

        /// <summary>Indirect segments per request on both sides; 0 = direct requests only.</summary>
        public int MaxIndirectSegments { get; set; }

        public bool FeatureFlush { get; set; } = true;

        public bool FeatureBarrier { get; set; } = true;

        public bool FeatureDiscard { get; set; } = true;

        public ulong Seed { get; set; } = 1;

        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>
        /// The frontend's opt-in forced reconnect (<see cref="FrontendOptions.ReconnectAfterUnansweredTimeouts"/>):
        /// after this many request timeouts in a row with no response in between, or bounce memory pinned that
        /// long by unanswered requests, the frontend closes and reconnects its side. 0 (default) = off, as blkfront.
        /// </summary>
        public int ReconnectAfterUnansweredTimeouts { get; set; }

        /// <summary>SRBs the frontend accepts at once.</summary>
        public int QueueDepth { get; set; } = 64;

        /// <summary>Backend service time per request (virtual).</summary>
        public TimeSpan BackendServiceTime { get; set; } = TimeSpan.FromTicks(200);

        /// <summary>Guest memory reserved for <see cref="VbdDevice.Execute"/> and <see cref="VbdDevice.AllocateGuestBuffer"/>.</summary>
        public int GuestBufferBytes { get; set; } = 8 << 20;

        /// <summary>
        /// Puts a volatile write-back cache in front of the disk (a drive with its cache on): writes
        /// not yet flushed are lost by a power cut, which is what the crash-consistency labs need.
        /// </summary>
        public bool VolatileWriteCache { get; set; }

        /// <summary>
        /// The device's first <see cref="VbdDevice.BackendInterceptor"/>: installed on the backend before it
        /// connects (and on every backend a migration brings), so faults reach the handshake and the probe
        /// too, not only I/O after connect.
        /// </summary>
        public XenVbd.Backend.IBackendInterceptor? BackendInterceptor { get; set; }

        /// <summary>What serves the ring: the blkback model (default) or a real QEMU process (<see cref="Qemu"/>).</summary>
        public VbdBackendKind Backend { get; set; } = VbdBackendKind.Model;

        /// <summary>How the QEMU process starts and how long the device waits for it (<see cref="VbdBackendKind.Qemu"/> only; null = defaults).</summary>
        public QemuOptions? Qemu { get; set; }

        public VbdDeviceOptions Clone()
        {
            var copy = (VbdDeviceOptions)MemberwiseClone();
            copy.Qemu = Qemu?.Clone();
            return copy;
        }
        /// <summary>
        /// Both ends' <c>feature_persistent</c> parameter (Linux blkback's and blkfront's, on by default): the backend offers
        /// <c>feature-persistent</c> and keeps the grants of a frontend that agrees mapped per ring; a frontend personality that
        /// has persistent grants (LinuxBlkfront) offers them and bounces its data through pages that stay granted.
        /// </summary>
        public bool PersistentGrants { get; set; } = true;

        /// <summary><c>multi-queue-max-queues</c> the backend offers (1..64; Linux: the number of dom0's CPUs; 4 here).</summary>
        public int BackendMaxQueues { get; set; } = 4;

        /// <summary>
        /// The most queues the frontend uses (<see cref="FrontendOptions.MaxQueues"/>: blkfront's max_queues, the Xen Project
        /// driver's DriverGetMaxQueues; the guest has this many vCPUs). 1 (the default) for every personality; more needs
        /// LinuxBlkfront or XenProject. The connection uses the smaller of this and <see cref="BackendMaxQueues"/>.
        /// </summary>
        public int Queues { get; set; } = 1;

        /// <summary>A virtual-time service model for the backend (device latency, per-segment and grant map/unmap costs); null = <see cref="BackendServiceTime"/> per request.</summary>
        public BackendServiceModel? BackendServiceModel { get; set; }


        public void Validate()
        {
            if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("Name must not be empty.", nameof(Name));
            if (DeviceId <= 0) throw new ArgumentException("DeviceId must be positive.", nameof(DeviceId));
            if (LogicalSectorSize != 512 && LogicalSectorSize != 4096) throw new ArgumentException("LogicalSectorSize must be 512 or 4096.", nameof(LogicalSectorSize));
            int physical = PhysicalSectorSize == 0 ? LogicalSectorSize : PhysicalSectorSize;
            if (physical < LogicalSectorSize || (physical & (physical - 1)) != 0 || physical > 1 << 20)
                throw new ArgumentException("PhysicalSectorSize must be 0 or a power of two from LogicalSectorSize to 1 MiB.", nameof(PhysicalSectorSize));
            if (SizeBytes <= 0 || SizeBytes % LogicalSectorSize != 0) throw new ArgumentException("SizeBytes must be a positive multiple of LogicalSectorSize.", nameof(SizeBytes));
            if (FrontendAbi != BlkifAbi.X86_32 && FrontendAbi != BlkifAbi.X86_64) throw new ArgumentException("Unknown FrontendAbi.", nameof(FrontendAbi));
            if (BackendAbi != BlkifAbi.X86_32 && BackendAbi != BlkifAbi.X86_64) throw new ArgumentException("Unknown BackendAbi.", nameof(BackendAbi));
            if (!Enum.IsDefined(typeof(FrontendAbiMode), FrontendMode)) throw new ArgumentException("Unknown FrontendMode.", nameof(FrontendMode));
            if (!Enum.IsDefined(typeof(BackendAbiMode), BackendMode)) throw new ArgumentException("Unknown BackendMode.", nameof(BackendMode));
            if (!Enum.IsDefined(typeof(BackendPersonality), BackendPersonality))
                throw new ArgumentException("Unknown BackendPersonality " + BackendPersonality + "; use one of " + string.Join(", ", Enum.GetNames(typeof(BackendPersonality))) + ".", nameof(BackendPersonality));
            if (!Enum.IsDefined(typeof(BounceStrategyKind), Bounce)) throw new ArgumentException("Unknown Bounce strategy.", nameof(Bounce));
            if (!Enum.IsDefined(typeof(FrontendPersonality), Personality)) throw new ArgumentException("Unknown frontend Personality " + Personality + ".", nameof(Personality));
            if (MaxRingPageOrder < 0 || MaxRingPageOrder > BlkifLayout.MaxRingPageOrder) throw new ArgumentException("MaxRingPageOrder must be 0.." + BlkifLayout.MaxRingPageOrder + ".", nameof(MaxRingPageOrder));
            if (MaxIndirectSegments < 0 || MaxIndirectSegments > BlkBackOptions.MaxIndirectSegmentsLimit)
                throw new ArgumentException("MaxIndirectSegments must be 0.." + BlkBackOptions.MaxIndirectSegmentsLimit + ".", nameof(MaxIndirectSegments));
            VirtualTimeLimit.Check(RequestTimeout, nameof(RequestTimeout), positive: true);
            if (QueueDepth < MinQueueDepth || QueueDepth > MaxQueueDepth) throw new ArgumentException("QueueDepth must be " + MinQueueDepth + ".." + MaxQueueDepth + ".", nameof(QueueDepth));
            if (ReconnectAfterUnansweredTimeouts < 0 || ReconnectAfterUnansweredTimeouts > FrontendOptions.MaxReconnectAfterUnansweredTimeouts)
                throw new ArgumentException("ReconnectAfterUnansweredTimeouts must be 0 (off) .. " + FrontendOptions.MaxReconnectAfterUnansweredTimeouts + ".", nameof(ReconnectAfterUnansweredTimeouts));
            VirtualTimeLimit.Check(BackendServiceTime, nameof(BackendServiceTime));
            if (GuestBufferBytes < 4096 || GuestBufferBytes > 1 << 30) throw new ArgumentException("GuestBufferBytes must be 4 KiB..1 GiB.", nameof(GuestBufferBytes));
            if (!Enum.IsDefined(typeof(VbdBackendKind), Backend)) throw new ArgumentException("Unknown Backend " + Backend + "; use Model or Qemu.", nameof(Backend));
            if (Backend == VbdBackendKind.Qemu)
            {
                // What belongs to the blkback model: QEMU has its own cache, its own timing and nothing to intercept.
                if (VolatileWriteCache) throw new ArgumentException("VolatileWriteCache is the blkback model's disk cache; a QEMU backend has its own (cache=writeback).", nameof(VolatileWriteCache));
                if (BackendInterceptor != null) throw new ArgumentException("A BackendInterceptor acts inside the blkback model; a QEMU backend is a separate process.", nameof(BackendInterceptor));
                QemuBackendHost.VirtualDeviceName(DeviceId);
                Qemu?.Validate();
            }
            else if (Qemu != null)
            {
                throw new ArgumentException("Qemu options apply only with Backend = Qemu.", nameof(Qemu));
            }
            if (BackendMaxQueues < 1 || BackendMaxQueues > BlkBackOptions.MaxQueuesLimit)
                throw new ArgumentException("BackendMaxQueues must be 1.." + BlkBackOptions.MaxQueuesLimit + ".", nameof(BackendMaxQueues));
            if (Queues < 1 || Queues > FrontendOptions.MaxQueuesLimit)
                throw new ArgumentException("Queues must be 1.." + FrontendOptions.MaxQueuesLimit + "; was " + Queues + ".", nameof(Queues));
            if (Queues > 1 && FrontendPersonalities.For(Personality).MultiQueue == MultiQueuePolicy.None)
                throw new ArgumentException("The " + Personality + " frontend has no multi-queue (one ring per device, as its driver has): Queues must be 1; LinuxBlkfront and XenProject use several.", nameof(Queues));
        }

        internal FrontendOptions ToFrontendOptions() => new FrontendOptions
        {
            Abi = FrontendAbi,
            Mode = FrontendMode,
            Bounce = Bounce,
            Personality = Personality,
            UntrustedBackend = UntrustedBackend,
            DumpMode = DumpMode,
            InheritedProbeBits = InheritedProbeBits,
            PersistentGrants = PersistentGrants,
            MaxQueues = Queues,
            MaxRingPageOrder = MaxRingPageOrder,
            MaxIndirectSegments = MaxIndirectSegments,
            QueueDepth = QueueDepth,
            RequestTimeout = RequestTimeout,
            ReconnectAfterUnansweredTimeouts = ReconnectAfterUnansweredTimeouts,
            SerialNumber = Name.Length <= 64 ? SanitiseSerial(Name) : null,
        };

        internal BlkBackOptions ToBackendOptions(BlkifAbi abi, BackendAbiMode mode, BackendPersonality personality) => new BlkBackOptions
        {
            Personality = personality,
            ReorderCompletions = ReorderCompletions,
            AbiMode = mode,
            NativeAbi = abi,
            FeatureFlushCache = FeatureFlush,
            FeatureBarrier = FeatureBarrier,
            FeatureDiscard = FeatureDiscard,
            MaxIndirectSegments = MaxIndirectSegments,
            ServiceTicks = BackendServiceTime.Ticks,
            ReadOnly = ReadOnly,
            FeaturePersistent = PersistentGrants,
            MaxQueues = BackendMaxQueues,
            ServiceModel = BackendServiceModel,
        };

        private static string SanitiseSerial(string name)
        {
            var chars = name.ToCharArray();
            for (int i = 0; i < chars.Length; i++) if (chars[i] < 0x20 || chars[i] > 0x7E) chars[i] = '_';
            return new string(chars);
        }
    }
}
