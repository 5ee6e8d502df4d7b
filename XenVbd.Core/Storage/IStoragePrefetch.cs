namespace XenVbd.Storage
{
    /// <summary>
    /// A disk that can start fetching a range before it is asked for it. Blkback hints the next request on
    /// the ring while it serves the current one, as a plugged request queue lets a real disk see what comes
    /// next; for the in-memory disk that turns one cold memory latency per request into an overlapped one.
    /// </summary>
    /// <remarks>
    /// Only a hint: it has no observable effect, changes no counter, takes no lock and never throws, even
    /// for a range outside the disk or a disposed disk (the caller may pass what a hostile frontend wrote).
    /// </remarks>
    public interface IStoragePrefetch
    {
        void Prefetch(long byteOffset, int length);
    }
}
