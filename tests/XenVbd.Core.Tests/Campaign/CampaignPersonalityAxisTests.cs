using System.Linq;
using XenVbd.Campaign;

namespace XenVbd.Tests.Campaign
{
    /// <summary>The frontend and backend personalities are campaign axes like any device option.</summary>
    public sealed class CampaignPersonalityAxisTests
    {
        [Fact]
        public void A_workload_that_flushes_passes_on_the_hardened_frontend_and_fails_on_Gplpv2012_which_never_flushed()
        {
            var m = new CampaignMatrix(CampaignAxisSet.Default) { Name = "personalities" };
            m.Sweep("Personality", "Hardened", "Gplpv2012");
            m.Sweep("BackendPersonality", "LinuxBlkback", "Qemu72");
            m.AddFaultPlan("none");
            m.AddWorkload("flushing", new CampaignWorkload { BlockSizes = new[] { 4096 }, Count = 64, QueueDepth = 4, LengthBytes = 1 << 20, FlushEvery = 8 });
            m.WithSeeds(new ulong[] { 3 });

            var results = CampaignRunner.Run(m).ToArray();

            Assert.Equal(4, results.Length);
            // GPLPV's 2012 scsiport driver answers SYNCHRONIZE CACHE with an error (it never puts a flush on the ring),
            // whichever backend dom0 runs; the hardened design flushes and passes on both.
            var gplpv = results.Where(r => r.Configuration.Contains("Personality=Gplpv2012")).ToArray();
            var hardened = results.Except(gplpv).ToArray();
            Assert.Equal(2, gplpv.Length);
            Assert.All(gplpv, r => Assert.Equal(CampaignOutcome.Failed, r.Outcome));
            Assert.All(hardened, r => Assert.Equal(CampaignOutcome.Passed, r.Outcome));
            Assert.Contains(results, r => r.Configuration.Contains("BackendPersonality=Qemu72"));
        }
    }
}
