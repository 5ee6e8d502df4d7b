using System;
using XenVbd.Faults;
using XenVbd.Frontend;
using XenVbd.Workload;

namespace XenVbd.Lab
{
    /// <summary>
    /// Lab 3: responses late by microseconds to seconds (fixed, exponential, long-tail Pareto), the ABI
    /// probe itself under delay, and responses later than the frontend's watchdog — which must reset and,
    /// with the class driver's retry, lose and double nothing.
    /// </summary>
    public sealed class DelayedResponsesLab : ILab
    {
        public string Name => "DelayedResponses";

        public string Description => "Latency distributions up to seconds, the probe under delay, responses past the watchdog: reset and retry, nothing lost or doubled.";

        public LabResult Run(LabContext context)
        {
            var lab = new LabResult(Name, context.Seed);
            var shapes = new (string Label, LatencyDistribution Latency)[]
            {
                ("fixed 1 ms", LatencyDistribution.Fixed(TimeSpan.FromMilliseconds(1))),
                ("exponential mean 5 ms", LatencyDistribution.Exponential(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(2))),
                ("pareto 1 ms alpha 1.3 max 2 s", LatencyDistribution.Pareto(TimeSpan.FromMilliseconds(1), 1.3, TimeSpan.FromSeconds(2))),
            };
            int i = 0;
            foreach (var (label, latency) in shapes)
            {
                context.Report(Name, label, 20 * i++);
                using var device = context.CreateDevice("delay " + label, 8, 8192);
                var session = DeviceFaultSession.Attach(device);
                session.Plan.Add(new FaultRule(FaultKind.Latency) { Latency = latency, Name = label });
                var spec = Spec(label, context.SeedFor(label), 400);
                var target = new DeviceWorkloadTarget(device, 8, 8192);
                var r = WorkloadRunner.Run(target, spec, context.RunOptions(session));
                LabChecks.Workload(lab, label, r, doubleCompletions: target.DoubleCompletions);
                lab.Metric(label + ".p50_us", r.Latency.P50Us);
                lab.Metric(label + ".p99_us", r.Latency.P99Us);
                lab.Metric(label + ".p9999_us", r.Latency.P9999Us);
                lab.Find($"{label}: clat p50 {LabChecks.F(r.Latency.P50Us / 1000)} ms, p99 {LabChecks.F(r.Latency.P99Us / 1000)} ms, max {LabChecks.F(r.Latency.MaxUs / 1000)} ms over {r.Operations} ops, data intact.");
                if (context.CancellationToken.IsCancellationRequested) return lab;
            }

            context.Report(Name, "probe under delay", 60);
            // Every response 500 ms late, the probe's included: the interceptor is installed before connect, so
            // the two op-0xff requests wait like any other, and read/write SRBs wait behind the probe.
            var delay = new UniformDelayInterceptor(TimeSpan.FromMilliseconds(500));
            using (var device = context.CreateDevice("delayed probe", 8, 8192, o => o.BackendInterceptor = delay))
            {
                var probe = device.ProbeResult;
                lab.Check(device.State == FrontendState.Ready, $"probe under delay: the device ended {device.State}");
                lab.Check(probe != null, "probe under delay: the frontend did not probe");
                if (probe != null)
                {
                    double ms = probe.DurationTicks / 10000.0;
                    lab.Metric("probe_under_delay.ms", ms);
                    lab.Metric("probe_under_delay.round_trips", probe.RoundTrips);
                    lab.Check(ms >= 500, $"probe under delay: the probe took {LabChecks.F(ms)} ms, less than the 500 ms every response was held back");
                    lab.Find($"Probe with every response 500 ms late: {probe.RoundTrips} round trip(s) in {LabChecks.F(ms)} ms, layout {probe.Detected}{(probe.Switched ? " (switched)" : "")}; the backend saw {delay.Requests} request(s) by then.");
                }
                var r = WorkloadRunner.Run(new DeviceWorkloadTarget(device, 8, 8192), Spec("slow backend", context.SeedFor("after probe"), 100), context.RunOptions());
                LabChecks.Workload(lab, "slow backend", r);
                lab.Check(r.Latency.P50Us >= 500_000, $"slow backend: p50 {LabChecks.F(r.Latency.P50Us)} us is below the 500 ms delay");
            }

            context.Report(Name, "past the watchdog", 80);
            using (var device = context.CreateDevice("watchdog", 8, 8192))
            {
                var session = DeviceFaultSession.Attach(device);
                var timeout = device.Options.RequestTimeout;
                session.Plan.Add(new FaultRule(FaultKind.Latency)
                {
                    Name = "later than the watchdog",
                    Start = device.Now + TimeSpan.FromMilliseconds(1),
                    MaxCount = 2,
                    Latency = LatencyDistribution.Fixed(timeout + TimeSpan.FromSeconds(15)),
                });
                var retries = new HostRetryCounters();
                var target = new DeviceWorkloadTarget(device, 8, 8192, new HostRetryOptions { MaxRetries = 8, BaseDelay = TimeSpan.FromMilliseconds(10), UseCircuitBreaker = false }, retries);
                var r = WorkloadRunner.Run(target, Spec("past the watchdog", context.SeedFor("watchdog"), 600), context.RunOptions(session, retries));
                LabChecks.Workload(lab, "past the watchdog", r, doubleCompletions: target.DoubleCompletions);
                lab.Check(r.Timeouts > 0, "past the watchdog: the frontend's watchdog never fired");
                lab.Check(r.Retries > 0, "past the watchdog: nothing was retried");
                lab.Metric("watchdog.timeouts", r.Timeouts);
                lab.Metric("watchdog.resets", r.Resets);
                lab.Metric("watchdog.retries", r.Retries);
                lab.Find($"Responses {LabChecks.F((timeout + TimeSpan.FromSeconds(15)).TotalSeconds)} s late against a {LabChecks.F(timeout.TotalSeconds)} s watchdog: {r.Timeouts} timeouts, {r.Resets} resets, {r.Retries} retries; {r.Operations} ops, none lost or doubled.");
            }
            return lab;
        }

        private static WorkloadSpec Spec(string name, ulong seed, long count) => new WorkloadSpec
        {
            Name = name,
            ReadFraction = 0.5,
            BlockSizes = BlockSizeDistribution.Fixed(4096),
            MisalignedFraction = 0.25,
            QueueDepth = 8,
            Count = count,
            LengthBytes = 4 << 20,
            Seed = seed,
        };
    }
}
