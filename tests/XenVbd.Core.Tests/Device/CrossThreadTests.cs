using System;
using System.Threading;
using XenVbd.Device;

namespace XenVbd.Tests.Device
{
    /// <summary>The engine is single-threaded: a second thread is refused by name, not allowed to race it.</summary>
    public sealed class CrossThreadTests
    {
        private static readonly byte[] TestUnitReady = new byte[6];

        private static Exception? OnOtherThread(Action action)
        {
            Exception? caught = null;
            var t = new Thread(() =>
            {
                try { action(); }
                catch (Exception ex) { caught = ex; }
            });
            t.Start();
            Assert.True(t.Join(TimeSpan.FromSeconds(30)));
            return caught;
        }

        [Fact]
        public void While_one_thread_holds_the_device_another_is_refused_Dispose_included()
        {
            using var device = VbdDevice.Create(new VbdDeviceOptions { Name = "threads", SizeBytes = 1 << 20 });
            using (device.Use())
            {
                var submit = OnOtherThread(() => device.Execute(TestUnitReady));
                Assert.IsType<InvalidOperationException>(submit);
                Assert.Contains("in use on thread " + Environment.CurrentManagedThreadId, submit!.Message);
                var dispose = OnOtherThread(device.Dispose);
                Assert.IsType<InvalidOperationException>(dispose);
                // The holder itself goes on (re-entrant), and nothing was torn down under it.
                Assert.True(device.Execute(TestUnitReady).SrbStatus == XenVbd.Scsi.SrbStatus.Success);
            }

            // Released: another thread may use it now.
            Assert.Null(OnOtherThread(() => device.Execute(TestUnitReady)));
        }
    }
}
