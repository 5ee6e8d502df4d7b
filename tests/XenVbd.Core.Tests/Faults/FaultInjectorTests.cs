using System;
using XenVbd.Faults;
using XenVbd.Ring;
using XenVbd.Sim;
using XenVbd.Xen;

namespace XenVbd.Tests.Faults
{
    public class FaultInjectorTests
    {
        private sealed class CountingHandler : IEventChannelHandler
        {
            public int Events;

            public void OnEvent(EventChannelEnd end) => Events++;
        }

        [Fact]
        public void A_lost_notification_rule_drops_notifies_in_its_direction_only()
        {
            var scheduler = new Scheduler(1);
            var channel = new EventChannel(scheduler, 5);
            var front = new CountingHandler();
            var back = new CountingHandler();
            channel.Frontend.Handler = front;
            channel.Backend.Handler = back;
            var plan = new FaultPlan();
            plan.Add(new FaultRule(FaultKind.LostNotification) { Direction = NotifyDirection.FrontendToBackend, MaxCount = 2 });
            var injector = new FaultInjector(scheduler, plan, new FakeFaultEnvironment { CurrentEventChannel = channel });

            for (int i = 0; i < 3; i++)
            {
                channel.Frontend.Notify();
                channel.Backend.Notify();
                scheduler.RunUntilIdle();
            }
            Assert.Equal(1, back.Events);
            Assert.Equal(3, front.Events);
            Assert.Equal(2, injector.Counters[FaultKind.LostNotification]);
        }

        [Fact]
        public void A_storm_raises_separate_upcalls_and_counts_one_storm()
        {
            var scheduler = new Scheduler(1);
            var channel = new EventChannel(scheduler, 5);
            var front = new CountingHandler();
            channel.Frontend.Handler = front;
            var plan = new FaultPlan();
            plan.Add(new FaultRule(FaultKind.SpuriousEventStorm) { StormEvents = 50, Direction = NotifyDirection.BackendToFrontend, Start = TimeSpan.FromMilliseconds(1) });
            var injector = new FaultInjector(scheduler, plan, new FakeFaultEnvironment { CurrentEventChannel = channel });
            scheduler.RunUntilIdle();
            Assert.Equal(50, front.Events);
            Assert.Equal(50, injector.SpuriousEventsRaised);
            Assert.Equal(1, injector.Counters[FaultKind.SpuriousEventStorm]);
        }

        [Fact]
        public void Disconnect_reconnects_after_the_given_virtual_time_and_repeats_per_period()
        {
            var scheduler = new Scheduler(1);
            var env = new FakeFaultEnvironment { Clock = () => scheduler.Now };
            var plan = new FaultPlan();
            plan.Add(new FaultRule(FaultKind.Disconnect)
            {
                Start = TimeSpan.FromMilliseconds(1),
                ReconnectAfter = TimeSpan.FromMilliseconds(2),
                Period = TimeSpan.FromMilliseconds(10),
                MaxCount = 2,
            });
            var injector = new FaultInjector(scheduler, plan, env);
            scheduler.RunUntilIdle();
            Assert.Equal(new[] { "disconnect@10000", "reconnect@30000", "disconnect@110000", "reconnect@130000" }, env.Log);
            Assert.Equal(2, injector.Counters[FaultKind.Disconnect]);
        }

        [Fact]
        public void Migration_and_power_cut_fire_at_their_start_time()
        {
            var scheduler = new Scheduler(1);
            var env = new FakeFaultEnvironment { Clock = () => scheduler.Now };
            var plan = new FaultPlan();
            plan.Add(new FaultRule(FaultKind.Migration) { Start = TimeSpan.FromMilliseconds(3), MigrateTo = BlkifAbi.X86_64, MigrateMode = XenVbd.Backend.BackendAbiMode.Protocol });
            plan.Add(new FaultRule(FaultKind.PowerCut) { Start = TimeSpan.FromMilliseconds(5) });
            var injector = new FaultInjector(scheduler, plan, env);
            scheduler.RunUntilIdle();
            Assert.Equal(new[] { "migrate X86_64 protocol@30000", "powercut@50000" }, env.Log);
            Assert.Equal(1, injector.Counters[FaultKind.Migration]);
            Assert.Equal(1, injector.Counters[FaultKind.PowerCut]);
        }

        [Fact]
        public void A_power_cut_without_a_cache_is_not_counted()
        {
            var scheduler = new Scheduler(1);
            var plan = new FaultPlan();
            plan.Add(new FaultRule(FaultKind.PowerCut));
            var injector = new FaultInjector(scheduler, plan, new FakeFaultEnvironment { HasCache = false });
            scheduler.RunUntilIdle();
            Assert.Equal(0, injector.Counters[FaultKind.PowerCut]);
        }

        [Fact]
        public void A_removed_scheduled_rule_never_fires()
        {
            var scheduler = new Scheduler(1);
            var env = new FakeFaultEnvironment();
            var plan = new FaultPlan();
            int id = plan.Add(new FaultRule(FaultKind.Disconnect) { Start = TimeSpan.FromSeconds(1) });
            var injector = new FaultInjector(scheduler, plan, env);
            plan.Remove(id);
            injector.Sync();
            scheduler.RunUntilIdle();
            Assert.Empty(env.Log);
        }

        [Fact]
        public void Bad_sectors_are_marked_at_the_rate_and_healed_when_the_rule_is_removed()
        {
            var scheduler = new Scheduler(3);
            var env = new FakeFaultEnvironment();
            var plan = new FaultPlan();
            int all = plan.Add(new FaultRule(FaultKind.BadSectors) { Target = new FaultTarget(FaultOps.All, 100, 108) });
            int some = plan.Add(new FaultRule(FaultKind.BadSectors) { Rate = 0.5, Target = new FaultTarget(FaultOps.All, 1000, 2000) });
            var injector = new FaultInjector(scheduler, plan, env);
            for (long s = 100; s < 108; s++) Assert.Contains(s, env.BadSectors);
            long partial = injector.Counters[FaultKind.BadSectors] - 8;
            Assert.InRange(partial, 420, 580);
            plan.Remove(all);
            injector.Sync();
            Assert.DoesNotContain(100L, env.BadSectors);
            Assert.Equal(partial, env.BadSectors.Count);
            plan.Remove(some);
            injector.Sync();
            Assert.Empty(env.BadSectors);
        }
    }
}
