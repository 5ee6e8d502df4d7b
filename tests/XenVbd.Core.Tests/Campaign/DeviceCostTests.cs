using System;
using System.Collections.Generic;
using XenVbd.Device;
using XenVbd.Tests.Device;
using XenVbd.Xen;

namespace XenVbd.Tests.Campaign
{
    /// <summary>
    /// An idle device must be cheap enough that a thousand fit one session: its guest memory (8 MiB by default) is
    /// reserved, not committed, so creating one allocates a small fraction of a megabyte of managed memory.
    /// Bytes allocated on this thread are deterministic, unlike a process's heap size with other tests running.
    /// </summary>
    public sealed class DeviceCostTests
    {
        [Fact]
        public void A_thousand_default_devices_fit_one_session_at_under_a_megabyte_each()
        {
            if (!OperatingSystem.IsLinux()) return; // elsewhere guest memory is still a pinned managed array
            var devices = new List<VbdDevice>(1000);
            try
            {
                VbdDevice.Create(new VbdDeviceOptions()).Dispose();
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 1000; i++) devices.Add(VbdDevice.Create(new VbdDeviceOptions { Name = "d" + i, Seed = (ulong)i + 1 }));
                long perDevice = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;
                Assert.True(perDevice < 1 << 20, "a default device allocated " + perDevice + " managed bytes");
                Assert.All(devices, d => Assert.Equal(XenVbd.Frontend.FrontendState.Ready, d.State));
                // Still fully usable: data written through one device comes back.
                var result = devices[999].Execute(Cdb.Write10(8, 1), dataOut: Pattern());
                Assert.True(result.IsSuccess);
                Assert.Equal(Pattern(), devices[999].Execute(Cdb.Read10(8, 1), dataInLength: 512).Data);
            }
            finally
            {
                foreach (var d in devices) d.Dispose();
            }
        }

        [Fact]
        public void Guest_pages_come_out_zeroed_and_a_closed_device_reads_zeros_instead_of_faulting()
        {
            var memory = new GuestMemory(5, 64);
            uint first = memory.AllocatePages(4);
            Assert.True(memory.Pages(first, 4).Span.IndexOfAnyExcept((byte)0) < 0);
            memory.Pages(first, 1).Span.Fill(0xAB);
            uint next = memory.AllocatePages(2);
            Assert.True(memory.Pages(next, 2).Span.IndexOfAnyExcept((byte)0) < 0);
            memory.Dispose();
            // A view kept past Dispose stays mapped: what it reads is no longer the guest's data.
            Assert.True(memory.Pages(first, 1).Span.Length == XenPage.Size);
        }

        private static byte[] Pattern()
        {
            var b = new byte[512];
            for (int i = 0; i < b.Length; i++) b[i] = (byte)(i * 7 + 3);
            return b;
        }
    }
}
