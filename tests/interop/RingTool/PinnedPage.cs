using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace XenVbd.Interop
{
    /// <summary>A pinned byte array seen as a <see cref="MemoryRegion"/>, as the engine sees guest pages.</summary>
    public sealed unsafe class PinnedPage
    {
        public PinnedPage(int length)
        {
            Bytes = GC.AllocateArray<byte>(length, pinned: true);
            byte* address = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Bytes));
            Region = new MemoryRegion(address, Bytes.Length, this);
        }

        public byte[] Bytes { get; }

        public MemoryRegion Region { get; }

        public static PinnedPage Load(string path)
        {
            byte[] data = System.IO.File.ReadAllBytes(path);
            var page = new PinnedPage(data.Length);
            data.CopyTo(page.Bytes, 0);
            return page;
        }
    }
}
