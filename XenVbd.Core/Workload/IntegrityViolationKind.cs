namespace XenVbd.Workload
{
    /// <summary>The ways a read can betray the data, in fio verify's terms.</summary>
    public enum IntegrityViolationKind
    {
        /// <summary>A completed write is not there: the sector reads as zeros.</summary>
        Lost,

        /// <summary>The sector is partly new and partly old or garbage: its checksum fails.</summary>
        Torn,

        /// <summary>A valid sector that belongs at another address.</summary>
        Misdirected,

        /// <summary>A valid sector, but an older generation than the last write that completed.</summary>
        Stale,

        /// <summary>Data this run never wrote there: a newer generation than any issued, or another seed's.</summary>
        Unexpected,
    }
}
