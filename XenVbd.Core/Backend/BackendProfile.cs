using System;
using System.Collections.Generic;
using XenVbd.Personality;
using XenVbd.Ring;

namespace XenVbd.Backend
{
    /// <summary>
    /// What one real backend does, as switches the blkback model reads (<see cref="BlkBack"/>, <see cref="RingConnection"/>,
    /// <see cref="RequestExecutor"/>) and as the list of behaviours with the code each comes from, which
    /// <c>docs/PERSONALITIES.md</c> is generated from. Every switch below is named by one behaviour in
    /// <see cref="Behaviours"/>; the tests in <c>Backend/BackendPersonalityTests</c> name each behaviour id.
    /// </summary>
    public sealed class BackendProfile : IDriverPersonality
    {
        private const string Linux = "torvalds/linux";
        private const string LinuxBlkbackC = "drivers/block/xen-blkback/blkback.c";
        private const string LinuxXenbusC = "drivers/block/xen-blkback/xenbus.c";

        /// <summary>The first mainline blkback (2011): the oldest blkback code in the stored sources, nearest to 2008's.</summary>
        private const string Linux2011 = "013c3ca184851078b9c04744efd4d47e52c6ecf8";

        private const string Qemu = "qemu/qemu";
        private const string QemuDataplane = "hw/block/dataplane/xen-block.c";
        private const string QemuDevice = "hw/block/xen-block.c";

        /// <summary>The dataplane revision read (2023, the code Debian 12's 7.2 runs).</summary>
        private const string Qemu72Rev = "0bcd12fb";

        /// <summary>QEMU commit of Nov 2023 that made x86_32 the default protocol on x86 hosts.</summary>
        private const string QemuProtocolDefault = "a1c1082908";

        private static readonly BackendProfile LinuxProfile = BuildLinux();
        private static readonly BackendProfile Linux2008Profile = BuildLinux2008();
        private static readonly BackendProfile Qemu72Profile = BuildQemu(BackendPersonality.Qemu72);
        private static readonly BackendProfile Qemu10Profile = BuildQemu(BackendPersonality.Qemu10);

        private BackendProfile(BackendPersonality personality, string description)
        {
            Personality = personality;
            Description = description;
        }

        /// <summary>The profile of <paramref name="personality"/>.</summary>
        public static BackendProfile For(BackendPersonality personality) => personality switch
        {
            BackendPersonality.LinuxBlkback => LinuxProfile,
            BackendPersonality.LinuxBlkback2008 => Linux2008Profile,
            BackendPersonality.Qemu72 => Qemu72Profile,
            BackendPersonality.Qemu10 => Qemu10Profile,
            _ => throw new ArgumentOutOfRangeException(nameof(personality), personality, "Unknown backend personality; use one of " + string.Join(", ", Enum.GetNames(typeof(BackendPersonality))) + "."),
        };

        /// <summary>All backend personalities, in the order the documentation lists them.</summary>
        public static IReadOnlyList<BackendProfile> All { get; } = new[] { LinuxProfile, Linux2008Profile, Qemu72Profile, Qemu10Profile };

        public BackendPersonality Personality { get; }

        public string Name => Personality.ToString();

        public string Description { get; }

        public bool IsRealDriver => true;

        public IReadOnlyList<DriverBehaviour> Behaviours => _behaviours;

        private readonly List<DriverBehaviour> _behaviours = new List<DriverBehaviour>();

        // ---- the switches: each is one behaviour of the list ----

        /// <summary>Reads the frontend's <c>protocol</c> key at all (false: the backend's own layout, whatever the key says).</summary>
        public bool ReadsProtocol { get; private set; }

        /// <summary>The layout used when <c>protocol</c> is absent or empty; null = the backend's native layout.</summary>
        public BlkifAbi? DefaultProtocolAbi { get; private set; }

        /// <summary>An unknown <c>protocol</c> value fails the connect (Linux) instead of falling back to native (QEMU).</summary>
        public bool UnknownProtocolIsFatal { get; private set; }

        /// <summary>Offers and reads multi-page rings (<c>max-ring-page-order</c> / <c>ring-page-order</c>).</summary>
        public bool MultiPageRing { get; private set; }

        /// <summary>Offers <c>feature-persistent</c> and keeps grants mapped per ring when the frontend agrees (<see cref="PersistentGrantCache"/>).</summary>
        public bool PersistentGrants { get; private set; }

