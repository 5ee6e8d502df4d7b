using System;
using XenVbd.Backend;
using XenVbd.Device;
using XenVbd.Frontend;
using XenVbd.Ring;

namespace XenVbd.Tests.Device
{
    public sealed class RingOrderTests
    {
        [Theory]
        [InlineData(2, BlkifAbi.X86_64, BlkifAbi.X86_32)]
        [InlineData(4, BlkifAbi.X86_32, BlkifAbi.X86_64)]
        public void A_multi_page_ring_is_negotiated_probed_and_filled(int order, BlkifAbi fe, BlkifAbi be)
        {
            using var dev = VbdDevice.Create(new VbdDeviceOptions { Personality = FrontendPersonality.Hardened, MaxRingPageOrder = order, FrontendAbi = fe, BackendAbi = be, BackendMode = BackendAbiMode.Native, SizeBytes = 16 << 20, QueueDepth = 256 });
            Assert.Equal(FrontendState.Ready, dev.State);
            Assert.Equal(1 << order, dev.Backend.RingPageCount);
            Assert.True(dev.ProbeResult!.Switched);
            var ring = dev.GetRing()!;
            Assert.Equal(BlkifLayout.RingEntries(be, order), ring.Size);
            Assert.Contains(dev.XenStoreKeys, kv => kv.Key.EndsWith("/ring-page-order") && kv.Value == order.ToString());

            var srbs = new Srb[200];
            var data = new byte[200][];
            for (int i = 0; i < srbs.Length; i++)
            {
                data[i] = Cdb.Pattern(4096, i);
                ulong addr = dev.AllocateGuestBuffer(4096);
                data[i].AsSpan().CopyTo(dev.GuestBytes(addr, 4096));
                srbs[i] = new Srb();
                srbs[i].Prepare(Cdb.Write10((uint)(i * 8), 8), addr, 4096, XenVbd.Scsi.DataDirection.Out);
                dev.Submit(srbs[i]);
            }

            Assert.True(dev.GetRing()!.Outstanding > 32);
            dev.RunUntilIdle();
            foreach (var s in srbs) Assert.Equal(XenVbd.Scsi.SrbStatus.Success, s.SrbStatus);
            for (int i = 0; i < srbs.Length; i += 37)
                Assert.Equal(data[i], dev.Execute(Cdb.Read10((uint)(i * 8), 8), dataInLength: 4096).Data);
        }
    }
}
