using System;
using System.Threading;

namespace XenVbd.Sim
{
    /// <summary>
    /// The discrete-event kernel: a min-heap of (virtual time, sequence) → event. Equal times run in
    /// the order they were scheduled, so one seed gives one interleaving. Nothing here sleeps: a
    /// 30-second response delay is a heap entry 30 s ahead, and running it is instant.
    /// </summary>
    public sealed class Scheduler
    {
        // The heap orders small reference-free keys; each key names a slot in _events holding the
        // handler, which never moves while the event waits. Sifting 56-byte entries with three
        // references paid a GC write barrier per reference per move; this moves 24 bytes and none.
        private Key[] _heap;
        private Entry[] _events;
        private int[] _freeSlots;
        private int _freeCount;
        private int _count;

        /// <summary>Events in the heap scheduled with <see cref="ScheduleBackground"/>: they run in time order with the rest but are not work.</summary>
        private int _background;
        private long _sequence;

        public Scheduler(ulong seed = 1, int initialCapacity = 1024)
        {
            int capacity = Math.Max(16, initialCapacity);
            _heap = new Key[capacity];
            _events = new Entry[capacity];
            _freeSlots = new int[capacity];
            for (int i = capacity - 1; i >= 0; i--) _freeSlots[_freeCount++] = i;
            Random = new SimRandom(seed);
            Clock = new VirtualClock(this);
            SynchronizationContext = new SimSynchronizationContext(this);
        }

        public VirtualClock Clock { get; }

        public SimRandom Random { get; }

        /// <summary>Posts async continuations (Polly's, the host's) back into this scheduler so they stay deterministic.</summary>
        public SimSynchronizationContext SynchronizationContext { get; }

        /// <summary>Virtual time in 100-ns ticks since the simulation began.</summary>
        public long Now { get; private set; }

        /// <summary>Events that are work: the heap less the background timers (<see cref="ScheduleBackground"/>).</summary>
        public int Pending => _count - _background;

        /// <summary>Background timers waiting (<see cref="ScheduleBackground"/>).</summary>
        public int BackgroundPending => _background;

        public long EventsRun { get; private set; }

        /// <summary>Events scheduled so far; unchanged between two calls means nothing was scheduled in between.</summary>
        public long EventsScheduled => _sequence;

        /// <summary>Set by a host (Ctrl+C) to make the run loops return at the next event boundary.</summary>
        public CancellationToken StopToken { get; set; }

        public void Schedule(long delayTicks, ISimEventHandler handler, int kind, long argument = 0)
            => Push(VirtualTimeLimit.Add(Now, delayTicks), handler, kind, argument, null, null);

        public void ScheduleAt(long time, ISimEventHandler handler, int kind, long argument = 0)
            => Push(Math.Max(Now, time), handler, kind, argument, null, null);

        /// <summary>
        /// A periodic housekeeping timer (the idle purges of persistent grants: blkback's LRU_INTERVAL wake, blkfront's
        /// 10 s delayed work). It runs in time order like any event, and <see cref="RunUntil"/> runs it when the clock
        /// passes it, but it is not work: <see cref="RunUntilIdle"/>, <see cref="RunWhile"/> and <see cref="RunNext"/>
        /// stop when only such timers are left, so a timer that re-arms itself never keeps a "run until idle" loop going.
        /// </summary>
        public void ScheduleBackground(long delayTicks, ISimEventHandler handler, int kind, long argument = 0)
        {
            Push(VirtualTimeLimit.Add(Now, delayTicks), handler, kind, argument, null, null, background: true);
            _background++;
        }

        /// <summary>Schedules a callback; allocates (delegate + state), so keep it off the I/O path.</summary>
        public void Post(long delayTicks, SendOrPostCallback callback, object? state)
            => Push(VirtualTimeLimit.Add(Now, delayTicks), null, 0, 0, callback, state);

        public void Post(long delayTicks, Action action)
            => Push(VirtualTimeLimit.Add(Now, delayTicks), null, 0, 0, RunAction, action);

        /// <summary>Runs the earliest event. Returns false when there is none.</summary>
        public bool RunNext()
        {
            if (_count == _background) return false;
            using (EnterContext()) RunOne();
            return true;
        }

        /// <summary>Runs until nothing is scheduled, the stop token fires or <paramref name="maxEvents"/> ran.</summary>
        public long RunUntilIdle(long maxEvents = long.MaxValue)
        {
            long ran = 0;
            using (EnterContext())
            {
                while (ran < maxEvents && _count > _background && !StopToken.IsCancellationRequested)
                {
                    RunOne();
                    ran++;
                }
            }
            return ran;
        }

        /// <summary>Runs every event due at or before <paramref name="time"/>, then sets the clock to it.</summary>
        public void RunUntil(long time)
        {
            using (EnterContext())
            {
                while (_count > 0 && _heap[0].Time <= time && !StopToken.IsCancellationRequested) RunOne();
            }
            if (time > Now && !StopToken.IsCancellationRequested) Now = time;
        }

