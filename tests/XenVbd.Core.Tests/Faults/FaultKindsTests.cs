using System;
using System.Linq;
using XenVbd.Faults;

namespace XenVbd.Tests.Faults
{
    public sealed class FaultKindsTests
    {
        [Fact]
        public void The_kinds_run_from_zero_to_count_minus_one_so_counters_can_index_by_kind()
        {
            int[] values = Enum.GetValues(typeof(FaultKind)).Cast<int>().OrderBy(v => v).ToArray();
            Assert.Equal(Enumerable.Range(0, FaultKinds.Count), values);
        }
    }
}
