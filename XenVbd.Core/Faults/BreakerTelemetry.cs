using Polly.Telemetry;

namespace XenVbd.Faults
{
    /// <summary>
    /// Counts circuit-breaker openings from Polly's telemetry, which is reported inline on the executing
    /// (scheduler) thread, unlike the breaker's OnOpened callback.
    /// </summary>
    internal sealed class BreakerTelemetry : TelemetryListener
    {
        private readonly HostRetryCounters _counters;

        public BreakerTelemetry(HostRetryCounters counters) => _counters = counters;

        public override void Write<TResult, TArgs>(in TelemetryEventArguments<TResult, TArgs> args)
        {
            if (args.Event.EventName == "OnCircuitOpened") _counters.Opened();
        }
    }
}
