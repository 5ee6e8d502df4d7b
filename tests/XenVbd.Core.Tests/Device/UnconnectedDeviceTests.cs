using System;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Faults;
using XenVbd.Frontend;
using XenVbd.Ring;
using XenVbd.Scsi;

namespace XenVbd.Tests.Device
{
    /// <summary>
    /// VbdDevice.CreateUnconnected + Connect (New-VbdDevice -NoConnect, Connect-VbdDevice): a fault plan attached
    /// in between acts on the handshake and the probe, and nothing can be submitted before the connect.
    /// </summary>
    public sealed class UnconnectedDeviceTests
    {
        [Fact]
        public void A_fault_plan_attached_before_connect_delays_the_probe_itself()
        {
            using var dev = VbdDevice.CreateUnconnected(new VbdDeviceOptions { SizeBytes = 1 << 20, BackendAbi = BlkifAbi.X86_32, BackendMode = BackendAbiMode.Native });
            Assert.False(dev.IsConnected);
            Assert.Null(dev.ProbeResult);
            var faults = DeviceFaultSession.Attach(dev);
            var rule = new FaultRule(FaultKind.Latency) { Latency = LatencyDistribution.Fixed(TimeSpan.FromMilliseconds(500)) };
            faults.Plan.Add(rule);

            dev.Connect();

            Assert.True(dev.IsConnected);
            Assert.Equal(FrontendState.Ready, dev.State);
            Assert.True(dev.ProbeResult!.Switched);
            Assert.True(dev.ProbeResult.DurationTicks >= TimeSpan.FromMilliseconds(500).Ticks, "the probe waited for its delayed responses");
            Assert.True(rule.Injected >= 2, $"both probe requests were delayed, not {rule.Injected}");
        }

        [Fact]
        public void Nothing_is_submitted_before_connect_and_connect_runs_once()
        {
            using var dev = VbdDevice.CreateUnconnected(new VbdDeviceOptions { SizeBytes = 1 << 20 });
            var error = Assert.Throws<InvalidOperationException>(() => dev.Execute(new byte[] { ScsiOp.TestUnitReady, 0, 0, 0, 0, 0 }));
            Assert.Contains("not connected yet", error.Message);
            Assert.Throws<InvalidOperationException>(() => dev.MigrateBackend(BlkifAbi.X86_32, BackendAbiMode.Native));
            dev.Connect();
            Assert.Equal(FrontendState.Ready, dev.State);
            Assert.Throws<InvalidOperationException>(() => dev.Connect());
        }

        [Fact]
        public void Create_connects_as_before()
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { SizeBytes = 1 << 20 });
            Assert.True(dev.IsConnected);
            Assert.Equal(FrontendState.Ready, dev.State);
        }
    }
}
