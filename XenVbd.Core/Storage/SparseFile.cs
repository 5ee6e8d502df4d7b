using System;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace XenVbd.Storage
{
    /// <summary>
    /// The two file-system calls .NET does not offer: marking a Windows file sparse, and deallocating a range
    /// (punching a hole). Both report failure instead of throwing so callers can fall back to plain writes:
    /// not every file system or platform supports them, and the result reads the same either way.
    /// </summary>
    internal static class SparseFile
    {
        private const uint FsctlSetSparse = 0x000900C4;
        private const uint FsctlSetZeroData = 0x000980C8;
        private const int FallocFlKeepSize = 0x01;
        private const int FallocFlPunchHole = 0x02;

        /// <summary>NTFS allocates clusters for a grown file unless it is marked sparse first; Unix files are sparse already.</summary>
        public static bool TryMarkSparse(SafeFileHandle handle)
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return true;
            }

            try
            {
                return DeviceIoControl(handle, FsctlSetSparse, IntPtr.Zero, 0, IntPtr.Zero, 0, out _, IntPtr.Zero);
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                return false;
            }
        }

        /// <summary>Deallocates [offset, offset+length) so it reads as zeros and stops using space.</summary>
        public static bool TryPunchHole(SafeFileHandle handle, long offset, long length)
        {
            try
            {
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    var range = new FileZeroDataInformation { FileOffset = offset, BeyondFinalZero = offset + length };
                    return DeviceIoControl(handle, FsctlSetZeroData, ref range, Marshal.SizeOf<FileZeroDataInformation>(), IntPtr.Zero, 0, out _, IntPtr.Zero);
                }

                // fallocate's off_t is 64-bit only on 64-bit Linux; elsewhere the caller writes zeros instead.
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && IntPtr.Size == 8)
                {
                    bool added = false;
                    try
                    {
                        handle.DangerousAddRef(ref added);
                        int fd = handle.DangerousGetHandle().ToInt32();
                        return fallocate(fd, FallocFlPunchHole | FallocFlKeepSize, offset, length) == 0;
                    }
                    finally
                    {
                        if (added)
                        {
                            handle.DangerousRelease();
                        }
                    }
                }

                return false;
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                return false;
            }
        }

        [DllImport("kernel32.dll", SetLastError = true)]
        private static extern bool DeviceIoControl(SafeFileHandle device, uint controlCode, IntPtr inBuffer, int inSize,
            IntPtr outBuffer, int outSize, out int bytesReturned, IntPtr overlapped);

        [DllImport("kernel32.dll", SetLastError = true)]
        private static extern bool DeviceIoControl(SafeFileHandle device, uint controlCode, ref FileZeroDataInformation inBuffer, int inSize,
            IntPtr outBuffer, int outSize, out int bytesReturned, IntPtr overlapped);

        [DllImport("libc", SetLastError = true)]
#pragma warning disable IDE1006 // The C name is the point.
        private static extern int fallocate(int fd, int mode, long offset, long length);
#pragma warning restore IDE1006

        [StructLayout(LayoutKind.Sequential)]
        private struct FileZeroDataInformation
        {
            public long FileOffset;
            public long BeyondFinalZero;
        }
    }
}
