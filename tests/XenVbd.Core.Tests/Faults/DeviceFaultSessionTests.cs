using System;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Faults;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Tests.Device;

namespace XenVbd.Tests.Faults
{
    /// <summary>
    /// A fault plan belongs to the device, not to whichever blkback serves it now: a user who adds a fault and
    /// then moves the backend (Set-BackendAbi, a migration fault) expects the fault to keep acting.
    /// </summary>
    public sealed class DeviceFaultSessionTests
    {
        private sealed class Counting : IBackendInterceptor
        {
            public int Seen;

            public void OnRequest(BlkBack backend, ref BackendRequestPlan plan)
            {
                Seen++;
                plan.ExtraLatencyTicks += TimeSpan.TicksPerMillisecond;
            }
        }

        private static VbdDevice NewDevice(BlkifAbi backendAbi, IBackendInterceptor? interceptor = null)
            => VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.Hardened, SizeBytes = 1 << 20, BackendAbi = backendAbi, BackendMode = BackendAbiMode.Native, BackendInterceptor = interceptor });

        private static FaultRule FailReads() => new FaultRule(FaultKind.Error) { Target = new FaultTarget(FaultOps.Read) };

        private static SrbResult Read(VbdDevice dev) => dev.Execute(Cdb.Read10(0, 8), dataInLength: 4096);

        [Theory]
        [InlineData(BlkifAbi.X86_64, BlkifAbi.X86_32)]
        [InlineData(BlkifAbi.X86_32, BlkifAbi.X86_64)]
        public void Fault_rules_keep_acting_on_the_backend_a_device_migration_brings(BlkifAbi from, BlkifAbi to)
        {
            using var dev = NewDevice(from);
            var session = DeviceFaultSession.Attach(dev);
            var rule = FailReads();
            session.Plan.Add(rule);
            Assert.False(Read(dev).IsSuccess);
            long injected = rule.Injected;

            var m = dev.MigrateBackend(to, BackendAbiMode.Native);
            Assert.Equal(FrontendState.Ready, m.State);
            Assert.Equal(to, dev.FrontendAbi);

            Assert.False(Read(dev).IsSuccess, "the read succeeded: the fault plan no longer reaches the new backend");
            Assert.True(rule.Injected > injected);
            Assert.True(session.Counters[FaultKind.Error] > injected);
        }

        [Fact]
        public void Attaching_a_fault_plan_keeps_the_options_interceptor_and_both_survive_a_migration()
        {
            var counting = new Counting();
            using var dev = NewDevice(BlkifAbi.X86_64, counting);
            var session = DeviceFaultSession.Attach(dev);
            var rule = FailReads();
            session.Plan.Add(rule);

            int seen = counting.Seen;
            Assert.False(Read(dev).IsSuccess);
            Assert.True(counting.Seen > seen, "attaching the fault plan dropped the device's own interceptor");

            dev.MigrateBackend(BlkifAbi.X86_32, BackendAbiMode.Native);
            seen = counting.Seen;
            long injected = rule.Injected;
            Assert.False(Read(dev).IsSuccess);
            Assert.True(counting.Seen > seen);
            Assert.True(rule.Injected > injected);
        }

        [Fact]
        public void Detaching_restores_the_device_interceptor_it_stacked_on_for_this_and_later_backends()
        {
            var counting = new Counting();
            using var dev = NewDevice(BlkifAbi.X86_64, counting);
            var session = DeviceFaultSession.Attach(dev);
            session.Plan.Add(FailReads());
            session.Detach();
            Assert.Same(counting, dev.BackendInterceptor);
            Assert.True(Read(dev).IsSuccess);

            dev.MigrateBackend(BlkifAbi.X86_32, BackendAbiMode.Native);
            int seen = counting.Seen;
            Assert.True(Read(dev).IsSuccess);
            Assert.True(counting.Seen > seen);
        }

        [Fact]
        public void A_migration_fault_brings_a_backend_the_plan_still_acts_on()
        {
            using var dev = NewDevice(BlkifAbi.X86_64);
            var session = DeviceFaultSession.Attach(dev);
            session.Plan.Add(new FaultRule(FaultKind.Migration) { Start = dev.Now, MigrateTo = BlkifAbi.X86_32, MaxCount = 1 });
            session.Injector.Sync();
            dev.Host.Scheduler.RunUntil(dev.Host.Scheduler.Now + TimeSpan.TicksPerMillisecond);
            Assert.Single(session.Migrations);
            Assert.Equal(BlkifAbi.X86_32, dev.FrontendAbi);

            var rule = FailReads();
            session.Plan.Add(rule);
            Assert.False(Read(dev).IsSuccess);
            Assert.True(rule.Injected > 0);
        }

        [Fact]
        public void A_bus_reset_and_a_backend_restart_keep_the_plan_acting()
        {
            using var dev = NewDevice(BlkifAbi.X86_64);
            var session = DeviceFaultSession.Attach(dev);
            var rule = FailReads();
            session.Plan.Add(rule);

            dev.Reset();
            Assert.False(Read(dev).IsSuccess);
            long injected = rule.Injected;

            long reconnects = dev.GetStatistics().Reconnects;
            session.Plan.Add(new FaultRule(FaultKind.Disconnect) { Start = dev.Now, MaxCount = 1 });
            session.Injector.Sync();
            dev.Host.Scheduler.RunUntil(dev.Host.Scheduler.Now + TimeSpan.TicksPerSecond);
            Assert.Equal(1, session.Counters[FaultKind.Disconnect]);
            Assert.Equal(FrontendState.Ready, dev.State);
            Assert.Equal(reconnects + 1, dev.GetStatistics().Reconnects);

            Assert.False(Read(dev).IsSuccess);
            Assert.True(rule.Injected > injected);
        }

        [Fact]
        public void A_backend_interceptor_set_on_the_device_reaches_the_live_backend_and_every_later_one()
        {
            var counting = new Counting();
            using var dev = NewDevice(BlkifAbi.X86_64);
            dev.BackendInterceptor = counting;
            Assert.True(Read(dev).IsSuccess);
            int seen = counting.Seen;
            Assert.True(seen > 0, "the live backend consults the hook set on the device");
            dev.MigrateBackend(BlkifAbi.X86_32, BackendAbiMode.Native);
            seen = counting.Seen;
            Assert.True(Read(dev).IsSuccess);
            Assert.True(counting.Seen > seen, "the backend the migration brought consults it too");
            dev.BackendInterceptor = null;
            Assert.Null(dev.BackendInterceptor);
            seen = counting.Seen;
            Assert.True(Read(dev).IsSuccess);
            Assert.Equal(seen, counting.Seen);
        }
    }
}
