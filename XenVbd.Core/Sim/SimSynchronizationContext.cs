using System.Threading;

namespace XenVbd.Sim
{
    /// <summary>
    /// Routes async continuations (Polly's chaos latency, retry back-off) into the scheduler at the
    /// current virtual time instead of the thread pool, so they interleave deterministically.
    /// </summary>
    public sealed class SimSynchronizationContext : SynchronizationContext
    {
        private readonly Scheduler _scheduler;

        internal SimSynchronizationContext(Scheduler scheduler) => _scheduler = scheduler;

        public override void Post(SendOrPostCallback d, object? state) => _scheduler.Post(0, d, state);

        public override void Send(SendOrPostCallback d, object? state) => d(state);

        public override SynchronizationContext CreateCopy() => this;
    }
}
