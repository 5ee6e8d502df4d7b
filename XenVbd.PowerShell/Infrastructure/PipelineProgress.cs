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
    internal sealed class PipelineProgress<T> : IProgress<T>
    {
        private readonly Action<T> _report;
        private readonly int _threadId = Thread.CurrentThread.ManagedThreadId;

        public PipelineProgress(Action<T> report) => _report = report;

        public void Report(T value)
        {
            if (Thread.CurrentThread.ManagedThreadId == _threadId)
            {
                _report(value);
            }
        }
    }
}
