using System;
using System.Text;

namespace XenVbd.Backend
{
    /// <summary>Counters of one blkback since it was created (they survive reconnects). Read live.</summary>
    public sealed class BlkBackStatistics
    {
        private static readonly int ReasonCount = Enum.GetValues(typeof(RequestRejectReason)).Length;

        private readonly long[] _byOp = new long[256];
        private readonly long[] _rejected = new long[ReasonCount];

        /// <summary>Requests taken off the ring, whatever became of them.</summary>
        public long RequestsConsumed { get; internal set; }

        /// <summary>Responses written to the ring (duplicates included).</summary>
        public long ResponsesPushed { get; internal set; }

        public long OkayResponses { get; internal set; }

        /// <summary>Responses with BLKIF_RSP_ERROR.</summary>
        public long Errors { get; internal set; }

        /// <summary>Responses with BLKIF_RSP_EOPNOTSUPP.</summary>
        public long NotSupported { get; internal set; }

        public long BytesRead { get; internal set; }

        public long BytesWritten { get; internal set; }

        public long BytesDiscarded { get; internal set; }

        public long Flushes { get; internal set; }

        public long NotificationsSent { get; internal set; }

        /// <summary>Event upcalls received.</summary>
        public long Events { get; internal set; }

        /// <summary>Upcalls that found nothing to consume (XSA-332/391: counted and backed off, never looped on).</summary>
        public long SpuriousEvents { get; internal set; }

        /// <summary>Times the event channel was masked to back off a storm.</summary>
        public long SpuriousBackoffs { get; internal set; }

        /// <summary>Rings abandoned because req_prod ran more than a ring ahead of the responses.</summary>
        public long RingHalts { get; internal set; }

        public long DroppedResponses { get; internal set; }

        public long DuplicateResponses { get; internal set; }

        /// <summary>Responses sent with another id than their request's (an interceptor's id override, e.g. an injected id swap).</summary>
        public long IdOverrides { get; internal set; }

        public long StatusOverrides { get; internal set; }

        public long Connects { get; internal set; }

        public long Disconnects { get; internal set; }

        public long CapacityChanges { get; internal set; }

        /// <summary>feature-flush-cache / feature-barrier rewritten to 0 after the disk answered NOTSUPP (Linux's __end_block_io_op).</summary>
        public long FeaturesWithdrawn { get; internal set; }

        /// <summary>Connects refused with "pending I/O" because a closed ring still had requests in flight.</summary>
        public long ConnectsRefused { get; internal set; }

        /// <summary>Responses written into a ring after the frontend closed it (Linux keeps it mapped until they are).</summary>
        public long LateResponses { get; internal set; }

        /// <summary>Barriers that waited for the requests in flight before them (current Linux's drain).</summary>
        public long BarrierDrains { get; internal set; }

        /// <summary>GNTTABOP_map_grant_ref calls for data and indirect pages (a persistent hit makes none).</summary>
        public long GrantMaps { get; internal set; }

        /// <summary>Grant unmaps after a request (persistent grants are not unmapped until purged).</summary>
        public long GrantUnmaps { get; internal set; }

        /// <summary>Segments served from a grant already kept mapped (get_persistent_gnt found it).</summary>
        public long PersistentGrantHits { get; internal set; }

        /// <summary>Grants added to a ring's tree of persistent grants (add_persistent_gnt).</summary>
        public long PersistentGrantsAdded { get; internal set; }

        /// <summary>Grants mapped once, non-persistently, because the ring's tree was full (overflow_max_grants).</summary>
        public long PersistentGrantOverflows { get; internal set; }

        /// <summary>A kept grant a request named while another segment was using it ("requesting a grant already in use"): mapped again.</summary>
        public long PersistentGrantsInUse { get; internal set; }

        /// <summary>Persistent grants unmapped by the 100 ms purge (expired, or to make room in a full tree).</summary>
        public long PersistentGrantsPurged { get; internal set; }

        /// <summary>Purges run (purge_persistent_gnt, at most every 100 ms per ring while the ring thread is awake).</summary>
        public long PersistentGrantPurges { get; internal set; }

        public long RequestsByOp(byte operation) => _byOp[operation];

        public long Rejected(RequestRejectReason reason) => _rejected[(int)reason];

        public long TotalRejected
        {
            get
            {
                long n = 0;
                for (int i = 1; i < _rejected.Length; i++) n += _rejected[i];
                return n;
            }
        }

        internal void CountOp(byte operation) => _byOp[operation]++;

        internal void CountRejected(RequestRejectReason reason) => _rejected[(int)reason]++;

        public override string ToString()
        {
            var sb = new StringBuilder();
            sb.Append("consumed=").Append(RequestsConsumed)
              .Append(" responses=").Append(ResponsesPushed)
              .Append(" errors=").Append(Errors)
              .Append(" eopnotsupp=").Append(NotSupported)
              .Append(" rejected=").Append(TotalRejected)
              .Append(" read=").Append(BytesRead)
              .Append(" written=").Append(BytesWritten)
              .Append(" halts=").Append(RingHalts)
              .Append(" spurious=").Append(SpuriousEvents);
            return sb.ToString();
        }
    }
}
