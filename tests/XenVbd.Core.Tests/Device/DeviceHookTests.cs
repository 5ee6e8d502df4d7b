using System;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Storage;

namespace XenVbd.Tests.Device
{
    public sealed class DeviceHookTests
    {
        private sealed class Delay : IBackendInterceptor
        {
            public int Seen;
            public void OnRequest(BlkBack backend, ref BackendRequestPlan plan)
            {
                Seen++;
                plan.ExtraLatencyTicks = TimeSpan.FromSeconds(2).Ticks;
            }
        }

        [Fact]
        public void Backend_interceptor_from_the_options_delays_the_probe_itself()
        {
            var delay = new Delay();
            using var dev = VbdDevice.Create(new VbdDeviceOptions { SizeBytes = 1 << 20, BackendAbi = BlkifAbi.X86_32, BackendMode = BackendAbiMode.Native, BackendInterceptor = delay });
            Assert.True(dev.ProbeResult!.Switched);
            Assert.True(delay.Seen >= 2, "both probe requests went through the interceptor");
            Assert.True(dev.Now >= TimeSpan.FromSeconds(2), "the probe waited for the delayed responses");
        }

        [Fact]
        public void Backend_interceptor_survives_a_migration()
        {
            var delay = new Delay();
            using var dev = VbdDevice.Create(new VbdDeviceOptions { SizeBytes = 1 << 20, BackendInterceptor = delay });
            dev.MigrateBackend(BlkifAbi.X86_32, BackendAbiMode.Native);
            int seen = delay.Seen;
            dev.Execute(Cdb.Read10(0, 8), dataInLength: 4096);
            Assert.True(delay.Seen > seen, "the backend the migration brought consults the options' hook");
            Assert.Same(delay, dev.BackendInterceptor);
        }

        [Fact]
        public void Volatile_write_cache_loses_unflushed_writes_on_power_cut()
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.Hardened, SizeBytes = 1 << 20, VolatileWriteCache = true });
            var cache = Assert.IsType<WriteCacheDisk>(dev.Storage);
            var data = Cdb.Pattern(4096, 7);
            Assert.True(dev.Execute(Cdb.Write10(0, 8), data).IsSuccess);
            Assert.True(dev.Execute(Cdb.SynchronizeCache10()).IsSuccess);
            Assert.True(dev.Execute(Cdb.Write10(8, 8), data).IsSuccess);
            cache.PowerCut();
            var read = dev.Execute(Cdb.Read10(0, 16), null, 8192);
            Assert.Equal(data, read.Data[..4096]);
            Assert.Equal(new byte[4096], read.Data[4096..]);
        }
    }
}
