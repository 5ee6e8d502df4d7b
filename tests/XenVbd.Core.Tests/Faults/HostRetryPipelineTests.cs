using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using XenVbd.Faults;
using XenVbd.Sim;

namespace XenVbd.Tests.Faults
{
    public class HostRetryPipelineTests
    {
        private const int Ok = 0;
        private const int Busy = 1;

        /// <summary>A device that answers after a fixed virtual service time; the first <c>failures</c> answers are "busy".</summary>
        private sealed class FlakyDevice
        {
            private readonly Scheduler _scheduler;
            private int _failuresLeft;

            public FlakyDevice(Scheduler scheduler, int failures, long serviceTicks, bool answers = true)
            {
                _scheduler = scheduler;
                _failuresLeft = failures;
                ServiceTicks = serviceTicks;
                Answers = answers;
            }

            public long ServiceTicks { get; }

            public bool Answers { get; }

            public List<long> AttemptTimes { get; } = new List<long>();

            public ValueTask<int> ExecuteAsync(CancellationToken ct)
            {
                AttemptTimes.Add(_scheduler.Now);
                var tcs = new TaskCompletionSource<int>();
                ct.Register(() => tcs.TrySetCanceled(ct));
                if (Answers)
                {
                    int result = _failuresLeft-- > 0 ? Busy : Ok;
                    _scheduler.Post(ServiceTicks, () => tcs.TrySetResult(result));
                }
                return new ValueTask<int>(tcs.Task);
            }
        }

        private static T RunSim<T>(Scheduler scheduler, Func<Task<T>> body)
        {
            Task<T>? task = null;
            scheduler.Post(0, () => task = body());
            // Stop at completion: running on to idle would also fire the cancelled timeout timers and jump the clock.
            scheduler.RunWhile(() => task == null || !task.IsCompleted);
            Assert.NotNull(task);
            Assert.True(task!.IsCompleted, "the simulation went idle before the SRB completed");
            return task.GetAwaiter().GetResult();
        }

