using System;
using XenVbd.Xen;

namespace XenVbd.Tests.Ring
{
    /// <summary>Pinned pages for ring tests, from a throwaway domain.</summary>
    internal sealed class RingTestMemory : IDisposable
    {
        private readonly GuestMemory _memory;

        public RingTestMemory(int pages)
        {
            _memory = new GuestMemory(1, pages);
            Region = _memory.Pages(_memory.AllocatePages(pages), pages);
        }

        public MemoryRegion Region { get; }

        public void Dispose() => _memory.Dispose();
    }
}
