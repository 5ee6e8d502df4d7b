using System;
using System.Collections.Generic;
using XenVbd.Personality;

namespace XenVbd.Frontend
{
    /// <summary>
    /// The frontend personalities, each behaviour with the code it was read from. Every personality lists every
    /// behaviour id below (a test holds them to it), so the generated table has no holes.
    /// </summary>
    public static class FrontendPersonalities
    {
        public const string ProtocolKey = "ProtocolKey";
        public const string Probe = "Probe";
        public const string ProbeResultAcrossResume = "ProbeResultAcrossResume";
        public const string SrbsDuringProbe = "SrbsDuringProbe";
        public const string StuckProbe = "StuckProbe";
        public const string BounceAlignment = "BounceAlignment";
        public const string BounceStrategy = "BounceStrategy";
        public const string ResponseChecks = "ResponseChecks";
        public const string IndirectResponseOp = "IndirectResponseOp";
        public const string SynchronizeCache = "SynchronizeCache";
        public const string Unmap = "Unmap";
        public const string FlushAnswers = "FlushAnswers";
        public const string Fua = "Fua";
        public const string XenbusPath = "XenbusPath";
        public const string UnansweredRequests = "UnansweredRequests";
        public const string OverlappingWrites = "OverlappingWrites";
        public const string DumpModeProbeCache = "DumpModeProbeCache";
        public const string AdapterRestart = "AdapterRestart";
        public const string PersistentGrants = "PersistentGrants";
        public const string MultiQueue = "MultiQueue";

        /// <summary>Every behaviour id, in table order.</summary>
        public static IReadOnlyList<string> BehaviourIds { get; } = new[]
        {
            ProtocolKey, Probe, ProbeResultAcrossResume, SrbsDuringProbe, StuckProbe, BounceAlignment, BounceStrategy,
            ResponseChecks, IndirectResponseOp, SynchronizeCache, Unmap, FlushAnswers, Fua, XenbusPath, UnansweredRequests,
            OverlappingWrites, DumpModeProbeCache, AdapterRestart,
            PersistentGrants, MultiQueue,
        };

        private const string Gplpv = "spurious/win-pvdrivers-mirror";
        private const string XenProjectRepo = "xcp-ng/win-xenvbd";
        private const string XenProjectRev = "583bd7f";
        private const string Linux = "torvalds/linux";
        private const string Blkfront = "drivers/block/xen-blkfront.c";

        private static SourceRef G2008a(string function) => new SourceRef(Gplpv, "xenvbd/xenvbd.c", function, "6916b1a");
        private static SourceRef G2008b(string function, string file = "xenvbd/xenvbd.c") => new SourceRef(Gplpv, file, function, "2a08c4c");
        private static SourceRef G2012(string function, string file = "xenvbd/xenvbd_scsiport.c") => new SourceRef(Gplpv, file, function, "4288e83");
        private static SourceRef G2013(string function, string file = "xenvbd_common/common_miniport.h") => new SourceRef(Gplpv, file, function, "eacab29");

        /// <summary>Where the 2013 rewrite's storport miniport handles the port driver's adapter control calls.</summary>
        private const string G2013Storport = "xenvbd_storport/xenvbd.c";
        private static SourceRef Xp(string file, string function) => new SourceRef(XenProjectRepo, "src/xenvbd/" + file, function, XenProjectRev);
        private static SourceRef Lx(string function) => new SourceRef(Linux, Blkfront, function);

        private static DriverBehaviour P(string id, string summary, SourceRef source) => DriverBehaviour.Pinned(id, summary, source);

        private const string OwnDesign = "this project's own design, not a real driver's";

        private static DriverBehaviour Own(string id, string summary) =>
            DriverBehaviour.NotPinned(id, summary, OwnDesign + " (the model's behaviour before personalities existed)");