        /// <summary>Offers <c>multi-queue-max-queues</c> and reads <c>multi-queue-num-queues</c> and <c>queue-N/</c>: one ring and event channel per queue.</summary>
        public bool MultiQueue { get; private set; }

        /// <summary>Accepts BLKIF_OP_INDIRECT and writes <c>feature-max-indirect-segments</c>.</summary>
        public bool Indirect { get; private set; }

        /// <summary>Knows BLKIF_OP_FLUSH_DISKCACHE.</summary>
        public bool FlushOperation { get; private set; }

        /// <summary>Knows BLKIF_OP_DISCARD.</summary>
        public bool DiscardOperation { get; private set; }

        /// <summary>How a BLKIF_OP_WRITE_BARRIER is carried out.</summary>
        public BarrierSemantics Barrier { get; private set; }

        /// <summary>Has the EOPNOTSUPP answer at all (Linux); QEMU's dataplane answers only OKAY or ERROR.</summary>
        public bool AnswersNotSupported { get; private set; }

        /// <summary>A NOTSUPP from the disk on FLUSH/BARRIER answers EOPNOTSUPP and rewrites the feature key to 0.</summary>
        public bool WithdrawsFeatureOnNotSupported { get; private set; }

        /// <summary>Writes <c>feature-flush-cache = 1</c> whatever the disk's cache (QEMU).</summary>
        public bool FlushCacheKeyAlwaysOne { get; private set; }

        /// <summary>Writes <c>feature-barrier</c> at all.</summary>
        public bool WritesBarrierKey { get; private set; }

        /// <summary>Writes Linux's discard keys (granularity/alignment from the queue, <c>discard-secure</c>) rather than QEMU's (physical block, alignment 0).</summary>
        public bool LinuxDiscardKeys { get; private set; }

        /// <summary>When the flush/barrier/discard keys appear.</summary>
        public FeatureKeyTiming KeyTiming { get; private set; }

        /// <summary>The status of an operation the backend does not know.</summary>
        public short UnknownOperationStatus { get; private set; }

        /// <summary>READ or WRITE with no segments is answered OKAY (QEMU) instead of ERROR (Linux).</summary>
        public bool ZeroSegmentDataOkay { get; private set; }

        /// <summary>Refuses a request whose start or length is not a multiple of the logical block (Linux on 4 KiB disks).</summary>
        public bool ChecksLogicalAlignment { get; private set; }

        /// <summary><c>sectors</c>, sector numbers and segment sectors count logical blocks instead of 512-byte units.</summary>
        public bool SectorsInLogicalBlocks { get; private set; }

        /// <summary>A disk whose logical block is not 512 needs the frontend's <c>feature-large-sector-size</c> (QEMU).</summary>
        public bool NeedsLargeSectorFeature { get; private set; }

        /// <summary>Checks req_prod against the ring size on every pass and halts the ring (log only) on overflow.</summary>
        public bool ChecksRequestProducerOverflow { get; private set; }

        /// <summary>Checks req_prod - rsp_prod against the ring size when it maps the ring, and refuses to connect.</summary>
        public bool ChecksOverflowAtMap { get; private set; }

        /// <summary>A frontend close with I/O in flight leaves the ring mapped until the I/O completes, responses still written; a connect meanwhile fails with "pending I/O".</summary>
        public bool DrainsInFlightOnClose { get; private set; }

        /// <summary>Writes <c>physical-sector-size</c> (Linux's connect()); QEMU writes none, and the frontend falls back to sector-size.</summary>
        public bool WritesPhysicalSectorSize { get; private set; }

        /// <summary>A one-page ring is read from <c>ring-ref0</c> when present, before <c>ring-ref</c> (Linux's read_per_ring_refs).</summary>
        public bool RingRefZeroFirst { get; private set; }

        /// <summary>Attaches to a ring already in use (BACK_RING_ATTACH) instead of starting from index 0 (BACK_RING_INIT).</summary>
        public bool AttachesRing { get; private set; }

        /// <summary>A response writes id, operation and status only; the padding keeps the request's bytes (QEMU), instead of a zeroed slot (Linux, XSA-216).</summary>
        public bool ResponseFieldsOnly { get; private set; }

        /// <summary>
        /// Data moves by grant copy, one segment at a time: a READ's data lands in every segment whose grant copies,
        /// even when another segment's does not (the request is still ERROR); Linux maps every grant before any I/O.
        /// </summary>
        public bool CopiesSegmentsIndividually { get; private set; }

