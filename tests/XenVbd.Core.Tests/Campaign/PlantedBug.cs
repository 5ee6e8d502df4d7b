using XenVbd.Backend;
using XenVbd.Campaign;
using XenVbd.Ring;

namespace XenVbd.Tests.Campaign
{
    /// <summary>
    /// A test-only backend bug the campaign must find and shrink: blkback answers OKAY to a write without
    /// doing it, but only when three things meet: the ring uses the x86_32 layout, the request is INDIRECT,
    /// and it carries more than 11 segments' worth of sectors (so it could not have been a direct request).
    /// The x86_32 ring is what a probing frontend gets from this blkback whatever its own bitness, and what
    /// a 32-bit frontend gets when it announces; a 64-bit frontend that announces gets x86_64. So the smallest
    /// case that shows the bug is known: the default frontend (64-bit, probing), indirect segments on, one
    /// transfer size of 45,568 bytes (eleven pages and one sector, aligned: the first size that needs a
    /// twelfth segment), no fault rules, one device.
    /// </summary>
    internal sealed class PlantedBug : IBackendInterceptor
    {
        public const int SmallestTriggeringTransfer = 11 * 4096 + 512;

        public static CampaignAxis Axis { get; } = new CampaignAxis("PlantedBug", new[] { "Off", "On" },
            (o, v) => o.BackendInterceptor = v == "On" ? new PlantedBug() : null, "test only: a backend that loses some writes");

        public static CampaignAxisSet Axes { get; } = CampaignAxisSet.Default.With(Axis);

        public void OnRequest(BlkBack backend, ref BackendRequestPlan plan)
        {
            if (plan.Abi == BlkifAbi.X86_32 && plan.Operation == BlkifOp.Indirect && plan.IoOperation == BlkifOp.Write && plan.SectorCount > 11 * 8)
                plan.StatusOverride = 0;
        }
    }
}