        private static readonly FrontendBehaviours HardenedDesign = new FrontendBehaviours(
            FrontendPersonality.Hardened,
            "This project's hardened frontend: GPLPV's probe and bounce buffers, the Xen Project driver's flush and UNMAP, Linux blkfront's 2021 response checks, re-probe on every connect, bounded waits and a reconnect on reset. No real driver behaves like this.",
            isRealDriver: false,
            new[]
            {
                Own(ProtocolKey, "As the frontend mode says: Probe writes no protocol key, Announce and AnnounceAndProbe write it."),
                Own(Probe, "Probe and AnnounceAndProbe run the op-0xff probe at every Connected; Announce checks the layout with one read of block 0 instead."),
                Own(ProbeResultAcrossResume, "Re-probes after every resume or migration, so a move to a dom0 of the other bitness switches layout."),
                Own(SrbsDuringProbe, "Every SRB waits until the probe completed."),
                Own(StuckProbe, "A probe unanswered for a request timeout makes the device Broken, with the reason."),
                Own(BounceAlignment, "Bounces a buffer whose address is not a multiple of the logical block size (or everything with an untrusted backend)."),
                Own(BounceStrategy, "As the options say: per-SRB 4 KiB, one 11-page device buffer (aligned SRBs pass it) or a page pool."),
                Own(ResponseChecks, "Copies each response once; rsp_prod more than the ring ahead, an id out of range or not pending, or a wrong operation make the device Broken and every pending SRB fails once with HARDWARE ERROR. An answer carrying another pending request's id with the same operation passes every check and completes that SRB; its own answer later is not pending, and the device goes Broken."),
                Own(IndirectResponseOp, "A response to an INDIRECT request may echo INDIRECT (6) or the indirect operation."),
                Own(SynchronizeCache, "FLUSH_DISKCACHE (or WRITE_BARRIER) on the ring when the backend offers one; success without."),
                Own(Unmap, "DISCARD requests on the ring when the backend offers feature-discard."),
                Own(FlushAnswers, "EOPNOTSUPP to a flush or barrier turns the feature off and the SRB succeeds; any other non-OK answer fails the SRB."),
                Own(Fua, "DPOFUA is reported when the backend can flush; a FUA WRITE completes only after a flush behind it succeeded."),
                Own(XenbusPath, "1 Initialising, 3 Initialised, 4 Connected."),
                Own(UnansweredRequests, "A request timeout resets the bus (every pending SRB completes once); requests left on the ring keep their slots, which the device reports; a wait for a ring slot only orphans hold ends in TIMEOUT after a request timeout; Reset-VbdDevice reconnects through XenBus and gets the slots back, and brings a Broken device back."),
                Own(OverlappingWrites, "No overlap check: an SRB goes to the ring whatever writes are outstanding."),
                DriverBehaviour.NotPinned(DumpModeProbeCache, "Saves nothing and reads nothing: a crash-dump or hibernate instance probes at connect like any connection.", OwnDesign),
                DriverBehaviour.NotPinned(AdapterRestart, "An adapter restart probes again at once, from the native layout (Probe and AnnounceAndProbe modes).", OwnDesign),
                Own(PersistentGrants, "Never writes feature-persistent: every grant is ended after its request, and one the backend still maps is quarantined (XSA-396)."),
                Own(MultiQueue, "One ring per device: multi-queue-max-queues is never read and multi-queue-num-queues never written."),
            })
        {
            TakesAbiModeAndBounceFromOptions = true,
            Probe = ProbePolicy.EveryConnect,
            SrbsDuringProbe = ProbeSrbPolicy.HoldAll,
            StuckProbe = StuckProbePolicy.Broken,
            BounceAlignment = BounceAlignmentTest.LogicalBlockSize,
            Responses = ResponseValidation.Hardened,
            IndirectResponseEchoesIndirectOp = false,
            SynchronizeCache = SyncCachePolicy.OnRing,
            Unmap = UnmapPolicy.OnRing,
            FlushAnswers = FlushAnswerPolicy.Hardened,
            Fua = FuaPolicy.WriteThenFlush,
            XenbusPath = XenbusPathPolicy.ThroughInitialised,
            UnansweredRequests = UnansweredRequestPolicy.Hardened,
            StallsOnOverlappingWrite = false,
            ProbeCache = ProbeCachePolicy.None,
            AdapterRestart = AdapterRestartPolicy.Hardened,
        };

