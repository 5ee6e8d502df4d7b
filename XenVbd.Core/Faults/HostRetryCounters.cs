using System.Threading;

namespace XenVbd.Faults
{
    /// <summary>What the host retry pipeline did, for the workload result and the lab report.</summary>
    public sealed class HostRetryCounters
    {
        private long _retries;
        private long _timeouts;
        private long _breakerOpened;
        private long _stalls;
        private long _busResets;

        public long Retries => Interlocked.Read(ref _retries);

        public long Timeouts => Interlocked.Read(ref _timeouts);

        public long BreakerOpened => Interlocked.Read(ref _breakerOpened);

        public long HostStalls => Interlocked.Read(ref _stalls);

        public long HostBusResets => Interlocked.Read(ref _busResets);

        internal void Retry() => Interlocked.Increment(ref _retries);

        internal void Timeout() => Interlocked.Increment(ref _timeouts);

        internal void Opened() => Interlocked.Increment(ref _breakerOpened);

        internal void Stall() => Interlocked.Increment(ref _stalls);

        internal void BusReset() => Interlocked.Increment(ref _busResets);
    }
}
