using System;
using XenVbd.Ring;

namespace XenVbd.Backend
{
    /// <summary>
    /// One host set-up for <see cref="ServiceTimeSimulation"/>: how many guests, how many queues (rings) each, the ring
    /// size, the request size, whether persistent grants are on, and what everything costs. Every ring is kept full,
    /// as fio with an I/O depth at least the ring's does: the throughput measured is what the host can sustain.
    /// </summary>
    public sealed record ServiceTimeScenario
    {
        /// <summary>Guests (frontend domains), each with its own grant-table lock and its own CPUs.</summary>
        public int Guests { get; init; } = 1;

        /// <summary>Queues per guest: one ring, one event channel and one backend thread each.</summary>
        public int QueuesPerGuest { get; init; } = 1;

        /// <summary>ring-page-order: the ring holds <see cref="BlkifLayout.RingEntries"/> requests (32 for one page, 512 for 16).</summary>
        public int RingPageOrder { get; init; }

        /// <summary>4 KiB segments per request (1: 4 KiB I/O).</summary>
        public int SegmentsPerRequest { get; init; } = 1;

        /// <summary>Both ends use persistent grants: a grant the ring already keeps costs no map and no unmap, and the guest copies.</summary>
        public bool PersistentGrants { get; init; }

        /// <summary>Persistent grants a ring keeps (Linux's 1056); grants past it are mapped and unmapped per request.</summary>
        public int MaxPersistentGrants { get; init; } = BlkBackOptions.DefaultMaxPersistentGrants;

        /// <summary>What each step costs, and the shared resources (dom0 CPUs, device queue, guest CPUs).</summary>
        public BackendServiceModel Costs { get; init; } = BackendServiceModel.Reference;

        /// <summary>Requests completed before measuring starts (the rings fill and the trees of persistent grants warm up).</summary>
        public int WarmUpRequests { get; init; } = 10_000;

        /// <summary>Requests the throughput is measured over.</summary>
        public int MeasuredRequests { get; init; } = 50_000;

        /// <summary>Requests each ring holds.</summary>
        public int RingEntries => BlkifLayout.RingEntries(BlkifAbi.X86_64, RingPageOrder);

        internal void Validate()
        {
            if (Guests < 1 || QueuesPerGuest < 1 || SegmentsPerRequest < 1 || SegmentsPerRequest > BlkifLayout.MaxSegmentsPerRequest)
                throw new ArgumentOutOfRangeException(nameof(ServiceTimeScenario), this, "A scenario has at least one guest and queue, and 1.." + BlkifLayout.MaxSegmentsPerRequest + " segments per request.");
            if ((uint)RingPageOrder > BlkifLayout.MaxRingPageOrder)
                throw new ArgumentOutOfRangeException(nameof(RingPageOrder), RingPageOrder, "Ring page order must be 0.." + BlkifLayout.MaxRingPageOrder + ".");
            if (MaxPersistentGrants < 0 || WarmUpRequests < 0 || MeasuredRequests < 1)
                throw new ArgumentOutOfRangeException(nameof(ServiceTimeScenario), this, "Persistent grants and warm-up must not be negative; at least one request is measured.");
            if (Costs is null) throw new ArgumentNullException(nameof(Costs));
            Costs.Validate();
        }
    }
}