        private static readonly FrontendBehaviours Gplpv2008aDriver = new FrontendBehaviours(
            FrontendPersonality.Gplpv2008a,
            "GPLPV xenvbd of February 2008 (win-pvdrivers xenvbd/xenvbd.c at 6916b1a): writes protocol and probes anyway, copies every transfer through its shadows' pages.",
            isRealDriver: true,
            new[]
            {
                P(ProtocolKey, "Writes protocol = the native ABI while setting up the ring, before Initialised.", G2008a("XenVbd_BackEndStateHandler")),
                P(Probe, "Puts two op-0xff requests on the ring in the backend-Connected handler, so every connection probes.", G2008a("XenVbd_BackEndStateHandler")),
                P(ProbeResultAcrossResume, "The probe is in the Connected handler: a new connection probes again (ring_detect_state is reset to 0 with the ring).", G2008a("XenVbd_BackEndStateHandler")),
                DriverBehaviour.NotPinned(SrbsDuringProbe, "The model answers SRBs the driver answers itself and holds reads and writes while the probe is out.",
                    "XenVbd_HwScsiStartIo answers BUSY only until the device is enumerated, which happens right after the probe is pushed; reads and writes issued before the probe answers go on the ring in the unprobed layout, which the model does not reproduce"),
                P(StuckProbe, "No timeout on the probe: ring_detect_state stays below 2 and the responses it waits for never come.", G2008a("XenVbd_HwScsiInterruptTarget")),
                P(BounceAlignment, "Every READ and WRITE is copied through the shadow's own 11 pages (memcpy in both directions), aligned or not.", G2008a("XenVbd_PutSrbOnRing")),
                P(BounceStrategy, "Each shadow owns 11 pages granted once; one request per SRB (modelled as an 11-page-per-pass pool).", G2008a("XenVbd_BackEndStateHandler")),
                P(ResponseChecks, "Completes shadow[rep->id].Srb with no check of id, operation or rsp_prod; the shadow array has max(BLK_RING_SIZE, BLK_OTHER_RING_SIZE) = 32 entries, so an id past it reads foreign memory (the model stops the device there). An answer carrying another pending request's id completes that SRB, copying its shadow's pages out, and frees the shadow (ADD_ID_TO_FREELIST sets its Srb to NULL): the request actually served never completes, and the named request's own answer later dereferences that NULL Srb.", G2008a("XenVbd_HwScsiInterruptTarget")),
                P(IndirectResponseOp, "Never sends INDIRECT: only READ and WRITE reach the ring.", G2008a("XenVbd_PutSrbOnRing")),
                P(SynchronizeCache, "SYNCHRONIZE CACHE falls to the default case and fails with SRB_STATUS_INVALID_REQUEST (no sense data; the model answers ILLEGAL REQUEST sense, as the later generations do).", G2008a("XenVbd_HwScsiStartIo")),
                P(Unmap, "UNMAP falls to the default case and fails with SRB_STATUS_INVALID_REQUEST (the model answers ILLEGAL REQUEST sense, as the later generations do).", G2008a("XenVbd_HwScsiStartIo")),
                P(FlushAnswers, "Sends no flush or discard, so never sees their answers; a non-OK READ/WRITE answer is SRB_STATUS_ERROR.", G2008a("XenVbd_HwScsiInterruptTarget")),
                P(Fua, "MODE SENSE returns no mode data at all (DataTransferLength 0): no DPOFUA; the FUA bit is never read.", G2008a("XenVbd_HwScsiStartIo")),
                P(XenbusPath, "Writes Initialised after the ring keys, Connected in the backend-Connected handler: 1 → 3 → 4.", G2008a("XenVbd_BackEndStateHandler")),
                P(UnansweredRequests, "XenVbd_HwScsiResetBus does nothing: an unanswered request's SRB never completes.", G2008a("XenVbd_HwScsiResetBus")),
                P(OverlappingWrites, "No check against outstanding writes: an SRB goes to the ring as soon as a request id is free.", G2008a("XenVbd_PutSrbOnRing")),
                P(DumpModeProbeCache, "The probe's outcome lives only in the running instance (TargetData->use_other) and is saved nowhere, so a crash-dump instance probes again (the model probes it at connect, as at every Connected); the saved bits came with 2a08c4c.", G2008a("XenVbd_HwScsiInterruptTarget")),
                P(AdapterRestart, "ScsiRestartAdapter only logs (it is not even in the supported list): the layout chosen at the last Connected stays.", G2008a("XenVbd_HwScsiAdapterControl")),
                DriverBehaviour.NotPinned(PersistentGrants, "Never writes feature-persistent: every grant is ended after its request.", "no feature-persistent anywhere in the tree at 6916b1a (git grep -i feature-persistent): the driver predates persistent grants (Linux, 2012) and ends every grant after its request"),
                DriverBehaviour.NotPinned(MultiQueue, "One ring per device: multi-queue-max-queues is never read.", "no multi-queue, max-queues or num-queues anywhere in the tree at 6916b1a (git grep -i): the driver predates multi-queue blkif (Linux, 2015) and has one ring per device"),
            })
        {
            WritesProtocol = true,
            Probe = ProbePolicy.EveryConnect,
            SrbsDuringProbe = ProbeSrbPolicy.AnswerNonReadWrite,
            StuckProbe = StuckProbePolicy.Hang,
            BounceAlignment = BounceAlignmentTest.Always,
            Bounce = BounceStrategyKind.SegmentPool,
            Responses = ResponseValidation.Unchecked,
            ShadowIdMask = 0,
            ShadowArrayEntries = 32,
            SynchronizeCache = SyncCachePolicy.Unhandled,
            Unmap = UnmapPolicy.Unhandled,
            FlushAnswers = FlushAnswerPolicy.Hardened,
            Fua = FuaPolicy.NotAdvertised,
            XenbusPath = XenbusPathPolicy.ThroughInitialised,
            UnansweredRequests = UnansweredRequestPolicy.ResetDoesNothing,
            StallsOnOverlappingWrite = false,
            ProbeCache = ProbeCachePolicy.None,
            AdapterRestart = AdapterRestartPolicy.KeepsDetector,
        };

