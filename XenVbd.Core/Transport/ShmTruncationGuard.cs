using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;

namespace XenVbd.Transport
{
    /// <summary>
    /// Keeps a peer that shrinks the shared-memory file from killing this process. A page of a shared
    /// mapping that lies past the file's end raises SIGBUS on Linux (and on macOS) when touched; the
    /// .NET runtime turns that into an AccessViolationException it does not let anyone catch, so the
    /// process dies. Xen itself never lets a backend's mapping vanish; here the file is the peer's to
    /// truncate, so <see cref="ShmPeerHost.Poll"/> asks this guard, before a pass touches the mapping
    /// and again after it saw the peer's event counter move, whether the file still has the length the
    /// mapping covers (one fstat). When it does not, the guard replaces the whole view with private
    /// anonymous memory at the same address (mmap MAP_FIXED), so nothing this process still does with
    /// the mapping (the engine's timers, Dispose, a closing handshake) can fault, and the host stops the
    /// connection with <see cref="Fault"/> saying why. Windows refuses to shrink a mapped file
    /// (ERROR_USER_MAPPED_FILE), so there the check never trips. What is and is not guaranteed:
    /// docs/shared-memory.md, "A peer that truncates the file".
    /// </summary>
    public sealed unsafe class ShmTruncationGuard
    {
        private readonly SharedMemoryFile _file;
        private readonly FileStream _handle;

        internal ShmTruncationGuard(SharedMemoryFile file, FileStream handle)
        {
            _file = file;
            _handle = handle;
        }

        /// <summary>Why the connection stopped (the file's length then); null while the file is intact.</summary>
        public string? Fault { get; private set; }

        /// <summary>The mapping was replaced by private memory: the peer no longer sees what this side writes.</summary>
        public bool Quarantined { get; private set; }

        /// <summary>True while the file still covers the whole mapping; on the first shortfall, quarantines the view.</summary>
        public bool Check()
        {
            if (Fault != null) return false;
            long length;
            try
            {
                length = _handle.Length;   // fstat on the descriptor the mapping was made from: a rename cannot fool it
            }
            catch (Exception ex) when (ex is IOException || ex is ObjectDisposedException)
            {
                return Stop("its length could not be read (" + ex.Message + ")");
            }

            if (length >= _file.Length) return true;
            return Stop("the peer truncated it to " + length.ToString(CultureInfo.InvariantCulture) + " bytes; the mapping covers "
                + _file.Length.ToString(CultureInfo.InvariantCulture));
        }

        private bool Stop(string why)
        {
            Quarantine();
            Fault = "The shared-memory file '" + _file.Path + "' can no longer be used: " + why
                + ". This connection is stopped" + (Quarantined ? " and the mapping replaced by private memory" : "") + "; the process goes on.";
            return false;
        }

        private void Quarantine()
        {
            byte* address = _file.All.Address;
            if (address == null) return;
            int flags;
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) flags = LinuxMapPrivate | LinuxMapFixed | LinuxMapAnonymous;
            else if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) flags = MacMapPrivate | MacMapFixed | MacMapAnonymous;
            else return;   // Windows: a mapped file cannot be shrunk, so there is nothing to replace
            IntPtr got = Mmap((IntPtr)address, (UIntPtr)(ulong)_file.Length, ProtRead | ProtWrite, flags, -1, IntPtr.Zero);
            Quarantined = got == (IntPtr)address;
        }

        private const int ProtRead = 1;
        private const int ProtWrite = 2;
        private const int LinuxMapPrivate = 0x02;
        private const int LinuxMapFixed = 0x10;
        private const int LinuxMapAnonymous = 0x20;
        private const int MacMapPrivate = 0x0002;
        private const int MacMapFixed = 0x0010;
        private const int MacMapAnonymous = 0x1000;

        [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
        private static extern IntPtr Mmap(IntPtr address, UIntPtr length, int protection, int flags, int fd, IntPtr offset);
    }
}
