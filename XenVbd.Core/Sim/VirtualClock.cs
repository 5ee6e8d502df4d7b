using System;
using System.Threading;

namespace XenVbd.Sim
{
    /// <summary>
    /// The simulation's time as a <see cref="TimeProvider"/>, so Polly's chaos latency, timeouts and
    /// retry delays wait in virtual time: timers are scheduler events, and nothing sleeps.
    /// </summary>
    public sealed class VirtualClock : TimeProvider
    {
        /// <summary>Virtual time zero, a fixed instant so traces and reports are byte-identical across runs.</summary>
        public static readonly DateTimeOffset Epoch = new DateTimeOffset(2008, 1, 1, 0, 0, 0, TimeSpan.Zero);

        private readonly Scheduler _scheduler;

        internal VirtualClock(Scheduler scheduler) => _scheduler = scheduler;

        public TimeSpan Elapsed => TimeSpan.FromTicks(_scheduler.Now);

        public override DateTimeOffset GetUtcNow() => Epoch.AddTicks(_scheduler.Now);

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _scheduler.Now;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (callback == null) throw new ArgumentNullException(nameof(callback));
            var timer = new VirtualTimer(_scheduler, callback, state);
            timer.Change(dueTime, period);
            return timer;
        }

        /// <summary>A timer whose firings are scheduler events; a generation count retires stale firings after Change/Dispose.</summary>
        private sealed class VirtualTimer : ITimer, ISimEventHandler
        {
            private readonly Scheduler _scheduler;
            private readonly TimerCallback _callback;
            private readonly object? _state;
            private long _generation;
            private long _periodTicks;
            private bool _disposed;

            public VirtualTimer(Scheduler scheduler, TimerCallback callback, object? state)
            {
                _scheduler = scheduler;
                _callback = callback;
                _state = state;
            }

            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                if (_disposed) return false;
                _generation++;
                _periodTicks = period == Timeout.InfiniteTimeSpan ? -1 : Math.Max(1, period.Ticks);
                if (dueTime != Timeout.InfiniteTimeSpan)
                    _scheduler.Schedule(Math.Max(0, dueTime.Ticks), this, 0, _generation);
                return true;
            }

            public void OnSimEvent(int kind, long argument)
            {
                if (_disposed || argument != _generation) return;
                if (_periodTicks > 0) _scheduler.Schedule(_periodTicks, this, 0, _generation);
                _callback(_state);
            }

            public void Dispose()
            {
                _disposed = true;
                _generation++;
            }

#if NET
            public System.Threading.Tasks.ValueTask DisposeAsync()
            {
                Dispose();
                return default;
            }
#else
            public System.Threading.Tasks.ValueTask DisposeAsync()
            {
                Dispose();
                return default;
            }
#endif
        }
    }
}