        private static readonly FrontendBehaviours Gplpv2008bDriver = new FrontendBehaviours(
            FrontendPersonality.Gplpv2008b,
            "GPLPV xenvbd of November 2008 (win-pvdrivers xenvbd/xenvbd.c at 2a08c4c), the driver the Xen wiki's 2008 GPLPV page describes: no protocol key, probe once, 4 KiB per-SRB bounce in several passes.",
            isRealDriver: true,
            new[]
            {
                P(ProtocolKey, "Writes no protocol key (the ring keys come from xenpci's config page).", G2008b("XenVbd_InitFromConfig")),
                P(Probe, "Puts two op-0xff requests on the ring once, when scsiport initialises the adapter.", G2008b("XenVbd_HwScsiInitialize")),
                P(ProbeResultAcrossResume, "XenVbd_Resume re-inits the ring and resubmits without probing: use_other is kept, so a move to a dom0 of the other bitness keeps the stale layout.", G2008b("XenVbd_Resume")),
                P(SrbsDuringProbe, "Every SRB is answered SRB_STATUS_BUSY (scsiport retries) while ring_detect_state < 2: all wait.", G2008b("XenVbd_HwScsiStartIo")),
                P(StuckProbe, "No timeout on the probe: every SRB stays BUSY for ever.", G2008b("XenVbd_HwScsiStartIo")),
                P(BounceAlignment, "Bounces when DataBuffer & 511, whatever the disk's block size.", G2008b("XenVbd_PutSrbOnRing")),
                P(BounceStrategy, "The SRB extension (UNALIGNED_DOUBLE_BUFFER_SIZE = one page): 4 KiB per pass, the SRB goes round again from the interrupt until done.", G2008b("XenVbd_HwScsiInterrupt")),
                P(ResponseChecks, "Completes shadows[rep->id] with no mask and no check of id, operation or rsp_prod; MAX_SHADOW_ENTRIES is 64, so an id of 64 or more reads foreign memory (the model stops the device there). An answer carrying another pending request's id completes that SRB and frees its shadow (put_shadow_on_freelist sets srb to NULL): the request actually served never completes, and the named request's own answer later dereferences that NULL srb.", G2008b("XenVbd_HwScsiInterrupt")),
                P(IndirectResponseOp, "Never sends INDIRECT: only READ and WRITE reach the ring.", G2008b("XenVbd_PutSrbOnRing")),
                P(SynchronizeCache, "SYNCHRONIZE CACHE falls to the default case: SRB_STATUS_ERROR with ILLEGAL REQUEST / INVALID CDB.", G2008b("XenVbd_HwScsiStartIo")),
                P(Unmap, "UNMAP falls to the default case: SRB_STATUS_ERROR with ILLEGAL REQUEST / INVALID CDB.", G2008b("XenVbd_HwScsiStartIo")),
                P(FlushAnswers, "Sends no flush or discard; a non-OK READ/WRITE answer is MEDIUM ERROR.", G2008b("XenVbd_HwScsiInterrupt")),
                P(Fua, "MODE SENSE sets only WRITE PROTECT in the device-specific byte: no DPOFUA; the FUA bit is never read.", G2008b("XenVbd_FillModePage")),
                P(XenbusPath, "xenpci drives the XenBus states for xenvbd: Initialising, wait for the backend's InitWait, write the keys, then straight to Connected (wait for the backend's Connected) with no Initialised: 1 → 4.", G2008b("XenPci_XenConfigDeviceSpecifyBuffers", "xenpci/xenpci_pdo.c")),
                P(UnansweredRequests, "XenVbd_HwScsiResetBus only asks for the next request: an unanswered request's SRB never completes.", G2008b("XenVbd_HwScsiResetBus")),
                P(OverlappingWrites, "No check against outstanding writes: an SRB goes to the ring as soon as a request id is free.", G2008b("XenVbd_PutSrbOnRing")),
                P(DumpModeProbeCache, "After the probe XenVbd_HwScsiInterrupt sets 0x80000000 (and 0x40000000 when it switched) in the config page's event-channel word; the crash-dump instance (dump_mode) finds them (XenVbd_InitFromConfig) and skips the probe, taking the saved layout, right or not.", G2008b("XenVbd_HwScsiInitialize")),
                P(AdapterRestart, "ScsiRestartAdapter only logs: ring_detect_state and use_other stay as they are.", G2008b("XenVbd_HwScsiAdapterControl")),
                DriverBehaviour.NotPinned(PersistentGrants, "Never writes feature-persistent: every grant is ended after its request.", "no feature-persistent anywhere in the tree at 2a08c4c (git grep -i feature-persistent): the driver predates persistent grants (Linux, 2012) and ends every grant after its request"),
                DriverBehaviour.NotPinned(MultiQueue, "One ring per device: multi-queue-max-queues is never read.", "no multi-queue, max-queues or num-queues anywhere in the tree at 2a08c4c (git grep -i): the driver predates multi-queue blkif (Linux, 2015) and has one ring per device"),
            })
        {
            WritesProtocol = false,
            Probe = ProbePolicy.OnceKeptAcrossResume,
            SrbsDuringProbe = ProbeSrbPolicy.HoldAll,
            StuckProbe = StuckProbePolicy.Hang,
            BounceAlignment = BounceAlignmentTest.Sector512,
            Bounce = BounceStrategyKind.PerSrb,
            Responses = ResponseValidation.Unchecked,
            ShadowIdMask = 0,
            ShadowArrayEntries = 64,
            SynchronizeCache = SyncCachePolicy.Unhandled,
            Unmap = UnmapPolicy.Unhandled,
            FlushAnswers = FlushAnswerPolicy.Hardened,
            Fua = FuaPolicy.NotAdvertised,
            XenbusPath = XenbusPathPolicy.StraightToConnected,
            UnansweredRequests = UnansweredRequestPolicy.ResetDoesNothing,
            StallsOnOverlappingWrite = false,
            ProbeCache = ProbeCachePolicy.DumpModeOnly,
            AdapterRestart = AdapterRestartPolicy.KeepsDetector,
        };

