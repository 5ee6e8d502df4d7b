using XenVbd.Faults;
using XenVbd.Frontend;
using XenVbd.Workload;

namespace XenVbd.Lab
{
    /// <summary>
    /// Lab 5: a backend that lies — a response id nobody has pending, an operation that does not match,
    /// <c>rsp_prod</c> running more than a ring ahead, the same response twice. The frontend must go
    /// Broken cleanly: every SRB completes exactly once (with an error), nothing hangs, nothing crashes.
    /// </summary>
    public sealed class RogueBackendLab : ILab
    {
        private static readonly FaultKind[] Kinds = { FaultKind.BadId, FaultKind.WrongOp, FaultKind.RspProdJump, FaultKind.Duplicate };

        public string Name => "RogueBackend";

        public string Description => "Every corruption kind; the device goes Broken cleanly and no SRB completes twice.";

        public LabResult Run(LabContext context)
        {
            var lab = new LabResult(Name, context.Seed);
            int i = 0;
            foreach (var kind in Kinds)
            {
                if (context.CancellationToken.IsCancellationRequested) break;
                context.Report(Name, kind.ToString(), 25 * i++);
                using var device = context.CreateDevice("rogue " + kind, 8, 4096);
                var session = DeviceFaultSession.Attach(device);
                var spec = new WorkloadSpec
                {
                    Name = "rogue " + kind,
                    BlockSizes = BlockSizeDistribution.Fixed(4096),
                    QueueDepth = 8,
                    Count = 400,
                    LengthBytes = 2 << 20,
                    Seed = context.SeedFor(kind.ToString()),
                };
                var options = new WorkloadRunOptions
                {
                    CancellationToken = context.CancellationToken,
                    Faults = session.Injector,
                    OnCompletion = n => { if (n == 100) session.Plan.Add(new FaultRule(kind) { MaxCount = 1 }); },
                };
                var target = new DeviceWorkloadTarget(device, 8, 4096);
                var r = WorkloadRunner.Run(target, spec, options);
                LabChecks.Workload(lab, spec.Name, r, errorsAllowed: true, doubleCompletions: target.DoubleCompletions);
                long injected = session.Counters[kind];
                lab.Check(injected == 1, $"{kind}: injected {injected} times instead of once");
                lab.Check(device.State == FrontendState.Broken, $"{kind}: the device ended {device.State}, not Broken");
                lab.Check(r.Errors > 0, $"{kind}: no SRB failed after the backend lied");
                lab.Metric(kind + ".errors", r.Errors);
                lab.Metric(kind + ".completed", r.Operations);
                lab.Find($"{kind}: device {device.State} ({device.Frontend.FailureReason ?? "no reason given"}); {r.Operations} SRBs completed once each, {r.Errors} with an error, {r.Stuck} stuck.");
            }
            return lab;
        }
    }
}
