using System;

namespace XenVbd.Backend
{
    /// <summary>
    /// What a request costs a backend host, in virtual time (ticks of 100 ns), split the way Linux blkback spends it:
    /// the ring's thread (xen_blkif_schedule: copy the request, xen_blkbk_map the grants the ring does not keep, build
    /// and submit the bio), the device (latency and transfer per segment, a bounded queue), and the completion
    /// (xen_blkbk_unmap_and_respond: unmap the grants, with a TLB flush for each batch) on a dom0 CPU. The grant
    /// map and unmap hypercalls take the granting domain's grant-table lock, so one guest's rings contend for it.
    /// On the guest side each request costs its submission and completion, and with persistent grants a copy per
    /// segment (blkfront bounces data through the persistently granted pages).
    /// <para>
    /// One set of costs drives both the engine (<see cref="BlkBackOptions.ServiceModel"/>: a request's response is due
    /// when the ring thread, the device and the completion are done with it) and the reproduction of the published
    /// effects (<see cref="ServiceTimeSimulation"/>), where the shared resources (dom0 CPUs, grant-table locks, the
    /// device queue, guest CPUs) are contended for. Immutable, so options that share one are safe.
    /// </para>
    /// </summary>
    public sealed record BackendServiceModel
    {
        /// <summary>
        /// The costs used for docs/BENCHMARKS.md's published effects: a request costs its ring thread 0.6 µs, a grant
        /// map 0.3 µs and an unmap 0.3 µs (both under the guest's grant-table lock), a TLB flush 0.4 µs per batch of
        /// unmaps; the guest 1.4 µs per request and 0.2 µs per copied 4 KiB segment. The device terms are per scenario.
        /// </summary>
        public static BackendServiceModel Reference { get; } = new BackendServiceModel
        {
            DispatchTicks = 6,
            GrantMapTicks = 3,
            GrantUnmapTicks = 3,
            TlbFlushTicks = 4,
            GuestRequestTicks = 14,
            GuestCopyTicksPerSegment = 2,
        };

        /// <summary>The device's latency per request (time from submission to completion, before the per-segment transfer).</summary>
        public long DeviceLatencyTicks { get; init; }

        /// <summary>The device's transfer time per 4 KiB segment.</summary>
        public long DeviceTicksPerSegment { get; init; }

        /// <summary>Requests the device serves at once; more wait in its queue. 0 = unbounded.</summary>
        public int DeviceQueueDepth { get; init; }

        /// <summary>
        /// CPU time per segment spent in the submitting context, on the ring's thread: a RAM disk (brd) copies the data
        /// there; 0 for a real device or null_blk.
        /// </summary>
        public long DeviceCpuTicksPerSegment { get; init; }

        /// <summary>The ring thread's own work per request: read and check it, build and submit the bio.</summary>
        public long DispatchTicks { get; init; }

        /// <summary>One GNTTABOP_map_grant_ref, on the ring thread, holding the guest's grant-table lock.</summary>
        public long GrantMapTicks { get; init; }

        /// <summary>One grant unmap, in the completion, holding the guest's grant-table lock.</summary>
        public long GrantUnmapTicks { get; init; }

        /// <summary>The TLB flush that ends each batch of unmaps (a request's unmaps are one batch), on a dom0 CPU.</summary>
        public long TlbFlushTicks { get; init; }

        /// <summary>dom0 CPUs the ring threads and completions share; 0 = as many as there are rings (no contention).</summary>
        public int BackendCpus { get; init; }

        /// <summary>The guest's CPU work per request (queueing it, the notify, the interrupt, completing it).</summary>
        public long GuestRequestTicks { get; init; }

        /// <summary>The guest's copy per 4 KiB segment through a persistently granted page (only with persistent grants).</summary>
        public long GuestCopyTicksPerSegment { get; init; }

        /// <summary>CPUs each guest has for its side; 0 = one per queue.</summary>
        public int GuestCpus { get; init; }

        /// <summary>The ring thread's time for one request: dispatch, the submitting context's copy, and the maps it made.</summary>
        public long ThreadTicks(int segments, int maps) => DispatchTicks + DeviceCpuTicksPerSegment * segments + GrantMapTicks * maps;

        /// <summary>The device's time for one request.</summary>
        public long DeviceTicks(int segments) => DeviceLatencyTicks + DeviceTicksPerSegment * segments;

        /// <summary>The completion's time on a dom0 CPU: the unmaps and, if there were any, the TLB flush.</summary>
        public long CompletionTicks(int unmaps) => unmaps > 0 ? GrantUnmapTicks * unmaps + TlbFlushTicks : 0;

        /// <summary>The guest's time for one request; the copy only when it goes through persistent grants.</summary>
        public long GuestTicks(int segments, bool persistent) => GuestRequestTicks + (persistent ? GuestCopyTicksPerSegment * segments : 0);

        internal void Validate()
        {
            if (DeviceLatencyTicks < 0 || DeviceTicksPerSegment < 0 || DeviceCpuTicksPerSegment < 0 || DispatchTicks < 0
                || GrantMapTicks < 0 || GrantUnmapTicks < 0 || TlbFlushTicks < 0 || GuestRequestTicks < 0 || GuestCopyTicksPerSegment < 0)
                throw new ArgumentOutOfRangeException(nameof(BackendServiceModel), this, "Service-time costs must not be negative.");
            if (DeviceQueueDepth < 0 || BackendCpus < 0 || GuestCpus < 0)
                throw new ArgumentOutOfRangeException(nameof(BackendServiceModel), this, "Queue depth and CPU counts must not be negative (0 = unbounded).");
        }
    }
}
