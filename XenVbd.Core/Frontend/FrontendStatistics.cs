namespace XenVbd.Frontend
{
    /// <summary>Counters since the frontend was built. A class the frontend updates in place (no allocation per I/O).</summary>
    public sealed class FrontendStatistics
    {
        public long SrbsSubmitted { get; internal set; }
        public long SrbsCompleted { get; internal set; }
        public long SrbsFailed { get; internal set; }
        public long Requests { get; internal set; }
        public long IndirectRequests { get; internal set; }
        public long BytesRead { get; internal set; }
        public long BytesWritten { get; internal set; }
        public long BouncePasses { get; internal set; }
        public long BytesBounced { get; internal set; }
        public long Probes { get; internal set; }
        public long AbiSwitches { get; internal set; }
        public long Timeouts { get; internal set; }
        public long Resets { get; internal set; }

        /// <summary>SRBs whose in-flight work was resubmitted after a disconnect.</summary>
        public long Requeues { get; internal set; }

        public long Reconnects { get; internal set; }
        public long Notifies { get; internal set; }
        public long Interrupts { get; internal set; }
        public long SpuriousInterrupts { get; internal set; }

        /// <summary>Responses to requests whose SRB a reset already completed: they only released grants.</summary>
        public long LateResponses { get; internal set; }

        /// <summary>Grants the backend still had mapped when the frontend ended access (XSA-396).</summary>
        public long GrantsStillMapped { get; internal set; }

        public long RingFullWaits { get; internal set; }

        /// <summary>
        /// SRBs failed with <c>SRB_STATUS_TIMEOUT</c> after waiting a whole request timeout for bounce
        /// memory or an SRB extension that reset-orphaned (or XSA-396 quarantined) requests still pin (finding F3).
        /// </summary>
        public long BounceWaitTimeouts { get; internal set; }

        /// <summary>
        /// Times the frontend closed and reconnected its side on its own because the backend stopped answering
        /// (<see cref="FrontendOptions.ReconnectAfterUnansweredTimeouts"/>). Each also counts in <see cref="Reconnects"/> once connected again.
        /// </summary>
        public long ForcedReconnects { get; internal set; }

        /// <summary>Flushes sent behind a WRITE with FUA set, so the write is durable before the SRB completes.</summary>
        public long FuaFlushes { get; internal set; }

        /// <summary>SRBs failed with <c>SRB_STATUS_TIMEOUT</c> after waiting a request timeout for a ring slot that only unanswered requests held.</summary>
        public long RingWaitTimeouts { get; internal set; }

        /// <summary>Responses a personality that ignores unknown ids dropped (the Xen Project driver).</summary>
        public long IgnoredResponses { get; internal set; }

        /// <summary>Connections that reused a probe result kept across resume instead of probing.</summary>
        public long KeptProbeResults { get; internal set; }

        /// <summary>Connections that took the probe outcome saved on the config page (a crash-dump or hibernate instance) instead of probing.</summary>
        public long CachedProbeResults { get; internal set; }

        /// <summary>Times the queue stalled because the SRB at its head overlaps an outstanding WRITE (GPLPV 2012 and 2013).</summary>
        public long OverlappingWriteStalls { get; internal set; }
        /// <summary>Data segments that went through a persistently granted page (copied in for a write, out for a read).</summary>
        public long PersistentSegments { get; internal set; }

        /// <summary>Persistent grants ended after a response because the backend had not kept them mapped.</summary>
        public long PersistentGrantsEnded { get; internal set; }

        /// <summary>Free persistent grants ended by the 10 s purge because the backend had let go of them since.</summary>
        public long PersistentGrantsPurged { get; internal set; }

        public FrontendStatistics Clone() => (FrontendStatistics)MemberwiseClone();
    }
}
