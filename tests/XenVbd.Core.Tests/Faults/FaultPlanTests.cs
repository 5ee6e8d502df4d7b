using System;
using XenVbd.Faults;

namespace XenVbd.Tests.Faults
{
    public class FaultPlanTests
    {
        [Fact]
        public void Add_assigns_increasing_ids_and_bumps_the_version()
        {
            var plan = new FaultPlan();
            int v0 = plan.Version;
            int a = plan.Add(new FaultRule(FaultKind.Drop));
            int b = plan.Add(new FaultRule(FaultKind.Error));
            Assert.Equal(1, a);
            Assert.Equal(2, b);
            Assert.Equal(v0 + 2, plan.Version);
            Assert.Equal(new[] { FaultKind.Drop, FaultKind.Error }, new[] { plan.Rules[0].Kind, plan.Rules[1].Kind });
        }

        [Fact]
        public void Remove_uninstalls_the_rule_and_ids_are_never_reused()
        {
            var plan = new FaultPlan();
            var rule = new FaultRule(FaultKind.Drop);
            int id = plan.Add(rule);
            Assert.True(plan.Remove(id));
            Assert.False(plan.Remove(id));
            Assert.False(rule.IsInstalled);
            Assert.False(rule.IsActiveAt(0));
            Assert.Equal(id + 1, plan.Add(new FaultRule(FaultKind.Drop)));
            Assert.Null(plan.Find(id));
        }

        [Fact]
        public void Clear_empties_the_table()
        {
            var plan = new FaultPlan();
            plan.Add(new FaultRule(FaultKind.Drop));
            plan.Add(new FaultRule(FaultKind.Duplicate));
            plan.Clear();
            Assert.Equal(0, plan.Count);
        }

        [Theory]
        [InlineData(-0.1)]
        [InlineData(1.5)]
        [InlineData(double.NaN)]
        public void A_rate_outside_zero_to_one_is_refused(double rate)
        {
            var plan = new FaultPlan();
            Assert.Throws<ArgumentOutOfRangeException>(() => plan.Add(new FaultRule(FaultKind.Drop) { Rate = rate }));
            Assert.Equal(0, plan.Count);
        }

        [Fact]
        public void A_latency_rule_without_a_distribution_is_refused()
        {
            Assert.Throws<ArgumentException>(() => new FaultPlan().Add(new FaultRule(FaultKind.Latency)));
        }

        [Fact]
        public void Bad_sectors_need_a_bounded_range()
        {
            Assert.Throws<ArgumentException>(() => new FaultPlan().Add(new FaultRule(FaultKind.BadSectors)));
        }

        [Fact]
        public void ActiveFor_without_a_period_is_refused()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new FaultPlan().Add(new FaultRule(FaultKind.Drop) { ActiveFor = TimeSpan.FromSeconds(1) }));
        }

        [Fact]
        public void A_rule_cannot_be_installed_twice()
        {
            var rule = new FaultRule(FaultKind.Drop);
            new FaultPlan().Add(rule);
            Assert.Throws<InvalidOperationException>(() => new FaultPlan().Add(rule));
        }

        [Fact]
        public void The_window_bounds_activity_in_virtual_time()
        {
            var rule = new FaultRule(FaultKind.Drop) { Start = TimeSpan.FromMilliseconds(1), End = TimeSpan.FromMilliseconds(2) };
            new FaultPlan().Add(rule);
            Assert.False(rule.IsActiveAt(TimeSpan.FromMilliseconds(0.5).Ticks));
            Assert.True(rule.IsActiveAt(TimeSpan.FromMilliseconds(1).Ticks));
            Assert.True(rule.IsActiveAt(TimeSpan.FromMilliseconds(1.9).Ticks));
            Assert.False(rule.IsActiveAt(TimeSpan.FromMilliseconds(2).Ticks));
        }

        [Fact]
        public void A_flakey_cycle_is_up_only_for_ActiveFor_in_each_period()
        {
            var rule = new FaultRule(FaultKind.Drop) { Period = TimeSpan.FromSeconds(10), ActiveFor = TimeSpan.FromSeconds(2) };
            new FaultPlan().Add(rule);
            Assert.True(rule.IsActiveAt(TimeSpan.FromSeconds(1).Ticks));
            Assert.False(rule.IsActiveAt(TimeSpan.FromSeconds(5).Ticks));
            Assert.True(rule.IsActiveAt(TimeSpan.FromSeconds(11).Ticks));
            Assert.False(rule.IsActiveAt(TimeSpan.FromSeconds(12).Ticks));
        }

        [Theory]
        [InlineData(FaultOps.Read, 100, 8, true)]
        [InlineData(FaultOps.Write, 100, 8, false)]
        [InlineData(FaultOps.Read, 92, 8, false)]
        [InlineData(FaultOps.Read, 93, 8, true)]
        [InlineData(FaultOps.Read, 199, 8, true)]
        [InlineData(FaultOps.Read, 200, 8, false)]
        public void A_target_matches_by_operation_and_overlapping_sectors(FaultOps op, long sector, long count, bool expected)
        {
            var target = new FaultTarget(FaultOps.Read | FaultOps.Flush, 100, 200);
            Assert.Equal(expected, target.Matches(op, sector, count));
        }

        [Fact]
        public void A_whole_disk_target_matches_sectorless_requests()
        {
            Assert.True(FaultTarget.Everything.Matches(FaultOps.Flush, 0, 0));
            Assert.False(new FaultTarget(FaultOps.All, 100, 200).Matches(FaultOps.Flush, 0, 0));
        }
    }
}
