using System;
using System.Collections.Generic;
using System.Text;
using XenVbd.Faults;
using XenVbd.Ring;
using XenVbd.Sim;

namespace XenVbd.Tests.Faults
{
    public class FaultDecisionTests
    {
        private static RequestInfo Read(long sector = 0, ulong id = 1) => new RequestInfo(BlkifOp.Read, id, sector, 8);

        private static RequestInfo Write(long sector = 0, ulong id = 1) => new RequestInfo(BlkifOp.Write, id, sector, 8);

        [Fact]
        public void Without_rules_every_request_is_delivered()
        {
            var injector = new FaultInjector(new Scheduler(1), new FaultPlan());
            Assert.True(injector.Decide(Read()).IsDefault);
            Assert.Equal(0, injector.Counters.Total);
        }

        [Fact]
        public void A_certain_drop_rule_drops_every_matching_request_and_counts_it()
        {
            var plan = new FaultPlan();
            plan.Add(new FaultRule(FaultKind.Drop) { Target = new FaultTarget(FaultOps.Write) });
            var injector = new FaultInjector(new Scheduler(1), plan);
            Assert.True(injector.Decide(Write()).Drop);
            Assert.False(injector.Decide(Read()).Drop);
            Assert.Equal(1, injector.Counters[FaultKind.Drop]);
        }

        [Fact]
        public void The_rate_is_honoured_over_many_requests()
        {
            var plan = new FaultPlan();
            plan.Add(new FaultRule(FaultKind.Error) { Rate = 0.25 });
            var injector = new FaultInjector(new Scheduler(7), plan);
            int errors = 0;
            for (int i = 0; i < 10000; i++) if (injector.Decide(Read()).OverrideStatus) errors++;
            Assert.InRange(errors, 2350, 2650);
            Assert.Equal(errors, injector.Counters[FaultKind.Error]);
        }

        [Fact]
        public void The_count_limit_stops_injection()
        {
            var plan = new FaultPlan();
            var rule = new FaultRule(FaultKind.Duplicate) { MaxCount = 3 };
            plan.Add(rule);
            var injector = new FaultInjector(new Scheduler(1), plan);
            int dups = 0;
            for (int i = 0; i < 50; i++) dups += injector.Decide(Read()).Duplicate ? 1 : 0;
            Assert.Equal(3, dups);
            Assert.Equal(3, rule.Injected);
            Assert.True(rule.Exhausted);
        }

        [Fact]
        public void The_window_is_evaluated_on_the_virtual_clock()
        {
            var scheduler = new Scheduler(1);
            var plan = new FaultPlan();
            plan.Add(new FaultRule(FaultKind.Drop) { Start = TimeSpan.FromSeconds(10), End = TimeSpan.FromSeconds(20) });
            var injector = new FaultInjector(scheduler, plan);
            Assert.False(injector.Decide(Read()).Drop);
            scheduler.RunUntil(TimeSpan.FromSeconds(15).Ticks);
            Assert.True(injector.Decide(Read()).Drop);
            scheduler.RunUntil(TimeSpan.FromSeconds(25).Ticks);
            Assert.False(injector.Decide(Read()).Drop);
        }

        [Fact]
        public void The_target_range_limits_which_sectors_are_hit()
        {
            var plan = new FaultPlan();
            plan.Add(new FaultRule(FaultKind.NotSupported) { Target = new FaultTarget(FaultOps.All, 1000, 2000) });
            var injector = new FaultInjector(new Scheduler(1), plan);
            Assert.False(injector.Decide(Read(0)).OverrideStatus);
            var hit = injector.Decide(Read(1500));
            Assert.True(hit.OverrideStatus);
            Assert.Equal(BlkifStatus.NotSupported, hit.Status);
        }

        [Fact]
        public void Modifying_faults_compose_with_a_terminal_outcome()
        {
            var plan = new FaultPlan();
            plan.Add(new FaultRule(FaultKind.Error));
            plan.Add(new FaultRule(FaultKind.Latency) { Latency = LatencyDistribution.Fixed(TimeSpan.FromMilliseconds(2)) });
            plan.Add(new FaultRule(FaultKind.WrongOp));
            var d = new FaultInjector(new Scheduler(1), plan).Decide(Read());
            Assert.True(d.OverrideStatus);
            Assert.Equal(BlkifStatus.Error, d.Status);
            Assert.Equal(20000, d.ExtraLatencyTicks);
            Assert.True(d.CorruptOp);
        }

        [Fact]
        public void Slow_storage_delays_in_proportion_to_the_transfer()
        {
            var plan = new FaultPlan();
            plan.Add(new FaultRule(FaultKind.SlowStorage) { BytesPerSecond = 4096 * 1000 });
            var injector = new FaultInjector(new Scheduler(1), plan);
            var d = injector.Decide(new RequestInfo(BlkifOp.Read, 1, 0, 8));
            Assert.Equal(TimeSpan.FromMilliseconds(1).Ticks, d.ExtraLatencyTicks);
        }

        [Fact]
        public void A_rule_added_while_running_takes_effect_at_the_next_decision_and_removal_stops_it()
        {
            var plan = new FaultPlan();
            var injector = new FaultInjector(new Scheduler(1), plan);
            Assert.False(injector.Decide(Read()).Drop);
            int id = plan.Add(new FaultRule(FaultKind.Drop));
            Assert.True(injector.Decide(Read()).Drop);
            plan.Remove(id);
            Assert.False(injector.Decide(Read()).Drop);
        }

        [Fact]
        public void The_same_seed_gives_the_same_fault_sequence()
        {
            Assert.Equal(Sequence(42), Sequence(42));
            Assert.NotEqual(Sequence(42), Sequence(43));
        }

        [Fact]
        public void Adding_a_rule_does_not_shift_another_rules_draws()
        {
            static string Drops(bool extra)
            {
                var plan = new FaultPlan();
                plan.Add(new FaultRule(FaultKind.Drop) { Rate = 0.3, Target = new FaultTarget(FaultOps.Read) });
                if (extra) plan.Add(new FaultRule(FaultKind.Duplicate) { Rate = 0.5, Target = new FaultTarget(FaultOps.Write) });
                var injector = new FaultInjector(new Scheduler(9), plan);
                var sb = new StringBuilder();
                for (int i = 0; i < 200; i++)
                {
                    sb.Append(injector.Decide(Read()).Drop ? '1' : '0');
                    injector.Decide(Write());
                }
                return sb.ToString();
            }
            Assert.Equal(Drops(false), Drops(true));
        }

        private static string Sequence(ulong seed)
        {
            var plan = new FaultPlan();
            plan.Add(new FaultRule(FaultKind.Latency) { Rate = 0.5, Latency = LatencyDistribution.Pareto(TimeSpan.FromMilliseconds(1), 1.5, TimeSpan.FromSeconds(2)) });
            plan.Add(new FaultRule(FaultKind.Duplicate) { Rate = 0.1 });
            plan.Add(new FaultRule(FaultKind.Drop) { Rate = 0.05 });
            plan.Add(new FaultRule(FaultKind.Error) { Rate = 0.05 });
            var injector = new FaultInjector(new Scheduler(seed), plan);
            var lines = new List<string>();
            for (int i = 0; i < 500; i++) lines.Add(injector.Decide(Read((i * 8) % 4096, (ulong)i)).ToString());
            return string.Join("\n", lines);
        }
    }
}
