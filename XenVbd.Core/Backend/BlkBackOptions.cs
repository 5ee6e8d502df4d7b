using System;
using XenVbd.Ring;

namespace XenVbd.Backend
{
    /// <summary>What a blkback instance advertises and how it behaves. Defaults follow Linux blkback.</summary>
    public sealed class BlkBackOptions
    {
        /// <summary>Virtual-time ticks (100 ns) in one jiffy at HZ=250, the unit of Linux's spurious-event back-off.</summary>
        public const long JiffyTicks = 40_000;

        /// <summary>Most indirect segments a request can describe: 8 indirect pages of 512 segments.</summary>
        public const int MaxIndirectSegmentsLimit = BlkifLayout.MaxIndirectPagesPerRequest * BlkifLayout.SegmentsPerIndirectPage;

        /// <summary>Which real backend to behave as (<see cref="BackendProfile"/> lists what each does and where in its code).</summary>
        public BackendPersonality Personality { get; set; } = BackendPersonality.LinuxBlkback;

        /// <summary>
        /// <see cref="BackendAbiMode.Protocol"/>: choose the layout as the personality does (Linux and QEMU read the
        /// <c>protocol</c> key, each with its own default). <see cref="BackendAbiMode.Native"/>: a backend that ignores the
        /// key and uses <see cref="NativeAbi"/>, as <see cref="BackendPersonality.LinuxBlkback2008"/> always does.
        /// </summary>
        public BackendAbiMode AbiMode { get; set; } = BackendAbiMode.Protocol;

        /// <summary>The layout a <see cref="BackendAbiMode.Native"/> backend uses (its own bitness).</summary>
        public BlkifAbi NativeAbi { get; set; } = BlkifAbi.X86_64;

        /// <summary>The disk has a volatile write cache to flush (Linux: the queue's write-cache flag): <c>feature-flush-cache</c>, and for current Linux <c>feature-barrier</c> too.</summary>
        public bool FeatureFlushCache { get; set; } = true;

        /// <summary>
        /// <c>feature-barrier</c> for a backend that decides it apart from the cache (<see cref="BackendPersonality.LinuxBlkback2008"/>);
        /// current Linux writes the flush value for both keys and QEMU writes no barrier key, so for them this has no effect.
        /// </summary>
        public bool FeatureBarrier { get; set; } = true;

        public bool FeatureDiscard { get; set; } = true;

        /// <summary>Discard granularity in bytes; 0 means the disk's logical sector size.</summary>
        public int DiscardGranularity { get; set; }

        /// <summary>Offset in bytes of the first whole discard granule; less than the granularity.</summary>
        public int DiscardAlignment { get; set; }

        /// <summary>Advertise <c>discard-secure</c>; without it the SECURE flag is ignored, as Linux does.</summary>
        public bool DiscardSecure { get; set; }

        /// <summary><c>feature-max-indirect-segments</c>; 0 = no indirect requests (the key is not written). Linux's default is 256.</summary>
        public int MaxIndirectSegments { get; set; } = 256;

        /// <summary><c>max-ring-page-order</c>, 0..4 (1..16 ring pages).</summary>
        public int MaxRingPageOrder { get; set; } = BlkifLayout.MaxRingPageOrder;

        /// <summary>Virtual time one request spends in the disk before its response is written (default 20 µs).</summary>
        public long ServiceTicks { get; set; } = 200;

        /// <summary>Export the disk read-only (<c>mode</c> r, <c>info</c> READONLY) even if the storage is writable.</summary>
        public bool ReadOnly { get; set; }

        /// <summary>Length of one back-off step after repeated spurious events (XSA-391's lateeoi delay); Linux uses one jiffy.</summary>
        public long SpuriousBackoffTicks { get; set; } = JiffyTicks;

        /// <summary>The longest spurious-event back-off (Linux caps it at one second).</summary>
        public long MaxSpuriousBackoffTicks { get; set; } = TimeSpan.TicksPerSecond;

        /// <summary>
        /// Completes requests in any order among those in flight, as real backends' bios and aios do: each response
        /// waits its service time plus a draw of up to one more service time from the seeded random source
        /// (the same seed gives the same order). Off: responses come in ring order.
        /// </summary>
        public bool ReorderCompletions { get; set; }

        /// <summary>max_pgrants: persistent grants Linux blkback keeps per ring (module parameter max_persistent_grants).</summary>
        public const int DefaultMaxPersistentGrants = 1056;

        /// <summary>LRU_INTERVAL: Linux's ring thread purges its persistent grants at most every 100 ms.</summary>
        public const long LruIntervalTicks = 100 * TimeSpan.TicksPerMillisecond;

        /// <summary>LRU_PERCENT_CLEAN: a purge of a full tree leaves this percentage of it free.</summary>
        public const int LruPercentClean = 5;