        /// <summary>
        /// READ/WRITE ranges in QEMU's arithmetic: the byte offset is <c>sector_number * sector_size</c> wrapping at 2^64,
        /// the end check is signed, and a FLUSH without segments is answered before any check.
        /// </summary>
        public bool ByteOffsetWraps { get; private set; }

        /// <summary>A failed connect (a ring-ref that does not map, a bad ring-page-order) is only logged: no <c>error</c> key, the state stays InitWait (QEMU); Linux writes <c>error</c> and goes Closing (xenbus_dev_fatal).</summary>
        public bool ConnectErrorOnlyLogged { get; private set; }

        /// <summary>The backend itself writes <c>online</c> = 1 and <c>hotplug-status</c> = connected before InitWait (QEMU's bus); for Linux the toolstack and its hotplug script do.</summary>
        public bool WritesOnlineAndHotplugStatus { get; private set; }

        private void Add(string id, string summary, SourceRef source) => _behaviours.Add(DriverBehaviour.Pinned(id, summary, source));

        private void AddNotPinned(string id, string summary, string why) => _behaviours.Add(DriverBehaviour.NotPinned(id, summary, why));

        private static SourceRef LinuxRef(string file, string function, string? revision = null) => new SourceRef(Linux, file, function, revision);

        private static BackendProfile BuildLinux()
        {
            var p = new BackendProfile(BackendPersonality.LinuxBlkback,
                "Current Linux xen-blkback (mainline drivers/block/xen-blkback: blkback.c, xenbus.c, common.h).")
            {
                ReadsProtocol = true,
                DefaultProtocolAbi = BlkifAbi.X86_32,
                UnknownProtocolIsFatal = true,
                MultiPageRing = true,
                Indirect = true,
                FlushOperation = true,
                DiscardOperation = true,
                Barrier = BarrierSemantics.DrainThenPreflushWrite,
                WithdrawsFeatureOnNotSupported = true,
                WritesBarrierKey = true,
                LinuxDiscardKeys = true,
                KeyTiming = FeatureKeyTiming.AtConnect,
                UnknownOperationStatus = BlkifStatus.NotSupported,
                AnswersNotSupported = true,
                ChecksLogicalAlignment = true,
                ChecksRequestProducerOverflow = true,
                ChecksOverflowAtMap = true,
                DrainsInFlightOnClose = true,
                AttachesRing = true,
                RingRefZeroFirst = true,
                WritesPhysicalSectorSize = true,
                PersistentGrants = true,
                MultiQueue = true,
            };
            p.Add("ProtocolDefaultX86_32", "No protocol key, or an empty one (the %63s scan fails), means BLKIF_PROTOCOL_DEFAULT: x86_32 on x86.", LinuxRef(LinuxXenbusC, "connect_ring"));
            p.Add("UnknownProtocolFatal", "An unknown protocol value is fatal: \"unknown fe protocol\", -ENOSYS.", LinuxRef(LinuxXenbusC, "connect_ring"));
            p.Add("RingPageOrderDefault", "ring-page-order is read with xenbus_read_unsigned(..., 0): absent or unparsable means one page; above max-ring-page-order is fatal.", LinuxRef(LinuxXenbusC, "connect_ring"));
            p.Add("RingRefZeroFirst", "A one-page ring is read from ring-ref0 if present, else ring-ref.", LinuxRef(LinuxXenbusC, "read_per_ring_refs"));
            p.Add("ProbeKeys", "feature-max-indirect-segments (256), multi-queue-max-queues and max-ring-page-order (4) are written at probe, before InitWait.", LinuxRef(LinuxXenbusC, "xen_blkbk_probe"));
            p.Add("FeatureKeysAtConnect", "feature-flush-cache, feature-discard (and its granularity, alignment, secure), feature-barrier and feature-persistent are written only in connect(), in one transaction with sectors, info and sector-size.", LinuxRef(LinuxXenbusC, "connect"));
            p.Add("BarrierKeyEqualsFlush", "feature-barrier is written with the same value as feature-flush-cache: the disk's write-cache flag.", LinuxRef(LinuxXenbusC, "connect"));
            p.Add("OverflowCheckAtMap", "Mapping the ring fails with -EIO if req_prod - rsp_prod is more than the ring size; the connect is fatal (\"mapping ring-ref port\").", LinuxRef(LinuxXenbusC, "xen_blkif_map"));
            p.Add("RingAttach", "The ring is attached where it stands (BACK_RING_ATTACH from rsp_prod), so a reconnect continues the indices.", LinuxRef(LinuxXenbusC, "xen_blkif_map"));
            p.Add("ReqProdOverflowHaltsRing", "A req_prod more than a ring ahead of rsp_prod_pvt halts ring processing with -EACCES and a log line (\"Frontend provided bogus ring requests\"); nothing is written to XenStore.", LinuxRef(LinuxBlkbackC, "__do_block_io_op"));
            p.Add("UnknownOpNotSupported", "An unknown operation is answered BLKIF_RSP_EOPNOTSUPP with the operation echoed.", LinuxRef(LinuxBlkbackC, "dispatch_other_io"));
            p.Add("ZeroSegmentsError", "nseg == 0 is an error unless the operation carries REQ_PREFLUSH (flush, barrier).", LinuxRef(LinuxBlkbackC, "dispatch_rw_block_io"));
            p.Add("LogicalBlockAlignment", "A start sector or segment length that is not a multiple of the logical block (in 512-byte units) is answered ERROR.", LinuxRef(LinuxBlkbackC, "dispatch_rw_block_io"));
            p.Add("BarrierDrainPreflush", "WRITE_BARRIER sets drain and becomes a REQ_PREFLUSH write: in-flight I/O is waited for (xen_blk_drain_io), the cache flushed, then the data written; there is no FUA or post-flush, so the barrier's own data may still be in a volatile cache when OKAY arrives.", LinuxRef(LinuxBlkbackC, "dispatch_rw_block_io"));
            p.Add("FlushDoesNotDrain", "FLUSH_DISKCACHE is a REQ_PREFLUSH write without drain: it covers what has completed, not what is still in flight. The model performs the flush when the request is submitted, so it covers exactly the writes completed before then.", LinuxRef(LinuxBlkbackC, "dispatch_rw_block_io"));
            p.Add("DataAtCompletion", "A request's data moves while its bios are in flight: the granted pages are mapped at submit (xen_blkbk_map_seg) and unmapped only when the last bio ends (__end_block_io_op, xen_blkbk_unmap_and_respond). The model moves a WRITE's data into the disk's cache, and a READ's into the guest's pages, at the request's completion, in completion order; the grants stay mapped until then.", LinuxRef(LinuxBlkbackC, "__end_block_io_op"));
            p.Add("NoFeatureCheckOnFlush", "blkback does not check feature-flush-cache or feature-barrier before submitting; a disk without a write cache completes the flush (the block layer drops it).", LinuxRef(LinuxBlkbackC, "dispatch_rw_block_io"));
            p.Add("NotSupportedWithdrawsFeature", "A BLK_STS_NOTSUPP from the disk on FLUSH or BARRIER answers EOPNOTSUPP and rewrites feature-flush-cache or feature-barrier to 0.", LinuxRef(LinuxBlkbackC, "__end_block_io_op"));
            p.Add("CompletionInAnyOrder", "Responses are made when each request's bios complete (__end_block_io_op), so they may come in any order among the requests in flight.", LinuxRef(LinuxBlkbackC, "__end_block_io_op"));
            p.Add("PendingIoRefusesConnect", "A connect while requests are in flight fails: xen_blkif_disconnect returns -EBUSY and frontend_changed reports \"pending I/O\" with xenbus_dev_fatal.", LinuxRef(LinuxXenbusC, "frontend_changed"));
            p.Add("PersistentKeyIsTheParameter", "feature-persistent is written in connect() as the module parameter feature_persistent (default 1), whatever the frontend said.", LinuxRef(LinuxXenbusC, "connect"));
            p.Add("PersistentNegotiated", "Persistent grants are used only if the parameter is set and the frontend's feature-persistent reads as 1 (xenbus_read_unsigned, default 0, kept in a one-bit field).", LinuxRef(LinuxXenbusC, "connect_ring"));
            p.Add("PersistentTreePerRing", "Each ring keeps its own tree of persistent grants, ordered by grant reference; a request whose grant is in the tree is neither mapped nor unmapped.", LinuxRef(LinuxBlkbackC, "get_persistent_gnt"));
            p.Add("PersistentMapsWritable", "With persistent grants every grant is mapped writable (no GNTMAP_readonly), so a kept page serves reads and writes alike.", LinuxRef(LinuxBlkbackC, "xen_blkbk_map"));
            p.Add("PersistentLimit1056", "A ring keeps at most max_persistent_grants (1056) grants; past that, a new grant is mapped for its request only, unmapped after it, and overflow_max_grants is set.", LinuxRef(LinuxBlkbackC, "add_persistent_gnt"));
            p.Add("PersistentInUseMappedAgain", "A grant the tree holds that another segment is using (\"requesting a grant already in use\") is mapped once more, non-persistently.", LinuxRef(LinuxBlkbackC, "get_persistent_gnt"));
            p.Add("PersistentPurgeEvery100ms", "The ring thread runs purge_persistent_gnt when LRU_INTERVAL (100 ms) has passed: first every unused grant idle for persistent_grant_unused_seconds (60 s) goes; then, if the tree is full and has overflowed, more unused grants in reference order, leaving 5 % (LRU_PERCENT_CLEAN) free.", LinuxRef(LinuxBlkbackC, "purge_persistent_gnt"));
            p.Add("PersistentFreedOnDisconnect", "Disconnecting a ring unmaps all its persistent grants (xen_blkbk_free_caches).", LinuxRef(LinuxBlkbackC, "xen_blkbk_free_caches"));
            p.Add("PersistentStillMapped", "A kept grant stays mapped between requests, so the frontend cannot end foreign access to it (gnttab_end_foreign_access_ref fails) until blkback unmaps it; with persistent grants that is expected, not an XSA-396 leak.", LinuxRef(LinuxBlkbackC, "put_persistent_gnt"));
            p.Add("MultiQueueMaxQueues", "multi-queue-max-queues is written at probe with the module parameter max_queues (default: the number of online dom0 CPUs).", LinuxRef(LinuxXenbusC, "xen_blkbk_probe"));
            p.Add("MultiQueueNumQueues", "multi-queue-num-queues is read with xenbus_read_unsigned(..., 1); 0 or more than max_queues is fatal (\"guest requested %u queues, exceeding the maximum of %u.\").", LinuxRef(LinuxXenbusC, "connect_ring"));
            p.Add("PerQueueRingKeys", "One queue reads ring-ref* and event-channel from the frontend's directory; more read them from queue-N/ each, one ring, one event channel and one thread per queue; ring-page-order is read once, at the top.", LinuxRef(LinuxXenbusC, "read_per_ring_refs"));
            p.Add("LateResponsesAfterClose", "On the frontend's Closed, xen_blkif_disconnect leaves a ring with in-flight requests mapped and bound; their responses are still written into it when they complete.", LinuxRef(LinuxXenbusC, "xen_blkif_disconnect"));
            return p;
        }

