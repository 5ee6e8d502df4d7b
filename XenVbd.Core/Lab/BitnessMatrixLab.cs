using XenVbd.Backend;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Workload;

namespace XenVbd.Lab
{
    /// <summary>
    /// Lab 2: frontend ABI × backend ABI × backend mode × frontend mode (24 machines). Each must either
    /// agree on a layout (directly or by the probe switching) and keep every byte, or refuse honestly
    /// (a LayoutMismatch state) — never connect and corrupt.
    /// </summary>
    public sealed class BitnessMatrixLab : ILab
    {
        /// <summary>The GPLPV 2008 small-I/O mix without chkdsk bursts: this lab is about layouts, not transfer sizes.</summary>
        private static readonly BlockSizeDistribution SmallWindowsSizes = new BlockSizeDistribution(new[]
        {
            new System.Collections.Generic.KeyValuePair<int, double>(512, 0.90),
            new System.Collections.Generic.KeyValuePair<int, double>(4096, 0.08),
            new System.Collections.Generic.KeyValuePair<int, double>(8192, 0.02),
        });

        public string Name => "BitnessMatrix";

        public string Description => "Frontend ABI x backend ABI x backend mode x frontend mode: probe outcome, round trips, data intact.";

        public LabResult Run(LabContext context)
        {
            var lab = new LabResult(Name, context.Seed);
            int working = 0, refused = 0, switched = 0, i = 0;
            foreach (BlkifAbi fe in new[] { BlkifAbi.X86_32, BlkifAbi.X86_64 })
            foreach (BlkifAbi be in new[] { BlkifAbi.X86_32, BlkifAbi.X86_64 })
            foreach (BackendAbiMode bm in new[] { BackendAbiMode.Protocol, BackendAbiMode.Native })
            foreach (FrontendAbiMode fm in new[] { FrontendAbiMode.Probe, FrontendAbiMode.Announce, FrontendAbiMode.AnnounceAndProbe })
            {
                if (context.CancellationToken.IsCancellationRequested) return lab;
                string label = $"fe {Short(fe)} {fm} / be {Short(be)} {bm}";
                context.Report(Name, label, 100 * i++ / 24);
                using var device = context.CreateDevice("matrix " + label, 4, 8192, o =>
                {
                    o.FrontendAbi = fe;
                    o.FrontendMode = fm;
                    o.BackendAbi = be;
                    o.BackendMode = bm;
                });
                var probe = device.ProbeResult;
                string key = $"{Short(fe)}.{fm}.{Short(be)}.{bm}";
                lab.Metric(key + ".probe_round_trips", probe?.RoundTrips ?? 0);
                lab.Metric(key + ".switched", probe != null && probe.Switched ? 1 : 0);
                if (device.State != FrontendState.Ready)
                {
                    refused++;
                    lab.Check(device.State == FrontendState.LayoutMismatch, $"{label}: ended in {device.State} instead of Ready or an honest LayoutMismatch");
                    lab.Find($"{label}: refused ({device.State}).");
                    continue;
                }
                working++;
                if (probe != null && probe.Switched) switched++;
                var spec = new WorkloadSpec
                {
                    Name = label,
                    BlockSizes = SmallWindowsSizes,
                    MisalignedFraction = 0.2,
                    QueueDepth = 4,
                    Count = 200,
                    LengthBytes = 2 << 20,
                    Seed = context.SeedFor(key),
                };
                var target = new DeviceWorkloadTarget(device, 4, 8192);
                var r = WorkloadRunner.Run(target, spec, context.RunOptions());
                LabChecks.Workload(lab, label, r, doubleCompletions: target.DoubleCompletions);
                lab.Find($"{label}: ring {Short(device.FrontendAbi)}" + (probe == null ? ", no probe" : $", probe {probe.RoundTrips} round trips{(probe.Switched ? ", switched" : "")}") + $", {r.Operations} ops intact.");
            }
            lab.Metric("combinations.working", working);
            lab.Metric("combinations.refused", refused);
            lab.Metric("combinations.switched", switched);
            lab.Check(working >= 16, $"only {working} of 24 combinations connected");
            lab.Check(switched > 0, "the probe never had to switch layouts");
            return lab;
        }

        private static string Short(BlkifAbi abi) => abi == BlkifAbi.X86_32 ? "32" : "64";
    }
}
