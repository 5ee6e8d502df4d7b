#if NET
using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace XenVbd.Xen
{
    /// <summary>
    /// Guest memory as an anonymous private mapping (Linux <c>mmap</c>): page-aligned, zero, and committed by
    /// the kernel only when a page is first touched, so an idle device costs the pages it used, not the pages
    /// it reserved. <see cref="Release"/> (the device closing) hands the touched pages back at once with
    /// <c>madvise(MADV_DONTNEED)</c> but keeps the range mapped: a stale view then reads zeros instead of
    /// faulting. The range itself is unmapped when the owner is collected.
    /// </summary>
    internal sealed unsafe class AnonymousMemory
    {
        private const int ProtRead = 1, ProtWrite = 2, MapPrivate = 2, MapAnonymous = 0x20, MadvDontNeed = 4;

        private byte* _address;
        private readonly nuint _length;
        private int _released;

        private AnonymousMemory(byte* address, nuint length)
        {
            _address = address;
            _length = length;
        }

        public byte* Address => _address;

        /// <summary>Whether this platform gives lazily committed anonymous mappings (Linux on 64 bits).</summary>
        public static bool IsSupported => OperatingSystem.IsLinux() && IntPtr.Size == 8;

        /// <summary>
        /// Off makes new guest memory a pinned array again, as before mappings were used: only for the benchmark
        /// that measures both kinds of device in one run (bench/XenVbd.Bench DeviceCost). Read when memory is made.
        /// </summary>
        internal static bool Enabled { get; set; } = true;

        /// <summary>A fresh zero mapping of <paramref name="bytes"/>, or null if the kernel refuses (the caller falls back to a managed array).</summary>
        public static AnonymousMemory? TryCreate(long bytes)
        {
            if (!Enabled || !IsSupported || bytes <= 0) return null;
            void* p = Mmap(null, (nuint)bytes, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
            if (p == (void*)-1 || p == null) return null;
            return new AnonymousMemory((byte*)p, (nuint)bytes);
        }

        /// <summary>Gives the touched pages back to the kernel; later reads see zeros. Idempotent.</summary>
        public void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return;
            Madvise(_address, _length, MadvDontNeed);
        }

        /// <summary>
        /// Which pages are backed by memory now (<c>mincore</c>): one byte a page, bit 0 set for a page
        /// touched since it was mapped or last released. Untouched pages read as zeros.
        /// </summary>
        public bool TryGetResidency(Span<byte> pages)
        {
            if (pages.Length < (int)((_length + 4095) / 4096)) throw new ArgumentException("One byte per page is needed.", nameof(pages));
            fixed (byte* vec = pages)
            {
                return Mincore(_address, _length, vec) == 0;
            }
        }

        /// <summary>Drops every page (later reads see zeros) and keeps the range mapped, as <see cref="Release"/> but repeatable.</summary>
        public void DiscardAll() => Madvise(_address, _length, MadvDontNeed);

        /// <summary>
        /// Whether the kernel may move pages to swap: a swapped-out page is not resident, so residency then
        /// no longer says which pages were touched.
        /// </summary>
        public static bool SwapEnabled { get; } = ReadSwapEnabled();

        private static bool ReadSwapEnabled()
        {
            try
            {
                // The header line plus one line per swap area.
                return System.IO.File.ReadAllLines("/proc/swaps").Length > 1;
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException)
            {
                return true;
            }
        }

        ~AnonymousMemory()
        {
            if (_address == null) return;
            Munmap(_address, _length);
            _address = null;
        }

        [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
        private static extern void* Mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

        [DllImport("libc", EntryPoint = "munmap", SetLastError = true)]
        private static extern int Munmap(void* addr, nuint length);

        [DllImport("libc", EntryPoint = "mincore", SetLastError = true)]
        private static extern int Mincore(void* addr, nuint length, byte* vec);

        [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
        private static extern int Madvise(void* addr, nuint length, int advice);
    }
}
#endif
