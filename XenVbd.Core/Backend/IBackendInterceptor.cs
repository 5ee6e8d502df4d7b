namespace XenVbd.Backend
{
    /// <summary>
    /// The fault lab's seam into blkback: consulted once for every request the backend consumes
    /// (after it copied and decoded it, before it validates and executes it), to bend how that
    /// request is answered. Storage faults are not this seam's business: wrap the disk instead.
    /// </summary>
    public interface IBackendInterceptor
    {
        void OnRequest(BlkBack backend, ref BackendRequestPlan plan);
    }
}
