using System;

namespace XenVbd.Device
{
    /// <summary>The backend process (QEMU) ended while the device still needed it; carries its exit code and last output.</summary>
    public sealed class BackendProcessExitedException : Exception, IEngineError
    {
        public BackendProcessExitedException(string message, int processId, int exitCode, string lastOutput)
            : base(message)
        {
            ProcessId = processId;
            ExitCode = exitCode;
            LastOutput = lastOutput;
        }

        public int ProcessId { get; }

        public int ExitCode { get; }

        /// <summary>The last lines QEMU (and the stand-in inside it) wrote to stderr/stdout.</summary>
        public string LastOutput { get; }

        /// <summary>The stable id a host reports.</summary>
        public string ErrorId => "BackendProcessExited";

        public EngineErrorCategory Category => EngineErrorCategory.ResourceUnavailable;

        public string RecommendedAction => "QEMU's last output is in the message. Remove-VbdDevice releases the device; create it again to start a new QEMU.";
    }
}