        private static async Task<int> Execute(ResiliencePipeline<int> pipeline, FlakyDevice device)
        {
            var context = HostRetryPipeline.RentContext();
            try
            {
                return await pipeline.ExecuteAsync(static (ctx, d) => d.ExecuteAsync(ctx.CancellationToken), context, device);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }

        [Fact]
        public void A_busy_answer_is_retried_after_back_off_in_virtual_time()
        {
            var scheduler = new Scheduler(1);
            var counters = new HostRetryCounters();
            var options = new HostRetryOptions { MaxRetries = 4, BaseDelay = TimeSpan.FromMilliseconds(100), UseCircuitBreaker = false };
            var pipeline = HostRetryPipeline.Build<int>(options, scheduler, scheduler.Random.Fork("host"), r => r == Busy, counters);
            var device = new FlakyDevice(scheduler, failures: 2, serviceTicks: TimeSpan.FromMilliseconds(1).Ticks);
            var wall = Stopwatch.StartNew();

            int result = RunSim(scheduler, () => Execute(pipeline, device));

            Assert.Equal(Ok, result);
            Assert.Equal(2, counters.Retries);
            Assert.Equal(3, device.AttemptTimes.Count);
            // Each retry waits at least part of the back-off (jitter varies it) after the 1 ms answer.
            Assert.True(device.AttemptTimes[1] - device.AttemptTimes[0] >= TimeSpan.FromMilliseconds(1).Ticks + TimeSpan.FromMilliseconds(10).Ticks);
            Assert.True(wall.Elapsed < TimeSpan.FromSeconds(5));
        }

        [Fact]
        public void A_sub_millisecond_back_off_is_waited_as_a_whole_millisecond()
        {
            // Polly's own jittered back-off gave 0.15-0.3 ms here: .NET 10 truncated that wait to nothing (the
            // retry went out at once) while .NET Framework / Mono waited it, so one seed gave two different runs.
            var scheduler = new Scheduler(9);
            var counters = new HostRetryCounters();
            var options = new HostRetryOptions { MaxRetries = 3, BaseDelay = TimeSpan.FromTicks(3000), UseCircuitBreaker = false, AttemptTimeout = null };
            var pipeline = HostRetryPipeline.Build<int>(options, scheduler, scheduler.Random.Fork("host"), r => r == Busy, counters);
            var device = new FlakyDevice(scheduler, failures: 3, serviceTicks: 10);

            int result = RunSim(scheduler, () => Execute(pipeline, device));

            Assert.Equal(Ok, result);
            Assert.Equal(4, device.AttemptTimes.Count);
            for (int i = 1; i < device.AttemptTimes.Count; i++)
            {
                long waited = device.AttemptTimes[i] - device.AttemptTimes[i - 1] - device.ServiceTicks;
                Assert.True(waited >= TimeSpan.TicksPerMillisecond, $"retry {i} waited {waited} ticks after the answer");
                Assert.Equal(0, waited % TimeSpan.TicksPerMillisecond);
            }
        }

        [Fact]
        public void The_same_seed_gives_the_same_retry_sequence()
        {
            Assert.Equal(Trace(5), Trace(5));
            Assert.NotEqual(Trace(5), Trace(6));
        }

        private static string Trace(ulong seed)
        {
            var scheduler = new Scheduler(seed);
            var counters = new HostRetryCounters();
            var options = new HostRetryOptions { MaxRetries = 6, UseCircuitBreaker = false, HostBusResetRate = 0.3, HostStallRate = 0.2, HostStall = TimeSpan.FromMilliseconds(50) };
            var pipeline = HostRetryPipeline.Build<int>(options, scheduler, scheduler.Random.Fork("host"), r => r == Busy, counters);
            var times = new List<string>();
            for (int i = 0; i < 20; i++)
            {
                var device = new FlakyDevice(scheduler, failures: i % 3, serviceTicks: 1000);
                int r = RunSim(scheduler, () => Execute(pipeline, device));
                times.Add(r + ":" + string.Join(",", device.AttemptTimes));
            }
            return string.Join(";", times) + "|" + counters.Retries + "/" + counters.HostBusResets + "/" + counters.HostStalls;
        }

        [Fact]
        public void A_device_that_never_answers_times_out_on_the_virtual_clock()
        {
            var scheduler = new Scheduler(1);
            var counters = new HostRetryCounters();
            var options = new HostRetryOptions { MaxRetries = 2, AttemptTimeout = TimeSpan.FromSeconds(60), UseCircuitBreaker = false };
            var pipeline = HostRetryPipeline.Build<int>(options, scheduler, scheduler.Random.Fork("host"), r => r == Busy, counters);
            var device = new FlakyDevice(scheduler, 0, 0, answers: false);
            var wall = Stopwatch.StartNew();

            Assert.Throws<TimeoutRejectedException>(() => RunSim(scheduler, () => Execute(pipeline, device)));

            Assert.Equal(3, counters.Timeouts);
            Assert.Equal(3, device.AttemptTimes.Count);
            Assert.True(scheduler.Now >= TimeSpan.FromSeconds(180).Ticks);
            Assert.True(wall.Elapsed < TimeSpan.FromSeconds(5), "virtual timeouts must not cost wall time");
        }

        [Fact]
        public void The_circuit_breaker_opens_on_a_failing_device_and_rejects_fast()
        {
            var scheduler = new Scheduler(1);
            var counters = new HostRetryCounters();
            var options = new HostRetryOptions { MaxRetries = 0, BreakerMinimumThroughput = 4, BreakerFailureRatio = 0.5, BreakerBreakDuration = TimeSpan.FromSeconds(5) };
            var pipeline = HostRetryPipeline.Build<int>(options, scheduler, scheduler.Random.Fork("host"), r => r == Busy, counters);
            int rejected = 0;
            for (int i = 0; i < 10; i++)
            {
                var device = new FlakyDevice(scheduler, failures: 1, serviceTicks: 1000);
                try
                {
                    RunSim(scheduler, () => Execute(pipeline, device));
                }
                catch (BrokenCircuitException)
                {
                    rejected++;
                    Assert.Empty(device.AttemptTimes);
                }
            }
            Assert.Equal(1, counters.BreakerOpened);
            Assert.Equal(6, rejected);
        }

        [Fact]
        public void A_host_stall_is_a_chaos_latency_in_virtual_time()
        {
            var scheduler = new Scheduler(1);
            var counters = new HostRetryCounters();
            var options = new HostRetryOptions { MaxRetries = 0, UseCircuitBreaker = false, HostStallRate = 1, HostStall = TimeSpan.FromSeconds(2) };
            var pipeline = HostRetryPipeline.Build<int>(options, scheduler, scheduler.Random.Fork("host"), r => r == Busy, counters);
            var device = new FlakyDevice(scheduler, 0, serviceTicks: 1000);
            Assert.Equal(Ok, RunSim(scheduler, () => Execute(pipeline, device)));
            Assert.Equal(TimeSpan.FromSeconds(2).Ticks, device.AttemptTimes[0]);
            Assert.Equal(1, counters.HostStalls);
        }
    }
}
