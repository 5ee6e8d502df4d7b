using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Lab;
using XenVbd.Workload;

namespace XenVbd.Tests.Lab
{
    /// <summary>
    /// A small lab built on the engine directly, to feed the report writers a realistic result (workloads with
    /// latency and timelines, metrics, plot points); the labs themselves are PowerShell scripts, tested by Pester.
    /// </summary>
    internal static class SampleLab
    {
        public static LabResult Run(string name, ulong seed)
        {
            var lab = new LabResult(name, seed);
            foreach (int alignment in new[] { 0, 511 })
            {
                string label = "sample +" + alignment;
                using var device = VbdDevice.Create(new VbdDeviceOptions { Name = "sample", SizeBytes = 16L << 20, Seed = lab.SeedFor(label), Bounce = BounceStrategyKind.PerSrb });
                var spec = new WorkloadSpec
                {
                    Name = label,
                    BlockSizes = BlockSizeDistribution.Fixed(16384),
                    MisalignedFraction = alignment == 0 ? 0 : 1,
                    AlignmentOffsets = alignment == 0 ? new int[0] : new[] { alignment },
                    QueueDepth = 4,
                    Count = 64,
                    LengthBytes = 4 << 20,
                    Seed = lab.SeedFor(label + "/workload"),
                };
                var r = WorkloadRunner.Run(new DeviceWorkloadTarget(device, 4, 16384), spec);
                lab.CheckWorkload(label, r);
                lab.Point("Bounce cost against transfer size", alignment == 0 ? "aligned" : "PerSrb +511", 16384, r.VirtualElapsed.TotalMilliseconds * 1000 / r.Operations);
                lab.Metric(label + ".bytes_bounced", r.BytesBounced);
                lab.Find($"{label}: {r.Operations} ops, {r.BytesBounced} bytes bounced.");
            }
            return lab;
        }
    }
}
