namespace XenVbd.Device
{
    /// <summary>One frontend queue's counts, all connections together (Get-VbdStatistic's per-queue rows).</summary>
    /// <param name="Queue">The queue's number (queue-N/ in XenStore when there are several).</param>
    /// <param name="Connected">The queue is in use on the current connection.</param>
    /// <param name="Requests">Requests the queue put on its ring.</param>
    /// <param name="Responses">Responses it consumed from its ring.</param>
    /// <param name="Notifies">Notifies it sent on its event channel.</param>
    /// <param name="Interrupts">Events that came in on its event channel.</param>
    /// <param name="RingFullWaits">Times its work waited for a ring slot or a request id.</param>
    public sealed record QueueStatistics(int Queue, bool Connected, long Requests, long Responses, long Notifies, long Interrupts, long RingFullWaits)
    {
        public override string ToString() => "queue " + Queue + ": " + Requests + " requests, " + Responses + " responses, " + RingFullWaits + " ring-full waits";
    }
}
