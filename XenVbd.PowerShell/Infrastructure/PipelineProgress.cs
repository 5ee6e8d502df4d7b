using System;
using System.Threading;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>
    /// An <see cref="IProgress{T}"/> for engine loops that run on the pipeline thread: reports made on that
    /// thread go straight to the callback (which may call WriteProgress); reports from any other thread are
    /// dropped, because WriteProgress may only be called from the pipeline thread. Unlike
    /// <see cref="Progress{T}"/> it never posts to a thread pool.
    /// </summary>
    /// <remarks>
    /// With a minimum interval, a report that comes sooner than that (wall clock) after the last one passed
    /// on is dropped: a host draws each progress record, which costs far more than an engine I/O, so a fast
    /// loop reporting every N operations would otherwise spend a good part of its time drawing bars.
    /// </remarks>
    internal sealed class PipelineProgress<T> : IProgress<T>
    {
        private readonly Action<T> _report;
        private readonly int _threadId = Thread.CurrentThread.ManagedThreadId;
        private readonly long _minIntervalTicks;
        private long _lastReport = long.MinValue;

        public PipelineProgress(Action<T> report)
            : this(report, TimeSpan.Zero)
        {
        }

        public PipelineProgress(Action<T> report, TimeSpan minInterval)
        {
            _report = report;
            _minIntervalTicks = (long)(minInterval.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        }

        public void Report(T value)
        {
            if (Thread.CurrentThread.ManagedThreadId != _threadId)
            {
                return;
            }

            if (_minIntervalTicks > 0)
            {
                long now = System.Diagnostics.Stopwatch.GetTimestamp();
                if (_lastReport != long.MinValue && now - _lastReport < _minIntervalTicks)
                {
                    return;
                }

                _lastReport = now;
            }

            _report(value);
        }
    }
}
