using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using XenVbd.Sim;

namespace XenVbd.Tests.Sim
{
    public class SchedulerTests
    {
        private sealed class Recorder : ISimEventHandler
        {
            public readonly List<(long Time, int Kind, long Arg)> Seen = new();
            private readonly Scheduler _s;
            public Recorder(Scheduler s) => _s = s;
            public void OnSimEvent(int kind, long argument) => Seen.Add((_s.Now, kind, argument));
        }

        [Fact]
        public void Events_run_in_time_order_and_ties_in_scheduling_order()
        {
            var s = new Scheduler();
            var r = new Recorder(s);
            s.Schedule(30, r, 1);
            s.Schedule(10, r, 2);
            s.Schedule(10, r, 3);
            s.Schedule(0, r, 4);
            s.RunUntilIdle();
            Assert.Equal(new[] { 4, 2, 3, 1 }, r.Seen.ConvertAll(e => e.Kind));
            Assert.Equal(new long[] { 0, 10, 10, 30 }, r.Seen.ConvertAll(e => e.Time));
        }

        [Fact]
        public void Every_run_loop_runs_handlers_under_the_simulation_context_and_restores_the_callers()
        {
            var s = new Scheduler();
            var callers = new System.Threading.SynchronizationContext();
            var seen = new List<System.Threading.SynchronizationContext?>();
            void Capture() => seen.Add(System.Threading.SynchronizationContext.Current);
            var before = System.Threading.SynchronizationContext.Current;
            System.Threading.SynchronizationContext.SetSynchronizationContext(callers);
            try
            {
                s.Post(1, Capture);
                s.RunNext();
                s.Post(1, Capture);
                s.RunUntilIdle();
                s.Post(1, Capture);
                s.RunUntil(s.Now + 5);
                s.Post(1, Capture);
                s.RunWhile(() => s.Pending > 0);
                using (s.EnterContext())
                {
                    Assert.Same(s.SynchronizationContext, System.Threading.SynchronizationContext.Current);
                    s.Post(1, Capture);
                    s.RunNext();
                    // A step inside an entered scope leaves the scope's context in place.
                    Assert.Same(s.SynchronizationContext, System.Threading.SynchronizationContext.Current);
                }

                Assert.Same(callers, System.Threading.SynchronizationContext.Current);
            }
            finally
            {
                System.Threading.SynchronizationContext.SetSynchronizationContext(before);
            }

            Assert.Equal(5, seen.Count);
            Assert.All(seen, c => Assert.Same(s.SynchronizationContext, c));
        }

        [Fact]
        public void A_thirty_second_delay_costs_no_wall_clock_time()
        {
            var s = new Scheduler();
            var r = new Recorder(s);
            s.Schedule(TimeSpan.FromSeconds(30).Ticks, r, 1);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            s.RunUntilIdle();
            Assert.Equal(TimeSpan.FromSeconds(30), s.Clock.Elapsed);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5));
        }

        [Fact]
        public void Run_until_stops_at_the_deadline_and_advances_the_clock()
        {
            var s = new Scheduler();
            var r = new Recorder(s);
            s.Schedule(5, r, 1);
            s.Schedule(50, r, 2);
            s.RunUntil(20);
            Assert.Single(r.Seen);
            Assert.Equal(20, s.Now);
            Assert.Equal(1, s.Pending);
        }

        [Fact]
        public void Stop_token_ends_a_run_at_an_event_boundary()
        {
            var s = new Scheduler();
            var cts = new CancellationTokenSource();
            s.StopToken = cts.Token;
            int ran = 0;
            for (int i = 0; i < 100; i++) s.Post(i, () => { if (++ran == 10) cts.Cancel(); });
            s.RunUntilIdle();
            Assert.Equal(10, ran);
            Assert.Equal(90, s.Pending);
        }

        [Fact]
        public async Task Task_delay_on_the_virtual_clock_resumes_in_virtual_time()
        {
            var s = new Scheduler();
            var order = new List<string>();
            Task? work = null;
            s.Post(0, () =>
            {
                work = Run();
                async Task Run()
                {
                    order.Add("start@" + s.Now);
                    await DelayAsync(s.Clock, TimeSpan.FromMilliseconds(250));
                    order.Add("resumed@" + s.Now);
                }
            });
            s.RunUntilIdle();
            Assert.NotNull(work);
            await work!;
            Assert.Equal(new[] { "start@0", "resumed@" + TimeSpan.FromMilliseconds(250).Ticks }, order);
        }

        private static Task DelayAsync(TimeProvider time, TimeSpan delay)
        {
            var tcs = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            ITimer? timer = null;
            timer = time.CreateTimer(_ => { tcs.TrySetResult(true); timer!.Dispose(); }, null, delay, Timeout.InfiniteTimeSpan);
            return tcs.Task;
        }

        [Fact]
        public void Timer_change_retires_the_earlier_due_time()
        {
            var s = new Scheduler();
            int fired = 0;
            var t = s.Clock.CreateTimer(_ => fired++, null, TimeSpan.FromTicks(100), Timeout.InfiniteTimeSpan);
            t.Change(TimeSpan.FromTicks(500), Timeout.InfiniteTimeSpan);
            s.RunUntil(200);
            Assert.Equal(0, fired);
            s.RunUntilIdle();
            Assert.Equal(1, fired);
            Assert.Equal(500, s.Now);
        }
    }
}