        private static BackendProfile BuildLinux2008()
        {
            var p = new BackendProfile(BackendPersonality.LinuxBlkback2008,
                "Linux blkback of a 2008 Debian dom0 (the Xen wiki's 2008 GPLPV page's host): one ring page, its own layout, READ/WRITE/WRITE_BARRIER only.")
            {
                ReadsProtocol = false,
                DefaultProtocolAbi = null,
                MultiPageRing = false,
                Indirect = false,
                FlushOperation = false,
                DiscardOperation = false,
                Barrier = BarrierSemantics.PreflushWriteFua,
                WithdrawsFeatureOnNotSupported = true,
                WritesBarrierKey = true,
                KeyTiming = FeatureKeyTiming.AtConnect,
                UnknownOperationStatus = BlkifStatus.Error,
                AnswersNotSupported = true,
                ChecksLogicalAlignment = false,
                AttachesRing = false,
            };
            p.AddNotPinned("NativeLayoutOnly", "The frontend's protocol key is not read: requests are read in the backend's own (native) layout, which is why GPLPV's probe exists.",
                "Debian etch's linux-2.6.18 Xen 3.0.3 patches are not in the stored sources; the linux-2.6.18-xen tree that is has the protocol key and a get_address_size guess (drivers/xen/core/domctl.c, Xen 3.1, 2007). Modelled on the Xen wiki's 2008 GPLPV page's account of its dom0.");
            p.Add("UnknownOpError", "An unknown operation is answered BLKIF_RSP_ERROR (the probe's 0xff request gets ERROR, not EOPNOTSUPP).", LinuxRef(LinuxBlkbackC, "do_block_io_op", Linux2011));
            p.Add("BarrierWithFua", "WRITE_BARRIER is submitted as REQ_WRITE|REQ_FLUSH|REQ_FUA (in 2008 a BIO_RW_BARRIER): flushed before and durable when answered. It is submitted at once, without waiting for requests in flight (xen_blk_drain_io came later): the preflush covers the writes completed before the submit, and the FUA (on a device without FUA, the block layer's post-flush) makes the barrier's data, and all completed before its answer, durable.", LinuxRef(LinuxBlkbackC, "dispatch_rw_block_io", Linux2011));
            p.Add("DataAtCompletion", "A request's data moves while its bios are in flight; the grants are unmapped when they end (end_block_io_op, fast_flush_area). The model moves a WRITE's data into the disk's cache, and a READ's into the guest's pages, at the request's completion.", LinuxRef(LinuxBlkbackC, "__end_block_io_op", Linux2011));
            p.Add("BarrierNotSupportedWithdraws", "An -EOPNOTSUPP barrier from the disk answers EOPNOTSUPP and rewrites feature-barrier to 0.", LinuxRef(LinuxBlkbackC, "__end_block_io_op", Linux2011));
            p.Add("OnlyReadWriteBarrier", "Only READ, WRITE and WRITE_BARRIER are known; FLUSH_DISKCACHE, DISCARD and INDIRECT are unknown operations (they came in 2010-2013).", LinuxRef(LinuxBlkbackC, "do_block_io_op", Linux2011));
            p.Add("SinglePageRing", "One ring page (ring-ref); no max-ring-page-order is offered and ring-page-order is not read.", LinuxRef(LinuxXenbusC, "connect_ring", Linux2011));
            p.Add("NoReqProdOverflowCheck", "Only RING_REQUEST_CONS_OVERFLOW bounds the loop; a req_prod far ahead is not detected and the ring is not halted.", LinuxRef(LinuxBlkbackC, "do_block_io_op", Linux2011));
            p.Add("NoAlignmentCheck", "No logical-block alignment check (4 KiB-sector disks came later).", LinuxRef(LinuxBlkbackC, "dispatch_rw_block_io", Linux2011));
            p.Add("RingInit", "The ring is initialised at index 0 (BACK_RING_INIT), not attached.", LinuxRef(LinuxXenbusC, "xen_blkif_map", Linux2011));
            p.Add("BarrierKeyAtConnect", "feature-barrier is written in connect().", LinuxRef(LinuxXenbusC, "connect", Linux2011));
            p.Add("NoPhysicalSectorSize", "connect() writes sectors, info and sector-size; physical-sector-size came later.", LinuxRef(LinuxXenbusC, "connect", Linux2011));
            p.Add("NoPersistentNoMultiQueue", "Neither feature-persistent nor multi-queue-max-queues is written; every grant is mapped and unmapped per request, one ring (persistent grants came in 2012, multi-queue in 2015).", LinuxRef(LinuxXenbusC, "connect", Linux2011));
            return p;
        }

