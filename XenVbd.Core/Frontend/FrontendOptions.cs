using System;
using XenVbd.Ring;

namespace XenVbd.Frontend
{
    /// <summary>Everything fixed when a frontend is built; buffers are sized from it up front.</summary>
    public sealed class FrontendOptions
    {
        public BlkifAbi Abi { get; set; } = BlkifAbi.X86_64;

        public FrontendAbiMode Mode { get; set; } = FrontendAbiMode.Probe;

        /// <summary>The bounce strategy for the <see cref="FrontendPersonality.Hardened"/> personality; a real driver's personality fixes its own.</summary>
        public BounceStrategyKind Bounce { get; set; } = BounceStrategyKind.PerSrb;

        /// <summary>
        /// The frontend a guest runs when none is named: GPLPV xenvbd of November 2008, the driver the Xen wiki's 2008
        /// GPLPV page describes. The one definition of the default (device options, New-VbdDevice and campaigns use it).
        /// </summary>
        public const FrontendPersonality DefaultPersonality = FrontendPersonality.Gplpv2008b;

        /// <summary>Which real frontend to behave as; <see cref="DefaultPersonality"/> when not set.</summary>
        public FrontendPersonality Personality { get; set; } = DefaultPersonality;

        /// <summary>The bounce strategy in use: <see cref="Bounce"/> under the hardened design, the personality's own otherwise.</summary>
        public BounceStrategyKind EffectiveBounce => Personality == FrontendPersonality.Hardened ? Bounce : FrontendPersonalities.For(Personality).Bounce;

        /// <summary>Largest ring-page-order the frontend will use (the backend's max-ring-page-order also limits it).</summary>
        public int MaxRingPageOrder { get; set; }

        /// <summary>Segments per indirect request the frontend is prepared for; 0 (or ≤ 11) disables INDIRECT.</summary>
        public int MaxIndirectSegments { get; set; }

        /// <summary>Largest <see cref="MaxQueues"/> accepted (the model's bound; neither driver has a fixed one).</summary>
        public const int MaxQueuesLimit = 64;

        /// <summary>
        /// The most queues (rings) the frontend will use; the backend's <c>multi-queue-max-queues</c> also limits it. Linux
        /// blkfront's <c>max_queues</c> parameter (xen_blkif_max_queues, default 4, clamped to the CPU count by xlblk_init);
        /// the Xen Project driver's DriverGetMaxQueues (the active processors, capped by its registry value). The modelled
        /// guest has this many vCPUs, which take turns submitting SRBs, so the CPU clamp never shows; the default 1 is a
        /// one-vCPU guest (Linux's 4 clamped to one CPU). More than 1 needs a personality with multi-queue
        /// (<see cref="FrontendBehaviours.MultiQueue"/>). Each queue has its own ring pages, request ids and persistent grants.
        /// </summary>
        public int MaxQueues { get; set; } = 1;
        /// <summary>The fewest SRBs a frontend can take at once (<c>VbdDeviceOptions.MinQueueDepth</c> is this).</summary>
        public const int MinQueueDepth = 1;

        /// The most SRBs a frontend takes at once: one SRB extension (with its bounce and UNMAP room) each, made with
        /// the frontend (<c>VbdDeviceOptions.MaxQueueDepth</c> is this).
        public const int MaxQueueDepth = 4096;

        /// <summary>SRBs accepted at once (scsiport's queue depth); each gets an extension (and a PerSrb page).</summary>
        public int QueueDepth { get; set; } = 64;

        /// <summary>Pages in the SegmentPool strategy's pool.</summary>
        public int SegmentPoolPages { get; set; } = 64;

        /// <summary>A request unanswered this long (virtual time) triggers a bus reset.</summary>
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Announce mode only: check with one read of block 0 that the backend reads our layout.</summary>
        public bool VerifyLayoutOnConnect { get; set; } = true;

