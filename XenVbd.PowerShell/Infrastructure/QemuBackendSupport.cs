using System;
using System.IO;
using XenVbd.Device;

namespace XenVbd.PowerShell.Infrastructure
{
    /// <summary>
    /// What New-VbdDevice -Backend Qemu needs from the module: QEMU's binary, and the Xen stand-in compiled from the
    /// source the module ships (native/xen-standin beside module/Core and module/Desktop) into the per-user cache.
    /// </summary>
    internal static class QemuBackendSupport
    {
        /// <summary>The module's copy of the stand-in's source and the shared-memory header it includes.</summary>
        public static string NativeDirectory()
        {
            string here = Path.GetDirectoryName(typeof(QemuBackendSupport).Assembly.Location) ?? AppContext.BaseDirectory;
            return Path.GetFullPath(Path.Combine(here, "..", "native", "xen-standin"));
        }

        /// <summary>QEMU first (the likelier missing piece), then the stand-in library: built now if the cache lacks it.</summary>
        public static string PrepareStandin(string qemuPath, Action<string> verbose)
        {
            QemuBackendHost.CheckInstalled(qemuPath);
            string native = NativeDirectory();
            string source = Path.Combine(native, XenStandinLibrary.SourceFileName);
            verbose("Xen stand-in: " + source + " (compiled once per source hash into " + XenStandinLibrary.DefaultCacheRoot() + ")");
            return XenStandinLibrary.Ensure(source, native);
        }
    }
}