        private static BackendProfile BuildQemu(BackendPersonality which)
        {
            bool ten = which == BackendPersonality.Qemu10;
            var p = new BackendProfile(which, ten
                ? "QEMU qdisk 10.x (hw/block/xen-block.c, hw/block/dataplane/xen-block.c): x86_32 default protocol, 512-byte sector units."
                : "QEMU qdisk 7.2, as Debian 12 ships it (hw/block/xen-block.c, hw/block/dataplane/xen-block.c @" + Qemu72Rev + "): native default protocol, sectors in logical blocks.")
            {
                ReadsProtocol = true,
                DefaultProtocolAbi = ten ? BlkifAbi.X86_32 : (BlkifAbi?)null,
                UnknownProtocolIsFatal = false,
                MultiPageRing = true,
                Indirect = false,
                FlushOperation = true,
                DiscardOperation = true,
                Barrier = BarrierSemantics.Unsupported,
                FlushCacheKeyAlwaysOne = true,
                WritesBarrierKey = false,
                LinuxDiscardKeys = false,
                KeyTiming = ten ? FeatureKeyTiming.AfterInitWait : FeatureKeyTiming.BeforeInitWait,
                UnknownOperationStatus = BlkifStatus.Error,
                ZeroSegmentDataOkay = true,
                SectorsInLogicalBlocks = !ten,
                NeedsLargeSectorFeature = true,
                AttachesRing = false,
                ResponseFieldsOnly = true,
                CopiesSegmentsIndividually = true,
                ByteOffsetWraps = true,
                ConnectErrorOnlyLogged = true,
                WritesOnlineAndHotplugStatus = true,
            };
            var device = new SourceRef(Qemu, QemuDevice, "xen_block_connect", ten ? null : Qemu72Rev);
            if (ten)
                p.Add("ProtocolDefaultX86_32", "No protocol key means x86_32 for a guest on an x86 (PC) machine, as a Windows HVM guest is (under -M xenpv it stays native); an unknown value still means native.", new SourceRef(Qemu, QemuDevice, "xen_block_connect", QemuProtocolDefault));
            else
                p.Add("ProtocolDefaultNative", "No protocol key (or an unparsable one) means BLKIF_PROTOCOL_NATIVE; an unknown value also means native. x86_32 became the x86 default only with commit " + QemuProtocolDefault + " (Nov 2023).", device);
            p.Add("RingPageOrderAbsentIfUnparsable", "ring-page-order that does not scan as %u is treated as absent (ring-ref); an order above max-ring-page-order fails the connect.", device);
            p.Add("LargeSectorNeedsFeature", "A logical block other than 512 bytes needs the frontend's feature-large-sector-size = 1, or the connect fails.", device);
            p.Add("FlushCacheKeyAlwaysOne", "feature-flush-cache is written as 1 whatever the image's cache mode; feature-barrier is never written.", new SourceRef(Qemu, QemuDevice, "xen_block_realize", ten ? null : Qemu72Rev));
            p.Add("DiscardKeys", "With discard=unmap: feature-discard 1, discard-granularity = the physical block size (when not set), discard-alignment 0; no discard-secure.", new SourceRef(Qemu, QemuDevice, "xen_block_realize", ten ? null : Qemu72Rev));
            p.Add("NoPhysicalSectorSize", "physical-sector-size is never written (only sector-size and sectors).", new SourceRef(Qemu, QemuDevice, "xen_block_realize", ten ? null : Qemu72Rev));
            p.Add("NoIndirectNoPersistent", "No feature-max-indirect-segments and no feature-persistent are written; BLKIF_OP_INDIRECT is an unknown operation.", new SourceRef(Qemu, QemuDevice, "xen_block_realize", ten ? null : Qemu72Rev));
            p.Add("NoMultiQueue", "No multi-queue-max-queues is written and multi-queue-num-queues is not read: one ring from the frontend's own directory (the binary of Debian's 7.2 holds neither key's name).", new SourceRef(Qemu, QemuDevice, "xen_block_connect", ten ? null : Qemu72Rev));
            p.Add("UnknownOpError", "Unknown operations, WRITE_BARRIER and INDIRECT are answered BLKIF_RSP_ERROR (\"unknown operation\").", new SourceRef(Qemu, QemuDataplane, "xen_block_parse_request", Qemu72Rev));
            p.Add("OnlyOkayOrError", "Every answer is OKAY or ERROR (aio_errors ? ERROR : OKAY); a failed discard or flush is ERROR, never EOPNOTSUPP.", new SourceRef(Qemu, QemuDataplane, "xen_block_complete_aio", Qemu72Rev));
            p.Add("ZeroSegmentReadOkay", "READ or WRITE with 0 segments passes the checks and is answered OKAY (nothing is transferred).", new SourceRef(Qemu, QemuDataplane, "xen_block_do_aio", Qemu72Rev));
            p.Add("FlushNoFeatureCheck", "FLUSH_DISKCACHE is a presync flush, then the data if any; nothing checks a feature.", new SourceRef(Qemu, QemuDataplane, "xen_block_parse_request", Qemu72Rev));
            p.Add("FlushPresyncNoDrain", "A FLUSH_DISKCACHE's presync is a blk_aio_flush issued at submit, its data (if any) written from the flush's completion; nothing waits for the other requests in flight, so it covers the writes completed before it. The model performs it at submit.", new SourceRef(Qemu, QemuDataplane, "xen_block_do_aio", Qemu72Rev));
            p.Add("DataAtCompletion", "Every request is an aio that completes in its own time (xen_block_complete_aio): a WRITE's data reaches the image when its blk_aio_pwritev completes, a READ is grant-copied to the guest then. QEMU copies a WRITE's pages into its buffer at submit (xen_block_do_aio, before blk_aio_pwritev); the model reads them at completion, which differs only for a guest that rewrites a buffer under its own in-flight write.", new SourceRef(Qemu, QemuDataplane, "xen_block_do_aio", Qemu72Rev));
            p.Add("NoReqProdOverflowCheck", "No req_prod overflow check: RING_REQUEST_CONS_OVERFLOW and max_requests bound the loop.", new SourceRef(Qemu, QemuDataplane, "xen_block_handle_requests", Qemu72Rev));
            p.Add("RingInit", "The ring is started at index 0 (BACK_RING_INIT), with no check of the indices it finds.", new SourceRef(Qemu, QemuDataplane, "xen_block_dataplane_start", Qemu72Rev));
            p.Add("NoAlignmentCheck", "Segments are checked for first > last and for crossing the page (last_sect * sector_size >= 4096) only; no alignment check.", new SourceRef(Qemu, QemuDataplane, "xen_block_parse_request", Qemu72Rev));
            if (ten)
                p.AddNotPinned("SectorsIn512Units", "sectors and the ring's sector numbers are in 512-byte units whatever the logical block.",
                    "The 2024 change to xen-block's sector units was not found in the stored QEMU sources (only the 2023 dataplane @" + Qemu72Rev + ", which multiplies by the logical block size, was read); modelled on the issue's account.");
            else
                p.Add("SectorsInLogicalBlocks", "sectors = length / logical block size, and sector_number and first/last_sect are multiplied by the logical block size.", new SourceRef(Qemu, QemuDataplane, "xen_block_parse_request", Qemu72Rev));
            if (ten)
                p.AddNotPinned("InitWaitBeforeKeys", "InitWait is published before the feature keys, so a fast frontend can read none of them.",
                    "Seen with Debian's qemu-system-xen 10.0.2 under the Xen stand-in; the order in hw/xen/xen-bus.c was not read.");
            else
                p.Add("KeysBeforeInitWait", "The feature keys, info, sector-size and sectors are written in realize, before the bus switches the backend to InitWait.", new SourceRef(Qemu, QemuDevice, "xen_block_realize", Qemu72Rev));
            p.Add("ResponseFieldsInPlace", "A response assigns id, operation and status of the response struct in the slot; the padding bytes (9, and 12..15 on x86_64) keep the request's bytes. Found by the differential suite against QEMU.", new SourceRef(Qemu, QemuDataplane, "xen_block_send_response", Qemu72Rev));
            p.Add("ReadCopiesEachSegment", "A READ is read from the image whole, then grant-copied into the guest segment by segment (GNTTABOP_copy goes on after a failed segment): the segments whose grants copy get their data, and the request is ERROR if any failed. A WRITE copies from the guest first and writes nothing if any segment fails. Found by the differential suite against QEMU.", new SourceRef(Qemu, QemuDataplane, "xen_block_copy_request", Qemu72Rev));
            p.Add("ByteOffsetWraps", "request->start = sector_number * sector_size is computed in 64 bits and checked only by start + size > blk_getlength, unsigned because size is a size_t: a sector number whose byte offset wraps to inside the image (2^55 + n at 512 bytes) reads or writes there and is answered OKAY; a start whose sum with the size wraps past 2^64 passes too and its I/O fails in the block layer (ERROR; a 0-segment WRITE issues none and is OKAY). Found by the differential suite against QEMU.", new SourceRef(Qemu, QemuDataplane, "xen_block_parse_request", Qemu72Rev));
            p.Add("FlushWithoutDataUnchecked", "FLUSH_DISKCACHE with no segments returns from parsing before the read-only, segment and range checks: whatever its sector number, it is a flush and OKAY. Found by the differential suite against QEMU.", new SourceRef(Qemu, QemuDataplane, "xen_block_parse_request", Qemu72Rev));
            p.Add("ConnectErrorOnlyLogged", "A connect that fails (a ring-ref that is not granted, is past the grant table or is read-only; an order above max-ring-page-order; a large sector without the frontend's feature) is reported as \"frontend change error\" in QEMU's log only: no error key is written and the backend stays in InitWait. Found by the bad ring-ref checks of the differential suite.", new SourceRef(Qemu, "hw/xen/xen-bus.c", "xen_device_frontend_changed", ten ? null : Qemu72Rev));
            p.Add("OnlineHotplugStatus", "online = 1 and hotplug-status = connected are written by the device itself before InitWait (a Linux backend gets them from the toolstack and its hotplug script). Found by the differential suite against QEMU.", new SourceRef(Qemu, "hw/xen/xen-bus.c", "xen_device_realize", ten ? null : Qemu72Rev));
            if (ten)
                p.Add("ModeKey", "mode (r or w, from VDISK_READONLY) is written by the device itself after info (QEMU 10; 7.2 leaves it to the toolstack). The model writes mode for every personality, in the toolstack's place where the backend does not.", new SourceRef(Qemu, QemuDevice, "xen_block_realize"));
            p.AddNotPinned("CloseDropsInFlight", "Stopping the dataplane unmaps the ring and unbinds the event channel; responses of requests still in flight are not delivered to the frontend.",
                "xen_block_dataplane_stop @" + Qemu72Rev + " was read; what a completing aio does after the ring is unmapped was not traced.");
            return p;
        }
    }
}
