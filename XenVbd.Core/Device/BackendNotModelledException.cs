using System;

namespace XenVbd.Device
{
    /// <summary>
    /// An operation that needs the in-process blkback model (backend fault injection, a changed backend ABI, a
    /// migration, a resize) was asked of a device whose backend is a real process, where it cannot apply.
    /// </summary>
    public sealed class BackendNotModelledException : NotSupportedException, IEngineError
    {
        public BackendNotModelledException(string deviceName, string operation, string backendDescription)
            : base("The device '" + deviceName + "' is served by " + backendDescription + ", not by the blkback model: " + operation
                + " needs the in-process model (a real backend's internals cannot be reached from here).")
        {
            DeviceName = deviceName;
            Operation = operation;
        }

        public string DeviceName { get; }

        /// <summary>What was asked ("backend fault injection", "Set-BackendAbi", ...).</summary>
        public string Operation { get; }

        /// <summary>The stable id a host reports: the operation needs the blkback model.</summary>
        public string ErrorId => "BackendNotModelled";

        public EngineErrorCategory Category => EngineErrorCategory.NotImplemented;

        public string RecommendedAction => "Use a model device for this (New-VbdDevice -Backend Model; -BackendPersonality Qemu72 models QEMU 7.2's behaviour there).";
    }
}
