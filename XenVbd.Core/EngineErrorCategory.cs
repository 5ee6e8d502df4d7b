namespace XenVbd
{
    /// <summary>
    /// The kinds of failure an <see cref="IEngineError"/> reports. Each name is the PowerShell ErrorCategory of
    /// the same name (the engine does not reference PowerShell; the module maps them one to one).
    /// </summary>
    public enum EngineErrorCategory
    {
        /// <summary>The input names something outside what is allowed (an LBA past the end, a misaligned size).</summary>
        InvalidArgument,
        /// <summary>The data is not what it should be (a file that is not a disk image).</summary>
        InvalidData,
        /// <summary>Someone else holds the resource (another opener's lock on the image).</summary>
        ResourceBusy,
        /// <summary>The resource cannot be used right now.</summary>
        ResourceUnavailable,
        /// <summary>The operation is not allowed on this resource (a write to a read-only disk).</summary>
        PermissionDenied,
        /// <summary>The medium could not deliver the data.</summary>
        ReadError,
        /// <summary>A program or package the operation needs is not installed (QEMU, a compiler).</summary>
        NotInstalled,
        /// <summary>The operation does not apply here (a backend fault on a device a real QEMU serves).</summary>
        NotImplemented,
        /// <summary>A peer did not answer in time (a QEMU backend past its timeout).</summary>
        OperationTimeout,
    }
}
