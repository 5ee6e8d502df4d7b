using System;
using XenVbd.Backend;
using XenVbd.Storage;
using XenVbd.Tests.Support;
using XenVbd.Xen;

namespace XenVbd.Tests.Reliability
{
    /// <summary>
    /// <see cref="BackendRig"/>'s wiring without tracing and with a small domU, for properties that build
    /// thousands of rigs (the trace buffer and a 1024-page domain dominate their cost otherwise).
    /// </summary>
    internal sealed class LightRig : IDisposable
    {
        public LightRig(BlkBackOptions? options = null, int ringPageOrder = 0, XenVbd.Ring.BlkifAbi abi = XenVbd.Ring.BlkifAbi.X86_64)
        {
            Host = new XenHost(dom0Pages: 1);
            Frontend = new TestFrontend(Host, pages: 48, ringPageOrder: ringPageOrder) { Abi = abi };
            Disk = new MemoryDisk(1 << 20);
            Backend = new BlkBack(Host, 1, Frontend.DeviceId, Disk, options);
            Frontend.Run();
        }

        public XenHost Host { get; }

        public TestFrontend Frontend { get; }

        public MemoryDisk Disk { get; }

        public BlkBack Backend { get; }

        public (uint Frame, uint Gref)[] GrantPages(int count, byte fill)
        {
            var pages = new (uint, uint)[count];
            for (int i = 0; i < count; i++)
            {
                pages[i] = Frontend.GrantNewPage();
                Frontend.Page(pages[i].Item1).Fill(fill);
            }
            return pages;
        }

        public void Dispose()
        {
            Backend.Dispose();
            Host.Dispose();
        }
    }
}
