using System;
using XenVbd.Xen;

namespace XenVbd.Frontend
{
    /// <summary>
    /// Later GPLPV: one 11-page buffer for the whole device. One unaligned SRB uses it at a time
    /// (44 KiB per pass); the others wait, aligned SRBs pass them by.
    /// </summary>
    internal sealed class DeviceBounce : IBounceStrategy
    {
        private readonly ulong _base;
        private SrbExtension? _owner;

        public DeviceBounce(GuestMemory memory)
        {
            _base = (ulong)memory.AllocatePages(BounceLimits.MaxPagesPerPass) * XenPage.Size;
        }

        public BounceStrategyKind Kind => BounceStrategyKind.DeviceBuffer;

        public int PassCapacityBytes => BounceLimits.MaxPagesPerPass * XenPage.Size;

        public int PagesReserved => BounceLimits.MaxPagesPerPass;

        public bool Busy => _owner != null;

        public int TryOpen(SrbExtension extension, int wantBytes, int unit)
        {
            if (_owner != null && _owner != extension) return 0;
            int bytes = Math.Min(wantBytes, PassCapacityBytes) / unit * unit;
            if (bytes == 0) return 0;
            _owner = extension;
            extension.WindowPaged = false;
            extension.WindowBase = _base;
            return bytes;
        }

        public void Release(SrbExtension extension)
        {
            if (_owner == extension) _owner = null;
        }
    }
}
