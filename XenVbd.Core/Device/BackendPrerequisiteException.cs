using System;

namespace XenVbd.Device
{
    /// <summary>Something a real backend needs is not on this machine (QEMU's binary, a C compiler, Xen's headers); says what installs it.</summary>
    public sealed class BackendPrerequisiteException : Exception, IEngineError
    {
        public BackendPrerequisiteException(string message, string missing, string installCommand, Exception? inner = null)
            : base(message, inner)
        {
            Missing = missing;
            InstallCommand = installCommand;
        }

        /// <summary>What is missing (a path, a tool's name).</summary>
        public string Missing { get; }

        /// <summary>The command that installs it, e.g. <c>sudo apt-get install qemu-system-xen</c>.</summary>
        public string InstallCommand { get; }

        /// <summary>The stable id a host reports (PowerShell's ErrorRecord reads ErrorId, ErrorCategory and RecommendedAction).</summary>
        public string ErrorId => InstallCommand.IndexOf("qemu-system-xen", StringComparison.Ordinal) >= 0 ? "QemuNotInstalled" : "XenStandinPrerequisiteMissing";

        public EngineErrorCategory Category => EngineErrorCategory.NotInstalled;

        public string RecommendedAction => "Install it: " + InstallCommand;
    }
}
