using System;
using XenVbd.Backend;
using XenVbd.Ring;
using XenVbd.Storage;
using XenVbd.Xen;

namespace XenVbd.Tests.Support
{
    /// <summary>A host, a disk, a blkback and a test frontend wired together; <see cref="Connected"/> also does the handshake.</summary>
    public sealed class BackendRig : IDisposable
    {
        public const byte Canary = 0xC5;

        private readonly SwitchableInterceptor _hook;

        private BackendRig(XenHost host, IBlockStorage disk, BlkBack backend, TestFrontend frontend, SwitchableInterceptor hook)
        {
            _hook = hook;
            Host = host;
            Disk = disk;
            Backend = backend;
            Frontend = frontend;
        }

        public XenHost Host { get; }

        public IBlockStorage Disk { get; }

        public BlkBack Backend { get; }

        public TestFrontend Frontend { get; }

        /// <summary>The backend's hook (starts as the options' one); a test may change it while the backend runs.</summary>
        public IBackendInterceptor? Interceptor
        {
            get => _hook.Current;
            set => _hook.Current = value;
        }

        public static BackendRig Create(BlkBackOptions? options = null, IBlockStorage? disk = null, int ringPageOrder = 0, BlkifAbi frontendAbi = BlkifAbi.X86_64)
        {
            var host = new XenHost();
            host.Trace.Enabled = true;
            var fe = new TestFrontend(host, ringPageOrder: ringPageOrder) { Abi = frontendAbi };
            disk ??= new MemoryDisk(8L << 20);
            var made = (options ?? new BlkBackOptions()).Clone();
            var hook = new SwitchableInterceptor { Current = made.Interceptor };
            made.Interceptor = hook;
            var be = new BlkBack(host, 1, fe.DeviceId, disk, made);
            fe.Run();
            return new BackendRig(host, disk, be, fe, hook);
        }

        /// <summary>Created and connected, the frontend announcing its own layout through the protocol key.</summary>
        public static BackendRig Connected(BlkifAbi abi = BlkifAbi.X86_64, BlkBackOptions? options = null, IBlockStorage? disk = null, int ringPageOrder = 0)
        {
            var rig = Create(options, disk, ringPageOrder, abi);
            rig.Frontend.Connect(abi.ToProtocolString());
            Assert.Equal(XenbusState.Connected, rig.Backend.State);
            return rig;
        }

        /// <summary>Fresh pages granted to dom0 and filled with <paramref name="fill"/>.</summary>
        public (uint Frame, uint Gref)[] GrantPages(int count, byte fill = 0, bool readOnly = false)
        {
            var pages = new (uint, uint)[count];
            for (int i = 0; i < count; i++)
            {
                pages[i] = Frontend.GrantNewPage(readOnly);
                Frontend.Page(pages[i].Item1).Fill(fill);
            }
            return pages;
        }

        /// <summary>Pages never granted, filled with a canary so a stray backend access shows.</summary>
        public uint[] CanaryPages(int count)
        {
            var frames = new uint[count];
            for (int i = 0; i < count; i++)
            {
                frames[i] = Frontend.AllocatePage();
                Frontend.Page(frames[i]).Fill(Canary);
            }
            return frames;
        }

        public void AssertCanaries(uint[] frames)
        {
            foreach (var f in frames)
                Assert.True(Frontend.Page(f).IndexOfAnyExcept(Canary) < 0, "ungranted frame " + f + " was touched");
        }

        public byte[] DiskBytes(long offset, int length)
        {
            var b = new byte[length];
            Disk.Read(offset, b);
            return b;
        }

        public void Dispose()
        {
            Backend.Dispose();
            Host.Dispose();
        }
    }
}