        private static readonly FrontendBehaviours Gplpv2012Driver = new FrontendBehaviours(
            FrontendPersonality.Gplpv2012,
            "GPLPV xenvbd scsiport of 2012 (win-pvdrivers xenvbd/xenvbd_scsiport.c at 4288e83): one 11-page device buffer that stalls the queue, cached probe bits, ids masked with 0x3FF and unchecked.",
            isRealDriver: true,
            new[]
            {
                P(ProtocolKey, "Writes no protocol key.", G2012("XenVbd_InitFromConfig")),
                P(Probe, "Starts the probe from the first SRB (XenVbd_StartRingDetection) unless the cached bits beside the event channel say it ran; the model starts it at Connected.", G2012("XenVbd_HwScsiStartIo")),
                P(ProbeResultAcrossResume, "On SR_STATE_RESUMING only XenVbd_InitFromConfig runs: use_other and the detect state are kept, a stale layout after moving to a dom0 of the other bitness.", G2012("XenVbd_HwScsiInterrupt")),
                P(SrbsDuringProbe, "SRBs it answers itself (INQUIRY, READ CAPACITY, MODE SENSE, ...) are answered during the probe; reads and writes queue until RING_DETECT_STATE_COMPLETE.", G2012("XenVbd_PutQueuedSrbsOnRing")),
                P(StuckProbe, "No timeout on the probe: reads and writes stay queued for ever.", G2012("XenVbd_PutQueuedSrbsOnRing")),
                P(BounceAlignment, "Bounces when DataBuffer & 511, whatever the disk's block size.", G2012("XenVbd_PutQueuedSrbsOnRing")),
                P(BounceStrategy, "One aligned_buffer per device; while aligned_buffer_in_use no SRB at all goes to the ring, aligned ones included.", G2012("XenVbd_PutQueuedSrbsOnRing")),
                P(ResponseChecks, "Completes shadows[rep->id & SHADOW_ID_ID_MASK] with no check of id, operation or rsp_prod; SHADOW_ID_ID_MASK is 0x3FF but MAX_SHADOW_ENTRIES is 64, so an id of 64..1023 indexes past the array (the model stops the device there); a free shadow's NULL srb is dereferenced. An answer carrying another pending request's id completes that SRB (copying aligned_buffer out if that shadow used it) and frees its shadow: the request actually served never completes (and, if it held aligned_buffer, no SRB reaches the ring again), and the named request's own answer later finds the free shadow's NULL srb.", G2012("XenVbd_HwScsiInterrupt")),
                P(IndirectResponseOp, "Never sends INDIRECT: only READ and WRITE reach the ring.", G2012("XenVbd_PutQueuedSrbsOnRing")),
                P(SynchronizeCache, "SYNCHRONIZE CACHE is unhandled: SRB_STATUS_ERROR with ILLEGAL REQUEST / INVALID CDB.", G2012("XenVbd_HwScsiStartIo")),
                P(Unmap, "UNMAP is unhandled: SRB_STATUS_ERROR with ILLEGAL REQUEST / INVALID CDB.", G2012("XenVbd_HwScsiStartIo")),
                P(FlushAnswers, "Sends no flush or discard; a non-OK READ/WRITE answer is an error with sense.", G2012("XenVbd_HwScsiInterrupt")),
                P(Fua, "MODE SENSE sets only WRITE PROTECT in the device-specific byte: no DPOFUA; the FUA bit is never read.", G2012("XenVbd_FillModePage")),
                P(XenbusPath, "The pre-connect state map is Connected/Connected: the frontend goes 1 → 4 with no Initialised.", G2012("DriverEntry")),
                P(UnansweredRequests, "The reset completes queued SRBs with BUS RESET and only marks in-flight shadows reset, to complete when their answer comes: an unanswered request's SRB never completes.", G2012("XenVbd_HwScsiResetBus")),
                P(OverlappingWrites, "Before an SRB goes to the ring every shadow is scanned: when an outstanding WRITE overlaps its sectors (the SRB may be a read) it goes back to the head of the queue and the whole queue stalls until that write is answered (\"we get warnings from drbd if we don't\").", G2012("XenVbd_PutQueuedSrbsOnRing")),
                P(DumpModeProbeCache, "After the probe XenVbd_HwScsiInterrupt sets 0x80000000 (and 0x40000000 when it switched) in the config page's event-channel word; any instance that starts with them valid (cached_use_other_valid, read in XenVbd_InitFromConfig), the crash-dump and hibernate ones included, skips the probe and takes the saved layout, right or not.", G2012("XenVbd_HwScsiInitialize")),
                P(AdapterRestart, "ScsiRestartAdapter re-reads the config and sets ring_detect_state back to NOT_STARTED, so the next SRB probes again (the model probes at once); use_other is never cleared (only XenVbd_HwScsiInterrupt sets it, to TRUE), so a driver that switched stays on the other layout even when the new probe finds the native one.", G2012("XenVbd_HwScsiAdapterControl")),
                DriverBehaviour.NotPinned(PersistentGrants, "Never writes feature-persistent: every grant is ended after its request.", "no feature-persistent anywhere in the tree at 4288e83 (git grep -i feature-persistent): the driver predates persistent grants (Linux, 2012) and ends every grant after its request"),
                DriverBehaviour.NotPinned(MultiQueue, "One ring per device: multi-queue-max-queues is never read.", "no multi-queue, max-queues or num-queues anywhere in the tree at 4288e83 (git grep -i): the driver predates multi-queue blkif (Linux, 2015) and has one ring per device"),
            })
        {
            WritesProtocol = false,
            Probe = ProbePolicy.OnceKeptAcrossResume,
            SrbsDuringProbe = ProbeSrbPolicy.AnswerNonReadWrite,
            StuckProbe = StuckProbePolicy.Hang,
            BounceAlignment = BounceAlignmentTest.Sector512,
            Bounce = BounceStrategyKind.DeviceBuffer,
            BounceBufferStallsQueue = true,
            Responses = ResponseValidation.Unchecked,
            ShadowIdMask = 0x3FF,
            ShadowArrayEntries = 64,
            SynchronizeCache = SyncCachePolicy.Unhandled,
            Unmap = UnmapPolicy.Unhandled,
            FlushAnswers = FlushAnswerPolicy.Hardened,
            Fua = FuaPolicy.NotAdvertised,
            XenbusPath = XenbusPathPolicy.StraightToConnected,
            UnansweredRequests = UnansweredRequestPolicy.ResetCompletesQueuedOnly,
            StallsOnOverlappingWrite = true,
            ProbeCache = ProbeCachePolicy.WheneverValid,
            AdapterRestart = AdapterRestartPolicy.ResetsDetectorKeepsUseOther,
        };

