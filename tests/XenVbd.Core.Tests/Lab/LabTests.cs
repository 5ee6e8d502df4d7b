using System.Linq;
using XenVbd.Lab;

namespace XenVbd.Tests.Lab
{
    public class LabTests
    {
        public static TheoryData<string> LabNames()
        {
            var data = new TheoryData<string>();
            foreach (var n in LabRunner.Names()) data.Add(n);
            return data;
        }

        [Theory]
        [MemberData(nameof(LabNames))]
        public void Each_lab_passes_on_the_in_memory_disk(string name)
        {
            var result = LabRunner.Run(LabRunner.Find(name)!, 1);
            Assert.True(result.Passed, name + " failed:\n" + string.Join("\n", result.Failures) + "\nfindings:\n" + string.Join("\n", result.Findings));
            Assert.NotEmpty(result.Findings);
            Assert.Equal("Invoke-VbdLab -Name " + name + " -Seed 1", result.ReplayCommand);
        }

        [Fact]
        public void Labs_are_found_by_name_or_number_and_unknown_names_are_refused()
        {
            Assert.Equal("Migration", LabRunner.Find("migration")!.Name);
            Assert.Equal("ChkdskBurst", LabRunner.Find("06")!.Name);
            Assert.Null(LabRunner.Find("nope"));
            Assert.Throws<System.ArgumentException>(() => LabRunner.Run(new[] { "nope" }, 1));
            Assert.Equal(6, LabRunner.All.Select(l => l.Name).Distinct().Count());
        }
    }
}
