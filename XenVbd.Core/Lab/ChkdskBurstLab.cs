using XenVbd.Frontend;
using XenVbd.Workload;

namespace XenVbd.Lab
{
    /// <summary>
    /// Lab 6: chkdsk's large transfers (64 KiB to 1 MiB) from misaligned buffers, through the GPLPV 2008 driver's
    /// per-SRB 4 KiB bounce buffer — many passes per SRB — and, for comparison, aligned.
    /// </summary>
    public sealed class ChkdskBurstLab : ILab
    {
        public string Name => "ChkdskBurst";

        public string Description => "Large misaligned transfers through the multi-pass bounce path.";

        public LabResult Run(LabContext context)
        {
            var lab = new LabResult(Name, context.Seed);
            int max = 1 << 20;
            foreach (bool misaligned in new[] { true, false })
            {
                string label = misaligned ? "chkdsk misaligned" : "chkdsk aligned";
                context.Report(Name, label, misaligned ? 0 : 50);
                using var device = context.CreateDevice(label, 2, max, o => o.Bounce = BounceStrategyKind.PerSrb);
                var spec = new WorkloadSpec
                {
                    Name = label,
                    Pattern = IoPattern.Sequential,
                    ReadFraction = 0.5,
                    BlockSizes = BlockSizeDistribution.ChkdskBurst,
                    MisalignedFraction = misaligned ? 1 : 0,
                    QueueDepth = 2,
                    Count = 120,
                    LengthBytes = 32 << 20,
                    Seed = context.SeedFor(label),
                };
                var target = new DeviceWorkloadTarget(device, 2, max);
                var r = WorkloadRunner.Run(target, spec, context.RunOptions());
                LabChecks.Workload(lab, label, r, doubleCompletions: target.DoubleCompletions);
                lab.Check(r.RequestsSplit > 0, $"{label}: no SRB was split across ring requests");
                if (misaligned) lab.Check(r.BouncePasses > r.Operations, $"{label}: {r.BouncePasses} bounce passes for {r.Operations} SRBs; large SRBs must take several");
                else lab.Check(r.BytesBounced == 0, $"{label}: aligned transfers bounced {r.BytesBounced} bytes");
                string key = misaligned ? "misaligned" : "aligned";
                lab.Metric(key + ".bounce_passes_per_srb", r.Operations == 0 ? 0 : System.Math.Round((double)r.BouncePasses / r.Operations, 3));
                lab.Metric(key + ".requests_per_srb", r.Operations == 0 ? 0 : System.Math.Round((double)r.RingRequests / r.Operations, 3));
                lab.Metric(key + ".mb_per_s_virtual", System.Math.Round(r.BandwidthVirtual / 1e6, 3));
                lab.Find($"{label}: {r.Operations} SRBs of 64 KiB..1 MiB, {LabChecks.F(lab.Metrics[key + ".bounce_passes_per_srb"])} bounce passes and {LabChecks.F(lab.Metrics[key + ".requests_per_srb"])} ring requests per SRB, {LabChecks.F(r.BandwidthVirtual / 1e6)} MB/s virtual, data intact.");
            }
            return lab;
        }
    }
}
