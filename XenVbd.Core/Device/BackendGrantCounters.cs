namespace XenVbd.Device
{
    /// <summary>
    /// The blkback model's side of persistent grants and multi-queue at one moment: queues connected, whether both
    /// ends agreed on <c>feature-persistent</c>, grants kept mapped now, and the map/unmap/hit/purge counters since the
    /// device was made. A copy, as <see cref="VbdDevice.GetStatistics"/> is.
    /// </summary>
    public sealed record BackendGrantCounters(
        int BackendQueues,
        bool PersistentGrantsNegotiated,
        int PersistentGrants,
        long PersistentGrantHits,
        long GrantMaps,
        long GrantUnmaps,
        long PersistentGrantsPurged);
}