        /// <summary>
        /// XSA-403: the backend is not trusted with the guest's own memory. Every read and write is bounced
        /// through frontend-owned pages that are zeroed before they are granted (Linux blkfront's
        /// <c>trusted=0</c>), so the backend never sees bytes of a guest buffer beyond the transfer and a
        /// backend that keeps a page mapped holds frontend memory, not the guest's. Costs a copy per byte.
        /// </summary>
        public bool UntrustedBackend { get; set; }

        /// <summary>Largest <see cref="ReconnectAfterUnansweredTimeouts"/> accepted.</summary>
        public const int MaxReconnectAfterUnansweredTimeouts = 100;

        /// <summary>
        /// Opt-in recovery policy, 0 (the default) = off, which is what blkfront and GPLPV do. With N &gt; 0 the
        /// frontend closes and reconnects its side through XenBus on its own (see
        /// <c>XenbusHandshake</c>) after N request timeouts in a row with no response at all
        /// in between, or when bounce memory or SRB extensions that SRBs wait for have been pinned by
        /// unanswered requests of this connection for N request timeouts. This is how the frontend gets out of
        /// a backend restart it never saw (finding F4) and frees bounce memory a lost response pins (F3).
        /// </summary>
        public int ReconnectAfterUnansweredTimeouts { get; set; }

        /// <summary>The two bits a GPLPV driver saves in its config page's event-channel word once its probe is done.</summary>
        public const uint ProbeDoneBit = 0x8000_0000, ProbeUseOtherBit = 0x4000_0000;

        /// <summary>
        /// This frontend is the crash-dump or hibernate instance of the driver (GPLPV's <c>dump_mode</c>: DriverEntry
        /// called with no registry path), started on the config page the running instance used. Whether it takes the
        /// saved probe outcome in <see cref="InheritedProbeBits"/> is the personality's (<see cref="FrontendBehaviours.ProbeCache"/>).
        /// </summary>
        public bool DumpMode { get; set; }

        /// <summary>
        /// The probe bits the config page's event-channel word carries when this instance starts: 0, or
        /// <see cref="ProbeDoneBit"/> with or without <see cref="ProbeUseOtherBit"/>, as a running instance left them
        /// (<see cref="XenVbdFrontend.ProbeCacheBits"/>). Stale bits (the dom0 changed since) are taken as they are, as GPLPV did.
        /// </summary>
        public uint InheritedProbeBits { get; set; }
        /// <summary>
        /// The frontend's <c>feature_persistent</c> parameter (Linux blkfront: on by default): a personality that has persistent
        /// grants (<see cref="FrontendBehaviours.PersistentGrants"/>) offers them and uses them if the backend does too.
        /// </summary>
        public bool PersistentGrants { get; set; } = true;

        /// <summary>The personality offers persistent grants and this frontend is allowed to.</summary>
        public bool OffersPersistentGrants => PersistentGrants && FrontendPersonalities.For(Personality).PersistentGrants;

        /// <summary>VPD page 80h serial; defaults to one derived from the device id.</summary>
        public string? SerialNumber { get; set; }

        public int SegmentsPerShadow => IndirectEnabled ? MaxIndirectSegments : BlkifLayout.MaxSegmentsPerRequest;

        public bool IndirectEnabled => MaxIndirectSegments > BlkifLayout.MaxSegmentsPerRequest;

        public int IndirectPagesPerShadow => IndirectEnabled ? (MaxIndirectSegments + BlkifLayout.SegmentsPerIndirectPage - 1) / BlkifLayout.SegmentsPerIndirectPage : 0;

        /// <summary>Request ids: twice the largest ring, so quarantined ids (XSA-396) do not starve the ring.</summary>
        public int ShadowCount => 2 * BlkifLayout.RingEntries(BlkifAbi.X86_32, MaxRingPageOrder);

        /// <summary>Guest pages the frontend takes from its domain when built.</summary>
        public int RequiredPages
        {
            get
            {
                int bounce = EffectiveBounce switch
                {
                    BounceStrategyKind.PerSrb => QueueDepth,
                    BounceStrategyKind.DeviceBuffer => BounceLimits.MaxPagesPerPass,
                    _ => SegmentPoolPages,
                };
                int persistent = OffersPersistentGrants ? PersistentGrantPool.PagesFor(this) : 0;
                return MaxQueues * ((1 << MaxRingPageOrder) + ShadowCount * IndirectPagesPerShadow + persistent) + bounce + 1;
            }
        }

