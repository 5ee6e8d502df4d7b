using XenVbd.Lab;
using XenVbd.Workload;

namespace XenVbd.Tests.Lab
{
    public class LabTests
    {
        [Fact]
        public void SeedFor_is_a_function_of_the_lab_seed_and_the_step()
        {
            var a = new LabResult("A", 7);
            Assert.Equal(a.SeedFor("step"), new LabResult("B", 7).SeedFor("step"));
            Assert.NotEqual(a.SeedFor("step"), a.SeedFor("other step"));
            Assert.NotEqual(a.SeedFor("step"), new LabResult("A", 8).SeedFor("step"));
            // FNV-1a over the seed: the value the labs have always derived, so old seeds replay the same devices.
            Assert.Equal(14695981039346656037UL ^ 7UL, new LabResult("A", 7).SeedFor(""));
        }

        [Fact]
        public void CheckWorkload_fails_on_violations_stuck_doubles_and_errors_and_counts_its_checks()
        {
            var lab = new LabResult("A", 1);
            var bad = new WorkloadResult { Operations = 10, Stuck = 1, DoubleCompletions = 2, ViolationCount = 3, Errors = 4 };
            Assert.False(lab.CheckWorkload("bad", bad));
            Assert.Equal(4, lab.Failures.Count);
            Assert.Single(lab.Workloads);
            Assert.Equal(5, lab.ChecksMade);

            var errorsAllowed = new LabResult("B", 1);
            Assert.True(errorsAllowed.CheckWorkload("rogue", new WorkloadResult { Operations = 10, Errors = 4 }, errorsAllowed: true));
            Assert.True(errorsAllowed.Passed);
            Assert.False(errorsAllowed.CheckWorkload("idle", new WorkloadResult()));
        }

        [Fact]
        public void A_user_lab_replays_with_its_path_and_a_shipped_one_by_name()
        {
            var lab = new LabResult("Mine", 3);
            Assert.Equal("Invoke-VbdLab -Name Mine -Seed 3", lab.ReplayCommand);
            lab.ScriptPath = "/home/o'neil/labs/Mine.ps1";
            Assert.Equal("Invoke-VbdLab -Name Mine -Seed 3 -Path '/home/o''neil/labs/Mine.ps1'", lab.ReplayCommand);
        }

        [Fact]
        public void The_sample_lab_passes_and_bounces_only_misaligned_io()
        {
            var lab = SampleLab.Run("Sample", 1);
            Assert.True(lab.Passed, string.Join("\n", lab.Failures));
            Assert.Equal(0, lab.Metrics["sample +0.bytes_bounced"]);
            Assert.True(lab.Metrics["sample +511.bytes_bounced"] > 0);
        }
    }
}
