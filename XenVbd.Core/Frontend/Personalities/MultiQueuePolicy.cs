namespace XenVbd.Frontend
{
    /// <summary>Whether and how a frontend uses more than one ring per device (<c>multi-queue-max-queues</c>).</summary>
    public enum MultiQueuePolicy
    {
        /// <summary>One ring; the backend's multi-queue-max-queues is never read.</summary>
        None,

        /// <summary>
        /// Linux blkfront (negotiate_mq, talk_to_blkback): min(backend max, max_queues) rings; multi-queue-num-queues is
        /// written only for more than one; blk-mq maps the submitting CPU to a queue.
        /// </summary>
        Blkfront,

        /// <summary>
        /// The Xen Project driver (frontend.c FrontendSetNumQueues, ring.c RingStoreWrite and __RingGetBlkifRing):
        /// min(DriverGetMaxQueues, backend max) rings; multi-queue-num-queues is always written; the current processor
        /// number mod the queue count picks the ring.
        /// </summary>
        XenProject,
    }
}
