using System;
using XenVbd.Xen;

namespace XenVbd.Frontend
{
    /// <summary>
    /// The GPLPV 2008 driver's strategy: the 4096-byte SRB extension buffer. Each queue slot owns one page, so a
    /// pass never waits, but an SRB larger than 4 KiB goes round several times.
    /// </summary>
    internal sealed class PerSrbBounce : IBounceStrategy
    {
        private readonly uint _firstFrame;

        public PerSrbBounce(GuestMemory memory, int slots)
        {
            _firstFrame = memory.AllocatePages(slots);
            PagesReserved = slots;
        }

        public BounceStrategyKind Kind => BounceStrategyKind.PerSrb;

        public int PassCapacityBytes => XenPage.Size;

        public int PagesReserved { get; }

        public bool Busy => false;

        public int TryOpen(SrbExtension extension, int wantBytes, int unit)
        {
            int bytes = Math.Min(wantBytes, XenPage.Size) / unit * unit;
            if (bytes == 0) return 0;
            extension.WindowPaged = false;
            extension.WindowBase = (ulong)(_firstFrame + (uint)extension.Index) * XenPage.Size;
            return bytes;
        }

        public void Release(SrbExtension extension)
        {
            // The page belongs to the slot; nothing to hand back.
        }
    }
}