        /// <summary>Runs while <paramref name="condition"/> holds and events remain; returns whether the condition was met (became false).</summary>
        public bool RunWhile(Func<bool> condition, long maxEvents = long.MaxValue)
        {
            long ran = 0;
            using var context = EnterContext();
            while (condition())
            {
                if (ran++ >= maxEvents || StopToken.IsCancellationRequested || _count == _background) return !condition();
                RunOne();
            }
            return true;
        }

        /// <summary>
        /// Installs this scheduler's context for a caller that runs its own loop of <see cref="RunNext"/>,
        /// so each step does not swap it in and out again. Dispose restores the previous one.
        /// </summary>
        public ContextScope EnterContext() => new ContextScope(this, Enter());

        /// <summary>See <see cref="EnterContext"/>; a struct, so entering allocates nothing.</summary>
        public readonly struct ContextScope : IDisposable
        {
            private readonly Scheduler _owner;
            private readonly SynchronizationContext? _previous;

            internal ContextScope(Scheduler owner, SynchronizationContext? previous)
            {
                _owner = owner;
                _previous = previous;
            }

            public void Dispose() => _owner?.Leave(_previous);
        }

        // The context is installed once per run loop, not once per event: swapping a thread's
        // SynchronizationContext twice per event was overhead every I/O paid for nothing.
        private SynchronizationContext? Enter()
        {
            var previous = System.Threading.SynchronizationContext.Current;
            if (!ReferenceEquals(previous, SynchronizationContext)) System.Threading.SynchronizationContext.SetSynchronizationContext(SynchronizationContext);
            return previous;
        }

        private void Leave(SynchronizationContext? previous)
        {
            if (!ReferenceEquals(previous, SynchronizationContext)) System.Threading.SynchronizationContext.SetSynchronizationContext(previous);
        }

        private void RunOne()
        {
            var key = _heap[0];
            _count--;
            if (_count > 0)
            {
                _heap[0] = _heap[_count];
                SiftDown(0);
            }
            var e = _events[key.Slot];
            _events[key.Slot] = default;
            _freeSlots[_freeCount++] = key.Slot;
            Now = key.Time;
            EventsRun++;
            if (e.Background) _background--;
            if (e.Handler != null) e.Handler.OnSimEvent(e.Kind, e.Argument);
            else e.Callback!(e.State);
        }

        /// <summary>Time of the earliest pending event, or null.</summary>
        public long? NextEventTime => _count == 0 ? null : _heap[0].Time;

        private static void RunAction(object? state) => ((Action)state!)();

        private void Push(long time, ISimEventHandler? handler, int kind, long argument, SendOrPostCallback? callback, object? state, bool background = false)
        {
            if (_count == _heap.Length) Grow();
            int slot = _freeSlots[--_freeCount];
            _events[slot] = new Entry(handler, kind, argument, callback, state, background);
            _heap[_count] = new Key(time, _sequence++, slot);
            SiftUp(_count++);
        }

        private void Grow()
        {
            int old = _heap.Length;
            Array.Resize(ref _heap, old * 2);
            Array.Resize(ref _events, old * 2);
            Array.Resize(ref _freeSlots, old * 2);
            // Every slot below `old` is in use (the heap was full), so the new ones are the free ones.
            for (int i = old * 2 - 1; i >= old; i--) _freeSlots[_freeCount++] = i;
        }

        private void SiftUp(int i)
        {
            var item = _heap[i];
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
                if (!Less(item, _heap[parent])) break;
                _heap[i] = _heap[parent];
                i = parent;
            }
            _heap[i] = item;
        }

        private void SiftDown(int i)
        {
            var item = _heap[i];
            while (true)
            {
                int child = 2 * i + 1;
                if (child >= _count) break;
                if (child + 1 < _count && Less(_heap[child + 1], _heap[child])) child++;
                if (!Less(_heap[child], item)) break;
                _heap[i] = _heap[child];
                i = child;
            }
            _heap[i] = item;
        }

        private static bool Less(in Key a, in Key b) => a.Time < b.Time || (a.Time == b.Time && a.Sequence < b.Sequence);

        private readonly struct Key
        {
            public Key(long time, long sequence, int slot)
            {
                Time = time;
                Sequence = sequence;
                Slot = slot;
            }

            public readonly long Time;
            public readonly long Sequence;
            public readonly int Slot;
        }

        private readonly struct Entry
        {
            public Entry(ISimEventHandler? handler, int kind, long argument, SendOrPostCallback? callback, object? state, bool background)
            {
                Background = background;
                Handler = handler;
                Kind = kind;
                Argument = argument;
                Callback = callback;
                State = state;
            }

            public readonly ISimEventHandler? Handler;
            public readonly int Kind;
            public readonly long Argument;
            public readonly SendOrPostCallback? Callback;
            public readonly object? State;
            public readonly bool Background;
        }
    }
}