        /// <summary>
        /// The module parameter <c>feature_persistent</c> (Linux default on): offer <c>feature-persistent</c> and use
        /// persistent grants with a frontend that writes <c>feature-persistent = 1</c>. Only backends whose personality
        /// has persistent grants (<see cref="BackendProfile.PersistentGrants"/>) look at it.
        /// </summary>
        public bool FeaturePersistent { get; set; } = true;

        /// <summary>Persistent grants kept per ring (Linux's max_persistent_grants, 1056).</summary>
        public int MaxPersistentGrants { get; set; } = DefaultMaxPersistentGrants;

        /// <summary>How long a persistent grant may stay mapped unused before a purge unmaps it (persistent_grant_unused_seconds, 60 s); 0 = forever.</summary>
        public long PersistentGrantTimeoutTicks { get; set; } = 60 * TimeSpan.TicksPerSecond;

        /// <summary>
        /// <c>multi-queue-max-queues</c>, the module parameter max_queues: rings a frontend may ask for. Linux's default is
        /// the number of dom0's online CPUs, which a model has none of; 4 here. Only personalities with
        /// <see cref="BackendProfile.MultiQueue"/> write the key or read <c>multi-queue-num-queues</c>.
        /// </summary>
        public int MaxQueues { get; set; } = 4;

        /// <summary>Most queues a backend may be configured for (the model's bound; Linux has no fixed one).</summary>
        public const int MaxQueuesLimit = 64;

        /// <summary>
        /// A service-time model in virtual time (device latency, per-segment cost, grant map/unmap and TLB-flush cost on the
        /// ring thread); null = every request takes <see cref="ServiceTicks"/>.
        /// </summary>
        public BackendServiceModel? ServiceModel { get; set; }

        /// <summary>
        /// The fault lab's hook, consulted once per consumed request; null = none. The only way to give a backend
        /// one: it is fixed when the backend is made and lives as long as that backend (a backend that moves to
        /// another dom0 is a new object). A device's hook, which must follow it across migrations and can change
        /// while it runs, is <c>VbdDevice.BackendInterceptor</c>: the device hands each of its backends a hook that
        /// forwards to it.
        /// </summary>
        public IBackendInterceptor? Interceptor { get; set; }

        public BlkBackOptions Clone() => (BlkBackOptions)MemberwiseClone();

        internal void Validate()
        {
            if (!Enum.IsDefined(typeof(BackendPersonality), Personality))
                throw new ArgumentOutOfRangeException(nameof(Personality), Personality, "Unknown backend personality; use one of " + string.Join(", ", Enum.GetNames(typeof(BackendPersonality))) + ".");
            if (AbiMode != BackendAbiMode.Protocol && AbiMode != BackendAbiMode.Native)
                throw new ArgumentOutOfRangeException(nameof(AbiMode), AbiMode, "Unknown ABI mode.");
            if (NativeAbi != BlkifAbi.X86_32 && NativeAbi != BlkifAbi.X86_64)
                throw new ArgumentOutOfRangeException(nameof(NativeAbi), NativeAbi, "Unknown blkif ABI.");
            if (MaxIndirectSegments < 0 || MaxIndirectSegments > MaxIndirectSegmentsLimit)
                throw new ArgumentOutOfRangeException(nameof(MaxIndirectSegments), MaxIndirectSegments, "Must be 0.." + MaxIndirectSegmentsLimit + ".");
            if (MaxRingPageOrder < 0 || MaxRingPageOrder > BlkifLayout.MaxRingPageOrder)
                throw new ArgumentOutOfRangeException(nameof(MaxRingPageOrder), MaxRingPageOrder, "Must be 0.." + BlkifLayout.MaxRingPageOrder + ".");
            if (ServiceTicks < 0) throw new ArgumentOutOfRangeException(nameof(ServiceTicks), ServiceTicks, "Must not be negative.");
            if (DiscardGranularity < 0) throw new ArgumentOutOfRangeException(nameof(DiscardGranularity), DiscardGranularity, "Must not be negative.");
            if (DiscardAlignment < 0) throw new ArgumentOutOfRangeException(nameof(DiscardAlignment), DiscardAlignment, "Must not be negative.");
            if (MaxPersistentGrants < 0) throw new ArgumentOutOfRangeException(nameof(MaxPersistentGrants), MaxPersistentGrants, "Must not be negative.");
            if (PersistentGrantTimeoutTicks < 0) throw new ArgumentOutOfRangeException(nameof(PersistentGrantTimeoutTicks), PersistentGrantTimeoutTicks, "Must not be negative (0 = never expire).");
            if (MaxQueues < 1 || MaxQueues > MaxQueuesLimit) throw new ArgumentOutOfRangeException(nameof(MaxQueues), MaxQueues, "Must be 1.." + MaxQueuesLimit + ".");
            ServiceModel?.Validate();
            if (SpuriousBackoffTicks < 0 || MaxSpuriousBackoffTicks < 0)
                throw new ArgumentOutOfRangeException(nameof(SpuriousBackoffTicks), SpuriousBackoffTicks, "Back-off must not be negative.");
        }
    }
}