        private static readonly FrontendBehaviours Gplpv2013Driver = new FrontendBehaviours(
            FrontendPersonality.Gplpv2013,
            "GPLPV's 2013 rewrite as last released (win-pvdrivers xenvbd_common and xenvbd_storport at eacab29, 2014): writes protocol, no probe, a multi-pass device buffer, SYNCHRONIZE CACHE a no-op.",
            isRealDriver: true,
            new[]
            {
                P(ProtocolKey, "Writes protocol = ABI_PROTOCOL before Initialised.", G2013("XenVbd_Connect", "xenvbd_common/common_xen.h")),
                P(Probe, "Never probes: trusts the protocol key.", G2013("XenVbd_Connect", "xenvbd_common/common_xen.h")),
                P(ProbeResultAcrossResume, "Nothing to keep: the protocol key is written again on every connect.", G2013("XenVbd_Connect", "xenvbd_common/common_xen.h")),
                P(SrbsDuringProbe, "There is no probe; nothing waits for one.", G2013("XenVbd_Connect", "xenvbd_common/common_xen.h")),
                P(StuckProbe, "There is no probe to get stuck.", G2013("XenVbd_Connect", "xenvbd_common/common_xen.h")),
                P(BounceAlignment, "Bounces when the SRB's system address & 511, whatever the disk's block size.", G2013("XenVbd_PutSrbOnRing")),
                P(BounceStrategy, "One aligned_buffer of 11 pages per device, the SRB split into passes of at most its size; while it is in use no SRB goes to the ring.", G2013("XenVbd_PutSrbOnRing")),
                P(ResponseChecks, "Completes shadows[rep->id & SHADOW_ID_ID_MASK] with no check of id, operation or rsp_prod; MAX_SHADOW_ENTRIES is 64, so an id of 64..1023 indexes past the array (the model stops the device there). An answer carrying another pending request's id completes that SRB and frees its shadow (put_shadow_on_freelist sets srb to NULL): the request actually served never completes, and the named request's own answer later finds that NULL srb.", G2013("XenVbd_HandleEvent")),
                P(IndirectResponseOp, "Never sends INDIRECT: only READ and WRITE reach the ring.", G2013("XenVbd_PutSrbOnRing")),
                P(SynchronizeCache, "SYNCHRONIZE CACHE completes with SRB_STATUS_SUCCESS at once; nothing is sent to the backend.", G2013("XenVbd_ProcessSrbList")),
                P(Unmap, "UNMAP is 'not yet supported': SRB_STATUS_ERROR.", G2013("XenVbd_ProcessSrbList")),
                P(FlushAnswers, "Sends no flush or discard; a non-OK READ/WRITE answer is SRB_STATUS_ERROR.", G2013("XenVbd_HandleEvent")),
                P(Fua, "MODE SENSE sets only WRITE PROTECT in the device-specific byte: no DPOFUA; the FUA bit is never read.", G2013("XenVbd_FillModePage")),
                P(XenbusPath, "Initialising, Initialised after the keys, Connected after the backend connected: 1 → 3 → 4.", G2013("XenVbd_Connect", "xenvbd_common/common_xen.h")),
                P(UnansweredRequests, "The reset completes every queued and in-flight SRB with BUS RESET and marks the shadows reset; an unanswered shadow is never freed, so its slot is gone for good and the queue stalls when all are gone.", G2013("XenVbd_ResetBus")),
                P(OverlappingWrites, "On an SRB's first pass, an outstanding WRITE that overlaps its sectors sends it back to the head of the queue and XenVbd_ProcessSrbList stops: the whole queue waits for that write.", G2013("XenVbd_PutSrbOnRing")),
                P(DumpModeProbeCache, "There is no probe: nothing is saved.", G2013("XenVbd_Connect", "xenvbd_common/common_xen.h")),
                P(AdapterRestart, "ScsiRestartAdapter queues XenVbd_ConnectWorkItem, which connects again and writes protocol; there is no detector to reset (the model keeps the connection as it is).", G2013("XenVbd_HwStorAdapterControl", G2013Storport)),
                DriverBehaviour.NotPinned(PersistentGrants, "Never writes feature-persistent: every grant is ended after its request.", "no feature-persistent anywhere in the tree at eacab29 (git grep -i feature-persistent): the driver predates persistent grants (Linux, 2012) and ends every grant after its request"),
                DriverBehaviour.NotPinned(MultiQueue, "One ring per device: multi-queue-max-queues is never read.", "no multi-queue, max-queues or num-queues anywhere in the tree at eacab29 (git grep -i): the driver predates multi-queue blkif (Linux, 2015) and has one ring per device"),
            })
        {
            WritesProtocol = true,
            Probe = ProbePolicy.Never,
            SrbsDuringProbe = ProbeSrbPolicy.HoldAll,
            StuckProbe = StuckProbePolicy.Hang,
            BounceAlignment = BounceAlignmentTest.Sector512,
            Bounce = BounceStrategyKind.DeviceBuffer,
            BounceBufferStallsQueue = true,
            Responses = ResponseValidation.Unchecked,
            ShadowIdMask = 0x3FF,
            ShadowArrayEntries = 64,
            SynchronizeCache = SyncCachePolicy.NoOpSuccess,
            Unmap = UnmapPolicy.Unhandled,
            FlushAnswers = FlushAnswerPolicy.Hardened,
            Fua = FuaPolicy.NotAdvertised,
            XenbusPath = XenbusPathPolicy.ThroughInitialised,
            UnansweredRequests = UnansweredRequestPolicy.ResetCompletesAll,
            StallsOnOverlappingWrite = true,
            ProbeCache = ProbeCachePolicy.None,
            AdapterRestart = AdapterRestartPolicy.NoDetector,
        };

