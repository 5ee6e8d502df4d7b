using System.Globalization;

namespace XenVbd.Xen
{
    /// <summary>
    /// Every XenStore node a virtual block device's two halves read or write, defined once. The meaning
    /// of each is the one Xen's public header <c>xen/include/public/io/blkif.h</c> documents in its
    /// "Backend XenBus Nodes" and "Frontend XenBus Nodes" sections (xen-project/xen), restated here in
    /// this project's words; the toolstack's nodes are libxl's (<c>tools/libs/light/libxl_disk.c</c>).
    /// Node names are relative to the device's directory (<see cref="XenbusPaths"/>); write
    /// <c>path + "/" + BlkifKeys.Sectors</c>, or use <see cref="Path"/>.
    /// Tests keep their own literals on purpose, so that a typo here fails them instead of hiding.
    /// </summary>
    public static class BlkifKeys
    {
        // ---- Both directories ----

        /// <summary>The XenBus state of this half (an <see cref="XenbusState"/> as a decimal integer).</summary>
        public const string State = "state";

        // ---- Written by the toolstack ----

        /// <summary>In the frontend directory: the backend directory's full path (libxl).</summary>
        public const string BackendPath = "backend";

        /// <summary>In the frontend directory: the backend's domain id (libxl).</summary>
        public const string BackendId = "backend-id";

        /// <summary>In the backend directory: the frontend directory's full path (libxl).</summary>
        public const string FrontendPath = "frontend";

        /// <summary>In the backend directory: the frontend's domain id (libxl).</summary>
        public const string FrontendId = "frontend-id";

        /// <summary>In the frontend directory: the virtual device number (libxl).</summary>
        public const string VirtualDevice = "virtual-device";

        /// <summary>In the frontend directory: "disk" or "cdrom" (libxl).</summary>
        public const string DeviceType = "device-type";

        /// <summary>In the backend directory: the access mode, "r" or "w"; blkif.h calls it "mode".</summary>
        public const string Mode = "mode";

        /// <summary>backend: 1 while the toolstack wants the device (libxl writes it; QEMU's bus writes it itself).</summary>
        public const string Online = "online";

        /// <summary>backend: "connected" once the hotplug script has run (QEMU's bus writes it itself, having no script).</summary>
        public const string HotplugStatus = "hotplug-status";

        // ---- Written by the backend (blkif.h "Backend XenBus Nodes") ----

        /// <summary>Size of the disk, always in 512-byte units whatever the sector size.</summary>
        public const string Sectors = "sectors";

        /// <summary>The logical sector size in bytes: every request's sectors must be aligned to it.</summary>
        public const string SectorSize = "sector-size";

        /// <summary>The physical sector size in bytes; optional, a frontend defaults it to <see cref="SectorSize"/>.</summary>
        public const string PhysicalSectorSize = "physical-sector-size";

        /// <summary>VDISK_* flags: CD-ROM 0x1, removable 0x2, read-only 0x4.</summary>
        public const string Info = "info";

        /// <summary>Boolean: BLKIF_OP_FLUSH_DISKCACHE is worth trying. A backend that does not know the op must not write the node.</summary>
        public const string FeatureFlushCache = "feature-flush-cache";

        /// <summary>Boolean: BLKIF_OP_WRITE_BARRIER is worth trying. A backend that does not know the op must not write the node.</summary>
        public const string FeatureBarrier = "feature-barrier";

        /// <summary>Boolean: BLKIF_OP_DISCARD is worth trying.</summary>
        public const string FeatureDiscard = "feature-discard";

        /// <summary>Discard granularity in bytes; discard requests should be multiples of it.</summary>
        public const string DiscardGranularity = "discard-granularity";

        /// <summary>Offset in bytes of the first granule-aligned sector from the start of the disk.</summary>
        public const string DiscardAlignment = "discard-alignment";

        /// <summary>Boolean: BLKIF_DISCARD_SECURE may be set in a discard request.</summary>
        public const string DiscardSecure = "discard-secure";

        /// <summary>The most segments an indirect request may carry; absent means no BLKIF_OP_INDIRECT.</summary>
        public const string FeatureMaxIndirectSegments = "feature-max-indirect-segments";

        /// <summary>The largest ring-page-order the backend accepts (a ring of 2^order pages).</summary>
        public const string MaxRingPageOrder = "max-ring-page-order";

        /// <summary>The most queues (rings) the backend serves per device.</summary>
        public const string MultiQueueMaxQueues = "multi-queue-max-queues";

        /// <summary>Where the backend reports a fatal configuration error (Linux's xenbus_dev_fatal writes the text).</summary>
        public const string Error = "error";

        // ---- Written by the frontend (blkif.h "Frontend XenBus Nodes") ----

        /// <summary>Grant reference of a one-page ring.</summary>
        public const string RingRef = "ring-ref";

        /// <summary>Log2 of the number of ring pages; with it the refs are ring-ref0 .. ring-ref(2^order - 1).</summary>
        public const string RingPageOrder = "ring-page-order";

        /// <summary>The event channel port the frontend allocated for the ring.</summary>
        public const string EventChannel = "event-channel";

        /// <summary>The ring layout the frontend uses: "x86_32-abi", "x86_64-abi" or "native"; absent means the backend's native layout.</summary>
        public const string Protocol = "protocol";

        /// <summary>Boolean: sector numbers in requests are in units of <see cref="SectorSize"/>, not 512 bytes.</summary>
        public const string FeatureLargeSectorSize = "feature-large-sector-size";

        /// <summary>Boolean, written by both halves: grants are kept mapped and reused (persistent grants).</summary>
        public const string FeaturePersistent = "feature-persistent";

        /// <summary>How many queues the frontend uses; with more than one, each queue's keys live under queue-N/.</summary>
        public const string MultiQueueNumQueues = "multi-queue-num-queues";

        /// <summary>The node of ring page <paramref name="index"/> of a multi-page ring: "ring-ref" followed by the index.</summary>
        public static string RingRefOf(int index) => RingRef + index.ToString(CultureInfo.InvariantCulture);

        /// <summary>The sub-directory of queue <paramref name="index"/> of a multi-queue device: "queue-" followed by the index.</summary>
        public static string QueueDirectory(int index) => "queue-" + index.ToString(CultureInfo.InvariantCulture);

        /// <summary>The full path of <paramref name="key"/> in the device directory <paramref name="directory"/>.</summary>
        public static string Path(string directory, string key) => directory + "/" + key;
    }
}
