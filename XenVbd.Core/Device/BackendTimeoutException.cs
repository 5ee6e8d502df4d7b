using System;

namespace XenVbd.Device
{
    /// <summary>A real-time backend (QEMU) did not get the device to the awaited state within its timeout; the wait was abandoned, not hung.</summary>
    public sealed class BackendTimeoutException : TimeoutException, IEngineError
    {
        public BackendTimeoutException(string message, TimeSpan timeout, string waitingFor)
            : base(message)
        {
            Timeout = timeout;
            WaitingFor = waitingFor;
        }

        public TimeSpan Timeout { get; }

        /// <summary>What the device waited for ("the XenBus handshake", "an SRB", ...).</summary>
        public string WaitingFor { get; }

        /// <summary>The stable id a host reports.</summary>
        public EngineErrorCategory Category => EngineErrorCategory.OperationTimeout;

        public string ErrorId => "BackendTimeout";

        public string RecommendedAction => "See QEMU's last output in the message. On a loaded machine give the device more time (New-VbdDevice -QemuTimeout); Remove-VbdDevice stops QEMU.";
    }
}
