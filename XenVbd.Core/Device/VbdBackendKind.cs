namespace XenVbd.Device
{
    /// <summary>What serves a device's ring: the in-process blkback model, or a real QEMU process.</summary>
    public enum VbdBackendKind
    {
        /// <summary>The in-process blkback model (<see cref="Backend.BlkBack"/>) on the virtual clock: deterministic, every fault injectable.</summary>
        Model = 0,

        /// <summary>
        /// QEMU's Xen block backend (xen-disk) from qemu-system-xen, a separate process with the Xen stand-in preloaded,
        /// over a shared-memory file; it runs in real time.
        /// </summary>
        Qemu = 1,
    }
}