        private static readonly FrontendBehaviours XenProjectDriver = new FrontendBehaviours(
            FrontendPersonality.XenProject,
            "The Xen Project Windows driver, win-xenvbd (xcp-ng/win-xenvbd at 583bd7f): protocol key, no probe, per-segment bounce from a pool, unknown response ids ignored.",
            isRealDriver: true,
            new[]
            {
                P(ProtocolKey, "Writes protocol while connecting the ring.", Xp("ring.c", "RingStoreWrite")),
                P(Probe, "Never probes: trusts the protocol key.", Xp("ring.c", "RingStoreWrite")),
                P(ProbeResultAcrossResume, "Nothing to keep: the protocol key is written again on every connect.", Xp("ring.c", "RingStoreWrite")),
                P(SrbsDuringProbe, "There is no probe; nothing waits for one.", Xp("ring.c", "RingStoreWrite")),
                P(StuckProbe, "There is no probe to get stuck.", Xp("ring.c", "RingStoreWrite")),
                P(BounceAlignment, "A segment is granted directly when its offset and length are multiples of the sector size; otherwise it is bounced.", Xp("ring.c", "BlkifRingPrepareSegment")),
                P(BounceStrategy, "One bounce page per segment from the adapter's pool (AdapterGetBounce).", Xp("ring.c", "BlkifRingPrepareSegment")),
                P(ResponseChecks, "A response whose id is not on the submitted list is ignored; the operation and rsp_prod are never checked. An answer carrying another submitted request's id completes that request; its own answer later is an unknown id and ignored, and the request actually served waits for the reset.", Xp("ring.c", "BlkifRingPoll")),
                P(IndirectResponseOp, "The operation of a response is never looked at.", Xp("ring.c", "BlkifRingPoll")),
                P(SynchronizeCache, "FLUSH_DISKCACHE, or WRITE_BARRIER without it; success at once when the backend offers neither.", Xp("target.c", "TargetSyncCache")),
                P(Unmap, "DISCARD on the ring when the backend offers it; success at once when it does not.", Xp("target.c", "TargetUnmap")),
                P(FlushAnswers, "EOPNOTSUPP on any operation removes that feature (FrontendRemoveFeature) and the SRB succeeds; ERROR fails it.", Xp("ring.c", "__BlkifRingCompleteResponse")),
                P(Fua, "MODE SENSE sets only WRITE PROTECT in the device-specific byte: no DPOFUA; the FUA bit is not read.", Xp("target.c", "TargetModeSense")),
                P(XenbusPath, "FrontendPrepare writes Initialising; FrontendConnect writes the ring keys, then Initialised, waits for the backend's Connected and writes Connected: 1 → 3 → 4.", Xp("frontend.c", "FrontendConnect")),
                P(UnansweredRequests, "The reset (TargetReset → FrontendReset: Enabled → Connected → Enabled) disables the ring, which polls up to 100 times 1 ms for answers and then completes every submitted request as BLKIF_RSP_ERROR (the model completes those SRBs with TIMEOUT); the shared ring is initialised only on connect, so an unanswered request keeps its slot until the backend answers it, an id no longer submitted and ignored.", Xp("ring.c", "BlkifRingDisable")),
                P(OverlappingWrites, "No check against outstanding writes: BlkifRingSchedule prepares every queued SRB in turn.", Xp("ring.c", "BlkifRingSchedule")),
                P(DumpModeProbeCache, "There is no probe: nothing is saved.", Xp("ring.c", "RingStoreWrite")),
                P(AdapterRestart, "AdapterHwAdapterControl supports only ScsiQuerySupportedControlTypes: a restart does nothing, and there is no detector.", Xp("adapter.c", "AdapterHwAdapterControl")),
                P(PersistentGrants, "Reads the backend's feature-persistent (only to log it) and never writes its own, so the backend never keeps its grants; every grant is ended after its request.", Xp("frontend.c", "FrontendReadFeatures")),
                P(MultiQueue, "Uses min(DriverGetMaxQueues — active processors, capped by the multi-queue-max-queues registry value — , the backend's multi-queue-max-queues, 1 when absent) rings; always writes multi-queue-num-queues (1 too), each ring's ring-ref(s) and event-channel under queue-N/ when there are several; an SRB goes to the ring of (its QueueTag, or the current processor number) mod the queue count (the model: the submitting vCPU).", Xp("ring.c", "__RingGetBlkifRing")),
            })
        {
            WritesProtocol = true,
            Probe = ProbePolicy.Never,
            SrbsDuringProbe = ProbeSrbPolicy.HoldAll,
            StuckProbe = StuckProbePolicy.Hang,
            BounceAlignment = BounceAlignmentTest.LogicalBlockSize,
            Bounce = BounceStrategyKind.SegmentPool,
            Responses = ResponseValidation.IgnoreUnknownIds,
            SynchronizeCache = SyncCachePolicy.OnRing,
            Unmap = UnmapPolicy.OnRing,
            FlushAnswers = FlushAnswerPolicy.XenProject,
            Fua = FuaPolicy.NotAdvertised,
            XenbusPath = XenbusPathPolicy.ThroughInitialised,
            UnansweredRequests = UnansweredRequestPolicy.ResetCompletesAll,
            StallsOnOverlappingWrite = false,
            ProbeCache = ProbeCachePolicy.None,
            AdapterRestart = AdapterRestartPolicy.NoDetector,
            MultiQueue = MultiQueuePolicy.XenProject,
        };