        /// <summary>Grant refs the frontend claims when built.</summary>
        public int RequiredGrants => MaxQueues * ((1 << MaxRingPageOrder) + ShadowCount * (SegmentsPerShadow + IndirectPagesPerShadow)) + 1;

        public void Validate()
        {
            if (Abi != BlkifAbi.X86_32 && Abi != BlkifAbi.X86_64) throw new ArgumentException("Unknown ABI " + Abi + ".", nameof(Abi));
            if (!Enum.IsDefined(typeof(FrontendAbiMode), Mode)) throw new ArgumentException("Unknown frontend mode " + Mode + ".", nameof(Mode));
            if (!Enum.IsDefined(typeof(BounceStrategyKind), Bounce)) throw new ArgumentException("Unknown bounce strategy " + Bounce + ".", nameof(Bounce));
            if (MaxRingPageOrder < 0 || MaxRingPageOrder > BlkifLayout.MaxRingPageOrder)
                throw new ArgumentException("MaxRingPageOrder must be 0.." + BlkifLayout.MaxRingPageOrder + ".", nameof(MaxRingPageOrder));
            int maxIndirect = BlkifLayout.MaxIndirectPagesPerRequest * BlkifLayout.SegmentsPerIndirectPage;
            if (MaxIndirectSegments < 0 || MaxIndirectSegments > maxIndirect)
                throw new ArgumentException("MaxIndirectSegments must be 0.." + maxIndirect + ".", nameof(MaxIndirectSegments));
            if (QueueDepth < MinQueueDepth || QueueDepth > MaxQueueDepth) throw new ArgumentException("QueueDepth must be " + MinQueueDepth + ".." + MaxQueueDepth + ".", nameof(QueueDepth));
            if (!Enum.IsDefined(typeof(FrontendPersonality), Personality)) throw new ArgumentException("Unknown frontend personality " + Personality + ".", nameof(Personality));
            if (MaxQueues < 1 || MaxQueues > MaxQueuesLimit) throw new ArgumentException("MaxQueues must be 1.." + MaxQueuesLimit + "; was " + MaxQueues + ".", nameof(MaxQueues));
            if (MaxQueues > 1 && FrontendPersonalities.For(Personality).MultiQueue == MultiQueuePolicy.None)
                throw new ArgumentException("The " + Personality + " frontend has no multi-queue (it uses one ring per device); MaxQueues must be 1, or choose LinuxBlkfront or XenProject.", nameof(MaxQueues));
            if (EffectiveBounce == BounceStrategyKind.SegmentPool && SegmentPoolPages < BounceLimits.MaxPagesPerPass)
                throw new ArgumentException("SegmentPoolPages must be at least " + BounceLimits.MaxPagesPerPass + ".", nameof(SegmentPoolPages));
            if (RequestTimeout <= TimeSpan.Zero) throw new ArgumentException("RequestTimeout must be positive.", nameof(RequestTimeout));
            if (ReconnectAfterUnansweredTimeouts < 0 || ReconnectAfterUnansweredTimeouts > MaxReconnectAfterUnansweredTimeouts)
                throw new ArgumentException("ReconnectAfterUnansweredTimeouts must be 0 (off) .. " + MaxReconnectAfterUnansweredTimeouts + ".", nameof(ReconnectAfterUnansweredTimeouts));
            if ((InheritedProbeBits & ~(ProbeDoneBit | ProbeUseOtherBit)) != 0 || InheritedProbeBits == ProbeUseOtherBit)
                throw new ArgumentException("InheritedProbeBits must be 0, 0x80000000 (probed, native layout) or 0xC0000000 (probed, the other layout); was 0x" + InheritedProbeBits.ToString("x8") + ".", nameof(InheritedProbeBits));
        }
    }
}
