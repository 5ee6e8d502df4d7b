using XenVbd.Frontend;
using XenVbd.Workload;

namespace XenVbd.Lab
{
    /// <summary>
    /// Lab 1: the three bounce strategies (the GPLPV 2008 driver's per-SRB 4 KiB buffer, later GPLPV's per-device
    /// 11-page buffer, the Xen Project driver's per-segment pool) against aligned I/O, over transfer sizes
    /// and alignments. Data must survive; aligned I/O must not bounce; the cost per strategy is reported.
    /// </summary>
    public sealed class MisalignedBuffersLab : ILab
    {
        private static readonly int[] Sizes = { 512, 4096, 16384, 65536 };
        private static readonly int[] Alignments = { 0, 1, 511 };
        private static readonly BounceStrategyKind[] Strategies = { BounceStrategyKind.PerSrb, BounceStrategyKind.DeviceBuffer, BounceStrategyKind.SegmentPool };

        public string Name => "MisalignedBuffers";

        public string Description => "Bounce strategies against aligned I/O across sizes and alignments; cost per strategy.";

        public LabResult Run(LabContext context)
        {
            var lab = new LabResult(Name, context.Seed);
            int step = 0, steps = Strategies.Length;
            foreach (var strategy in Strategies)
            {
                context.Report(Name, strategy.ToString(), 100 * step++ / steps);
                using var device = context.CreateDevice("misaligned-" + strategy, 4, 65536, o => o.Bounce = strategy);
                var target = new DeviceWorkloadTarget(device, 4, 65536);
                long region = 0;
                foreach (int size in Sizes)
                {
                    foreach (int alignment in Alignments)
                    {
                        var spec = new WorkloadSpec
                        {
                            Name = $"{strategy} {size} B +{alignment}",
                            Pattern = IoPattern.Random,
                            ReadFraction = 0.5,
                            BlockSizes = BlockSizeDistribution.Fixed(size),
                            MisalignedFraction = alignment == 0 ? 0 : 1,
                            AlignmentOffsets = alignment == 0 ? new int[0] : new[] { alignment },
                            QueueDepth = 4,
                            Count = 96,
                            // A fresh region per run: the device is shared, and each run verifies against a disk it alone wrote.
                            OffsetBytes = (region++) * (4 << 20),
                            LengthBytes = 4 << 20,
                            Seed = context.SeedFor($"{strategy}/{size}/{alignment}"),
                        };
                        var r = WorkloadRunner.Run(target, spec, context.RunOptions());
                        LabChecks.Workload(lab, spec.Name, r, doubleCompletions: target.DoubleCompletions);
                        if (alignment == 0) lab.Check(r.BytesBounced == 0, $"{spec.Name}: aligned I/O bounced {r.BytesBounced} bytes");
                        else lab.Check(r.BytesBounced >= r.BytesRead + r.BytesWritten, $"{spec.Name}: misaligned I/O bounced only {r.BytesBounced} of {r.BytesRead + r.BytesWritten} bytes");
                        double usPerOp = r.Operations == 0 ? 0 : r.VirtualElapsed.TotalMilliseconds * 1000 / r.Operations;
                        string series = alignment == 0 ? "aligned" : strategy + " +" + alignment;
                        if (alignment == 0 && strategy != BounceStrategyKind.PerSrb) series = "aligned (" + strategy + ")";
                        lab.Points.Add(new LabPoint("Bounce cost against transfer size", series, size, usPerOp));
                        lab.Metric($"{strategy}.{size}.{alignment}.us_per_op", System.Math.Round(usPerOp, 3));
                        lab.Metric($"{strategy}.{size}.{alignment}.bounce_passes_per_op", r.Operations == 0 ? 0 : System.Math.Round((double)r.BouncePasses / r.Operations, 3));
                    }
                }
                if (context.CancellationToken.IsCancellationRequested) break;
            }
            foreach (var strategy in Strategies)
            {
                double aligned = lab.Metrics[$"{strategy}.65536.0.us_per_op"], bounced = lab.Metrics[$"{strategy}.65536.511.us_per_op"];
                lab.Find($"{strategy}: 64 KiB at +511 costs {LabChecks.F(bounced)} us/op against {LabChecks.F(aligned)} us/op aligned ({LabChecks.F(lab.Metrics[$"{strategy}.65536.511.bounce_passes_per_op"])} bounce passes per op).");
            }
            return lab;
        }
    }
}