        private static readonly FrontendBehaviours LinuxBlkfrontDriver = new FrontendBehaviours(
            FrontendPersonality.LinuxBlkfront,
            "Linux xen-blkfront, current mainline (drivers/block/xen-blkfront.c): protocol key, no probe, the 2021 response hardening that disables the device and leaves its I/O hanging.",
            isRealDriver: true,
            new[]
            {
                P(ProtocolKey, "Writes protocol = XEN_IO_PROTO_ABI_NATIVE in the setup transaction.", Lx("talk_to_blkback")),
                P(Probe, "Never probes: trusts the protocol key.", Lx("talk_to_blkback")),
                P(ProbeResultAcrossResume, "Nothing to keep: talk_to_blkback writes the protocol key again on resume.", Lx("blkfront_resume")),
                P(SrbsDuringProbe, "There is no probe; nothing waits for one.", Lx("talk_to_blkback")),
                P(StuckProbe, "There is no probe to get stuck.", Lx("talk_to_blkback")),
                P(BounceAlignment, "The queue's dma alignment is 511: the block layer hands the driver sector-aligned buffers and copies others itself (modelled as a 512-byte test and a pool).", Lx("blkif_set_queue_limits")),
                P(BounceStrategy, "No bounce buffers of its own: the block layer bounces above it (modelled as a page pool).", Lx("blkif_set_queue_limits")),
                P(ResponseChecks, "Copies each response once; rsp_prod more than the ring ahead, an id ≥ the ring size or not waiting, or an operation that does not match set BLKIF_STATE_ERROR (\"disabled for further use\"): nothing outstanding completes, new requests wait. An answer carrying the id of another request still REQ_WAITING with the same operation completes that request; its own answer later \"references no pending request\" and disables the device, leaving the request actually served hanging.", Lx("blkif_interrupt")),
                P(IndirectResponseOp, "For an INDIRECT request the response must echo indirect_op; echoing 6 is a wrong operation.", Lx("blkif_interrupt")),
                P(SynchronizeCache, "A flush goes to the ring as FLUSH_DISKCACHE (or WRITE_BARRIER when only that is offered).", Lx("blkfront_gather_backend_features")),
                P(Unmap, "A discard goes to the ring as DISCARD when feature-discard is offered.", Lx("blkfront_gather_backend_features")),
                P(FlushAnswers, "A flush answered EOPNOTSUPP, or ERROR with no segments, succeeds; any failed flush turns flush and FUA off; a DISCARD answered EOPNOTSUPP fails with NOTSUPP and turns discard off.", Lx("blkif_interrupt")),
                P(Fua, "With feature-flush-cache, feature_fua is 0 and blk_queue_write_cache(wc=1, fua=0): the block layer writes, then flushes, before a FUA write completes.", Lx("xlvbd_flush")),
                P(XenbusPath, "Initialised at the end of talk_to_blkback, Connected in blkfront_connect: 1 → 3 → 4.", Lx("talk_to_blkback")),
                P(UnansweredRequests, "blkfront_mq_ops has no .timeout: an unanswered request waits for ever; only a suspend/resume reconnects.", Lx("blkfront_mq_ops")),
                P(OverlappingWrites, "No check against outstanding writes: blkif_queue_rq puts every request the block layer hands it on the ring while there is room.", Lx("blkif_queue_rq")),
                P(DumpModeProbeCache, "There is no probe: nothing is saved.", Lx("talk_to_blkback")),
                P(AdapterRestart, "Not a SCSI miniport: there is no adapter restart, and no detector; a resume runs talk_to_blkback again.", Lx("blkfront_resume")),
                P(PersistentGrants, "Writes feature-persistent = 1 (the feature_persistent parameter) and, if the backend's reads 1, copies every segment through pages that stay granted; after a response a grant the backend still maps is kept (not an error), one it did not keep is ended; every 10 s free grants the backend has unmapped since are ended (purge_persistent_grants).", Lx("blkif_completion")),
                P(MultiQueue, "negotiate_mq: min(the backend's multi-queue-max-queues, 1 when absent; max_queues, default 4 clamped to the CPU count) rings, each with its own shadows, grants and persistent grants; talk_to_blkback writes multi-queue-num-queues only for more than one and then each ring's ring-ref(s) and event-channel under queue-N/ (write_per_ring_nodes); blk-mq maps the submitting CPU to a queue (cpu mod queues); blkif_recover requeues every ring's requests at a reconnect.", Lx("negotiate_mq")),
            })
        {
            WritesProtocol = true,
            Probe = ProbePolicy.Never,
            SrbsDuringProbe = ProbeSrbPolicy.HoldAll,
            StuckProbe = StuckProbePolicy.Hang,
            BounceAlignment = BounceAlignmentTest.Sector512,
            Bounce = BounceStrategyKind.SegmentPool,
            Responses = ResponseValidation.DisableAndLeaveHanging,
            IndirectResponseEchoesIndirectOp = true,
            SynchronizeCache = SyncCachePolicy.OnRing,
            Unmap = UnmapPolicy.OnRing,
            FlushAnswers = FlushAnswerPolicy.Blkfront,
            Fua = FuaPolicy.WriteThenFlush,
            XenbusPath = XenbusPathPolicy.ThroughInitialised,
            UnansweredRequests = UnansweredRequestPolicy.NoTimeout,
            StallsOnOverlappingWrite = false,
            ProbeCache = ProbeCachePolicy.None,
            AdapterRestart = AdapterRestartPolicy.NoDetector,
            PersistentGrants = true,
            MultiQueue = MultiQueuePolicy.Blkfront,
        };

        /// <summary>Every personality, the hardened design first.</summary>
        public static IReadOnlyList<FrontendBehaviours> All { get; } = new[]
        {
            HardenedDesign, Gplpv2008aDriver, Gplpv2008bDriver, Gplpv2012Driver, Gplpv2013Driver, XenProjectDriver, LinuxBlkfrontDriver,
        };

        /// <summary>The behaviours of <paramref name="personality"/>.</summary>
        public static FrontendBehaviours For(FrontendPersonality personality)
        {
            foreach (var p in All) if (p.Personality == personality) return p;
            throw new ArgumentOutOfRangeException(nameof(personality), personality, "Unknown frontend personality.");
        }
    }
}
