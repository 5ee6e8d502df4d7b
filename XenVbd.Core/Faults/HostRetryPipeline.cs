using System;
using System.Threading.Tasks;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Simmy;
using Polly.Simmy.Fault;
using Polly.Simmy.Latency;
using Polly.Timeout;
using XenVbd.Sim;

namespace XenVbd.Faults
{
    /// <summary>
    /// Builds the host-side SRB pipeline (retry → circuit breaker → timeout → host chaos → SRB) on the
    /// engine's virtual clock and seeded random source. Delays and timeouts are scheduler timers, and
    /// continuations come back through the scheduler's synchronization context, so the same seed gives the
    /// same retries at the same virtual instants and a 60-second timeout costs no wall-clock time. Every wait
    /// handed to Polly (retry delay, chaos latency, attempt timeout) is a whole number of milliseconds, because
    /// .NET 8+ truncates a TimeProvider wait to milliseconds and netstandard2.0's does not
    /// (<see cref="HostRetryBackoff"/>).
    /// </summary>
    public static class HostRetryPipeline
    {
        /// <param name="isTransient">Whether a completed SRB's result is worth retrying (busy, bus reset, error).</param>
        public static ResiliencePipeline<TResult> Build<TResult>(
            HostRetryOptions options, Scheduler scheduler, SimRandom random, Func<TResult, bool> isTransient, HostRetryCounters counters)
        {
            if (options == null) throw new ArgumentNullException(nameof(options));
            if (scheduler == null) throw new ArgumentNullException(nameof(scheduler));
            if (random == null) throw new ArgumentNullException(nameof(random));
            if (isTransient == null) throw new ArgumentNullException(nameof(isTransient));
            if (counters == null) throw new ArgumentNullException(nameof(counters));

            var shouldHandle = new PredicateBuilder<TResult>()
                .Handle<TransientSrbException>()
                .Handle<TimeoutRejectedException>()
                .HandleResult(r => isTransient(r));

            var builder = new ResiliencePipelineBuilder<TResult> { TimeProvider = scheduler.Clock, Name = "xenvbd-host-srb" };
            if (options.MaxRetries > 0)
            {
                // The engine computes the delays (whole milliseconds, see HostRetryBackoff): Polly's own
                // jittered back-off is waited differently on .NET 10 and on .NET Framework / Mono.
                var backoff = new HostRetryBackoff(options.BaseDelay, options.MaxDelay, random.Fork("retry-jitter"));
                builder.AddRetry(new RetryStrategyOptions<TResult>
                {
                    MaxRetryAttempts = options.MaxRetries,
                    DelayGenerator = args => new ValueTask<TimeSpan?>(backoff.Next(args.AttemptNumber)),
                    ShouldHandle = shouldHandle,
                    OnRetry = _ =>
                    {
                        counters.Retry();
                        return default;
                    },
                });
            }
            if (options.UseCircuitBreaker)
            {
                builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<TResult>
                {
                    FailureRatio = options.BreakerFailureRatio,
                    MinimumThroughput = options.BreakerMinimumThroughput,
                    SamplingDuration = options.BreakerSamplingDuration,
                    BreakDuration = options.BreakerBreakDuration,
                    ShouldHandle = shouldHandle,
                    // No OnOpened callback on purpose: Polly runs breaker callbacks on a thread-pool task and
                    // waits for it, which would step outside the scheduler. The telemetry listener is inline.
                });
                builder.TelemetryListener = new BreakerTelemetry(counters);
            }
            if (options.AttemptTimeout.HasValue)
            {
                builder.AddTimeout(new TimeoutStrategyOptions
                {
                    Timeout = HostRetryBackoff.RoundUpToMilliseconds(options.AttemptTimeout.Value),
                    OnTimeout = _ =>
                    {
                        counters.Timeout();
                        return default;
                    },
                });
            }
            if (options.HostBusResetRate > 0)
            {
                builder.AddChaosFault(new ChaosFaultStrategyOptions
                {
                    InjectionRate = options.HostBusResetRate,
                    Randomizer = random.Fork("host-bus-reset").NextDouble,
                    FaultGenerator = _ => new ValueTask<Exception?>(new TransientSrbException("SRB_STATUS_BUS_RESET injected by the host fault plan.")),
                    OnFaultInjected = _ =>
                    {
                        counters.BusReset();
                        return default;
                    },
                });
            }
            if (options.HostStallRate > 0)
            {
                builder.AddChaosLatency(new ChaosLatencyStrategyOptions
                {
                    InjectionRate = options.HostStallRate,
                    Latency = HostRetryBackoff.RoundUpToMilliseconds(options.HostStall),
                    Randomizer = random.Fork("host-stall").NextDouble,
                    OnLatencyInjected = _ =>
                    {
                        counters.Stall();
                        return default;
                    },
                });
            }
            return builder.Build();
        }

        /// <summary>
        /// A pooled context that resumes on the captured (scheduler) context, so every continuation is a
        /// scheduler event rather than a thread-pool hop. Return it with <see cref="ResilienceContextPool"/>.
        /// </summary>
        public static ResilienceContext RentContext(System.Threading.CancellationToken cancellationToken = default)
            => ResilienceContextPool.Shared.Get(continueOnCapturedContext: true, cancellationToken);
    }
}
